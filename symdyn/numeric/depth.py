"""The depth-L flow and GD (L >= 3) in float64: the implicit relation inverted in log space.

The flow is w(t) = G^{-1}(t + G(w0)) with G from :mod:`symdyn.derive.depth` (★):
G(w) = −w^{−p}/((L−2)σ) + κ J_L(z), p = (L−2)/L, κ = (λ/σ)^{1−2/L}/σ, z = (λw/σ)^{1/L}.
Write A = w0^{−p}/((L−2)σ) (the escape time) and H0 = κ J_L(z0), so t + G(w0) = A·(r − 1) with
r = (t + H0)/A. The inversion never forms A or w0 when they would overflow or underflow:

* before the escape (s = t + G(w0) < 0) it solves, for u = ln w,
  p·u + ln((L−2)σ) + ln(κ J_L(z) + |s|) = 0 (the exact equation w^{−p} = (L−2)σ(H(w) − s)),
  monotone in u, bracketed by  −ln((L−2)σ|s| + w*^{−p})/p <= u <= −ln((L−2)σ|s|)/p;
* after it (s >= 0) it solves G(σx/λ) = s for x = λw/σ in [x_L, 1).

Both brackets are bisected to float resolution (vectorised over t).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy.optimize import brentq

from symdyn.derive.kernels import factor_constants, factor_steps
from symdyn.model.checks import check_depth, init_exponent
from symdyn.model.exact import parse_number


def _check(depth: int, sigma: float, lam: float) -> tuple[int, float, float]:
    check_depth(depth, 3)
    sigma, lam = (float(parse_number(v, n)) if isinstance(v, str) else float(v)
                  for v, n in ((sigma, "sigma"), (lam, "lam")))
    if not (sigma > 0 and lam > 0):
        raise ValueError(f"need sigma > 0 and lam > 0, got sigma={sigma}, lam={lam} "
                         "(sigma = 0 or lam = 0 modes: use symdyn.derive.depth.special_mode_solutions)")
    return depth, sigma, lam


def log_w0_of(depth: int, delta: float, init: str = "layer") -> float:
    """ln w0 = −mδ with m from the init rule (:func:`symdyn.model.checks.init_exponent`)."""
    return -init_exponent(depth, init) * float(delta)


def regular_integral_numpy(depth: int, z: np.ndarray) -> np.ndarray:
    """J_L(z) = Σ_n z^{nL+2}/(nL+2), 0 <= z < 1: series for z < 1/2, roots-of-unity logs above."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    small = z < 0.5
    zs = z[small]
    n = np.arange(0, 60 // depth + 2)[:, None]          # z^{nL} <= 2^{-60}: below float resolution
    out[small] = np.sum(zs ** (n * depth + 2) / (n * depth + 2), axis=0)
    zb = z[~small].astype(complex)
    tot = -np.log1p(-z[~small]).astype(complex)
    for j in range(1, depth):
        om = np.exp(2j * np.pi * j / depth)
        tot -= om**2 * np.log(1 - zb / om)
    out[~small] = tot.real / depth
    return out


def _log_regular_integral(depth: int, lnz: np.ndarray) -> np.ndarray:
    """ln J_L(e^{lnz}), accurate (no underflow) for z -> 0: J = z²/2 · (1 + O(z^L))."""
    lnz = np.asarray(lnz, dtype=float)
    out = np.empty_like(lnz)
    small = lnz < math.log(0.5)
    ls = lnz[small]
    n = np.arange(1, 60 // depth + 2)[:, None]
    corr = np.sum(np.exp(n * depth * ls) * 2.0 / (n * depth + 2), axis=0)
    out[small] = 2 * ls - math.log(2) + np.log1p(corr)
    out[~small] = np.log(regular_integral_numpy(depth, np.exp(lnz[~small])))
    return out


@cache
def transition_x_float(depth: int) -> float:
    """x_L (float): root of 1 − (L−2) z^{L−2} J_L(z), x = z^L (brentq; cf. depth.transition_constant)."""
    def f(z):
        return 1 - (depth - 2) * z ** (depth - 2) * regular_integral_numpy(depth, np.array([z]))[0]
    return brentq(f, 0.05, 1 - 1e-12, xtol=1e-16, rtol=1e-15) ** depth


def _G_numpy(depth, sigma, lam, x):
    """G at w = σx/λ (x in (0, 1)), the form (★)."""
    p = (depth - 2) / depth
    kappa = (lam / sigma) ** (1 - 2 / depth) / sigma
    w = sigma * x / lam
    return -w ** (-p) / ((depth - 2) * sigma) + kappa * regular_integral_numpy(depth, x ** (1 / depth))


def _bisect(f, lo, hi, iters):
    """Vectorised bisection of an increasing f on [lo, hi] (elementwise)."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        up = f(mid) > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return 0.5 * (lo + hi)


def _solve_numpy(depth, sigma, lam, lnA, rm1):
    """ln w solving G(w) = A·rm1, elementwise over the array rm1 (lnA scalar or array)."""
    L = depth
    p = (L - 2) / L
    c = math.log((L - 2) * sigma)
    lnk = (1 - 2 / L) * math.log(lam / sigma) - math.log(sigma)
    ln_ratio = math.log(sigma / lam)
    x_L = transition_x_float(L)
    ln_wstar = ln_ratio + math.log(x_L)
    rm1, lnA = np.broadcast_arrays(np.asarray(rm1, dtype=float), np.asarray(lnA, dtype=float))
    out = np.empty(rm1.shape)
    neg = rm1 < 0
    if neg.any():
        lnm = lnA[neg] + np.log(-rm1[neg])               # ln |s|
        hi = np.minimum(-(c + lnm) / p, ln_wstar)
        lo = -np.logaddexp(c + lnm, -p * ln_wstar) / p

        def psi(u):
            lnJ = _log_regular_integral(L, (u - ln_ratio) / L)
            return p * u + c + np.logaddexp(lnk + lnJ, lnm)
        out[neg] = _bisect(psi, lo, hi, 120)
    pos = ~neg
    if pos.any():
        with np.errstate(over="ignore"):
            s = np.exp(lnA[pos]) * rm1[pos]
        x = _bisect(lambda x: _G_numpy(L, sigma, lam, x) - s,
                    np.full(s.shape, x_L), np.full(s.shape, np.nextafter(1.0, 0)), 64)
        out[pos] = ln_ratio + np.log(x)
    return out


def _H0_over_A(depth, sigma, lam, log_w0):
    """(H(w0)/A, ln A): H(w0) = κ J_L(z0) and A = w0^{−p}/((L−2)σ), without overflow."""
    L = depth
    p = (L - 2) / L
    lnA = -p * log_w0 - math.log((L - 2) * sigma)
    lnk = (1 - 2 / L) * math.log(lam / sigma) - math.log(sigma)
    lnJ0 = _log_regular_integral(L, np.array([(log_w0 - math.log(sigma / lam)) / L]))[0]
    return math.exp(lnk + lnJ0 - lnA), lnA


def depth_flow_numpy(depth: int, sigma: float, lam: float, t, *, log_w0: float,
                     log: bool = False) -> np.ndarray:
    """w(t) (or ln w(t) with ``log=True``) of ẇ = L w^{2−2/L}(σ − λw) from w(0) = e^{log_w0}.

    Vectorised over t; safe for tiny w0 (give ln w0, e.g. −Lδ) and for w(t) below float range
    when ``log=True``. Needs σ, λ > 0 and w0 < σ/λ.

    >>> round(float(depth_flow_numpy(4, 1.0, 1.0, 0.0, log_w0=math.log(0.25))), 12)
    0.25
    """
    L, sigma, lam = _check(depth, sigma, lam)
    if not log_w0 < math.log(sigma / lam):
        raise ValueError(f"need w0 < sigma/lambda = {sigma / lam}, got ln w0 = {log_w0}")
    t = np.asarray(t, dtype=float)
    h, lnA = _H0_over_A(L, sigma, lam, log_w0)
    if lnA < 700:                                          # A representable: direct difference
        A = math.exp(lnA)
        rm1 = (t + h * A - A) / A
    else:
        rm1 = (t * math.exp(-lnA) + h) - 1
    u = _solve_numpy(L, sigma, lam, lnA, rm1)
    return u if log else np.exp(u)


def depth_flow_rescaled_numpy(depth: int, sigma: float, lam: float, tau, delta: float,
                              init: str = "layer", log: bool = False) -> np.ndarray:
    """w at t = τ·scale(δ) (scale = w0^{−(L−2)/L}: e^{(L−2)δ} for "layer"), overflow-free in δ."""
    L, sigma, lam = _check(depth, sigma, lam)
    log_w0 = log_w0_of(L, delta, init)
    tau = np.asarray(tau, dtype=float)
    tau_star = 1 / ((L - 2) * sigma)
    h, lnA = _H0_over_A(L, sigma, lam, log_w0)
    rm1 = (tau - tau_star) / tau_star + h                  # t = τ·scale and A = τ*·scale
    u = _solve_numpy(L, sigma, lam, lnA, rm1)
    return u if log else np.exp(u)


# ----------------------------------------------------------------------------- GD

def depth_gd_numpy(depth: int, sigma: float, lam: float, eta: float, steps: int, *,
                   log_w0: float) -> np.ndarray:
    """GD iterates w_0..w_steps of the balanced depth-L mode, iterating the factor map
    a⁺ = a + η a^{L−1}(σ − λa^L) (the kernel :func:`symdyn.derive.kernels.factor_steps`) from
    a0 = w0^{1/L}; w = a^L."""
    L, sigma, lam = _check(depth, sigma, lam)
    e, d = factor_constants(sigma, lam, eta)
    a = math.exp(log_w0 / L)
    out = np.empty(int(steps) + 1)
    out[0] = a**L
    for i in range(1, int(steps) + 1):
        a = factor_steps(L, a, e, d)
        out[i] = a**L
    return out


def gd_flow_lag(depth: int, sigma: float, lam: float, eta: float, *, log_w0: float,
                w_stop: float, max_steps: int = 10**7) -> tuple[int, float, float]:
    """(k, ηk, lag) at the first GD step with w_k >= w_stop; lag = ηk − (G(w_k) − G(w0)) is how far
    GD is behind the flow (in flow time). Predicted: lag ≈ (L−1)η/(2L)·ln(w_k/w0) + O(η)."""
    L, sigma, lam = _check(depth, sigma, lam)
    if not 0 < w_stop < sigma / lam:
        raise ValueError(f"w_stop must lie in (0, sigma/lambda), got {w_stop}")
    e, d = factor_constants(sigma, lam, eta)
    a = math.exp(log_w0 / L)
    a_stop = w_stop ** (1 / L)
    k = 0
    while a < a_stop:
        a = factor_steps(L, a, e, d)
        k += 1
        if k > max_steps:
            raise ValueError(f"GD did not reach w_stop within {max_steps} steps; lower delta or raise eta")
    wk = a**L
    h, lnA = _H0_over_A(L, sigma, lam, log_w0)
    A = math.exp(lnA)
    t_flow = _G_numpy(L, sigma, lam, np.array([lam * wk / sigma]))[0] + A - h * A
    return k, eta * k, eta * k - t_flow
