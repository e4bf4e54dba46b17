"""The Poincaré function Ψ of the GD map at 0: the discrete step profile (docs/conventions.md).

f(w) = w(1 + η(σ − λw))² has multiplier μ = (1+ησ)² > 1 at 0. The Poincaré function
is the unique Ψ with

    Ψ(μz) = f(Ψ(z)),   Ψ(z) = z + O(z²),   Ψ(z) = lim_n fⁿ(z/μⁿ).

From a vanishing start, w_k = Ψ(μ^k Φ₀(w0)) exactly, with Φ₀(w0) = w0 + O(w0²), so
w_k = Ψ(μ^k w0)(1 + O(w0)). At the GD transition k ≈ δT^η/η (T^η = η/ln(1+ησ), init
"layer") the argument μ^k e^{−2δ} = μ^{−frac} runs over (1/μ, 1] as δ grows: the
rescaled limit oscillates in [Ψ(1/μ), Ψ(1)], not the flow's σ/(σ+λ).

The flow analogue (logistic ODE ẇ = 2w(σ − λw), time-t map multiplier e^{2σt}) is
Ψ_flow(z) = σz/(σ + λz); every Taylor coefficient of Ψ tends to Ψ_flow's as η → 0.

>>> lo, hi = transition_interval(Model(depth=2, sigma=1, lam=1, eta="0.1"), digits=10)
>>> lo.text, hi.text
('0.4743653515', '0.5255445570')
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sympy as sp

from symdyn.model.core import Model
from symdyn.precise.certified import Certified, certify
from symdyn.precise.charts import GDCharts, require_numeric

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

    ``options`` go to :func:`symdyn.precise.certified.certify` (``guard_bits``, ``max_prec``, …).
    """
    return certify(lambda prec, attempt: evaluate(charts(model, prec, attempt)), digits,
                   vary=True, **options)


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
    ``options`` go to :func:`symdyn.precise.certified.certify`.
    """
    sigma, _, eta = require_numeric(model)
    if eta * sigma > sp.Rational(1, 2):
        raise ValueError(f"the oscillation interval [Psi(1/mu), Psi(1)] is established for eta*sigma <= 1/2 "
                         f"(got {eta * sigma}): above it the GD map folds below sigma/lambda")
    mu = (1 + eta * sigma) ** 2
    lo, hi = certify_charts(model, lambda c: [c.psi(c.exact(1 / mu)), c.psi(c.exact(1))], digits, **options)
    return lo, hi
