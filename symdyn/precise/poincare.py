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

**Enclosures of Ψ** (:func:`psi_ball`). Write f(w) = μw(1 − dw/c)², c = 1 + ησ, d = ηλ. For
0 <= dw <= 2c, μw(1 − κw) <= f(w) <= μw with κ = 2d/c. Along y_j = f^j(ζ/μ^N) the upper bound
gives y_j <= ζμ^{j−N}, and then the lower one y_N >= ζ Π_j (1 − κζμ^{j−N}) >= ζ(1 − κζ/(μ − 1)).
Letting N → ∞: Ψ(ζ) ∈ [ζ(1 − Cζ), ζ], C = 2d/(c(μ − 1)), for 0 < ζ with κζ <= 1. Then
Ψ(z) = f^n(Ψ(z/μ^n)) with n so large that Cζ ~ 2^{−p}, and the n steps carry the proven error
bound of :mod:`symdyn.precise.gd_proof` from that start ball: a ball for Ψ(z), z > 0, with no
series truncation to trust. (The series charts remain for the jump-ahead, whose digits are agreed.)

>>> lo, hi = transition_interval(Model(depth=2, sigma=1, lam=1, eta="0.1"), digits=10)
>>> lo.text, hi.text, lo.proof
('0.4743653515', '0.5255445570', 'ball')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import sympy as sp

from symdyn.derive.kernels import product2_constants
from symdyn.model.core import Model
from symdyn.precise.balls import arb
from symdyn.precise.certified import BALL, Certified, ball_context, certify
from symdyn.precise.charts import GDCharts, require_numeric
from symdyn.precise.evaluate import evaluate_ball
from symdyn.precise.gd_iterate import KERNELS, prove_orbit

#: Guard bits of the proven Ψ: the n ~ p ln2/ln μ steps cost about log₂(16n) bits.
PSI_GUARD_BITS = 20

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


def psi_ball(model: Model, z: sp.Expr, prec: int) -> arb:
    """A ball proven to contain Ψ(z), z > 0 exact (see the module docstring), worked at ``prec`` bits."""
    sigma, lam, eta = require_numeric(model)
    c, d = (sp.Rational(v) for v in product2_constants(sigma, lam, eta))
    mu = c**2
    C = 2 * d / (c * (mu - 1))
    with ball_context(prec + 64) as ctx:
        zb = evaluate_ball(z, prec + 64)
        log_mu = ctx.ln(ctx.mpf(mu))
        # n with C z μ^{-n} <= 2^{-(prec + 8)}: then the start ball's width is below the rounding
        need = (ctx.ln(zb * ctx.mpf(C)) + (prec + 8) * ctx.ln(2)) / log_mu
        n = max(0, math.ceil(float(need.upper())) + 1) if need.is_finite() else None
        if n is None or not zb > 0:
            return arb(0, math.inf)
        zeta = zb / ctx.mpf(mu) ** n
        if not ctx.mpf(2 * d / c) * zeta <= 1:
            return arb(0, math.inf)
        start = (zeta * (1 - ctx.mpf(C) * zeta)).union(zeta)
    return prove_orbit(KERNELS[(2, "product")], (c, d), start, [n], prec)[0]


def psi(model: Model, value: object, digits: int = 30) -> Certified:
    """Ψ(value) with ``digits`` certified digits (``value``: exact number or sympy expression).

    Proven (a ball, :func:`psi_ball`) for value > 0; Ψ(0) = 0; for value < 0 the series charts,
    with digits agreed between runs.
    """
    require_numeric(model)
    v = sp.S(value)
    if v.is_zero:
        return Certified("0", digits, 0, ("0", "0"), BALL)
    if v.is_positive:
        [out] = certify(lambda prec: [psi_ball(model, v, prec)], digits, guard_bits=PSI_GUARD_BITS)
        return out
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
    Both ends are proven (balls of :func:`psi_ball`). ``options`` go to
    :func:`symdyn.precise.certified.certify`.
    """
    sigma, _, eta = require_numeric(model)
    if eta * sigma > sp.Rational(1, 2):
        raise ValueError(f"the oscillation interval [Psi(1/mu), Psi(1)] is established for eta*sigma <= 1/2 "
                         f"(got {eta * sigma}): above it the GD map folds below sigma/lambda")
    mu = (1 + eta * sigma) ** 2
    lo, hi = certify(lambda prec: [psi_ball(model, 1 / mu, prec), psi_ball(model, sp.Integer(1), prec)], digits,
                     guard_bits=PSI_GUARD_BITS, **options)
    return lo, hi
