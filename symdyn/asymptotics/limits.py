"""δ → ∞ limits of the flow and of GD, built on the rescaled-limit engine (docs/conventions.md).

Nothing here is typed in: each limit is the engine (:mod:`symdyn.asymptotics`) applied to
a derived closed form (:mod:`symdyn.closed_forms`) or, for L = 2 GD, which has no closed
form, to the derived bounds of :mod:`symdyn.bounds` (a squeeze).

* Thm 2 (flow, L = 2): 0 / σ/(σ+λ) / σ/λ with the step at τ = 1/σ (init "layer",
  w0 = e^{−2δ}) or 1/(2σ) (init "product", w0 = e^{−δ}; erratum E1).
* Linear model (L = 1): σ/λ for every τ > 0 (no step).
* Cor 1: lim ‖W1W2(δτ)‖_F² = Σ_i lim w_i(δτ)², one Piecewise per mode.
* Cor 2: the matrix visited for 1/σ_k < τ < 1/σ_{k+1}, and when it is the rank-k
  reduced-rank-regression (RRR) solution (erratum E10).
* Half-time: w(t) = σ/(2λ) at t = δ/σ + ln(σ/λ − e^{−2δ})/(2σ) (erratum E5).
* GD (L = 2): the transition T^η = η/ln(1 + ησ) from the linearisation at 0 (multiplier
  (1+ησ)²) against the decay of w0; the rescaled limit 0 below T^η and σ/λ above
  (2ησ ≤ 1); at T^η itself the limit does not exist (boundary value ``None``).

>>> flow_limit(Model(depth=2)).expr
Piecewise((0, tau < 1/sigma), (sigma/(lambda + sigma), Eq(tau, 1/sigma)), (sigma/lambda, True))
>>> gd_transition().expr
eta/log(eta*sigma + 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import sympy as sp

from symdyn.asymptotics.engine import FLOW_RESCALING, GD_RESCALING, evaluate_at, exp_terms, rescaled_limit, squeeze
from symdyn.asymptotics.result import RescaledLimit
from symdyn.derive.bounds import PrintedForm, thm3_bounds
from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form
from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import product_map
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, check_init
from symdyn.model.core import Model
from symdyn.model.exact import parse_number
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import chain, rel

DYNAMICS = ("flow", "gd")


def _check(model: Model, *, depths: tuple[int, ...] = (1, 2)) -> None:
    if model.depth not in depths:
        have = " and ".join(map(str, depths))
        raise ValueError(f"this limit is derived for depth {have}, got depth {model.depth} "
                         "(depth >= 3: symdyn.limit dispatches to the depth-L limit)")
    if model.delta != S.delta:
        raise ValueError("delta must stay symbolic for a delta -> infinity limit; leave Model(delta=...) unset")


def _symbolic(*values: sp.Expr) -> tuple[sp.Symbol, ...]:
    """The parameters that are still symbols (they are assumed positive by the engine)."""
    return tuple(v for v in values if isinstance(v, sp.Symbol))


def _branch(model: Model, expr: sp.Expr) -> tuple[sp.Expr, tuple[str, ...]]:
    """Substitute the model's numbers; a Piecewise left symbolic keeps its first (generic) branch."""
    expr = model.subs(expr)
    if isinstance(expr, sp.Piecewise):
        value, cond = expr.args[0]
        return value, (H("generic branch of the closed form (", cond, ")"),)
    return expr, ()


def _init_words(model: Model) -> str:
    return H(f"init {model.init}: ", rel(S.w0, "==", model.w0))


# --------------------------------------------------------------------------- flow
def flow_limit(model: Model | None = None) -> RescaledLimit:
    """lim_{δ→∞} w(δτ) of the gradient flow (L = 1 or 2), from its derived closed form."""
    return _flow_limit(model or Model())


@cache
def _flow_limit(model: Model) -> RescaledLimit:
    _check(model)
    w, words = _branch(model, flow_closed_form(model.depth).expr)
    return rescaled_limit(w.subs(S.w0, model.w0), FLOW_RESCALING,
                          positive=_symbolic(model.sigma, model.lam),
                          assumptions=(*words, _init_words(model)),
                          dynamics="flow", depth=model.depth, init=model.init)


def _exact(value: object, name: str) -> sp.Expr:
    """A symbol stays a symbol; a number becomes its exact Rational (a float keeps its binary value)."""
    return value if isinstance(value, sp.Symbol) else parse_number(value, name)


def _mode_symbols(n: int) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    sig = sp.symbols(f"sigma_1:{n + 1}", positive=True)
    lam = sp.symbols(f"lambda_1:{n + 1}", positive=True)
    return sig, lam


