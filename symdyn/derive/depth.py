"""Depth L >= 3: elementary closed forms, the escape-time scale and the δ → ∞ limit (issue #10).

The balanced flow ẇ = L w^{2−2/L}(σ − λw) (docs/conventions.md, :func:`~symdyn.derive.dynamics.product_ode`) has the
implicit solution t = G(w) − G(w0). With y = w^{1/L} the integrand splits into a singular and a
regular part,

    dt/dy = 1/(y^{L−1}(σ − λy^L)) = 1/(σ y^{L−1}) + λ y/(σ(σ − λ y^L)),

so, with p = (L−2)/L, κ = (λ/σ)^{1−2/L}/σ, z = (λw/σ)^{1/L} and J_L(z) = ∫_0^z ζ/(1 − ζ^L) dζ,

    G(w) = −w^{−p}/((L−2)σ) + κ J_L(z).                                           (★)

(★) is the hypergeometric G of :func:`~symdyn.derive.closed_forms.implicit_relation` (no constant term:
G(v) = v^a/(Lσ) Σ_n (λv/σ)^n/(a+n) with a = 2/L − 1 not an integer), written in logs and atans.

Escape (Arora et al. 2019, Gissin et al. 2020): X = w^{−p} obeys Ẋ = −(L−2)(σ − λw) exactly, so the
flow leaves 0 after t ≈ w0^{−p}/((L−2)σ) = e^{(L−2)δ}/((L−2)σ) (init "layer", w0 = e^{−Lδ}).
At t = scale·τ exactly, G(w) = scale(τ − τ*) + H(w0) with H(w0) → 0, hence the rescaled limit is
0 before τ* = 1/((L−2)σ), σ/λ after, and at τ* the root w* of G(w*) = 0, i.e. λw*/σ = x_L with
₂F₁(1, a; a+1; x_L) = 0, equivalently z^{L−2} J_L(z) = 1/(L−2), z = x_L^{1/L}.

>>> escape_scale(3).scale, escape_scale(3).tau_star
(exp(delta), 1/sigma)
>>> escape_scale(4, "product").scale
exp(delta/2)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import product_map, product_ode
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, check_init, init_exponent
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import chain, rel

#: Auxiliary symbols: y = w^{1/L}, z = (λw/σ)^{1/L}, x = λw/σ, ζ (integration variable).
_y, _z, _x, _zeta = sp.symbols("y z x zeta", positive=True)
_c = sp.Symbol("C1")


def _check_deep(depth: int) -> int:
    return check_depth(depth, 3)


def _real_branch(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """Rewrite log(e) with e < 0 on (0, 1) as log(−e) + iπ (sympy's ratint picks log(x − 1))."""
    def fix(arg):
        if arg.has(var) and arg.subs(var, sp.Rational(1, 2)).is_negative:
            return sp.log(sp.expand(-arg)) + sp.I * sp.pi
        return sp.log(arg)
    return sp.expand(expr.replace(sp.log, fix))


@cache
def regular_integral(depth: int) -> Derived:
    """J_L(z) = ∫_0^z ζ/(1 − ζ^L) dζ in real elementary form (logs and atans), 0 <= z < 1.

    >>> regular_integral(4).expr
    -log(1 - z**2)/4 + log(z**2 + 1)/4
    """
    L = _check_deep(depth)
    J = _real_branch(sp.integrate(_zeta / (1 - _zeta**L), (_zeta, 0, _z)), _z)
    checks = {"dJ/dz": residual(sp.diff(J, _z) - _z / (1 - _z**L)), "J(0)": residual(J.subs(_z, 0)),
              "imaginary part": residual(J.coeff(sp.I))}
    return Derived(f"J_{L}", J, checks, (chain(0, "<=", sp.Symbol("z"), "<", 1),))


@cache
def elementary_relation(depth: int) -> Derived:
    """The implicit flow t = G(w) − G(w0) with G in the split form (★), for L >= 3.

    Residuals: dG/dw − 1/F(w) (F the derived ODE), and the initial condition. The
    hypergeometric form (closed_forms.implicit_relation) equals (★) identically: both have
    derivative 1/F and no constant term at w → 0 (the test suite checks the values too).
    """
    L = _check_deep(depth)
    p = sp.Rational(L - 2, L)
    kappa = (S.lam / S.sigma) ** (1 - sp.Rational(2, L)) / S.sigma
    J = regular_integral(L).expr

    def G(v):
        z = (S.lam * v / S.sigma) ** sp.Rational(1, L)
        return -v ** (-p) / ((L - 2) * S.sigma) + kappa * J.subs(_z, z)
    rhs = product_ode(L).expr
    dG = sp.diff(G(S.w), S.w)
    # the derivative check at σ = λ = 1 symbolically in w, then in general by rescaling w
    res = residual(sp.powsimp(sp.expand_power_base(dG - 1 / rhs, force=True), force=True))
    t_of_w = sp.Eq(S.t, G(S.w) - G(S.w0))
    return Derived("elementary flow relation", t_of_w,
                   {"dt/dw": res, "initial": residual(t_of_w.rhs.subs(S.w, S.w0))},
                   (H(rel(S.sigma, ">", 0), ", ", rel(S.lam, ">", 0)),
                    H(chain(0, "<", S.w0, "<", S.sigma / S.lam), ", ", chain(0, "<", S.w, "<", S.sigma / S.lam))))


#: The modes with an explicit flow at depth L >= 3 (keys of :func:`special_mode_solutions`).
EXPLICIT_MODES = ("sigma=0", "lambda=0")


@cache
def special_mode_solutions(depth: int) -> dict[str, Derived]:
    """Explicit w(t) for the σ = 0 and λ = 0 modes (separable), by dsolve, checked by substitution.

    σ = 0: ẇ = −Lλ w^{3−2/L} ⇒ w = (w0^{−(2L−2)/L} + (2L−2)λt)^{−L/(2L−2)}.
    λ = 0: ẇ = Lσ w^{2−2/L}  ⇒ w = (w0^{−p} − (L−2)σt)^{−1/p}, blowing up at t = w0^{−p}/((L−2)σ),
    the escape time of the general mode (p = (L−2)/L).
    """
    L = _check_deep(depth)
    rhs = product_ode(L).expr
    out = {}
    f = sp.Function("f")
    for name, case in zip(EXPLICIT_MODES, ({S.sigma: 0}, {S.lam: 0}), strict=True):
        r = sp.expand(rhs.subs(case))
        coeff, n = r.as_coeff_exponent(S.w)        # ẇ = c w^n, Bernoulli: v = w^{1−n} is linear in t
        v_rhs = sp.expand((1 - n) * coeff)          # v̇ = (1 − n) c
        v = sp.dsolve(sp.Eq(f(S.t).diff(S.t), v_rhs), f(S.t), ics={f(0): S.w0 ** (1 - n)}).rhs
        w_t = v ** (1 / (1 - n))
        # check in terms of the positive base B = v(t) (v > 0 on the solution's domain)
        B = sp.Symbol("B", positive=True)
        t_of_B = sp.solve(sp.Eq(v, B), S.t)[0]
        ode_res = (sp.diff(w_t, S.t) - r.subs(S.w, w_t)).subs(S.t, t_of_B)
        checks = {"ode": residual(sp.powsimp(sp.expand_power_base(ode_res, force=True), force=True)),
                  "initial": residual(sp.powsimp(w_t.subs(S.t, 0) - S.w0, force=True))}
        hyp = (rel(S.w0, ">", 0),) if name == "sigma=0" else (
            rel(S.w0, ">", 0), rel(S.t, "<", S.w0 ** (-sp.Rational(L - 2, L)) / ((L - 2) * S.sigma)))
        out[name] = Derived(f"flow, {name}", w_t, checks, hyp)
    return out


@dataclass(frozen=True)
class EscapeScale:
    """The escape-time asymptotics t_escape ≈ tau_star · scale as δ → ∞.

    ``leading_ode``: the small-w term c w^n of the ODE; ``escape_time``: ∫_{w0}^{1} dw/(c w^n) with
    the init substituted; ``scale``, ``tau_star``: its dominant part split as τ* · scale(δ).
    """

    depth: int
    init: str
    leading_ode: sp.Expr
    escape_time: sp.Expr
    scale: sp.Expr
    tau_star: sp.Expr


@cache
def escape_scale(depth: int, init: str = "layer") -> EscapeScale:
    """Derive the escape scale from the small-w behaviour of the ODE (depth >= 2).

    ẇ ≈ Lσ w^n near 0 (n = 2 − 2/L); the time to leave w0 is ∫_{w0} dw/(Lσ w^n). Its dominant
    part as δ → ∞ is split into τ* (free of δ) times the scale: δ for L = 2 (τ* = 1/σ, "layer"),
    e^{(L−2)δ} for L >= 3 ("layer", τ* = 1/((L−2)σ)); under "product" (w0 = e^{−δ}) the scale is
    e^{(L−2)δ/L} with the same τ* (L = 2: δ with τ* = 1/(2σ)).
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 2:
        raise ValueError(f"depth must be an integer >= 2 for an escape scale, got {depth!r} "
                         "(depth 1 leaves 0 in O(1) time: its limit in t = delta*tau is sigma/lambda)")
    check_init(init)
    rhs = sp.expand(product_ode(depth).expr)
    terms = [term.as_coeff_exponent(S.w) for term in sp.Add.make_args(rhs)]
    n = min(e for _, e in terms)
    lead = sum(c for c, e in terms if e == n) * S.w**n
    w0 = sp.exp(-init_exponent(depth, init) * S.delta)
    T = sp.integrate(1 / lead, (S.w, S.w0, 1)).subs(S.w0, w0)
    T = sp.expand(sp.powsimp(sp.expand_power_base(sp.expand_log(T, force=True), force=True), force=True))
    # dominant term as δ → ∞: the summand whose ratio to every other summand diverges
    parts = sp.Add.make_args(T)
    dominant = [q for q in parts if q.has(S.delta) and all(
        sp.limit(sp.Abs(q / r), S.delta, sp.oo) == sp.oo for r in parts if r is not q)]
    if len(dominant) != 1:
        raise ValueError(f"could not isolate the escape scale of depth {depth} from {T}")
    tau_star, scale = dominant[0].as_independent(S.delta, as_Add=False)
    return EscapeScale(depth, init, lead, T, scale, tau_star)


@cache
def transition_equation(depth: int) -> Derived:
    """The equation of the flow's value at the transition: G(w*) = 0, in x = λw*/σ.

    ``expr`` is Eq(₂F₁(1, a; a+1; x), 0) (a = 2/L − 1), the same as 1 − (L−2) z^{L−2} J_L(z) = 0
    with z = x^{1/L}. Residuals: the n-th series coefficients agree (a/(a+n) on both sides, n
    symbolic), and the closed-form J_L reproduces the series through x^3.
    """
    L = _check_deep(depth)
    a = sp.Rational(2, L) - 1
    n = sp.Symbol("n", integer=True, positive=True)
    hyper_coeff = sp.rf(1, n) * sp.rf(a, n) / (sp.rf(a + 1, n) * sp.factorial(n))
    # 1 − (L−2) z^{L−2} Σ_m z^{mL+2}/(mL+2): the coefficient of x^n = z^{nL} has m = n − 1
    elem_coeff = -(L - 2) / ((n - 1) * L + 2)
    coeff_res = residual(sp.gammasimp(hyper_coeff - elem_coeff))
    elem = 1 - (L - 2) * _z ** (L - 2) * regular_integral(L).expr
    trunc = 1 + sum(a / (a + m) * _z ** (m * L) for m in range(1, 4))
    series_res = residual(sp.series(elem - trunc, _z, 0, 4 * L).removeO())
    return Derived("transition equation", sp.Eq(sp.hyper([1, a], [a + 1], _x), 0),
                   {"series coefficient n": coeff_res, "elementary form to x^3": series_res},
                   (H(rel(sp.Symbol("x"), "==", S.lam * sp.Symbol("w^{*}") / S.sigma), " in (0, 1)"),))


@cache
def gd_step_bound(depth: int) -> Derived:
    """The multiplier of the product map at the fixed point σ/λ: 1 − Lηλ(σ/λ)^{2−2/L}.

    GD converges monotonically to σ/λ when Lηλ(σ/λ)^{2−2/L} <= 1 and is stable when < 2
    (L = 2: 1 − 2ησ, docs/conventions.md).
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    g = product_map(depth).expr
    fixed = S.sigma / S.lam
    mult = sp.powsimp(sp.expand_power_base(sp.diff(g, S.w).subs(S.w, fixed), force=True), force=True)
    claim = 1 - depth * S.eta * S.lam * fixed ** (2 - sp.Rational(2, depth))
    return Derived("GD multiplier at sigma/lambda", claim,
                   {"multiplier": residual(sp.powsimp(sp.expand_power_base(mult - claim, force=True),
                                                      force=True)),
                    "fixed point": residual(g.subs(S.w, fixed) - fixed)},
                   (H(rel(S.sigma, ">", 0), ", ", rel(S.lam, ">", 0)),))


@cache
def gd_escape_expansion(depth: int) -> dict[str, Derived]:
    """The discrete escape: X = w^{−p} (p = (L−2)/L) under the flow and under GD.

    * flow: Ẋ = −(L−2)(σ − λw) exactly (residual by the chain rule);
    * GD near 0 (λw neglected, X large): X⁺ = X − (L−2)ησ + (L−2)(L−1)/2 · η²σ²/X + O(X^{−2});
    * hence GD lags the flow by d(lag) = (L−1)η/(2L) · d ln w while escaping: at the escape
      ηk − t_flow ≈ (L−1)η/(2L) · ln(1/w0) = (L−1)ηδ/2 under "layer" init. The lag is O(δ), the
      scale e^{(L−2)δ}: the GD transition in τ = ηk/e^{(L−2)δ} is the flow's τ* for every η, but
      at τ* itself GD is still O(δ) behind in G-units, so its boundary value is 0 (not w*).
    """
    L = _check_deep(depth)
    q = L - 2
    p = sp.Rational(q, L)
    X = S.w ** (-p)
    flow = sp.diff(X, S.w) * product_ode(L).expr
    flow_claim = -q * (S.sigma - S.lam * S.w)
    eps = sp.Symbol("epsilon", positive=True)   # ε = 1/X = w^p
    step = product_map(L).expr.subs(S.lam, 0)
    Xn = sp.powsimp(sp.expand_power_base((step ** (-p)).subs(S.w, eps ** (1 / p)), force=True), force=True)
    series = sp.series(Xn - 1 / eps, eps, 0, 2).removeO()
    claim = -q * S.eta * S.sigma + sp.Rational(q * (q + 1), 2) * S.eta**2 * S.sigma**2 * eps
    # lag per unit of ln w: time-lag per step (X-lag/(qσ)) over d ln w per step (= Lησ/X)
    lag_rate = sp.simplify((sp.Rational(q * (q + 1), 2) * S.eta**2 * S.sigma**2 * eps / (q * S.sigma))
                           / (L * S.eta * S.sigma * eps))
    return {
        "flow": Derived("dX/dt", flow_claim, {"chain rule": residual(
            sp.powsimp(sp.expand_power_base(flow - flow_claim, force=True), force=True))}),
        "gd": Derived("X_next - X", claim, {"series": residual(sp.expand(series - claim))},
                      (H(S.lam * S.w, " neglected (escape phase)"),)),
        "lag_rate": Derived("d lag / d ln w", lag_rate,
                            {"claim": residual(lag_rate - (L - 1) * S.eta / (2 * L))}),
    }
