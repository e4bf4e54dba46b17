"""The rescaled-limit engine: lim_{δ→∞} f(δ, t = δτ) by dominant balance on exponents.

Plain ``sympy.limit(f, delta, oo)`` cannot do this job: for w(δτ) with a symbolic τ it
returns one τ-free value (0 or σ/λ, depending on how the closed form is written) or
raises "depends on the sign of sign(tau)" (sympy issues #13312, #15673, #30249). The true
limit is a step function of τ (docs/conventions.md, "δ → ∞ limits"; Gidel et al. 2019, Thm 2).

Pipeline (each stage exact, nothing numeric):

1. **rescale**: substitute the time variable (t = δτ, or for GD k = δτ/η);
2. **exponential form**: write f = N/D and each of N, D as a sum of terms c·δ^p·e^{δ r(τ)}
   (c, r free of δ; a power b^{g(δ)} is read as e^{g log b});
3. **crossings**: the τ > 0 at which two rates r_i(τ) = r_j(τ) (``solve``), sorted by the
   sign of their differences under the assumptions;
4. **dominant balance** on each open interval and exactly at each crossing: the largest
   (r, p) in N and in D (ties: coefficients add, an exact cancellation drops to the next
   order); the limit is c_N/c_D if the orders agree, 0 if D dominates, ±∞ if N does;
5. **merge**: crossings at which nothing changes are dropped; the rest are the transitions.

Signs are decided by :func:`symdyn.asymptotics.signs.sign_of`: certified interval evaluation
for numbers, sympy's assumptions on positive stand-ins of the ``positive`` symbols (and on any
``signs`` facts the caller states) for symbols, simplification only under a time budget. A sign
that cannot be decided is reported in ``undecided`` and its piece is ``nan``: the engine never guesses.

>>> import sympy as sp
>>> from symdyn.model import symbols as S
>>> w = S.sigma * sp.exp(-2*S.delta) / ((S.sigma - S.lam*sp.exp(-2*S.delta))
...     * sp.exp(-2*S.sigma*S.t) + S.lam*sp.exp(-2*S.delta))
>>> r = rescaled_limit(w)
>>> r.transitions, r.boundary_values
((1/sigma,), (sigma/(lambda + sigma),))
>>> r.expr
Piecewise((0, tau < 1/sigma), (sigma/(lambda + sigma), Eq(tau, 1/sigma)), (sigma/lambda, True))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key

import sympy as sp

from symdyn.asymptotics.result import RescaledLimit
from symdyn.asymptotics.signs import Undecidable, sign_of
from symdyn.model import symbols as S
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import rel

#: Rescalings of the time variable: flow t = δτ; GD η k = δτ.
FLOW_RESCALING: dict[sp.Symbol, sp.Expr] = {S.t: S.delta * S.tau}
GD_RESCALING: dict[sp.Symbol, sp.Expr] = {S.k: S.delta * S.tau / S.eta}


@dataclass(frozen=True)
class ExpTerm:
    """One term c · δ^p · e^{δ r} of an exponential sum (c, r free of δ)."""

    coeff: sp.Expr
    power: sp.Expr
    rate: sp.Expr


# --------------------------------------------------------------------------- stage 2
def _factor_exponent(f: sp.Expr, var: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(coefficient, δ-power, exponent) of one multiplicative factor."""
    if not f.has(var):
        return f, sp.S.Zero, sp.S.Zero
    if f == var:
        return sp.S.One, sp.S.One, sp.S.Zero
    if isinstance(f, sp.exp):
        return sp.S.One, sp.S.Zero, f.args[0]
    if f.is_Pow:
        b, e = f.as_base_exp()
        if b == var and not e.has(var):
            return sp.S.One, e, sp.S.Zero
        if not b.has(var):
            return sp.S.One, sp.S.Zero, e * sp.log(b)
        if isinstance(b, sp.exp) and not e.has(var):
            return sp.S.One, sp.S.Zero, b.args[0] * e
    raise ValueError(f"cannot write the factor {f} as c*delta^p*exp(delta*r); "
                     "give an expression built from exponentials and powers of delta")


def _norm_logs(expr: sp.Expr) -> sp.Expr:
    """log(b^n) → n·log(b) for b > 0, and log(c·(x + y)) → log(cx + cy): one form per log.

    (``expand_log`` would split log((η + 2)/2) into log(η + 2) − log 2, which hides signs.)
    """
    def norm(arg: sp.Expr) -> sp.Expr:
        if arg.is_Rational and arg > 0:  # log(49/36) → 2 log(7/6): the largest exact root
            for n in range(64, 1, -1):
                root = arg ** sp.Rational(1, n)
                if root.is_Rational:
                    return n * sp.log(root)
        b, n = arg.as_base_exp()
        if n != 1 and b.is_positive:
            return n * sp.log(sp.expand(b))
        return sp.log(sp.expand(arg))
    return expr.replace(lambda x: isinstance(x, sp.log), lambda x: norm(x.args[0]))