def _modes(sigmas: Sequence | int, lams: Sequence | None) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """Per-mode (σ_i, λ_i): given values (exact), or indexed symbols σ_1.. when ``sigmas`` is a count."""
    if isinstance(sigmas, int):
        sig, lam = _mode_symbols(sigmas)
        return list(sig), list(lam) if lams is None else [_exact(x, "lambda_i") for x in lams]
    sig = [_exact(x, "sigma_i") for x in sigmas]
    lam = [_exact(x, "lambda_i") for x in (lams if lams is not None else [1] * len(sig))]
    if len(sig) != len(lam):
        raise ValueError(f"got {len(sig)} sigmas and {len(lam)} lambdas; give one lambda per mode")
    if any(s.is_Number and s <= 0 for s in sig) or any(x.is_Number and x <= 0 for x in lam):
        raise ValueError("every sigma_i and lambda_i must be > 0 for the mode limits")
    if all(s.is_Number for s in sig) and any(a <= b for a, b in zip(sig, sig[1:], strict=False)):
        raise ValueError("give the sigmas in strictly decreasing order (sigma_1 > sigma_2 > ...)")
    return sig, lam


def mode_limits(sigmas: Sequence | int, lams: Sequence | None = None, init: str = "layer",
                power: int = 1) -> tuple[RescaledLimit, ...]:
    """The engine's limit of w_i(δτ)^power for each mode (σ_i, λ_i) of the L = 2 flow."""
    sig, lam = _modes(sigmas, lams)
    out = []
    for s, l in zip(sig, lam, strict=True):
        w, _ = _branch(Model(depth=2, init=init), flow_closed_form(2).expr)
        e = (w.subs(S.w0, Model(depth=2, init=init).w0) ** power).subs({S.sigma: s, S.lam: l})
        r = rescaled_limit(e, FLOW_RESCALING, positive=_symbolic(s, l),
                           assumptions=(f"init {init}",), dynamics="flow", depth=2, init=init)
        out.append(r)
    return tuple(out)


def frobenius_limit(sigmas: Sequence | int, lams: Sequence | None = None,
                    init: str = "layer") -> RescaledLimit:
    """Cor 1: lim ‖W1W2(δτ)‖_F² = Σ_i lim w_i(δτ)², a sum of one Piecewise per mode.

    Transitions are listed in mode order: increasing when σ_1 > σ_2 > … (an assumption).
    """
    per_mode = mode_limits(sigmas, lams, init, power=2)
    expr = sp.Add(*[r.expr for r in per_mode])
    sig, _ = _modes(sigmas, lams)
    transitions = tuple(t for r in per_mode for t in r.transitions)
    at = tuple(_ordered_eval(expr, t, sig) for t in transitions)
    words = tuple(dict.fromkeys(a for r in per_mode for a in r.assumptions))
    if not all(s.is_Number for s in sig):
        words += (H(chain(*[p for s in sig for p in (s, ">")][:-1]), " (mode order)"),)
    return RescaledLimit(expr, S.delta, transitions, at, words,
                         tuple(u for r in per_mode for u in r.undecided), "flow", 2, init)


def _ordering(sig: Sequence[sp.Expr]) -> tuple[dict, dict]:
    """Stand-ins σ_i = s + Σ_{j>=i} g_j (s, g_j > 0) that encode σ_1 > σ_2 > …, and the map back."""
    n = len(sig)
    gaps = [sp.Dummy(f"g{i}", positive=True) for i in range(n - 1)]
    base = sp.Dummy("s", positive=True)
    fwd = {s: base + sum(gaps[i:], sp.S.Zero) for i, s in enumerate(sig) if isinstance(s, sp.Symbol)}
    back = {base: sig[-1], **{gaps[i]: sig[i] - sig[i + 1] for i in range(n - 1)}}
    return fwd, back


def _ordered_eval(expr: sp.Expr, at: sp.Expr, sig: Sequence[sp.Expr]) -> sp.Expr:
    """``expr`` at τ = ``at`` under σ_1 > σ_2 > … (exact; conditions decided by sign)."""
    fwd, back = _ordering(sig)
    return sp.simplify(evaluate_at(expr.subs(fwd), at.subs(fwd)).subs(back))


