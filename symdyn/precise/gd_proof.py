r"""Rigorous error bounds for the GD iteration: the log-error recurrence carried beside the midpoints.

The GD maps (:mod:`symdyn.derive.kernels`) are iterated in floating point at p bits, rounding to
nearest after every operation (gmpy2 ``mpfr`` or mpmath ``mpf``: |fl(x∘y) − x∘y| <= u|x∘y|,
u = 2^{−p}; gmpy2 traps underflow, mpmath has none). Naive ball arithmetic on these maps fails:
w(1 + η(σ − λw))² uses w three times, so each step multiplies the radius by the sum of the
absolute partial derivatives (> 1 even where the map contracts) and the radius blows up. Instead
symdyn bounds the error of the *midpoint* orbit ŵ_k against the exact orbit w_k in log form,

    ℓ_k = |ln(ŵ_k / w_k)| <= s_k · u,

and carries the scalar s_k (a Python float) beside the iteration. One step splits as

    |ln f̂(ŵ) − ln f(w)| <= |ln f̂(ŵ) − ln f(ŵ)| + |ln f(ŵ) − ln f(w)|,

the rounding of one step at the computed point, at most ρ(ŵ)·u (below), plus the propagation of
the old error, at most K·ℓ_k by the mean value theorem in the variable ln ξ, where K bounds the
**log-derivative** g(ξ) = ξf'(ξ)/f(ξ) on the segment between w_k and ŵ_k (f has no zero there).
Hence

    s_{k+1} = K_k s_k + ρ_k,     s_0 from the start's ball.

Where |g| <= 1 (the whole stable range of the product map from a small start, see the regions
below) the error grows at most linearly, ~ρk·u, however long the run; where the map expands
(|g| > 1, e.g. the escape of depth L >= 3 from a tiny start, where the relative sensitivity is
(w_k/w_0)^{(L−2)/L} for real) the bound grows with it, the enclosure widens, and the
certification raises the precision or gives up; it never keeps digits it cannot prove.

**Rounding of one step** (δ's are the roundings, |δ| <= u; the constants ĉ = c(1+θ) are the exact
rationals rounded once). With the condition numbers

* linear, f = cξ + d:             A = (|cξ| + d)/|cξ + d|,                 ρ = 2.01(A + 1);
* product L = 2, f = ξ(c − dξ)²:  A = (c + dξ)/|c − dξ|,                  ρ = 4.02(A + 1);
* factor, a⁺ = a + a^{L−1}(e − da^L) = a·h, z = a^{L−2}, D = da^L, S = e − D, h = 1 + zS:
  B = z(e + 4D + 3|S|)/|h|,                                               ρ = 1.01(B + 1);
* product L >= 3, f = ξ(1 + zS)^L, z = ξ^{(L−2)/L}, D = dξ, S = e − D, h = 1 + zS:
  B = z(e + 2D + (L+1)|S|)/|h|,                                          ρ = 1.02L(B + 1) + 2.01.

E.g. for the L = 2 product map: t̂ = fl(d̂ξ), m̂ = fl(ĉ − t̂), ŵ⁺ = fl(ξ·fl(m̂²)).
|ĉ − t̂ − m| <= u c + dξ((1+u)² − 1) <= 2(1+u)u(c + dξ), so m̂ = m(1 + β)(1 + δ₂) with
|β| <= 2(1+u)Au, and ln(ŵ⁺/f(ξ)) = 2 ln(1+β) + 2 ln(1+δ₂) + ln(1+δ₃) + ln(1+δ₄); with
|ln(1+y)| <= |y|/(1 − |y|) and Au <= 2^{−10} this is at most 4.02(A + 1)u. The others follow the
same pattern, operation by operation in the order of the kernel's code (the factor map: a^{L−1},
a^L, d·a^L, e − ·, a^{L−1}·(·), a + ·; the depth-L product map: the correctly rounded L-th root,
its power, e − d·w, 1 + ·, the correctly rounded L-th power, w·(·)).

**Log-derivatives** (each equal to ξf'/f of the derived map, see ``tests/test_gd_proof.py``):
linear cξ/(cξ + d); L = 2 product (c − 3dξ)/(c − dξ); factor 1 + z((L−2)e − (2L−2)D)/h; L >= 3
product 1 + z((L−2)S − LD)/h. In every case |ξg'(ξ)| <= 4L²(1 + B)² (B the condition number;
A for the first two), from |ξh'| <= 2L·B|h|.

**Per step** (the general path, :func:`bound_step`): g and B are evaluated in Python floats at the
float of the midpoint ŵ, and K is |g| plus a slack for the ball and the float evaluation. With
r = s·u the ball radius, λ = L(1 + B) and the check λ(r + u + 2^{−51}) <= 2^{−10} (which keeps the
ball away from the zeros of f and of its multiplier, and B·u small): over the ball
(1 + B)² varies by < 3%, so sup|g| <= |g(ŵ)| + 4.12λ²r, and the float evaluation (conversion of ŵ
and of the constants, ~20 operations of relative error 2^{−53}) adds < λ²2^{−46}. symdyn uses

    K = (|g_float| + λ²(5r + 2^{−45}))(1 + 2^{−50}),    ρ with the constants above,

the last factor (and the margins in the constants) also covering the float rounding of the
update s ← K·s + ρ itself. When the check fails the bound is given up (s = ∞): no digit is proven.

**Invariant regions** (the fast path, :func:`fast_region`): when an interval X contains the exact
and the computed orbit for all later steps and |g| <= 1, ρ <= ρ_X on X, the bound after n more
steps is s + nρ_X with no per-step work at all. For the L = 2 product map (c = 1 + ησ, d = ηλ)
X = [0, β], β = c(1 − 2^{−20})/(2d): on [0, c/(2d)] |g| <= 1 and A <= 3 (ρ <= 16.08); f rises on
[0, c/(3d)] and falls after it, so max_X f = f(c/(3d)) = 4c³/(27d), which is <= β(1 − 2^{−20})
iff 8c² <= 27(1 − 2^{−20})² (ησ <~ 0.837); the computed step is at most f(1 + ρu) < β for
u <= 2^{−30}, and positive (m >= c/2). So once ŵ e^{r} <= β, both orbits stay in X. The L = 2
factor map is the same map in a² (B <= 15 on X: ρ <= 16.16), X = [0, √β]. The linear map with
c, d >= 0 keeps [0, ∞) with g ∈ [0, 1], A = 1. λ = 0 (d = 0) makes the product map ξ ↦ c²ξ:
X = [0, ∞), A = 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

#: The per-step check λ(r + u + 2^-51) <= CHECK (see the module docstring).
CHECK = 2.0**-10
#: Float slack terms of K (module docstring).
BALL_SLACK, FLOAT_SLACK, UPDATE_SLACK = 5.0, 2.0**-45, 1 + 2.0**-50
#: The fast regions need u <= 2^-30.
FAST_MIN_PREC = 30
#: Margin of the regions' ends (relative).
MARGIN = Fraction(1, 2**20)


@dataclass(frozen=True)
class Region:
    """An interval [0, upper] (``upper`` a float rounded down; inf for [0, ∞)) invariant for the exact and
    the computed orbit, on which |g| <= 1 and the rounding of one step is at most ``rho``·u."""

    upper: float
    rho: float

    def contains(self, xf: float, r: float) -> bool:
        """Whether the ball ŵ·e^{±r} (ŵ = ``xf`` up to the float conversion) lies in the region."""
        return 0.0 <= xf and xf * (1 + 2 * r + 2.0**-50) <= self.upper


@dataclass(frozen=True)
class ErrorModel:
    """The error analysis of one kernel: ``gb(x, *consts) -> (g, B)`` (works on floats and on sympy
    symbols), ``rho(B)``, the depth for the slack, and the fast region from the exact constants."""

    name: str
    depth: int
    gb: Callable
    rho: Callable[[float], float]
    region: Callable[[tuple[Fraction, ...]], Region | None] = lambda consts: None


def _inf_region(rho: float) -> Region:
    return Region(math.inf, rho)


# --------------------------------------------------------------------------- linear, L = 1
def linear_gb(x, c, d):
    """g = cξ/(cξ + d), A = (|cξ| + |d|)/|cξ + d| of f(ξ) = cξ + d."""
    t = c * x
    return t / (t + d), (abs(t) + abs(d)) / abs(t + d)


def _linear_region(consts: tuple[Fraction, ...]) -> Region | None:
    c, d = consts
    return _inf_region(2.01 * 2) if c >= 0 and d >= 0 else None


LINEAR = ErrorModel("linear", 1, linear_gb, lambda a: 2.01 * (a + 1), _linear_region)


# --------------------------------------------------------------------------- product, L = 2
def product2_gb(x, c, d):
    """g = (c − 3dξ)/(c − dξ), A = (c + dξ)/|c − dξ| of f(ξ) = ξ(c − dξ)²."""
    t = d * x
    m = c - t
    return (m - 2 * t) / m, (c + abs(t)) / abs(m)


def _product2_beta(c: Fraction, d: Fraction) -> Fraction | None:
    """β of the invariant region [0, β] of ξ(c − dξ)² (None: no such region; inf: d = 0)."""
    if d == 0:
        return Fraction(-1)  # marker for [0, ∞)
    if 8 * c * c <= 27 * (1 - MARGIN) ** 2:
        return c * (1 - MARGIN) / (2 * d)
    return None


def _product2_region(consts: tuple[Fraction, ...]) -> Region | None:
    beta = _product2_beta(*consts)
    if beta is None:
        return None
    if beta < 0:
        return _inf_region(4.02 * 2)
    return Region(float(beta) * (1 - 2.0**-50), 4.02 * (3 + 1))


PRODUCT2 = ErrorModel("product L=2", 2, product2_gb, lambda a: 4.02 * (a + 1), _product2_region)


# --------------------------------------------------------------------------- factor map, L >= 2
def factor_gb(depth: int):
    """(g, B) of the balanced factor map a⁺ = a(1 + zS), z = a^{L−2}, D = da^L, S = e − D."""
    def gb(a, e, d):
        z = a ** (depth - 2)
        big_d = d * a**depth
        s = e - big_d
        h = 1 + z * s
        g = 1 + z * ((depth - 2) * e - (2 * depth - 2) * big_d) / h
        return g, z * (abs(e) + 4 * abs(big_d) + 3 * abs(s)) / abs(h)
    return gb


def _factor2_region(consts: tuple[Fraction, ...]) -> Region | None:
    e, d = consts
    beta = _product2_beta(1 + e, d)
    if beta is None:
        return None
    if beta < 0:
        return _inf_region(1.01 * (3 + 1))
    return Region(math.sqrt(float(beta)) * (1 - 2.0**-50), 1.01 * (15 + 1))


def factor_model(depth: int) -> ErrorModel:
    return ErrorModel(f"factor L={depth}", depth, factor_gb(depth), lambda b: 1.01 * (b + 1),
                      _factor2_region if depth == 2 else (lambda consts: None))


# --------------------------------------------------------------------------- product map, L >= 3
def deep_product_gb(depth: int):
    """(g, B) of w⁺ = w(1 + zS)^L, z = w^{(L−2)/L}, D = dw, S = e − D."""
    power = Fraction(depth - 2, depth)

    def gb(w, e, d):
        z = w**power
        big_d = d * w
        s = e - big_d
        h = 1 + z * s
        g = 1 + z * ((depth - 2) * s - depth * big_d) / h
        return g, z * (abs(e) + 2 * abs(big_d) + (depth + 1) * abs(s)) / abs(h)
    return gb


def deep_product_model(depth: int) -> ErrorModel:
    return ErrorModel(f"product L={depth}", depth, deep_product_gb(depth),
                      lambda b: 1.02 * depth * (b + 1) + 2.01)


# --------------------------------------------------------------------------- the bound of one step
def step_bounds(model: ErrorModel, xf: float, consts: tuple[float, ...], r: float, u: float) -> tuple[float, float]:
    """(K, ρ) at the midpoint (float ``xf``) with ball radius ``r``: K >= |g| on the ball, ρ·u >= the
    step's rounding; (inf, inf) when the check λ(r + u + 2^-51) <= 2^-10 fails."""
    try:
        g, b = model.gb(xf, *consts)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):  # TypeError: a complex power
        return math.inf, math.inf
    lam = max(model.depth, 1) * (1 + b)
    if not lam * (r + u + 2.0**-51) <= CHECK:  # also catches nan and inf
        return math.inf, math.inf
    return (abs(g) + lam * lam * (BALL_SLACK * r + FLOAT_SLACK)) * UPDATE_SLACK, model.rho(b)


def bound_step(model: ErrorModel, xf: float, consts: tuple[float, ...], s: float, u: float) -> float:
    """s_{k+1} = K·s_k + ρ from s_k at the midpoint (float ``xf``), or inf when the check fails."""
    kappa, rho = step_bounds(model, xf, consts, s * u, u)
    return kappa * s + rho
