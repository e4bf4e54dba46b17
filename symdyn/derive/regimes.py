"""Step-size regimes of the GD maps, derived by sympy (docs/conventions.md, Thm 3 and E9).

L = 2, f(w) = w(1 + η(σ − λw))², s = ησ:

* fixed points 0, σ/λ, (2 + ησ)/(ηλ) (the last: the factor flips sign, a⁺ = −a);
* multipliers (1+ησ)², 1 − 2ησ, and the third's;
* f'(w) = (1 + ησ − ηλw)(1 + ησ − 3ηλw): f is increasing on [0, σ/λ] iff its critical
  point (1+ησ)/(3ηλ) is >= σ/λ iff s <= ½ — monotone convergence from 0 < w0 < σ/λ;
* ½ < s < 1: multiplier in (−1, 0), oscillating convergence; s = 1: multiplier −1,
  period doubling. f(f(w)) − w = (f(w) − w) · Q₂(w) · Q₄(w), and the quadratic
  Q₂ = η²λ²w² − ηλ(1+ησ)w + 1 holds the period-2 orbit born at s = 1:
  w± = ((1+s) ± √((s−1)(s+3)))/(2ηλ).
* σ = 0: with u = ηλw, u⁺ = u(1−u)²; w decreases iff u <= 2, and
  1/u⁺ − 1/u − 2 = u(3 − 2u)/(1 − u)² >= 0 iff u <= 3/2, which gives
  w_k <= w0/(1 + 2ηλw0 k) when ηλw0 <= 3/2 (E9).
* L = 1: w⁺ = w + η(σ − λw), multiplier 1 − ηλ: monotone iff ηλ <= 1, stable iff ηλ < 2.
* Starts above σ/λ (L = 2, 0 < s <= ½), x = λw/σ, g(x) = x(1 + s(1 − x))²:
  g(x) − 1 = (x − 1)·Q(x) with Q(x) = s²x² − s(2+s)x + 1, roots r∓ = ((2+s) ∓ √(s(s+4)))/(2s),
  Q(1) = 1 − 2s, so 1 <= r− iff s <= ½. For 1 < x0 <= r−: 1 <= g(x) <= x on [1, r−] (Q >= 0, and
  |1 + s(1 − x)| <= 1 since r− <= 1/s + ½ < 1 + 2/s), so GD decreases monotonically to σ/λ;
  for r− < x0 < r+ (x0 ≠ (1+s)/s): 0 < g(x0) < 1, the first step overshoots below σ/λ
  (:func:`monotone_from_above`). In w: monotone iff w0 <= ((2 + ησ) − √(ησ(ησ + 4)))/(2ηλ).
  Beyond (2+s)/s (the third fixed point) GD diverges. :func:`classify` takes the start into account.

>>> period_two_orbit().verified
True
>>> classify(Model(depth=2, sigma=1, lam=1, eta="0.7"))
'oscillating'
>>> m = Model(depth=2, sigma="0.152", lam="0.475", eta="410/152")   # ησ = 0.41 <= 1/2
>>> classify(m), classify(m.starting_at("0.64"))                        # the start 2σ/λ overshoots
('monotone', 'overshoot')
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import product_map
from symdyn.derive.kernels import product2_constants, product2_steps
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import chain, rel

s_, lam_, eta_, sig_, w_ = S.eta * S.sigma, S.lam, S.eta, S.sigma, S.w
_F_W = sp.Function("f")(w_)
_W_K, _W_K1 = sp.Symbol("w_k", positive=True), sp.Symbol("w_{k+1}", positive=True)


def _f(depth: int = 2) -> sp.Expr:
    return product_map(depth).expr


def fixed_points() -> Derived:
    """The fixed points of the L = 2 map, found by ``solve``; residual f(p) − p each."""
    f = _f()
    roots = sp.solve(sp.Eq(f, w_), w_)
    found = {sp.factor(r) for r in roots} | ({sp.S.Zero} if f.subs(w_, 0) == 0 else set())
    expected = (sp.S.Zero, sig_ / lam_, (2 + s_) / (eta_ * lam_))
    res = {f"f({p}) - {p}": residual(f.subs(w_, p) - p) for p in expected}
    res["solve finds exactly these"] = sp.S(len(found ^ {sp.factor(p) for p in expected}))
    return Derived("fixed points of the L = 2 GD map", sp.Tuple(*expected), res,
                   (H(rel(eta_, ">", 0), ", ", rel(lam_, ">", 0)),))


def multipliers() -> Derived:
    """f'(0) = (1+ησ)², f'(σ/λ) = 1 − 2ησ, f'((2+ησ)/(ηλ)) = (1 + ησ + 2)… (derived)."""
    f = _f()
    d = sp.diff(f, w_)
    pts = fixed_points().expr
    vals = tuple(sp.factor(d.subs(w_, p)) for p in pts)
    res = {"f'(0) - (1+eta*sigma)^2": residual(vals[0] - (1 + s_) ** 2),
           "f'(sigma/lambda) - (1-2*eta*sigma)": residual(vals[1] - (1 - 2 * s_)),
           "f' factorisation": residual(d - (1 + s_ - eta_ * lam_ * w_) * (1 + s_ - 3 * eta_ * lam_ * w_))}
    return Derived("multipliers at the fixed points", sp.Tuple(*vals), res)