@dataclass(frozen=True)
class VisitedMatrix:
    """Cor 2: the limit of U^T W1W2(δτ) V on the diagonal, for 1/σ_k < τ < 1/σ_{k+1}.

    ``rrr_condition``: the exact condition for the visited matrix to be a rank-k RRR solution:
    the top k modes in σ-order are a top-k set in σ²/λ-order (Reinsel & Velu Thm 2.2).
    ``loss``/``rrr_loss``: Σ_i (½λ_i w_i² − σ_i w_i) at the visited and at the RRR matrix.
    """

    k: int
    interval: tuple[sp.Expr, sp.Expr]
    diagonal: tuple[sp.Expr, ...]
    rrr_condition: sp.Basic
    loss: sp.Expr
    rrr_diagonal: tuple[sp.Expr, ...] | None
    rrr_loss: sp.Expr | None


def visited_matrix(k: int, sigmas: Sequence | int, lams: Sequence | None = None,
                   init: str = "layer") -> VisitedMatrix:
    """Cor 2 for the rank-k plateau (1 <= k < number of modes), from the per-mode limits."""
    sig, lam = _modes(sigmas, lams)
    n = len(sig)
    if not (isinstance(k, int) and 1 <= k < n):
        raise ValueError(f"k must be an integer with 1 <= k < {n} (the number of modes)")
    lo, hi = 1 / sig[k - 1], 1 / sig[k]
    diag = [_ordered_eval(r.expr, (lo + hi) / 2, sig) for r in mode_limits(sig, lam, init)]
    score = [s**2 / l for s, l in zip(sig, lam, strict=True)]
    cond = sp.And(*[sp.GreaterThan(score[i], score[j]) for i in range(k) for j in range(k, n)])

    def loss(d: Sequence[sp.Expr]) -> sp.Expr:
        return sp.simplify(sum(l * x**2 / 2 - s * x for s, l, x in zip(sig, lam, d, strict=True)))

    rrr = rrr_loss = None
    if all(x.is_Number for x in (*sig, *lam)):
        top = sorted(range(n), key=lambda i: -score[i])[:k]
        rrr = tuple(sig[i] / lam[i] if i in top else sp.S.Zero for i in range(n))
        rrr_loss = loss(rrr)
    return VisitedMatrix(k, (lo, hi), tuple(diag), cond, loss(diag), rrr, rrr_loss)


@cache
def half_time(init: str = "layer") -> Derived:
    """The time at which the L = 2 flow reaches σ/(2λ), by solving w(t) = σ/(2λ) (σ, λ > 0).

    Init "layer": δ/σ + ln(σ/λ − e^{−2δ})/(2σ) (erratum E5). The residual substitutes it back.
    """
    model = Model(depth=2, init=init)
    w = flow_closed_form(2).expr.args[0][0].subs(S.w0, model.w0)
    x = sp.Symbol("x", positive=True)  # x = e^{−2σt}: w is a Möbius function of x
    (xs,) = sp.solve(sp.Eq(w.subs(sp.exp(-2 * S.sigma * S.t), x), S.sigma / (2 * S.lam)), x)
    decay = -sp.log(model.w0)  # w0 = e^{-decay}
    inner = sp.expand(sp.exp(-decay) / xs)  # 1/x = e^{decay} · inner
    t_half = decay / (2 * S.sigma) + sp.log(inner) / (2 * S.sigma)
    res = residual(sp.simplify(w.subs(S.t, t_half) - S.sigma / (2 * S.lam)))
    limit = sp.limit(t_half / S.delta, S.delta, sp.oo)
    return Derived("flow half-time", sp.expand(t_half), {"w(t_half) - sigma/(2 lambda)": res},
                   (rel(S.sigma, ">", 0), rel(S.lam, ">", 0), f"init {init}",
                    H(sp.Symbol("t_{1/2}") / S.delta, " tends to ", limit),
                    H("real for ", rel(S.w0, "<", S.sigma / (2 * S.lam)))))


def printed_half_time() -> PrintedForm:
    """Eq (17) as printed: T = (δ/σ) ln σ (negative for σ < 1; erratum E5)."""
    return PrintedForm("printed half-time (eq 17)", S.delta / S.sigma * sp.log(S.sigma), (),
                       "Gidel et al. 2019, eq (17)",
                       "E5: negative for sigma < 1; the half-time is "
                       "delta/sigma + ln(sigma/lambda - e^{-2 delta})/(2 sigma)")


# --------------------------------------------------------------------------- GD
@cache
def linearisation() -> Derived:
    """The multiplier μ = G'(0) = (1+ησ)² of the GD map at 0, and the bound G(w) ≤ μw.

    Residual: μw − G(w) = ηλw²(2 + 2ησ − ηλw), ≥ 0 while ηλw ≤ 2(1 + ησ).
    """
    G = product_map(2).expr
    mu = sp.factor(sp.diff(G, S.w).subs(S.w, 0))
    gap = S.eta * S.lam * S.w**2 * (2 + 2 * S.eta * S.sigma - S.eta * S.lam * S.w)
    return Derived("GD multiplier at 0", mu, {"mu*w - G(w) - gap": residual(mu * S.w - G - gap)},
                   (H(rel(sp.Function("G")(S.w), "<=", sp.Symbol("mu") * S.w), " while ",
                     rel(S.eta * S.lam * S.w, "<=", 2 * (1 + S.eta * S.sigma))),))


