"""The dynamics of one mode, derived by sympy from the per-mode loss (docs/conventions.md).

Pipeline, each stage checked by a residual:

1. loss ℓ(a_1..a_L) = ½ λ (∏a)² − σ ∏a;
2. gradient flow on the factors ȧ_i = −∂ℓ/∂a_i, and its conserved quantities
   a_i² − a_j² (residual: their time derivative);
3. the balanced reduction a_i = w^{1/L} to the product ODE ẇ = F(w) (residual:
   the chain rule d(∏a)/dt on the balanced flow minus F);
4. one GD step on the factors a_i⁺ = a_i − η ∂ℓ/∂a_i, and the product map
   w⁺ = G(w) (residual: ∏a_i⁺ on the balanced step minus G).

>>> product_ode(2).expr
2*w*(-lambda*w + sigma)
>>> product_map(2).expr
w*(eta*(-lambda*w + sigma) + 1)**2
>>> product_ode(1).expr, product_map(1).expr
(-lambda*w + sigma, eta*(-lambda*w + sigma) + w)
"""

from __future__ import annotations

from functools import cache
from itertools import combinations

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth
from symdyn.model.factor_model import paper_loss
from symdyn.model.printing import Hypothesis as H


def loss(depth: int) -> sp.Expr:
    """The per-mode loss ℓ(a_1..a_L) = ½ λ (∏a)² − σ ∏a."""
    return paper_loss(S.factors(check_depth(depth)))


@cache
def factor_flow(depth: int) -> tuple[sp.Expr, ...]:
    """Gradient flow on the factors: ȧ_i = −∂ℓ/∂a_i."""
    a = S.factors(check_depth(depth))
    ell = loss(depth)
    return tuple(sp.factor(-sp.diff(ell, ai)) for ai in a)


@cache
def conserved_quantities(depth: int) -> tuple[Derived, ...]:
    """The quantities a_i² − a_j² (i < j), each with the residual d/dt(a_i² − a_j²)."""
    a = S.factors(check_depth(depth))
    flow = dict(zip(a, factor_flow(depth), strict=True))
    out = []
    for ai, aj in combinations(a, 2):
        q = ai**2 - aj**2
        dq = sum(sp.diff(q, x) * flow[x] for x in a)
        out.append(Derived(f"{ai}^2 - {aj}^2", q, {"d/dt": residual(dq)}))
    return tuple(out)


def _balanced(depth: int) -> dict[sp.Symbol, sp.Expr]:
    """The balanced substitution a_i = w^{1/L} (w > 0)."""
    return {ai: S.w ** sp.Rational(1, depth) for ai in S.factors(depth)}


def _gap_form(expr: sp.Expr, x: sp.Expr = S.w, power: int = 1) -> sp.Expr:
    """Write ``expr`` as q · (σ − λ x^power) when the quotient q is free of σ and λ.

    This is only a display normalisation (sympy's ``factor`` prefers −(λx − σ)); the
    value is unchanged, and the caller's residual checks it.
    """
    gap = S.sigma - S.lam * x**power
    q = sp.powsimp(sp.cancel(sp.expand(expr) / gap))
    if q.has(S.sigma) or q.has(S.lam):
        return expr
    return q * gap


def _tidy(expr: sp.Expr) -> sp.Expr:
    """Canonical display form: powers merged, then q · (σ − λw)."""
    return _gap_form(sp.powsimp(sp.expand_power_base(expr, force=True)))


@cache
def product_ode(depth: int) -> Derived:
    """The balanced product ODE ẇ = F(w), derived by the chain rule on ∏a_i.

    For L = 1: σ − λw; L = 2: 2w(σ − λw); general L: L w^{2−2/L}(σ − λw).
    """
    a = S.factors(check_depth(depth))
    flow = factor_flow(depth)
    p = sp.Mul(*a)
    dp = sum(sp.diff(p, ai) * fi for ai, fi in zip(a, flow, strict=True))  # chain rule, unbalanced
    bal = _balanced(depth)
    rhs = _tidy(dp.subs(bal))
    # Check: on the balanced flow, d(∏a)/dt equals F(∏a) -- with a_i = a for a free a > 0.
    x = sp.Symbol("x", positive=True)
    chain = dp.subs({ai: x for ai in a})
    res = residual(chain - rhs.subs(S.w, x**depth))
    a_i, a_j = sp.symbols("a_i a_j", real=True)
    hyps = (H("balanced start: all factors equal (kept for all t since ", a_i**2 - a_j**2, " is conserved)"),)
    return Derived("product ODE", rhs, {"reduction": res}, hyps)


@cache
def factor_map(depth: int) -> tuple[sp.Expr, ...]:
    """One GD step on the factors: a_i⁺ = a_i − η ∂ℓ/∂a_i."""
    a = S.factors(check_depth(depth))
    ell = loss(depth)
    return tuple(ai - S.eta * sp.diff(ell, ai) for ai in a)


@cache
def balanced_factor_map(depth: int) -> Derived:
    """The per-factor GD recursion on a balanced mode: a⁺ = a + η a^{L−1}(σ − λ a^L)."""
    x = sp.Symbol("a", positive=True)
    step = factor_map(check_depth(depth))[0].subs({ai: x for ai in S.factors(depth)})
    expr = x + S.eta * _gap_form(sp.expand((step - x) / S.eta), x, depth)
    return Derived("balanced factor map", expr, {"definition": residual(expr - step)})


@cache
def product_map(depth: int) -> Derived:
    """The GD product map w⁺ = G(w): the product of the balanced factor updates.

    L = 1: w + η(σ − λw); L = 2: w(1 + η(σ − λw))²;
    general L: w(1 + η w^{(L−2)/L}(σ − λw))^L.
    """
    a = S.factors(check_depth(depth))
    new = sp.Mul(*factor_map(depth))
    x = sp.Symbol("x", positive=True)
    on_balanced = new.subs({ai: x for ai in a})
    if depth == 1:
        rhs = S.w + S.eta * _gap_form(sp.expand((on_balanced.subs(x, S.w) - S.w) / S.eta))
    else:
        # every factor moves by the same multiplier m(a) = a⁺/a; w⁺ = w · m^L
        mult = sp.expand(factor_map(depth)[0].subs({ai: x for ai in a}) / x)
        mult_w = sp.powsimp(sp.expand_power_base(mult.subs(x, S.w ** sp.Rational(1, depth)), force=True))
        inner = 1 + S.eta * _gap_form(sp.expand((mult_w - 1) / S.eta))
        rhs = S.w * inner**depth
    res = residual(sp.expand(on_balanced - rhs.subs(S.w, x**depth)))
    return Derived("product map", rhs, {"reduction": res},
                   ("balanced factors (a GD step keeps a balanced mode balanced)",))