def monotone_threshold() -> Derived:
    """ησ <= ½: f is increasing on [0, σ/λ] (critical point (1+ησ)/(3ηλ) >= σ/λ)."""
    d = sp.diff(_f(), w_)
    crit = [c for c in sp.solve(d, w_) if sp.simplify(c - (1 + s_) / (3 * eta_ * lam_)) == 0]
    eta_star = sp.solve(sp.Eq(d.subs(w_, sig_ / lam_), 0), eta_)
    res = {"critical point found": sp.S(1 - len(crit)),
           "w_c - sigma/lambda - (1-2 eta sigma)/(3 eta lambda)":
               residual((1 + s_) / (3 * eta_ * lam_) - sig_ / lam_ - (1 - 2 * s_) / (3 * eta_ * lam_)),
           "f'(sigma/lambda) = 0 at eta = 1/(2 sigma)": residual(eta_star[0] - 1 / (2 * sig_))}
    return Derived("monotone convergence", sp.Le(s_, sp.Rational(1, 2)), res,
                   (chain(0, "<", S.w0, "<", sig_ / lam_),
                    H("then ", chain(w_, "<", _F_W, "<=", sig_ / lam_), " on ", sp.Interval.open(0, sig_ / lam_))))


def oscillation_thresholds() -> Derived:
    """½ < ησ < 1: the multiplier 1 − 2ησ at σ/λ lies in (−1, 0); = −1 at ησ = 1."""
    nu = sp.diff(_f(), w_).subs(w_, sig_ / lam_)
    lo = sp.solve(sp.Eq(nu, 0), eta_)[0]
    hi = sp.solve(sp.Eq(nu, -1), eta_)[0]
    res = {"nu = 0 at eta sigma = 1/2": residual(lo * sig_ - sp.Rational(1, 2)),
           "nu = -1 at eta sigma = 1": residual(hi * sig_ - 1)}
    expr = sp.And(sp.StrictLessThan(sp.Rational(1, 2), s_), sp.StrictLessThan(s_, 1))
    return Derived("oscillating convergence", expr, res, (H(rel(sig_, ">", 0), ", ", rel(lam_, ">", 0)),))