@cache
def gd_transition(init: str = "layer") -> Derived:
    """T^η: where the growth μ^k of the linearisation at 0 beats the decay of w0, with ηk = δτ.

    The engine reads μ^k w0 as e^{δ r(τ)}, r(τ) = τ ln μ/η − c (w0 = e^{−cδ}); T^η solves r = 0.
    """
    model = Model(depth=2, init=init)
    mu = linearisation().expr
    lin = rescaled_limit(mu**S.k * model.w0, GD_RESCALING, positive=(S.sigma,))
    (T,) = lin.transitions
    T = sp.simplify(sp.expand_log(T))
    (term,) = exp_terms((mu**S.k * model.w0).subs(GD_RESCALING))
    rate_at_T = residual(sp.expand_log(term.rate.subs(S.tau, T)))
    return Derived("GD transition T^eta", T, {"rate at T^eta": rate_at_T},
                   (rel(S.sigma, ">", 0), rel(S.eta, ">", 0), H(f"init {init}: ", rel(S.w0, "==", model.w0))))


def gd_transition_series(order: int = 4, init: str = "layer") -> Derived:
    """The Taylor series of T^η in η up to O(η^order) (sympy ``series``)."""
    T = gd_transition(init).expr
    s = sp.series(T, S.eta, 0, order).removeO()
    # check: s · ln(1 + ησ)/η = 1 + O(η^order), i.e. s inverts ln(1 + ησ)/η to that order
    check = sp.series(s * sp.log(1 + S.eta * S.sigma) / S.eta - 1, S.eta, 0, order).removeO()
    return Derived(f"T^eta series to O(eta^{order})", sp.collect(sp.expand(s), S.eta),
                   {"s*ln(1+eta*sigma)/eta - 1 to O(eta^order)": residual(check)}, (rel(S.sigma, ">", 0),))


def _gd_rescaling(model: Model) -> dict[sp.Symbol, sp.Expr]:
    """k = δτ/η with the model's η (exact)."""
    return {S.k: GD_RESCALING[S.k].subs(S.eta, model.eta)}


def _gd_linear(model: Model) -> RescaledLimit:
    """L = 1 GD from its closed form; needs 0 < ηλ < 1 (monotone decay of (1 − ηλ)^k)."""
    eta_lam = model.eta * model.lam
    if eta_lam.is_Number and not (0 < eta_lam < 1):
        raise ValueError(f"depth-1 GD limit needs 0 < eta*lambda < 1, got eta*lambda = {eta_lam}")
    w, words = _branch(model, gd_closed_form(1).expr)
    facts = {} if eta_lam.is_Number else {sp.log(1 - eta_lam): -1}
    return rescaled_limit(w.subs(S.w0, model.w0), _gd_rescaling(model),
                          positive=_symbolic(model.sigma, model.lam), signs=facts,
                          assumptions=(*words, chain(0, "<", eta_lam, "<", 1), _init_words(model)),
                          dynamics="gd", depth=1, init=model.init)


def gd_limit(model: Model | None = None) -> RescaledLimit:
    """lim_{δ→∞} w_k at η k = δτ for GD (L = 1 from the closed form; L = 2 by a squeeze).

    L = 2: lower bound max(0, Thm 3 lower bound) (needs 0 < w0 < σ/λ, 2ησ ≤ 1), upper bound
    min(μ^k w0, σ/λ) (linearisation at 0; invariance of (0, σ/λ) under 2ησ ≤ 1). Where the
    limits of the bounds agree that is the limit; at T^η they differ, and the limit does not
    exist there (boundary value ``None``). With a numeric 2ησ > 1 only w_k ≥ 0 and μ^k w0
    are used, so the piece above T^η is reported undecided.
    """
    return _gd_limit(model or Model())


