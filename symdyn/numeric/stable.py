"""Stable forms: sympy → sympy rewrites applied before any expression meets float64.

Two rewrites, both exact identities (the tests check them against the original by
high-precision evaluation):

* :func:`stabilize` — bring a quotient into a form whose exponentials decay. Numerator
  and denominator are expanded and their exponentials combined (e^a e^b → e^{a+b}); then
  both are divided by the *dominant* exponential: the numerator's exponential factor if
  the numerator is a single term, else the denominator's if it is a single term, else a
  denominator exponential that grows in the time variable. For the L = 2 flow with
  w0 = e^{−2δ} this turns the naive
  σe^{2σt−2δ}/(λ(e^{2σt−2δ} − e^{−2δ}) + σ) (inf/inf for large t) into
  σ/(σe^{2δ−2σt} − λ expm1(−2σt)), a sum of nonnegative terms. Finally c − c·e^a →
  −c·expm1(a) (sympy's ``expm1_opt`` only matches a literal e^a − 1) and sympy's own
  ``expm1_opt``/``log1p_opt``/``logaddexp_opt`` (``sympy.codegen.rewriting``).
* :func:`two_sided` — for a quotient whose numerator and denominator are affine in one
  growing exponential e^a, multiply both by S = e^{−max(a, 0)}: e^a·S = R = e^{min(a, 0)}, so
  (n0 + n1 e^a)/(d0 + d1 e^a) = (n0 S + n1 R)/(d0 S + d1 R) with S, R ≤ 1 on the whole line.
  The pair comes from one exponential, e^{−|a|} (the hand-written trick: one exp of −|x|
  and a branch on the sign of x), and no branch ever overflows.
* :func:`log_form` — ln f without forming f, for f a product/quotient of sums of positive
  terms: ln(Σ c_i e^{a_i}) becomes a logaddexp chain of ln c_i + a_i. This is how ln w(t)
  stays finite where w(t) underflows (e.g. ln w = ln σ − logaddexp(ln σ + 2δ − 2σt,
  ln λ + ln(−expm1(−2σt))) for the L = 2 flow from e^{−2δ}).

>>> from symdyn.model import symbols as S
>>> naive = S.sigma*sp.exp(2*S.sigma*S.t - 2*S.delta) / (
...     S.lam*(sp.exp(2*S.sigma*S.t - 2*S.delta) - sp.exp(-2*S.delta)) + S.sigma)
>>> stabilize(naive)
sigma/(-lambda*expm1(-2*sigma*t) + sigma*exp(2*delta - 2*sigma*t))
>>> log_form(stabilize(naive))
log(sigma) - logaddexp(log(lambda) + log(-expm1(-2*sigma*t)), 2*delta - 2*sigma*t + log(sigma))
"""

from __future__ import annotations

from functools import reduce

import sympy as sp
from sympy.codegen.cfunctions import expm1
from sympy.codegen.numpy_nodes import logaddexp
from sympy.codegen.rewriting import expm1_opt, log1p_opt, logaddexp_opt, optimize

from symdyn.model import symbols as S


def _combine(expr: sp.Expr) -> sp.Expr:
    """Expand and merge exponentials: every term carries at most one exp."""
    return sp.powsimp(sp.expand(expr), combine="exp")


def _exp_factor(term: sp.Expr) -> sp.Expr | None:
    """The single exp factor of a product term, if any."""
    exps = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.exp)]
    return exps[0] if len(exps) == 1 else None


def _growing(expr: sp.Expr, time: sp.Symbol) -> sp.Expr | None:
    """A denominator exponential whose exponent grows with ``time`` (coefficient ≥ 0, not 0)."""
    for term in sp.Add.make_args(expr):
        e = _exp_factor(term)
        rate = sp.diff(e.args[0], time) if e is not None else sp.S.Zero
        if rate != 0 and rate.is_nonnegative:
            return e
    return None


def _expm1_pairs(expr: sp.Expr) -> sp.Expr:
    """c + (−c)·e^a → −c·expm1(a), and c·e^a − c → c·expm1(a), inside every Add."""
    if not isinstance(expr, sp.Add):
        return expr.func(*map(_expm1_pairs, expr.args)) if expr.args else expr
    terms = list(expr.args)
    for i, term in enumerate(terms):
        e = _exp_factor(term)
        if e is None:
            continue
        coeff = sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not e])
        if -coeff in terms:
            rest = [x for j, x in enumerate(terms) if j != i]
            rest.remove(-coeff)
            return _expm1_pairs(sp.Add(*rest)) + coeff * expm1(e.args[0])
    return expr


def stabilize(expr: sp.Expr, time: sp.Symbol = S.t) -> sp.Expr:
    """Rewrite ``expr`` (no Piecewise) so that its exponentials decay; see the module doc."""
    num, den = sp.fraction(sp.together(expr))
    num, den = _combine(num), _combine(den)
    pivot = _exp_factor(num) if not isinstance(num, sp.Add) else None
    if pivot is None and not isinstance(den, sp.Add):
        pivot = _exp_factor(den)
    if pivot is None:
        pivot = _growing(den, time)
    if pivot is not None:
        num, den = _combine(num / pivot), _combine(den / pivot)
    num, den = _expm1_pairs(num), _expm1_pairs(den)
    out = num / den
    return optimize(out, [expm1_opt, log1p_opt, logaddexp_opt])