def period_two_orbit() -> Derived:
    """The period-2 orbit born at ησ = 1, in closed form, with its multiplier."""
    f = _f()
    ff = sp.Poly(sp.expand(f.subs(w_, f) - w_), w_)
    quot, rem = sp.div(ff, sp.Poly(sp.expand(f - w_), w_))
    q2 = sp.Poly(eta_**2 * lam_**2 * w_**2 - eta_ * lam_ * (1 + s_) * w_ + 1, w_)
    q4, rem2 = sp.div(quot, q2)
    root = sp.sqrt((s_ - 1) * (s_ + 3))
    orbit = ((1 + s_ - root) / (2 * eta_ * lam_), (1 + s_ + root) / (2 * eta_ * lam_))
    res = {"f(f(w)) - w divisible by f(w) - w": rem.as_expr(),
           "quadratic factor divides": rem2.as_expr(),
           "f(w-) - w+": residual(f.subs(w_, orbit[0]) - orbit[1]),
           "f(w+) - w-": residual(f.subs(w_, orbit[1]) - orbit[0]),
           "born at eta sigma = 1": residual(orbit[0].subs(eta_, 1 / sig_) - sig_ / lam_)}
    return Derived("period-2 orbit", sp.Tuple(*orbit), res,
                   (H(rel(s_, ">=", 1), " (real orbit)"), H("other period-2 factor: ", sp.factor(q4.as_expr()))))


def cycle_multiplier() -> Derived:
    """f'(w−) f'(w+) = 7 − 4s − 2s² of the period-2 orbit: 1 at s = 1, −1 at s = √5 − 1.

    So the 2-cycle is stable for 1 < ησ < √5 − 1 (the next period doubling).
    """
    fp = sp.diff(_f(), w_)
    orb = period_two_orbit().expr
    mult = sp.factor(sp.expand(fp.subs(w_, orb[0]) * fp.subs(w_, orb[1])))
    s = sp.Symbol("s", positive=True)
    in_s = sp.factor(mult.subs(eta_, s / sig_))
    ends = sp.solve(sp.Eq(in_s, -1), s)
    res = {"multiplier = 1 at eta sigma = 1": residual(in_s.subs(s, 1) - 1),
           "multiplier = -1 only at eta sigma = sqrt(5) - 1": sp.S(len(ends) - 1)
           + residual(ends[0] - (sp.sqrt(5) - 1))}
    return Derived("period-2 cycle multiplier", mult, res,
                   (H("the 2-cycle is stable for ", chain(1, "<", s_, "<", sp.sqrt(5) - 1)),))


def zero_mode_bound() -> Derived:
    """σ = 0 mode: ηλw0 <= 3/2 gives monotone decrease and w_k <= w0/(1 + 2ηλw0 k)."""
    u = sp.Symbol("u", positive=True)
    f0 = _f().subs(sig_, 0)
    up = sp.factor(f0.subs(w_, u / (eta_ * lam_)) * eta_ * lam_)  # u = ηλw, u⁺ = u(1−u)²
    gain = sp.factor(1 / up - 1 / u - 2)
    thr = [r for r in sp.solve(sp.numer(sp.together(gain)), u) if r != 0]
    umax = sp.Max(*[up.subs(u, c) for c in (sp.Rational(1, 3), sp.Rational(3, 2))])
    res = {"u+ - u(1-u)^2": residual(up - u * (1 - u) ** 2),
           "1/u+ - 1/u - 2 - u(3-2u)/(1-u)^2": residual(gain - u * (3 - 2 * u) / (1 - u) ** 2),
           "threshold is 3/2": sp.S(thr[0] - sp.Rational(3, 2)) if len(thr) == 1 else sp.S(len(thr)),
           "invariance: max u+ on [0, 3/2] - 3/8": residual(umax - sp.Rational(3, 8)),
           "w - w+ - w u (2 - u)": residual((u - up) - u * u * (2 - u))}
    return Derived("sigma = 0 mode", sp.Le(eta_ * lam_ * S.w0, sp.Rational(3, 2)), res,
                   (rel(sig_, "==", 0), H(rel(_W_K1, "<=", _W_K), " iff ", rel(eta_ * lam_ * _W_K, "<=", 2)),
                    H("then ", rel(1 / (eta_ * lam_ * _W_K), ">=", 1 / (eta_ * lam_ * S.w0) + 2 * S.k))))