@cache
def _gd_limit(model: Model) -> RescaledLimit:
    _check(model)
    if model.depth == 1:
        return _gd_linear(model)
    pos = _symbolic(model.sigma, model.lam)
    two_eta_sigma = 2 * model.eta * model.sigma
    admissible = not (two_eta_sigma.is_Number and two_eta_sigma > 1)
    if model.sigma.is_Number and model.sigma == 0:
        raise ValueError("the GD transition needs sigma > 0 "
                         "(a sigma = 0 mode decays: see bounds.sigma_zero_bound)")
    common = dict(dynamics="gd", depth=2, init=model.init, positive=pos)
    mu = model.subs(linearisation().expr)
    growth = rescaled_limit(mu**S.k * model.w0, _gd_rescaling(model), **common)
    fixed = model.subs(S.sigma / S.lam)
    if admissible:
        lower = rescaled_limit(model.subs(thm3_bounds()[0].expr).subs(S.w0, model.w0),
                               _gd_rescaling(model), **common)
        upper_expr = sp.piecewise_fold(sp.Min(growth.expr, fixed))
        hyps = (H(rel(2 * model.eta * model.sigma, "<=", 1), " (step-size condition of Thm 3)"),
                H(chain(0, "<", S.w0, "<", model.sigma / model.lam), " (true for all large delta)"))
    else:
        lower = RescaledLimit(sp.S.Zero, S.delta, dynamics="gd", depth=2, init=model.init)
        upper_expr = growth.expr
        hyps = (H(chain(2 * S.eta * S.sigma, "==", two_eta_sigma, ">", 1), ": Thm 3 does not apply above ",
                  sp.Symbol("T^{eta}")),)
    upper = RescaledLimit(upper_expr, S.delta, growth.transitions, (), growth.assumptions,
                          dynamics="gd", depth=2, init=model.init)
    mu_sym, w_k = sp.Symbol("mu"), sp.Symbol("w_k")
    words = (*hyps, H(rel(w_k, "<=", mu_sym**S.k * S.w0), " with ", rel(mu_sym, "==", mu), " (linearisation at 0)"),
             H(rel(S.k, "==", sp.floor(S.delta * S.tau / model.eta)), ": the bounds are monotone in k"),
             _init_words(model))
    return squeeze(lower, upper, words)


def limit(model: Model, dynamics: str = "flow") -> RescaledLimit:
    """The rescaled limit of ``model`` under ``dynamics`` ("flow" or "gd").

    GD refuses a numeric step size outside the stable range (:meth:`Model.check_step_size`); the
    flow does not use η and never checks it.
    """
    if not isinstance(model, Model):
        raise TypeError(f"limit expects a symdyn.Model, got {type(model).__name__}")
    if dynamics not in DYNAMICS:
        raise ValueError(f"dynamics must be one of {', '.join(DYNAMICS)}, got {dynamics!r}")
    if model.start is not None:
        raise ValueError(f"the delta -> infinity limit follows the delta-based start e^(-m*delta); this model "
                         f"starts at w0={model.start}: leave w0 unset (init='layer' or 'product')")
    if dynamics == "gd":
        model.check_step_size()
    if model.depth >= 3:
        return deep_limit(model, dynamics)
    return flow_limit(model) if dynamics == "flow" else gd_limit(model)


def time_scale(depth: int, init: str = "layer") -> sp.Expr:
    """The scale of rescaled time, t = scale·τ (flow) and ηk = scale·τ (GD): δ for L <= 2, the escape
    scale for L >= 3 (e^{(L−2)δ} under "layer", e^{(L−2)δ/L} under "product"). It is the ``scale`` of
    :func:`limit` (tests/test_api.py checks that for L = 1..4 and both inits).

    >>> time_scale(2), time_scale(3)
    (delta, exp(delta))
    """
    check_depth(depth)
    check_init(init)
    if depth <= 2:
        return S.delta
    from symdyn.derive.depth import escape_scale

    return escape_scale(depth, init).scale


def deep_limit(model: Model, dynamics: str = "flow") -> RescaledLimit:
    """L >= 3: :func:`symdyn.depth.depth_rescaled_limit` (τ = t/e^{(L−2)δ} under "layer" init) with
    the model's numbers substituted; σ, λ must be positive (the σ = 0 and λ = 0 modes have no jump)."""
    from symdyn.asymptotics.depth import depth_rescaled_limit

    _check(model, depths=(model.depth,))
    for name, v in (("sigma", model.sigma), ("lambda", model.lam)):
        if v.is_Number and not v > 0:
            raise ValueError(f"the depth-{model.depth} limit needs {name} > 0, got {v} "
                             "(sigma = 0: w -> 0; lambda = 0: w blows up at tau*; see depth.special_mode_solutions)")
    r = depth_rescaled_limit(model.depth, dynamics, model.init)
    return replace(r, expr=model.subs(r.expr), transitions=tuple(model.subs(t) for t in r.transitions),
                   boundary_values=tuple(model.subs(b) for b in r.boundary_values))