def _freeze_powers(expr: sp.Expr, var: sp.Symbol = S.delta) -> tuple[sp.Expr, dict]:
    """b^{g(δ)} → e^{g·L} with a placeholder L = log b, so ``together`` cannot split b.

    Returns the rewritten expression and {L: log b} (logs in one normal form).
    """
    logs: dict[sp.Symbol, sp.Expr] = {}

    def freeze(p: sp.Pow) -> sp.Expr:
        L = sp.Dummy("L")
        logs[L] = _norm_logs(sp.log(p.base))
        return sp.exp(p.exp * L)
    out = expr.replace(lambda x: x.is_Pow and x.exp.has(var) and not x.base.has(var), freeze)
    return out, logs


def exp_terms(expr: sp.Expr, var: sp.Symbol = S.delta) -> tuple[ExpTerm, ...]:
    """Write a sum as terms c·δ^p·e^{δ r}, merging terms with equal (r, p).

    >>> exp_terms(3 + S.delta*sp.exp(-2*S.delta*S.tau))
    (ExpTerm(coeff=3, power=0, rate=0), ExpTerm(coeff=1, power=1, rate=-2*tau))
    """
    groups: dict[tuple[sp.Expr, sp.Expr], sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, power, exponent = sp.S.One, sp.S.Zero, sp.S.Zero
        for f in sp.Mul.make_args(term):
            c, p, e = _factor_exponent(f, var)
            coeff, power, exponent = coeff * c, power + p, exponent + e
        exponent = sp.expand(_norm_logs(sp.expand(exponent, log=False)), log=False)
        poly = sp.Poly(exponent, var) if exponent.has(var) else None
        if poly is not None and poly.degree() > 1:
            raise ValueError(f"the exponent {exponent} is not linear in {var}")
        rate = poly.coeff_monomial(var) if poly is not None else sp.S.Zero
        coeff = coeff * sp.exp(sp.expand(exponent - rate * var))
        key = (sp.expand(rate, log=False), power)
        groups[key] = groups.get(key, sp.S.Zero) + coeff
    return tuple(ExpTerm(sp.factor(c), p, r) for (r, p), c in groups.items() if c != 0)


def _compare(a: tuple[sp.Expr, sp.Expr], b: tuple[sp.Expr, sp.Expr]) -> int:
    """Compare orders (rate, δ-power) lexicographically: the size of δ^p e^{δ r}."""
    s = sign_of(a[0] - b[0])
    return s if s != 0 else sign_of(a[1] - b[1])


def _leading(terms: Sequence[ExpTerm], at: sp.Expr) -> tuple[tuple[sp.Expr, sp.Expr], sp.Expr] | None:
    """The dominant order and its coefficient at τ = ``at``; None if every order cancels."""
    orders = [((sp.expand(t.rate.subs(S.tau, at), log=False), t.power), t.coeff) for t in terms]
    while orders:
        top = orders[0][0]
        for o, _ in orders[1:]:
            if _compare(o, top) > 0:
                top = o
        same = [c for o, c in orders if _compare(o, top) == 0]
        total = sp.factor(sp.Add(*same))
        if sign_of(total) != 0:
            return top, total
        orders = [(o, c) for o, c in orders if _compare(o, top) != 0]
    return None


def _balance(num: Sequence[ExpTerm], den: Sequence[ExpTerm], at: sp.Expr) -> sp.Expr:
    """lim_{δ→∞} N/D at τ = ``at`` by dominant balance."""
    n, d = _leading(num, at), _leading(den, at)
    if d is None:
        raise ValueError("the denominator vanishes identically")
    if n is None:
        return sp.S.Zero
    order = _compare(n[0], d[0])
    if order < 0:
        return sp.S.Zero
    ratio = sp.factor(n[1] / d[1])
    if order > 0:
        return sp.oo * sign_of(ratio)
    return ratio


# --------------------------------------------------------------------------- stage 3
def _crossings(rates: Iterable[sp.Expr]) -> list[sp.Expr]:
    """The τ > 0 at which two distinct rates are equal, sorted, without repeats."""
    x = sp.Symbol("x", positive=True)
    rates = list(dict.fromkeys(rates))
    points: list[sp.Expr] = []
    for i, ri in enumerate(rates):
        for rj in rates[i + 1:]:
            diff = sp.expand((ri - rj).subs(S.tau, x), log=False)
            if not diff.has(x):
                continue
            for sol in sp.solve(diff, x):
                if sign_of(sol) > 0 and all(sign_of(sol - p) != 0 for p in points):
                    points.append(sp.simplify(sol))
    return sorted(points, key=cmp_to_key(lambda a, b: sign_of(a - b)))


def _samples(points: Sequence[sp.Expr]) -> list[sp.Expr]:
    """One τ inside each open interval cut out by ``points`` (τ > 0)."""
    if not points:
        return [sp.S.One]
    inner = [(a + b) / 2 for a, b in zip(points, points[1:], strict=False)]
    return [points[0] / 2, *inner, points[-1] + 1]


# --------------------------------------------------------------------------- engine
def _tidy(expr: sp.Expr) -> sp.Expr:
    """Display form: log(p/q) with 0 < p/q < 1 becomes −log(q/p) (same value)."""
    return expr.replace(lambda e: isinstance(e, sp.log) and e.args[0].is_Rational and 0 < e.args[0] < 1,
                        lambda e: -sp.log(1 / e.args[0]))


def _stand_ins(positive: Iterable[sp.Symbol],
               signs: Mapping[sp.Expr, int]) -> tuple[dict, dict, list[str]]:
    """Positive stand-ins for the decision copy, the map back, and the assumptions in words."""
    fwd: dict[sp.Basic, sp.Expr] = {}
    back: dict[sp.Basic, sp.Expr] = {}
    words: list[str] = []
    for s in positive:
        if not isinstance(s, sp.Symbol):
            continue
        d = sp.Dummy(s.name, positive=True)
        fwd[s], back[d] = d, s
        words.append(H(rel(s, ">", 0)))
    for e, sgn in signs.items():
        d = sp.Dummy("fact", positive=True)
        fwd[e], back[d] = sgn * d, e
        words.append(H(rel(e, ">" if sgn > 0 else "<", 0)))
    return fwd, back, words


def _piecewise(values: Sequence[sp.Expr], points: Sequence[sp.Expr],
               at_points: Sequence[sp.Expr | None]) -> sp.Expr:
    pieces: list[tuple[sp.Expr, sp.Basic]] = []
    for v, p, b in zip(values, points, at_points, strict=False):
        pieces.append((v, S.tau < p))
        pieces.append((sp.nan if b is None else b, sp.Eq(S.tau, p)))
    pieces.append((values[-1], True))
    return sp.Piecewise(*pieces)


def rescaled_limit(expr: sp.Expr, rescaling: Mapping[sp.Symbol, sp.Expr] | None = None, *,
                   positive: Iterable[sp.Symbol] = (S.sigma, S.lam),
                   signs: Mapping[sp.Expr, int] | None = None,
                   assumptions: Sequence[str] = (), dynamics: str = "flow",
                   depth: int = 2, init: str = "layer") -> RescaledLimit:
    """lim_{δ→∞} of ``expr`` after ``rescaling`` (default t = δτ), as a Piecewise in τ > 0.

    ``positive``: symbols assumed > 0; ``signs``: further facts {subexpression: ±1}
    (e.g. {log(1 − ηλ): −1}); ``assumptions``: hypotheses in words, recorded as given.
    Every assumption used is listed in the result; undecidable signs go to ``undecided``.
    """
    rescaling = FLOW_RESCALING if rescaling is None else rescaling
    fwd, back, words = _stand_ins(positive, signs or {})
    scaled = [part for a, b in rescaling.items() for part in (", ", rel(a, "==", b))][1:]
    tau_words = [H(rel(S.tau, ">", 0), " (rescaled time; ", *scaled, ")")]
    meta = dict(scale=S.delta, dynamics=dynamics, depth=depth, init=init,
                assumptions=tuple(words + list(assumptions) + tau_words))
    frozen, logs = _freeze_powers(sp.sympify(expr).subs(rescaling))
    num, den = sp.fraction(sp.together(frozen))
    facts = {e: v for e, v in fwd.items() if not isinstance(e, sp.Symbol)}
    syms = {e: v for e, v in fwd.items() if isinstance(e, sp.Symbol)}

    def decision_copy(terms: Sequence[ExpTerm]) -> list[ExpTerm]:
        # the facts are stated in the caller's symbols: apply them before the stand-ins
        return [ExpTerm(*(sp.sympify(x).subs(logs).subs(facts).subs(syms)
                          for x in (t.coeff, t.power, t.rate))) for t in terms]

    num_t, den_t = decision_copy(exp_terms(num)), decision_copy(exp_terms(den))
    try:
        points = _crossings(t.rate for t in (*num_t, *den_t))
    except Undecidable as exc:
        return RescaledLimit(sp.nan, undecided=(f"transition points: {exc.args[0]}",), **meta)
    undecided: list[str] = []

    def value(at: sp.Expr, where: str) -> sp.Expr:
        try:
            return _balance(num_t, den_t, at)
        except Undecidable as exc:
            undecided.append(f"{where}: {exc.args[0]}".replace("tau", "τ"))
            return sp.nan

    inside = [value(s, f"tau near {s}") for s in _samples(points)]
    at = [value(p, f"tau = {p}") for p in points]
    keep = [i for i, p in enumerate(points) if not (inside[i] == inside[i + 1] == at[i])]
    values = [inside[0]] + [inside[i + 1] for i in keep]
    pts = [points[i] for i in keep]
    at_pts = [at[i] for i in keep]
    expr_out = _piecewise(values, pts, at_pts) if pts else values[0]
    return RescaledLimit(
        expr=_tidy(sp.sympify(expr_out).subs(back)),
        transitions=tuple(_tidy(sp.sympify(p).subs(back)) for p in pts),
        boundary_values=tuple(_tidy(sp.sympify(b).subs(back)) for b in at_pts),
        undecided=tuple(u for u in undecided),
        **meta,
    )


def _holds(cond: sp.Basic) -> bool:
    """Decide a condition of a Piecewise produced by the engine (τ already substituted)."""
    if cond in (sp.true, sp.false):
        return bool(cond)
    if isinstance(cond, sp.Eq):
        return sign_of(cond.lhs - cond.rhs) == 0
    if isinstance(cond, (sp.StrictLessThan, sp.StrictGreaterThan)):
        return sign_of(cond.gts - cond.lts) > 0
    raise Undecidable(f"condition {cond}")


def evaluate_at(expr: sp.Expr, at: sp.Expr) -> sp.Expr:
    """``expr`` (e.g. a sum of engine Piecewises) at τ = ``at``, deciding conditions by sign.

    sympy leaves conditions such as 1/σ_1 < (σ_2 + σ_3)/(2σ_2σ_3) unevaluated even when the
    assumptions decide them; this decides them with :func:`sign_of` (or raises Undecidable).
    """
    def pick(*args: tuple[sp.Expr, sp.Basic]) -> sp.Expr:
        for value, cond in args:
            if _holds(cond):
                return value
        raise Undecidable("no piece applies")
    e = sp.sympify(expr).replace(sp.Piecewise, lambda *a: sp.Piecewise(*a, evaluate=False))
    e = e.subs(S.tau, at)
    return e.replace(lambda x: isinstance(x, sp.Piecewise), lambda x: pick(*x.args))


def squeeze(lower: RescaledLimit, upper: RescaledLimit, assumptions: Sequence[str] = ()) -> RescaledLimit:
    """The limit of a sequence between two bounds: where their limits agree, it is that value.

    At a transition where they differ the limit is not decided by the bounds: its boundary
    value is ``None`` (an open interval where they differ is listed in ``undecided``).
    """
    fwd = {s: sp.Dummy(s.name, positive=True) for r in (lower, upper)
           for e in (r.expr, *r.transitions) for s in sp.sympify(e).free_symbols
           if s != S.tau and s.is_nonnegative and not s.is_positive}
    back = {d: s for s, d in fwd.items()}
    pts = sorted({sp.sympify(p).subs(fwd) for p in (*lower.transitions, *upper.transitions)},
                 key=cmp_to_key(lambda a, b: sign_of(a - b)))
    lo_expr, hi_expr = sp.sympify(lower.expr).subs(fwd), sp.sympify(upper.expr).subs(fwd)
    undecided = list(lower.undecided) + list(upper.undecided)

    def agree(x: sp.Expr, where: str) -> sp.Expr | None:
        lo, hi = evaluate_at(lo_expr, x), evaluate_at(hi_expr, x)
        if lo.has(sp.nan) or hi.has(sp.nan) or sp.simplify(lo - hi) != 0:
            undecided.append(f"{where}: the bounds give {lo.subs(back)} and {hi.subs(back)}")
            return None
        return lo

    inside = [agree(s, f"tau near {s.subs(back)}") for s in _samples(pts)]
    inside = [sp.nan if v is None else v for v in inside]
    at = [agree(p, f"tau = {p.subs(back)}") for p in pts]
    undecided = [u for u in undecided if not u.startswith("tau = ")]
    expr_out = _piecewise(inside, pts, at) if pts else inside[0]
    return RescaledLimit(
        expr=sp.sympify(expr_out).subs(back), scale=lower.scale,
        transitions=tuple(p.subs(back) for p in pts),
        boundary_values=tuple(None if b is None else sp.sympify(b).subs(back) for b in at),
        assumptions=tuple(dict.fromkeys((*lower.assumptions, *upper.assumptions, *assumptions))),
        undecided=tuple(undecided), dynamics=lower.dynamics, depth=lower.depth, init=lower.init)