class ScaleDown(sp.Function):
    """S(a) = e^{−max(a, 0)} ∈ (0, 1]: divides out a growing e^a where a > 0 (see :func:`two_sided`)."""

    nargs = 1

    def _eval_rewrite_as_exp(self, a: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.exp(-sp.Max(a, 0))

    def _eval_is_positive(self) -> bool:
        return True


class ScaleUp(sp.Function):
    """R(a) = e^{min(a, 0)} = e^a·S(a) ∈ (0, 1] (see :func:`two_sided`)."""

    nargs = 1

    def _eval_rewrite_as_exp(self, a: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.exp(sp.Min(a, 0))

    def _eval_is_positive(self) -> bool:
        return True


def _affine_in(side: sp.Expr, growing: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """(c0, c1) with side = c0 + c1·growing term by term, or None if ``growing`` enters otherwise."""
    c0, c1 = [], []
    for term in sp.Add.make_args(side):
        if not term.has(growing):
            c0.append(term)
            continue
        factors = list(sp.Mul.make_args(term))
        if growing not in factors:
            return None
        factors.remove(growing)
        rest = sp.Mul(*factors)
        if rest.has(growing):
            return None
        c1.append(rest)
    return sp.Add(*c0), sp.Add(*c1)


def two_sided(expr: sp.Expr, a: sp.Expr) -> sp.Expr | None:
    """``expr`` = (n0 + n1 e^a)/(d0 + d1 e^a) rewritten as (n0 S + n1 R)/(d0 S + d1 R) with
    S = e^{−max(a, 0)}, R = e^{min(a, 0)} (:class:`ScaleDown`, :class:`ScaleUp`); None if the
    numerator or the denominator is not affine in e^a, term by term.

    Exact (multiply numerator and denominator by S, and e^a·S = R), and both factors are in
    (0, 1] for every real a, so the form needs no overflow guard. For a ≤ 0 it is the
    original form (S = 1, R = e^a); for a > 0 the form with e^a divided out.

    >>> from symdyn.model import symbols as S_
    >>> x = sp.Symbol("x", real=True)
    >>> two_sided(S_.sigma/(S_.sigma*sp.exp(x) - S_.lam*expm1(-2*S_.sigma*S_.t)), x)
    sigma*ScaleDown(x)/(-lambda*ScaleDown(x)*expm1(-2*sigma*t) + sigma*ScaleUp(x))
    """
    growing = sp.exp(a)
    num, den = sp.fraction(expr)
    parts = [_affine_in(num, growing), _affine_in(den, growing)]
    if None in parts:
        return None
    down, up = ScaleDown(a), ScaleUp(a)
    (n0, n1), (d0, d1) = parts
    return (n0 * down + n1 * up) / (d0 * down + d1 * up)


def _log_positive_sum(terms: list[sp.Expr]) -> sp.Expr:
    logs = [log_form(term) for term in terms]
    return reduce(logaddexp, logs)


def log_form(expr: sp.Expr) -> sp.Expr:
    """ln(expr) computed without forming expr; ``ValueError`` if positivity is not evident.

    Products become sums of logs, powers multiply, e^a gives a, a sum of (provably)
    nonnegative terms gives a logaddexp chain, and −expm1(a) with a ≤ 0 gives
    ln(−expm1(a)) (accurate where a → 0). Leaves must be provably nonnegative
    (sympy assumptions); ln 0 = −∞ is allowed and is lowered without a warning.
    """
    if isinstance(expr, sp.exp):
        return expr.args[0]
    if isinstance(expr, sp.Pow) and expr.exp.is_real:
        return expr.exp * log_form(expr.base)
    if isinstance(expr, sp.Mul):
        coeff, factors = expr.as_coeff_mul()
        logs = []
        if coeff.is_negative:
            flips = [f for f in factors if isinstance(f, expm1) and f.args[0].is_nonpositive]
            if not flips:
                raise ValueError(f"cannot take the log of {expr}: its sign is not evidently positive")
            factors = [f for f in factors if f is not flips[0]]
            logs.append(sp.log(-flips[0]))
            coeff = -coeff
        if coeff != 1:
            logs.append(sp.log(coeff))
        return sp.Add(*logs, *[log_form(f) for f in factors])
    if isinstance(expr, sp.Add):
        terms = list(expr.args)
        if all(term.is_nonnegative or _positive_term(term) for term in terms):
            return _log_positive_sum(terms)
        raise ValueError(f"cannot take the log of {expr}: not a sum of nonnegative terms")
    if expr.is_nonnegative:
        return sp.log(expr)
    raise ValueError(f"cannot take the log of {expr}: its sign is not evidently nonnegative")


def _positive_term(term: sp.Expr) -> bool:
    """A product term is nonnegative: try :func:`log_form` on it (structural check)."""
    try:
        log_form(term)
    except ValueError:
        return False
    return True
