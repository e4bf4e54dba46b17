"""The Poincaré and Koenigs functions of the L = 2 GD map, derived exactly (paper eq. (13) map).

f(w) = w(1 + η(σ − λw))² has multiplier μ = (1+ησ)² > 1 at 0. The Poincaré function
is the unique Ψ with

    Ψ(μz) = f(Ψ(z)),   Ψ(z) = z + O(z²),   Ψ(z) = lim_n fⁿ(z/μⁿ).

The flow analogue (logistic ODE ẇ = 2w(σ − λw), time-t map multiplier e^{2σt}) is
Ψ_flow(z) = σz/(σ + λz); every Taylor coefficient of Ψ tends to Ψ_flow's as η → 0.
The numbers of Ψ (certified) live in :mod:`symdyn.precise.poincare`.

>>> poincare_function(order=2).expr
-2*lambda*z**2/(sigma*(eta*sigma + 1)*(eta*sigma + 2)) + z
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form
from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import product_map, product_ode
from symdyn.derive.linearisation import koenigs_coefficients, poincare_coefficients, series_residual
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import rel

#: The chart variable of Ψ (Ψ(z) = z + O(z²)).
z = sp.Symbol("z")


def map_coefficients(model: Model, at: str = "zero") -> tuple[sp.Expr, ...]:
    """Coefficients (m, b₂, b₃) of the GD map written around a fixed point.

    ``at="zero"``: f(w) itself; ``at="fixed"``: g(x) = f(σ/λ + x) − σ/λ. Derived from
    :func:`symdyn.derive.dynamics.product_map` with the model's values substituted exactly.
    """
    f = model.subs(product_map(2).expr)
    x = sp.Symbol("x")
    if at == "zero":
        g = f.subs(S.w, x)
    elif at == "fixed":
        p = model.sigma / model.lam
        g = f.subs(S.w, p + x) - p
    else:
        raise ValueError(f"at must be 'zero' or 'fixed', got {at!r}")
    poly = sp.Poly(sp.expand(g), x)
    if poly.coeff_monomial(1) != 0:
        raise ValueError("internal: the expansion point is not a fixed point")
    return tuple(sp.factor(poly.coeff_monomial(x**j)) for j in (1, 2, 3))



def _series_derived(model: Model, at: str, kind: str, order: int, name: str) -> Derived:
    coeffs = map_coefficients(model, at)
    fn = poincare_coefficients if kind == "poincare" else koenigs_coefficients
    c = [sp.factor(sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
         for v in fn(coeffs, order)]
    expr = sum(ci * z**i for i, ci in enumerate(c, start=1))
    eq = "P(m z) = g(P(z))" if kind == "poincare" else "K(g(x)) = m K(x)"
    res = {f"{eq} through z^{order}": series_residual(coeffs, c, kind)}
    return Derived(name, expr, res, (f"multiplier m = {coeffs[0]}, 0 < |m| != 1",))


def poincare_function(model: Model | None = None, order: int = 4) -> Derived:
    """Ψ truncated after z^order, exact in σ, λ, η (or in the model's numbers).

    Residuals: the functional equation Ψ(μz) − f(Ψ(z)) through z^order (sympy expands
    it independently of the recursion), and, when η is symbolic, lim_{η→0} of Ψ's
    coefficients minus those of Ψ_flow = σz/(σ+λz).
    """
    model = model or Model(depth=2)
    d = _series_derived(model, "zero", "poincare", order, "Poincaré function of the GD map at 0")
    res = dict(d.residuals)
    if model.eta == S.eta and model.depth == 2:
        flow = sp.series(flow_poincare_function().expr, z, 0, order + 1).removeO()
        res["eta -> 0 limit equals the flow's Psi"] = residual(
            sum(sp.limit(d.expr.coeff(z, n), S.eta, 0) * z**n for n in range(1, order + 1))
            - model.subs(flow))
    return Derived(d.name, d.expr, res, d.hypotheses + (H(rel(S.sigma, ">", 0), ", ", rel(S.eta, ">", 0)),))


def koenigs_function(model: Model | None = None, order: int = 4, at: str = "fixed") -> Derived:
    """Koenigs Φ (Φ(f(w)) = m Φ(w)) at 0 (``at="zero"``) or at σ/λ (``at="fixed"``), in x = w − p."""
    model = model or Model(depth=2)
    where = "sigma/lambda" if at == "fixed" else "0"
    return _series_derived(model, at, "koenigs", order, f"Koenigs function of the GD map at {where}")


def flow_poincare_function() -> Derived:
    """Ψ_flow(z) = σz/(σ + λz), the Poincaré function of the L = 2 flow at 0.

    Residuals: the infinitesimal equation 2σ z Ψ'(z) = F(Ψ(z)) (F the L = 2 flow), and
    conjugacy with the closed form: Ψ(e^{2σt} z) = w(t) started at w0 = Ψ(z).
    """
    psi = S.sigma * z / (S.sigma + S.lam * z)
    F = product_ode(2).expr
    closed = flow_closed_form(2).expr.args[0][0]  # σ > 0 branch
    t = S.t
    res = {
        "2 sigma z Psi' - F(Psi)": residual(2 * S.sigma * z * sp.diff(psi, z) - F.subs(S.w, psi)),
        "Psi(e^(2 sigma t) z) - w(t; w0=Psi(z))": residual(
            psi.subs(z, sp.exp(2 * S.sigma * t) * z) - closed.subs(S.w0, psi)),
    }
    return Derived("Poincaré function of the L = 2 flow at 0", psi, res, (rel(S.sigma, ">", 0),))
