"""The small-start limit δ → ∞ of any model whose output dynamics reduce to ẇ = R(w) (flow) or
w⁺ = Φ(w) (GD), from :func:`symdyn.derive.general.derive_model`.

**Escape scale.** R_∞ is R with every decaying exponential e^{−jδ} (j > 0) set to 0, w0_∞ the
limit of the start. If R_∞(w0_∞) ≠ 0 the start is not small in the sense that matters: the
limit is the flow of ẇ = R_∞ from w0_∞ in t itself (scale 1; the unbalanced start a0 = 1,
b0 = e^{−δ} of the two-layer model is the example). Otherwise w0_∞ = 0 is a fixed point of R_∞
and the trajectory has to escape from it; with the leading small-w term R_∞ ≈ k w^p (k > 0):

* p = 1: t = δτ. Inner scale ε = e^{−mδ}: the larger of the start (w0 ≈ C e^{−m₀δ}) and the
  scale at which R's own δ-dependence matters (found by balancing the terms of each sum in R
  after w = e^{−xδ}s); inner flow ṡ = R_in(s) = lim e^{mδ} R(e^{−mδ}s). Matching inner and
  outer regions, the time to reach w is
      T(w) = (m/k) δ + I_in + J(w) + o(1),
      I_in = lim_{S→∞} [∫_{s0}^{S} ds/R_in − ln(S)/k],   J(w) = ∫_0^w (1/R_∞ − 1/(kv)) dv + ln(w)/k,
  so τ* = m/k and the value at τ* solves I_in + J(w*) = 0 (the paper's L = 2: σ/(σ + λ)).
* p > 1 (R free of δ, w0 = C e^{−mδ}): t = e^{m(p−1)δ}τ, τ* = C^{1−p}/(k(p−1)) and w* solves
  w*^{1−p}/(k(1−p)) + ∫_0^{w*} (1/R − 1/(kv^p)) dv = 0 (the depth-L transition equation).

Before τ* the limit is w0_∞, after it the first zero of R_∞ beyond the start (∞ if none).
When the closed form w(t) is explicit, the limit is the engine's dominant balance on it
(:func:`symdyn.asymptotics.engine.rescaled_limit`), exactly as for the paper's built-in limits.
Signs are decided under the stated assumptions (parameters declared nonnegative are taken > 0);
what cannot be decided is listed in ``undecided`` and never guessed.

**GD.** With the reduced map Φ, μ = Φ'(0): for p = 1, ηk = δτ and the transition is
τ* = mη/ln μ (μ^k ε reaches O(1)); at τ* the iterate depends on the fractional part of
mδ/ln μ (the linearising chart at 0), so there is no limit there. Without Φ, the same
transition comes from the linearisation of the factor map at 0 when the factors start small.

>>> from symdyn.model.core import Model
>>> model_limit(Model(depth=2).general()).expr
Piecewise((0, tau < 1/sigma), (sigma/(lambda + sigma), Eq(tau, 1/sigma)), (sigma/lambda, True))
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from symdyn.asymptotics.engine import FLOW_RESCALING, Undecidable, rescaled_limit, sign_of
from symdyn.asymptotics.result import RescaledLimit
from symdyn.derive.derived import residual
from symdyn.derive.general import ModelDerivation, derive_model
from symdyn.model import symbols as S
from symdyn.model.factor_model import FactorModel, as_factor_model

DYNAMICS = ("flow", "gd")

_v = sp.Symbol("v", positive=True)
_s = sp.Symbol("s", positive=True)
_big = sp.Symbol("S", positive=True)
_eps = sp.Symbol("epsilon", positive=True)
W_STAR = sp.Symbol("w_*", positive=True)
W_LIMIT = sp.Function("w_oo")


@dataclass(frozen=True)
class _Ctx:
    """Positive stand-ins for the parameters taken > 0, the map back, and the words."""

    fwd: dict
    back: dict
    words: tuple[str, ...]

    def sign(self, expr: sp.Expr) -> int:
        return sign_of(sp.sympify(expr).subs(self.fwd))

    def out(self, expr: sp.Expr) -> sp.Expr:
        return sp.sympify(expr).subs(self.back)


def _context(model: FactorModel) -> _Ctx:
    fwd, back, words = {}, {}, []
    for s in model.symbolic:
        if s.is_nonnegative and not s.is_positive:
            d = sp.Dummy(s.name, positive=True)
            fwd[s], back[d] = d, s
            words.append(f"{s} > 0")
        elif s.is_positive:
            words.append(f"{s} > 0")
    return _Ctx(fwd, back, tuple(words))


def _drop_small(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every e^{−jδ} (j > 0 a number) set to 0; a growing exponential is an error."""
    def small(e):
        return isinstance(e, sp.exp) and e.args[0].has(S.delta)

    def zero(e):
        rate = sp.expand(e.args[0] / S.delta)
        if rate.is_Number and rate < 0:
            return sp.S.Zero
        raise Undecidable(f"the exponential {e} does not decay as delta -> oo")
    return sp.expand(expr.replace(small, zero)) if expr.has(S.delta) else expr