def linear_thresholds() -> Derived:
    """L = 1: multiplier 1 − ηλ; monotone iff ηλ <= 1, stable iff ηλ < 2."""
    f1 = _f(1)
    nu = sp.diff(f1, w_)
    res = {"fixed point sigma/lambda": residual(f1.subs(w_, sig_ / lam_) - sig_ / lam_),
           "multiplier - (1 - eta lambda)": residual(nu - (1 - eta_ * lam_)),
           "nu = 0 at eta lambda = 1": residual(sp.solve(nu, eta_)[0] * lam_ - 1),
           "nu = -1 at eta lambda = 2": residual(sp.solve(nu + 1, eta_)[0] * lam_ - 2)}
    expr = sp.Tuple(sp.Le(eta_ * lam_, 1), sp.StrictLessThan(eta_ * lam_, 2))
    return Derived("L = 1 step-size thresholds (monotone, stable)", expr, res)


def monotone_from_above() -> Derived:
    """L = 2, 0 < ησ <= ½, start above σ/λ: GD decreases monotonically to σ/λ iff
    w0 <= ((2 + ησ) − √(ησ(ησ + 4)))/(2ηλ); up to the other root the first step overshoots (module doc)."""
    x, sv = sp.Symbol("x", positive=True), sp.Symbol("s", positive=True)
    g = x * (1 + sv * (1 - x)) ** 2
    q = sv**2 * x**2 - sv * (2 + sv) * x + 1
    lo, hi = ((2 + sv) - sp.sqrt(sv * (sv + 4))) / (2 * sv), ((2 + sv) + sp.sqrt(sv * (sv + 4))) / (2 * sv)
    bound = (2 + s_ - sp.sqrt(s_ * (s_ + 4))) / (2 * eta_ * lam_)
    res = {"g(x) - 1 - (x - 1) Q(x)": residual(g - 1 - (x - 1) * q),
           "Q(r-)": residual(q.subs(x, lo)), "Q(r+)": residual(q.subs(x, hi)),
           "Q(1) - (1 - 2s)": residual(q.subs(x, 1) - (1 - 2 * sv)),
           "r- = 1 at s = 1/2": residual(lo.subs(sv, sp.Rational(1, 2)) - 1),
           "g = f in x = lambda w/sigma": residual(g.subs({x: lam_ * w_ / sig_, sv: s_}) * sig_ / lam_ - _f()),
           "bound = r- sigma/lambda": residual(bound - lo.subs(sv, s_) * sig_ / lam_)}
    return Derived("monotone convergence from above sigma/lambda", sp.Le(S.w0, bound), res,
                   (chain(0, "<", s_, "<=", sp.Rational(1, 2)), rel(S.w0, ">", sig_ / lam_),
                    H("else, below the other root ", (2 + s_ + sp.sqrt(s_ * (s_ + 4))) / (2 * eta_ * lam_),
                      ": ", rel(_W_K1, "<", sig_ / lam_), " at k = 0 (overshoot)")))


#: Bits an exact orbit may reach before :func:`classify` gives up (the iterate's size grows ~3x per step).
CLASSIFY_BITS = 200_000


