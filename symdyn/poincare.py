"""The Poincaré function Ψ of the GD map at 0: the discrete step profile (SPEC §2).

f(w) = w(1 + η(σ − λw))² has multiplier μ = (1+ησ)² > 1 at 0. The Poincaré function
is the unique Ψ with

    Ψ(μz) = f(Ψ(z)),   Ψ(z) = z + O(z²),   Ψ(z) = lim_n fⁿ(z/μⁿ).

From a vanishing start, w_k = Ψ(μ^k Φ₀(w0)) exactly, with Φ₀(w0) = w0 + O(w0²), so
w_k = Ψ(μ^k w0)(1 + O(w0)). At the GD transition k ≈ δT^η/η (T^η = η/ln(1+ησ), init
"layer") the argument μ^k e^{−2δ} = μ^{−frac} runs over (1/μ, 1] as δ grows: the
rescaled limit oscillates in [Ψ(1/μ), Ψ(1)], not the flow's σ/(σ+λ).

The flow analogue (logistic ODE ẇ = 2w(σ − λw), time-t map multiplier e^{2σt}) is
Ψ_flow(z) = σz/(σ + λz); every Taylor coefficient of Ψ tends to Ψ_flow's as η → 0.

>>> poincare_function(order=2).expr
-2*lambda*z**2/(sigma*(eta*sigma + 1)*(eta*sigma + 2)) + z
>>> lo, hi = transition_interval(Model(depth=2, sigma=1, lam=1, eta="0.1"), digits=10)
>>> lo.text, hi.text
('0.4743653515', '0.5255445570')
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from . import symbols as S
from .certified import Certified, certify
from .closed_forms import flow_closed_form
from .derivation import Derived, residual
from .dynamics import product_ode
from .gd_charts import GDCharts, map_coefficients, require_numeric
from .linearisation import koenigs_coefficients, poincare_coefficients, series_residual
from .model import Model

#: The chart variable of Ψ (Ψ(z) = z + O(z²)).
z = sp.Symbol("z")

#: Two independent evaluation configurations (series order, disk scale) for certification:
#: consecutive certification runs alternate between them (``certify(..., vary=True)``).
VARIANTS = ((24, 1.0), (32, 0.5))


@lru_cache(maxsize=64)
def charts(model: Model, prec: int, attempt: int) -> GDCharts:
    """The numeric charts of ``model`` at ``prec`` bits in configuration ``VARIANTS[attempt % 2]``."""
    order, scale = VARIANTS[attempt % 2]
    return GDCharts(model, prec, order, scale)


def certify_charts(model: Model, evaluate: Callable[[GDCharts], list], digits: int,
                   **options: object) -> list[Certified]:
    """Certify ``evaluate(charts) -> [mpf]``: runs differ in precision AND chart configuration.

    ``options`` go to :func:`symdyn.certified.certify` (``guard_bits``, ``max_prec``, …).
    """
    return certify(lambda prec, attempt: evaluate(charts(model, prec, attempt)), digits,
                   vary=True, **options)


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
    return Derived(d.name, d.expr, res, d.hypotheses + ("sigma > 0, eta > 0",))


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
    return Derived("Poincaré function of the L = 2 flow at 0", psi, res, ("sigma > 0",))


def psi(model: Model, value: object, digits: int = 30) -> Certified:
    """Ψ(value) with ``digits`` certified digits (``value``: exact number or sympy expression)."""
    require_numeric(model)
    v = sp.S(value)
    [out] = certify_charts(model, lambda c: [c.psi(c.exact(v))], digits)
    return out


def transition_interval(model: Model, digits: int = 30, **options: object) -> tuple[Certified, Certified]:
    """The oscillation interval [Ψ(1/μ), Ψ(1)] of w_k at the GD transition, certified.

    With k_δ = ⌊δT^η/η⌋ (the last step with ηk/δ <= T^η, init "layer"),
    w_{k_δ} = Ψ(μ^{−{δT^η/η}})(1 + O(e^{−2δ})), and {·} fills [0, 1) as δ → ∞, so the
    limit points fill Ψ([1/μ, 1]). That is [Ψ(1/μ), Ψ(1)] because Ψ is increasing: for
    ησ <= ½, f'(w) = (1 + η(σ − λw))(1 + η(σ − 3λw)) > 0 on [0, σ/λ] (its first zero is
    (1+ησ)/(3ηλ) >= σ/λ), so Ψ = fⁿ ∘ Ψ_N(·/μⁿ) is a composition of increasing maps.
    For ½ < ησ < 1 f folds below σ/λ and the monotonicity is not established: refused.
    ``options`` go to :func:`symdyn.certified.certify`.
    """
    sigma, _, eta = require_numeric(model)
    if eta * sigma > sp.Rational(1, 2):
        raise ValueError(f"the oscillation interval [Psi(1/mu), Psi(1)] is established for eta*sigma <= 1/2 "
                         f"(got {eta * sigma}): above it the GD map folds below sigma/lambda")
    mu = (1 + eta * sigma) ** 2
    lo, hi = certify_charts(model, lambda c: [c.psi(c.exact(1 / mu)), c.psi(c.exact(1))], digits, **options)
    return lo, hi