def _start_rate(w0: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """(C, m) with w0 = C e^{−mδ}(1 + o(1)), m > 0; None when w0 = 0 exactly."""
    if w0 == 0:
        return None
    m = sp.limit(-sp.log(w0) / S.delta, S.delta, sp.oo)
    C = sp.simplify(sp.limit(w0 * sp.exp(m * S.delta), S.delta, sp.oo))
    return C, m


def _leading(R: sp.Expr, w: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr | None]:
    """(k, p, p2): R = k w^p + (next power p2) + … near w = 0+."""
    terms: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(R)):
        coeff, part = term.as_independent(w, as_Add=False)
        base, e = part.as_base_exp()
        if part == 1:
            e = sp.S.Zero
        elif base != w:
            raise Undecidable(f"the small-w form of {R}")
        terms[e] = terms.get(e, sp.S.Zero) + coeff
    powers = sorted((e for e, c in terms.items() if c != 0), key=lambda e: float(e))
    if not powers:
        raise Undecidable(f"R = {R} vanishes identically")
    return terms[powers[0]], powers[0], (powers[1] if len(powers) > 1 else None)


def _inner_candidates(R: sp.Expr, w: sp.Symbol) -> list[sp.Expr]:
    """Scales x (w ~ e^{−xδ}) at which two terms of a sum in R balance: the δ-dependence of R."""
    x = sp.Symbol("x", positive=True)
    out = set()
    for add in sp.preorder_traversal(R):
        if not (isinstance(add, sp.Add) and add.has(w) and add.has(S.delta)):
            continue
        rates = []
        for term in sp.Add.make_args(sp.expand(add)):
            wpow = sp.degree(term, w) if term.is_polynomial(w) else None
            dpart = [sp.expand(e.args[0] / S.delta) for e in term.atoms(sp.exp) if e.has(S.delta)]
            if wpow is None or any(not r.is_Number for r in dpart):
                continue
            rates.append(-wpow * x + sum(dpart, sp.S.Zero))
        for i, a in enumerate(rates):
            for b in rates[i + 1:]:
                for sol in sp.solve(sp.Eq(a, b), x):
                    if sol.is_positive:
                        out.add(sol)
    return sorted(out)