def classify(model: Model) -> str:
    """The regime of GD on a numeric model, from its start: ``"monotone"`` (converges to σ/λ without
    crossing it), ``"overshoot"`` (ησ <= ½, a start above σ/λ whose first step lands below it; then
    monotone from below), ``"oscillating"``, ``"period-doubling"``, or ``"unstable"`` (GD does not
    converge to σ/λ from this start: it diverges, or lands on 0 or on the repelling fixed point).

    The start is ``Model(w0=...)``, or the δ-based init at a numeric δ; with δ symbolic it is the
    paper's small start (w0 → 0 as δ → ∞). L = 1 does not depend on the start.
    """
    if model.depth == 1:
        x = model.eta * model.lam
        if not x.is_Number:
            raise ValueError("eta and lambda must be numbers to classify the regime")
        return "monotone" if x <= 1 else "oscillating" if x < 2 else "unstable"
    if model.depth != 2:
        raise ValueError(f"regimes are derived for depth 1 and 2, got depth {model.depth}")
    s = model.eta * model.sigma
    if not (s.is_Number and model.lam.is_Number):
        raise ValueError("eta, sigma and lam must be numbers to classify the regime")
    if model.sigma == 0:
        return _zero_mode(model)
    if model.lam == 0:
        return "unstable"  # w+ = w(1 + ησ)²: grows without bound
    x0 = None if not model.start_is_numeric else model.subs(model.lam * model.w0 / model.sigma)
    if x0 is not None and (x0 > (2 + s) / s or x0 == (2 + s) / s or x0 == (1 + s) / s):
        return "unstable"  # beyond the third fixed point; on it; or mapped to 0 in one step
    if s > sp.Rational(1, 2):
        return "oscillating" if s < 1 else "period-doubling"
    if x0 is None or x0 <= 1:
        return "monotone"
    return _from_above(x0, s)


def _zero_mode(model: Model) -> str:
    """σ = 0: u = ηλw, u⁺ = u(1 − u)² decreases iff u <= 2 (module doc); u0 = 2 is a fixed point."""
    if not model.start_is_numeric:
        return "monotone"
    u0 = model.subs(model.eta * model.lam * model.w0)
    return "monotone" if u0 < 2 else "unstable"


def _from_above(x0: sp.Expr, s: sp.Rational) -> str:
    """0 < s <= ½, x0 = λw0/σ > 1: monotone on (1, r−], overshoot on (r−, r+); from [r+, (2+s)/s) the
    orbit decreases until it drops below r+, so follow it exactly there (a rational start only)."""
    def q(x: sp.Expr) -> sp.Expr:
        return s**2 * x**2 - s * (2 + s) * x + 1
    vertex = (2 + s) / (2 * s)
    while True:
        if x0 <= vertex and q(x0) >= 0:
            return "monotone"  # in (1, r−]: every iterate so far decreased and stays above σ/λ
        if q(x0) < 0:
            return "overshoot"  # in (r−, r+): the next step lands in (0, 1)
        if not x0.is_Rational:
            raise ValueError("a start at or beyond ((2 + eta*sigma) + sqrt(eta*sigma*(eta*sigma + 4)))/(2*eta*lambda) "
                             "is classified by following its orbit exactly: give it as an exact number, Model(w0=...)")
        x0 = x0 * (1 + s * (1 - x0)) ** 2  # in [r+, (2+s)/s): 1 <= g(x0) < x0
        if max(int(x0.p).bit_length(), int(x0.q).bit_length()) > CLASSIFY_BITS:
            raise ValueError("the orbit from this start stays near the repelling fixed point "
                             f"(2 + eta*sigma)/(eta*lambda) beyond {CLASSIFY_BITS} bits of exact arithmetic; "
                             "use symdyn.trajectory to follow it")


def bifurcation_points(s_values: np.ndarray, transient: int = 2000, keep: int = 64,
                       x0: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Long-run iterates of x⁺ = x(1 + s(1 − x))², the L = 2 map in x = λw/σ, s = ησ (bifurcation diagram).

    That is the kernel :func:`~symdyn.derive.kernels.product2_steps` at σ = λ = 1, η = s, on
    numpy arrays. Returns (s repeated, x) arrays of the last ``keep`` iterates after ``transient``
    steps (float64; the figure is qualitative). Diverging orbits are dropped.
    """
    s = np.asarray(s_values, dtype=float)
    c, d = product2_constants(1.0, 1.0, s)
    x = np.full_like(s, x0)
    with np.errstate(over="ignore", invalid="ignore"):
        x = product2_steps(x, c, d, n=transient)
        out = np.empty((keep, s.size))
        for i in range(keep):
            x = product2_steps(x, c, d)
            out[i] = x
    ss = np.broadcast_to(s, out.shape)
    ok = np.isfinite(out) & (np.abs(out) < 1e6)
    return ss[ok], out[ok]
