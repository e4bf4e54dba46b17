"""Evaluation of sympy forms in a local mpmath context or in ball arithmetic (the numeric boundary).

Every evaluation builds its own ``mpmath.MPContext`` at the requested precision; the
global ``mpmath.mp`` is never read or written (STYLE §2, as in sympy's
``external/mpmath.py``). Exact numbers enter without passing through ``float``: a
rational p/q becomes the correctly rounded binary ``from_rational(p, q, prec)``.
The same walker runs on an :class:`~symdyn.precise.balls.ArbContext` (:func:`evaluate_ball`):
then a rational is a ball containing p/q, every operation is python-flint's ``arb`` and the
result is proven to contain the exact value; a ``Piecewise`` branch is taken only when its
condition is proven (:class:`~symdyn.precise.balls.NoEnclosure` otherwise).

The walker covers what symdyn's closed forms, bounds and limits contain: sums,
products, powers, ``exp``/``log``/roots, elementary and special functions by name
(``hyper`` for the L >= 3 relation), ``Piecewise`` (conditions on exact parameters are
decided exactly, the rest numerically) and relations.

>>> import sympy as sp
>>> from symdyn.model import symbols as S
>>> x = evaluate(S.sigma / (S.sigma + S.lam), 80, {S.sigma: "1/2", S.lam: 2})
>>> x.context.prec, x
(80, mpf('0.20000000000000000000000004'))
>>> c = certified_evaluate(sp.exp(-1600) * 10**695, 30)
>>> str(c), c.proof
('1.34533039652566418843019633966', 'ball')
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from fractions import Fraction

import sympy as sp
from mpmath import MPContext
from mpmath.libmp import from_rational, round_nearest

from symdyn.model.exact import parse_number
from symdyn.precise.balls import ArbContext, NoEnclosure
from symdyn.precise.certified import BALL, Certified, ball_context, certify, local_context

Env = Mapping[sp.Symbol, object]

#: sympy function class name -> MPContext method name.
_FUNCTIONS = {
    "exp": "exp", "log": "ln", "sin": "sin", "cos": "cos", "tan": "tan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asin": "asin", "acos": "acos",
    "atan": "atan", "atanh": "atanh", "gamma": "gamma", "erf": "erf", "erfc": "erfc",
    "LambertW": "lambertw", "Abs": "fabs", "expm1": "expm1", "log1p": "log1p",
}

#: relation -> (the comparison, its negation).
_RELATIONS = {
    sp.StrictGreaterThan: (operator.gt, operator.le), sp.GreaterThan: (operator.ge, operator.lt),
    sp.StrictLessThan: (operator.lt, operator.ge), sp.LessThan: (operator.le, operator.gt),
    sp.Equality: (operator.eq, operator.ne), sp.Unequality: (operator.ne, operator.eq),
}


def _rational(ctx: MPContext | ArbContext, p: int, q: int):
    """p/q in ``ctx``: correctly rounded (mpmath), or a ball containing it (arb)."""
    if isinstance(ctx, ArbContext):
        return ctx.rational(p, q)
    return ctx.make_mpf(from_rational(int(p), int(q), ctx.prec, round_nearest))


def exact_mpf(ctx: MPContext | ArbContext, value: object):
    """``value`` (rational, decimal string, int, Fraction) as the correctly rounded mpf of ``ctx``
    (for an :class:`ArbContext`: a ball containing it; an mpf enters as its exact binary value)."""
    if isinstance(ctx, ArbContext):
        if hasattr(value, "_mpf_"):
            return ctx.make_mpf(value._mpf_)
        q = parse_number(value)
        return ctx.rational(int(q.p), int(q.q))
    if isinstance(value, ctx.mpf):
        return +value
    if hasattr(value, "_mpf_"):  # an mpf of another context: exact binary value, round to ctx
        return +ctx.make_mpf(value._mpf_)
    q = parse_number(value)
    return ctx.make_mpf(from_rational(int(q.p), int(q.q), ctx.prec, round_nearest))


def _exact_env(env: Env) -> dict[sp.Symbol, sp.Rational]:
    out = {}
    for s, v in env.items():
        if not hasattr(v, "_mpf_"):
            out[s] = parse_number(v, s.name)
    return out


class _Walker:
    """Translate a sympy tree into operations of one local context (mpmath or balls)."""

    def __init__(self, ctx: MPContext | ArbContext, env: Env):
        self.ctx = ctx
        self.balls = isinstance(ctx, ArbContext)
        self.exact = _exact_env(env)
        self.values = {s: exact_mpf(ctx, v) for s, v in env.items()}

    def __call__(self, e: sp.Basic):
        ctx = self.ctx
        if e.is_Rational:
            return _rational(ctx, int(e.p), int(e.q))
        if e.is_Float:
            return +ctx.make_mpf(e._mpf_)
        if e is sp.pi:
            return +ctx.pi
        if e is sp.E:
            return +ctx.e
        if e.is_Symbol:
            if e not in self.values:
                raise ValueError(f"no value given for the symbol {e}; pass it in env")
            return self.values[e]
        if e.is_Add:
            return ctx.fsum(self(a) for a in e.args)
        if e.is_Mul:
            return ctx.fprod(self(a) for a in e.args)
        if e.is_Pow:
            return self._pow(*e.args)
        if isinstance(e, sp.Piecewise):
            for expr, cond in e.args:
                if self._truth(cond):
                    return self(expr)
            raise ValueError(f"no branch of the Piecewise applies: {e}")
        if isinstance(e, sp.hyper):
            return ctx.hyper([self._parameter(a) for a in e.ap], [self._parameter(b) for b in e.bq],
                             self(e.argument))
        name = type(e).__name__
        if name in _FUNCTIONS:
            return getattr(ctx, _FUNCTIONS[name])(*(self(a) for a in e.args))
        if isinstance(e, (sp.Min, sp.Max)):
            args = [self(a) for a in e.args]
            if self.balls:
                return ctx.fmin(args) if isinstance(e, sp.Min) else ctx.fmax(args)
            return (min if isinstance(e, sp.Min) else max)(args)
        if self.balls:
            raise NoEnclosure(f"no ball evaluation of {name}")
        raise ValueError(f"cannot evaluate {name} in mpmath (in {e}); rewrite it first")

    def _parameter(self, a: sp.Expr):
        """A hypergeometric parameter: exact when rational (both engines treat exact parameters exactly)."""
        a = a.subs(self.exact) if self.exact else a
        return Fraction(int(a.p), int(a.q)) if a.is_Rational else self(a)

    def _pow(self, base: sp.Expr, exponent: sp.Expr):
        ctx, b = self.ctx, self(base)
        if exponent.is_Integer:
            return b ** int(exponent)
        if exponent == sp.Rational(1, 2):
            return ctx.sqrt(b)
        if exponent == sp.Rational(-1, 2):
            return 1 / ctx.sqrt(b)
        return ctx.power(b, self(exponent))

    def _truth(self, cond: sp.Basic) -> bool:
        decided = cond.subs(self.exact) if self.exact else cond
        if decided in (sp.true, sp.false):
            return bool(decided)
        if isinstance(decided, sp.And):
            return all(self._truth(c) for c in decided.args)
        if isinstance(decided, sp.Or):
            return any(self._truth(c) for c in decided.args)
        if isinstance(decided, sp.Not):
            return not self._truth(decided.args[0])
        for kind, (op, negated) in _RELATIONS.items():
            if isinstance(decided, kind):
                a, b = self(decided.lhs), self(decided.rhs)
                return self.ctx.decide(op, negated, a, b) if self.balls else bool(op(a, b))
        raise ValueError(f"cannot decide the condition {cond}")


def evaluate(expr: sp.Basic, prec: int, env: Env | None = None):
    """The value of ``expr`` at ``prec`` bits in a fresh local context.

    ``env`` maps symbols to exact numbers (rational, decimal string, ``Fraction``) or to
    mpf values. The result is an mpf of that local context.
    """
    return evaluate_in(local_context(prec), expr, env)


def evaluate_in(ctx: MPContext | ArbContext, expr: sp.Basic, env: Env | None = None):
    """:func:`evaluate` in a local context the caller owns (one context for many points: a
    fresh ``MPContext`` costs ~0.7 ms, more than evaluating a closed form). An
    :class:`ArbContext` (inside :func:`~symdyn.precise.certified.ball_context`) gives a ball."""
    return _Walker(ctx, env or {})(sp.sympify(expr))


def evaluate_ball(expr: sp.Basic, prec: int, env: Env | None = None):
    """A ball (python-flint ``arb``) proven to contain the value of ``expr``, worked at ``prec`` bits.

    Raises :class:`~symdyn.precise.balls.NoEnclosure` when a function has no ball version or a
    ``Piecewise`` condition is undecided at this precision.
    """
    with ball_context(prec) as ctx:
        return evaluate_in(ctx, expr, env)


def certified_evaluate(expr: sp.Basic, digits: int, env: Env | None = None, **kw: object) -> Certified:
    """``expr`` to ``digits`` certified significant digits.

    Proven by ball arithmetic (:func:`evaluate_ball`, ``proof == "ball"``), at rising precision
    until the ball is narrow enough; an expression without a ball evaluation (see
    :class:`~symdyn.precise.balls.NoEnclosure`) is evaluated in mpmath and its digits agreed
    between reruns (``proof == "agreement"``). Extra keywords go to
    :func:`symdyn.precise.certified.certify` (``max_prec``, ``strict``, …).
    """
    expr = sp.sympify(expr)
    env = dict(env or {})
    exact = expr.subs(_exact_env(env)) if env else expr
    if exact.is_zero:  # decided symbolically (a computed zero never certifies): exact, so proven
        return Certified("0", digits, 0, ("0", "0"), BALL)
    balls = [True]

    def compute(prec: int) -> list:
        if balls[0]:
            try:
                return [evaluate_ball(expr, prec, env)]
            except NoEnclosure:  # no ball version of a function, or an undecided branch: agree instead
                balls[0] = False
        return [evaluate(expr, prec, env)]

    [value] = certify(compute, digits, **kw)
    return value