def _integral(integrand: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """∫ integrand d var from lo to hi: evaluated for rational integrands or a square root of a
    quadratic (terminating cases), otherwise kept as an unevaluated (exact) Integral."""
    roots = [e for e in integrand.atoms(sp.Pow) if not e.exp.is_Integer and e.base.has(var)]
    tame = integrand.is_rational_function(var) or all(
        e.exp == sp.Rational(1, 2) or e.exp == sp.Rational(-1, 2) for e in roots) and all(
        sp.degree(e.base, var) <= 2 for e in roots if e.base.is_polynomial(var))
    if tame:
        value = sp.integrate(integrand, (var, lo, hi))
        if not value.has(sp.Integral):
            return value
    return sp.Integral(integrand, (var, lo, hi))


def _first_zero(Rinf: sp.Expr, w: sp.Symbol, ctx: _Ctx, undecided: list) -> sp.Expr:
    """The smallest positive zero of R_∞ (the fixed point the escaping trajectory goes to)."""
    num = sp.numer(sp.together(Rinf))
    try:
        roots = [r for r in sp.solve(num.subs(w, _v), _v) if not r.has(sp.I)]
    except NotImplementedError:
        undecided.append(f"the zeros of {Rinf}")
        return sp.nan
    pos = []
    for r in roots:
        try:
            if ctx.sign(r) > 0:
                pos.append(r)
        except Undecidable as exc:
            undecided.append(f"whether the fixed point {r} is above the start: {exc.args[0]}")
            return sp.nan
    if not pos:
        return sp.oo
    best = pos[0]
    for r in pos[1:]:
        try:
            if ctx.sign(r - best) < 0:
                best = r
        except Undecidable:
            undecided.append(f"which fixed point comes first: {best} or {r}")
            return sp.nan
    return best


def _solve_star(equation: sp.Expr, w: sp.Symbol, upper: sp.Expr, ctx: _Ctx) -> tuple[sp.Expr, dict]:
    """w* from ``equation`` = 0 on (0, upper): explicit if sympy solves it uniquely there, else the
    named constant w_* with its defining equation."""
    if not equation.has(sp.Integral):
        try:
            sols = [sp.simplify(x) for x in sp.solve(equation, w) if not sp.simplify(x).has(sp.I)]
        except NotImplementedError:
            sols = []
        inside = []
        for x in sols:
            try:
                if ctx.sign(x) > 0 and (upper == sp.oo or ctx.sign(upper - x) > 0):
                    inside.append(x)
            except Undecidable:
                inside = []
                break
        if len(inside) == 1:
            return inside[0], {}
    return W_STAR, {W_STAR: sp.Eq(equation.subs(w, W_STAR), 0)}


# --------------------------------------------------------------------------- flow
def _flow(model: FactorModel, d: ModelDerivation, ctx: _Ctx) -> RescaledLimit:
    w = d.w
    meta = dict(dynamics="flow", depth=len(model.factors), init="model")
    undecided: list[str] = []
    R = d.reduced.expr
    w0 = residual(model.subs(model.output).subs(model.start))
    words = list(ctx.words) + [f"start w0 = {w0}", f"reduced flow dw/dt = {R}"] + list(d.reduced.hypotheses)
    try:
        Rinf = _drop_small(R)
        w0inf = sp.limit(w0, S.delta, sp.oo)
        at_start = ctx.sign(Rinf.subs(w, w0inf))
    except Undecidable as exc:
        return RescaledLimit(sp.nan, sp.nan, undecided=(exc.args[0],), assumptions=tuple(words), **meta)
    if at_start != 0:  # O(1): the limiting flow from the limiting start
        words.append(f"the start is not small in the sense that matters: dw/dt -> {Rinf.subs(w, w0inf)} != 0 "
                     "at the limiting start; the limit is the flow of the limiting ODE (t = tau)")
        from symdyn.derive.general import _closed_form

        closed = _closed_form(Rinf, w, w0inf) if not Rinf.has(S.delta) else None
        if closed is not None and closed.verified:
            return RescaledLimit(closed.expr.subs(S.t, S.tau), sp.S.One, assumptions=tuple(words), **meta)
        W = W_LIMIT(S.tau)
        eq = sp.Eq(S.tau, sp.Integral(1 / Rinf.subs(w, _v), (_v, w0inf, W)))
        return RescaledLimit(W, sp.S.One, assumptions=tuple(words), constants={W: eq}, **meta)
    if w0inf != 0:
        return RescaledLimit(sp.nan, sp.nan, undecided=(f"a start tending to the fixed point {w0inf} != 0",),
                             assumptions=tuple(words), **meta)
    try:
        k, p, p2 = _leading(Rinf.subs(w, _v), _v)
        if ctx.sign(k) < 0:
            words.append(f"dw/dt ~ {k}*w^{p} < 0 near 0: the small start decays")
            return RescaledLimit(sp.S.Zero, sp.S.One, assumptions=tuple(words), **meta)
        upper = _first_zero(Rinf, w, ctx, undecided)
    except Undecidable as exc:
        return RescaledLimit(sp.nan, sp.nan, undecided=(exc.args[0],), assumptions=tuple(words), **meta)
    words.append(f"leading small-w term dw/dt ~ {k}*w^{p}")
    if p == 1:
        return _escape_linear(model, d, ctx, R, Rinf, w0, k, upper, words, undecided, meta)
    if p > 1:
        return _escape_power(R, Rinf, w, w0, k, p, p2, upper, ctx, words, undecided, meta)
    return RescaledLimit(sp.nan, sp.nan, undecided=(f"leading power {p} < 1 at a fixed point",),
                         assumptions=tuple(words), **meta)


def _escape_linear(model, d, ctx, R, Rinf, w0, k, upper, words, undecided, meta) -> RescaledLimit:
    w = d.w
    start = _start_rate(w0)
    scales = [m for m in (_inner_candidates(R, w) if R.has(S.delta) else [])]
    m0 = start[1] if start else sp.oo
    m = min([m0, *scales], key=lambda x: float(x))
    if m == sp.oo:
        return RescaledLimit(sp.nan, sp.nan, undecided=("no small scale of the start",), assumptions=tuple(words),
                             **meta)
    tau_star = sp.simplify(m / k)
    words.append(f"escape: t = delta*tau (linear leading term), inner scale e^(-{m}*delta)")
    closed = d.closed_form
    if closed is not None and not R.has(S.delta):
        # explicit closed form: the engine's dominant balance, as for the paper's built-in limits
        try:
            return rescaled_limit(closed.expr, FLOW_RESCALING, positive=tuple(ctx.fwd) + tuple(
                s for s in model.symbolic if s.is_positive), assumptions=tuple(words), **meta)
        except ValueError:  # not a ratio of exponential sums (e.g. a root): matched asymptotics below
            pass
    s0 = sp.limit(w0 * sp.exp(m * S.delta), S.delta, sp.oo) if start else sp.S.Zero
    Rin = sp.simplify(sp.limit((R.subs(w, _eps**m * _s) / _eps**m).subs(S.delta, -sp.log(_eps)), _eps, 0))
    words.append(f"inner flow ds/dt = {Rin} from s0 = {s0}, w = e^(-{m}*delta)*s")
    I_in = sp.limit(_integral(1 / Rin, _s, s0, _big) - sp.log(_big) / k, _big, sp.oo)
    J = _integral(sp.cancel(1 / Rinf.subs(w, _v) - 1 / (k * _v)), _v, 0, w) + sp.log(w) / k
    if I_in.has(sp.Limit) or I_in in (sp.oo, -sp.oo, sp.nan):
        undecided.append(f"the inner constant lim [int ds/R_in - ln(S)/k] = {I_in}")
        value, consts = sp.nan, {}
    else:
        value, consts = _solve_star(sp.expand(I_in + J), w, upper, ctx)
    expr = sp.Piecewise((0, S.tau < tau_star), (value, sp.Eq(S.tau, tau_star)), (upper, True))
    return RescaledLimit(ctx.out(expr), S.delta, (ctx.out(tau_star),), (ctx.out(value),),
                         tuple(words), tuple(undecided), constants=consts, **meta)


def _escape_power(R, Rinf, w, w0, k, p, p2, upper, ctx, words, undecided, meta) -> RescaledLimit:
    if R.has(S.delta):
        return RescaledLimit(sp.nan, sp.nan, undecided=("power-law escape with a delta-dependent flow",),
                             assumptions=tuple(words), **meta)
    C, m = _start_rate(w0)
    scale = sp.exp(m * (p - 1) * S.delta)
    tau_star = sp.simplify(C ** (1 - p) / (k * (p - 1)))
    words.append(f"escape: t = {scale}*tau (leading power p = {p} > 1, w0 ~ {C}*e^(-{m}*delta))")
    A = sp.limit((w0 ** (1 - p) - C ** (1 - p) * scale) / (k * (p - 1)), S.delta, sp.oo)
    value, consts = sp.nan, {}
    if p2 is not None and p2 - 2 * p <= -1:
        undecided.append(f"the value at the transition: 1/R - 1/(k w^p) is not integrable at 0 (next power {p2})")
    elif A.has(sp.Limit) or not A.is_finite:
        undecided.append(f"the start's correction to the escape time: {A}")
    else:
        integrand = sp.together(1 / R.subs(w, _v) - 1 / (k * _v**p))
        eq = w ** (1 - p) / (k * (1 - p)) + sp.Integral(integrand, (_v, 0, w)) + A
        value, consts = _solve_star(eq, w, upper, ctx)
    expr = sp.Piecewise((0, S.tau < tau_star), (value, sp.Eq(S.tau, tau_star)), (upper, True))
    return RescaledLimit(ctx.out(expr), scale, (ctx.out(tau_star),), (ctx.out(value),), tuple(words),
                         tuple(undecided), constants=consts, **meta)


# --------------------------------------------------------------------------- GD
def _gd(model: FactorModel, d: ModelDerivation, ctx: _Ctx, flow: RescaledLimit) -> RescaledLimit:
    meta = dict(dynamics="gd", depth=len(model.factors), init="model")
    words = list(flow.assumptions) + ["eta*k = scale*tau"]
    undecided = list(flow.undecided)
    if flow.scale == 1 or flow.expr is sp.nan or flow.scale is sp.nan:
        undecided.append("the GD limit is derived for a small start that escapes (flow scale delta or power)")
        return RescaledLimit(sp.nan, flow.scale, assumptions=tuple(words), undecided=tuple(undecided), **meta)
    if flow.scale != S.delta:  # p > 1: the multiplier at 0 is 1; the escape is the flow's
        words.append("the GD map's multiplier at 0 is 1: GD escapes on the flow's scale with the flow's tau*")
        undecided.append("the GD value at tau*: GD lags the flow by O(delta) steps there (sign of the lag not derived)")
        tau_star = flow.transitions[0]
        after = flow.expr.args[-1][0]
        expr = sp.Piecewise((0, S.tau < tau_star), (sp.nan, sp.Eq(S.tau, tau_star)), (after, True))
        return RescaledLimit(expr, flow.scale, (tau_star,), (None,), tuple(words), tuple(undecided), **meta)
    w = d.w
    w0 = residual(model.subs(model.output).subs(model.start))
    if d.reduced_gd is None:
        undecided.append("GD does not close on the output: no multiplier at 0")
        return RescaledLimit(sp.nan, S.delta, assumptions=tuple(words), undecided=tuple(undecided), **meta)
    Phi = d.reduced_gd.expr
    mu = sp.factor(sp.diff(Phi, w).subs(w, 0))
    start = _start_rate(w0)
    if start is None or mu.has(S.delta):
        undecided.append("the GD transition needs a start w0 ~ C e^(-m delta) and a map free of delta")
        return RescaledLimit(sp.nan, S.delta, assumptions=tuple(words), undecided=tuple(undecided), **meta)
    m = start[1]
    tau_star = sp.simplify(m * S.eta / sp.log(mu))
    tau_star = sp.simplify(sp.expand_log(tau_star, force=True)) if mu.is_Pow else tau_star
    fixed = flow.expr.args[-1][0]
    words += [f"GD multiplier at 0: mu = Phi'(0) = {mu} > 1; mu^k w0 = O(1) at eta*k = delta*{tau_star}",
              "at tau* the iterate depends on the fractional part of m*delta/ln(mu): no limit there",
              f"eta admissible: the fixed point {fixed} is stable for GD and reached monotonically"]
    expr = sp.Piecewise((0, S.tau < tau_star), (sp.nan, sp.Eq(S.tau, tau_star)), (fixed, True))
    return RescaledLimit(ctx.out(expr), S.delta, (ctx.out(tau_star),), (None,), tuple(words), tuple(undecided),
                         **meta)


def model_limit(model: FactorModel, dynamics: str = "flow") -> RescaledLimit:
    """lim_{δ→∞} of the output at t = scale·τ (flow) or ηk = scale·τ (GD) for ``model``."""
    model = as_factor_model(model)
    if dynamics not in DYNAMICS:
        raise ValueError(f"dynamics must be one of {', '.join(DYNAMICS)}, got {dynamics!r}")
    if model.delta != S.delta:
        raise ValueError("delta must stay symbolic for a delta -> infinity limit; leave Model(delta=...) unset")
    d = derive_model(model)
    ctx = _context(model)
    if d.reduced is None:
        why = d.undecided or ("the output's dynamics are not reduced",)
        return RescaledLimit(sp.nan, sp.nan, undecided=tuple(why) + (
            "no limit without a reduced ODE; certified trajectories of the factor system still work",),
            assumptions=ctx.words, dynamics=dynamics, depth=len(model.factors), init="model")
    flow = _flow(model, d, ctx)
    if dynamics == "flow":
        return flow
    r = _gd(model, d, ctx, flow)
    if model.eta != S.eta:
        r = replace(r, expr=model.subs(r.expr), transitions=tuple(model.subs(t) for t in r.transitions))
    return r
