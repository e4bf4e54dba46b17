"""Numerically safe evaluation of the depth-L flow and GD (L >= 3), in numpy and in mpmath.

The flow is w(t) = G^{-1}(t + G(w0)) with G from :mod:`symdyn.depth` (★):
G(w) = −w^{−p}/((L−2)σ) + κ J_L(z), p = (L−2)/L, κ = (λ/σ)^{1−2/L}/σ, z = (λw/σ)^{1/L}.
Write A = w0^{−p}/((L−2)σ) (the escape time) and H0 = κ J_L(z0), so t + G(w0) = A·(r − 1) with
r = (t + H0)/A. The inversion never forms A or w0 when they would overflow or underflow:

* before the escape (s = t + G(w0) < 0) it solves, for u = ln w,
  p·u + ln((L−2)σ) + ln(κ J_L(z) + |s|) = 0 (the exact equation w^{−p} = (L−2)σ(H(w) − s)),
  monotone in u, bracketed by  −ln((L−2)σ|s| + w*^{−p})/p <= u <= −ln((L−2)σ|s|)/p;
* after it (s >= 0) it solves G(σx/λ) = s for x = λw/σ in [x_L, 1).

Both brackets are bisected to float resolution (vectorised over t). The mpmath version works in a
local ``MPContext`` with enough guard digits for the cancellation t − A, brackets the same way and
polishes with a bracketing Anderson–Björk step, certified by a sign change.
"""

from __future__ import annotations

import math
from functools import cache

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from . import symbols as S
from .certified import certify
from .depth import escape_scale, gd_escape_expansion
from .exact import parse_number
from .model import INITS
from .mp_eval import local_context


def _check(depth: int, sigma: float, lam: float) -> tuple[int, float, float]:
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 3:
        raise ValueError(f"depth must be an integer >= 3, got {depth!r}")
    sigma, lam = (float(parse_number(v, n)) if isinstance(v, str) else float(v)
                  for v, n in ((sigma, "sigma"), (lam, "lambda")))
    if not (sigma > 0 and lam > 0):
        raise ValueError(f"need sigma > 0 and lambda > 0, got sigma={sigma}, lambda={lam} "
                         "(sigma = 0 or lambda = 0 modes: use depth.special_mode_solutions)")
    return depth, sigma, lam


def log_w0_of(depth: int, delta: float, init: str = "layer") -> float:
    """ln w0 = −Lδ ("layer": every factor starts at e^{−δ}) or −δ ("product")."""
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    return -(depth if init == "layer" else 1) * float(delta)


# ----------------------------------------------------------------------------- numpy

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


# ----------------------------------------------------------------------------- mpmath

def _mp_G(ctx, depth, sigma, lam, w):
    """The hypergeometric G(w) = w^a/(aLσ)·₂F₁(1, a; a+1; λw/σ) (closed_forms.implicit_relation)."""
    a = ctx.mpf(2) / depth - 1
    return w**a / (a * depth * sigma) * ctx.hyp2f1(1, a, a + 1, lam * w / sigma)


def _mp_H(ctx, depth, sigma, lam, w):
    """H(w) = G(w) + w^{−p}/((L−2)σ) = w^a/(Lσ) · x/(a+1) · ₂F₁(1, a+1; a+2; x) > 0, x = λw/σ
    (the n >= 1 terms of G = w^a/(Lσ) Σ_n x^n/(a+n), shifted; no cancellation for small w)."""
    a = ctx.mpf(2) / depth - 1
    x = lam * w / sigma
    return w**a / (depth * sigma) * x / (a + 1) * ctx.hyp2f1(1, a + 1, a + 2, x)


def _mp_solve(ctx, depth, sigma, lam, s):
    """w with G(w) = s: bracket in u = ln w, Anderson–Björk, sign-change certificate."""
    L = depth
    p = ctx.mpf(L - 2) / L
    c = (L - 2) * sigma
    wstar = sigma / lam * transition_x_float(L)   # only a bracket end (G(w*) ~ 0 up to float error)
    ln_ratio = ctx.log(sigma / lam)

    if s < 0:   # log form p·u + ln((L−2)σ) + ln(H(e^u) + |s|): no cancellation for tiny w
        def phi(u):
            return p * u + ctx.log(c) + ctx.log(_mp_H(ctx, L, sigma, lam, ctx.exp(u)) - s)
        lo = -ctx.log(c * (-s) + wstar ** (-p)) / p - 1
        hi = min(-ctx.log(c * (-s)) / p + 1, ctx.log(wstar) + 1, ln_ratio - ctx.mpf(10) ** -6)
    else:
        def phi(u):
            return _mp_G(ctx, L, sigma, lam, ctx.exp(u)) - s
        lo = ctx.log(wstar) - 1
        gap = ctx.mpf(1) / 2
        while phi(ln_ratio + ctx.log1p(-gap)) <= 0:         # G → +∞ as w → σ/λ
            gap /= 2 if gap > ctx.mpf(10) ** -4 else gap ** -1
            if gap < ctx.eps * 2**8:                          # w = σ/λ to working precision
                return sigma / lam
        hi = ln_ratio + ctx.log1p(-gap)
    if not phi(lo) < 0 < phi(hi):
        raise ValueError("internal: the inverse of G is not bracketed (report this input)")
    for _ in range(20):                                      # bisection before the fast step
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if phi(mid) < 0 else (lo, mid)
    u = ctx.findroot(phi, (lo, hi), solver="anderson", verify=False)
    h = abs(u) * ctx.eps * 2**8 + ctx.eps
    if not phi(u - h) <= 0 <= phi(u + h):
        for _ in range(ctx.prec + 10):                        # fall back to plain bisection
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if phi(mid) < 0 else (lo, mid)
        u = (lo + hi) / 2
    return ctx.exp(u)


def _mp_ctx(dps: int, extra: float = 0) -> mpmath.ctx_mp.MPContext:
    ctx = mpmath.MPContext()
    ctx.dps = int(dps) + 10 + max(0, int(math.ceil(extra)))
    return ctx


def _exact(value, name):
    return parse_number(value, name)


def depth_flow_mp(depth: int, sigma, lam, t, *, w0=None, delta=None, init: str = "layer",
                  dps: int = 30) -> str:
    """w(t) to ``dps`` digits (decimal string) from w0, or from δ with the given init.

    Inputs are parsed exactly (strings like "1/3", "1e-8"); the working precision adds the digits
    lost in t − A (A ~ w0^{−(L−2)/L}), in a local mpmath context.
    """
    L, _, _ = _check(depth, sigma, lam)
    sig, la, tt = _exact(sigma, "sigma"), _exact(lam, "lambda"), _exact(t, "t")
    if (w0 is None) == (delta is None):
        raise ValueError("give exactly one of w0 or delta")
    if w0 is not None:
        w0q = _exact(w0, "w0")
        lw0 = math.log(float(w0q)) if w0q > 1e-300 else float(sp.log(w0q).evalf())
    else:
        lw0 = log_w0_of(L, float(_exact(delta, "delta")), init)
    ctx = _mp_ctx(dps, -(L - 2) / L * lw0 / math.log(10))
    S_, La = ctx.mpf(sig.p) / sig.q, ctx.mpf(la.p) / la.q
    if w0 is not None:
        W0 = ctx.mpf(w0q.p) / w0q.q
    else:
        de = _exact(delta, "delta")
        W0 = ctx.exp(-(L if init == "layer" else 1) * ctx.mpf(de.p) / de.q)
    if not W0 < S_ / La:
        raise ValueError(f"need w0 < sigma/lambda, got w0 = {ctx.nstr(W0, 8)}")
    s = ctx.mpf(tt.p) / tt.q + _mp_G(ctx, L, S_, La, W0)
    return ctx.nstr(_mp_solve(ctx, L, S_, La, s), dps, strip_zeros=False)


def depth_flow_rescaled_mp(depth: int, sigma, lam, tau, delta, init: str = "layer", dps: int = 30) -> str:
    """w at t = τ·scale(δ) to ``dps`` digits; τ − τ* is formed exactly (so τ = τ* is exact)."""
    L, _, _ = _check(depth, sigma, lam)
    sig, la = _exact(sigma, "sigma"), _exact(lam, "lambda")
    ta, de = _exact(tau, "tau"), _exact(delta, "delta")
    esc = escape_scale(L, init)
    tau_star = sp.Rational(esc.tau_star.subs(S.sigma, sig))
    diff = ta - tau_star
    m = L if init == "layer" else 1
    ctx = _mp_ctx(dps)
    S_, La, D = ctx.mpf(sig.p) / sig.q, ctx.mpf(la.p) / la.q, ctx.mpf(de.p) / de.q
    W0 = ctx.exp(-m * D)
    if not W0 < S_ / La:
        raise ValueError(f"need w0 < sigma/lambda, got w0 = {ctx.nstr(W0, 8)}")
    scale = ctx.exp(m * (L - 2) * D / L)
    s = scale * (ctx.mpf(diff.p) / diff.q) + _mp_H(ctx, L, S_, La, W0)
    return ctx.nstr(_mp_solve(ctx, L, S_, La, s), dps, strip_zeros=False)


def certified_depth_flow(depth: int, sigma, lam, points, *, delta, init: str = "layer", rescaled: bool = False,
                         digits: int = 30, **kw: object) -> list:
    """w at flow times t (or at t = τ·scale with ``rescaled=True``) to ``digits`` certified digits.

    :func:`depth_flow_mp` / :func:`depth_flow_rescaled_mp` run at rising working precisions by
    :func:`symdyn.certified.certify` (the rerun test); ``kw`` goes to ``certify`` (``max_prec``, ``progress``…).
    """
    def compute(prec: int) -> list:
        ctx = local_context(prec)
        dps = int(prec * math.log10(2))   # the decimal digits that ``prec`` bits carry
        if rescaled:
            return [ctx.mpf(depth_flow_rescaled_mp(depth, sigma, lam, x, delta, init, dps)) for x in points]
        return [ctx.mpf(depth_flow_mp(depth, sigma, lam, x, delta=delta, init=init, dps=dps)) for x in points]
    return certify(compute, digits, **kw)


# ----------------------------------------------------------------------------- GD

def depth_gd_numpy(depth: int, sigma: float, lam: float, eta: float, steps: int, *,
                   log_w0: float) -> np.ndarray:
    """GD iterates w_0..w_steps of the balanced depth-L mode, iterating the factor map
    a⁺ = a + η a^{L−1}(σ − λa^L) (dynamics.balanced_factor_map) from a0 = w0^{1/L}; w = a^L."""
    L, sigma, lam = _check(depth, sigma, lam)
    a = math.exp(log_w0 / L)
    out = np.empty(int(steps) + 1)
    out[0] = a**L
    for i in range(1, int(steps) + 1):
        a = a + eta * a ** (L - 1) * (sigma - lam * a**L)
        out[i] = a**L
    return out


def gd_flow_lag(depth: int, sigma: float, lam: float, eta: float, *, log_w0: float,
                w_stop: float, max_steps: int = 10**7) -> tuple[int, float, float]:
    """(k, ηk, lag) at the first GD step with w_k >= w_stop; lag = ηk − (G(w_k) − G(w0)) is how far
    GD is behind the flow (in flow time). Predicted: lag ≈ (L−1)η/(2L)·ln(w_k/w0) + O(η)."""
    L, sigma, lam = _check(depth, sigma, lam)
    if not 0 < w_stop < sigma / lam:
        raise ValueError(f"w_stop must lie in (0, sigma/lambda), got {w_stop}")
    a = math.exp(log_w0 / L)
    a_stop = w_stop ** (1 / L)
    k = 0
    while a < a_stop:
        a = a + eta * a ** (L - 1) * (sigma - lam * a**L)
        k += 1
        if k > max_steps:
            raise ValueError(f"GD did not reach w_stop within {max_steps} steps; lower delta or raise eta")
    wk = a**L
    h, lnA = _H0_over_A(L, sigma, lam, log_w0)
    A = math.exp(lnA)
    t_flow = _G_numpy(L, sigma, lam, np.array([lam * wk / sigma]))[0] + A - h * A
    return k, eta * k, eta * k - t_flow


def gd_lag_rate(depth: int) -> float:
    """(L−1)/(2L): predicted d(lag)/(η d ln w) from depth.gd_escape_expansion (as a float)."""
    return float(gd_escape_expansion(depth)["lag_rate"].expr.subs(S.eta, 1))


# ----------------------------------------------------------------------------- figure data

def depth_comparison_data(sigma: float, lam: float, delta: float, x, depths=(1, 2, 3, 4),
                          init: str = "layer") -> dict[int, dict[str, object]]:
    """Curves w/(σ/λ) against the normalised rescaled time x = τ/τ*_L, one per depth.

    L = 1, 2 use t = δτ (SPEC §2: L = 1 has no step, τ* := 1/σ for its axis; L = 2 jumps at
    τ* = 1/σ "layer", 1/(2σ) "product"); L >= 3 use t = e^{(L−2)δ}τ (escape_scale). Pure: returns,
    per depth, {"x", "w_rel", "scale" (str), "tau_star" (float)}.
    """
    sigma, lam, delta = float(sigma), float(lam), float(delta)
    x = np.asarray(x, dtype=float)
    out = {}
    for L in depths:
        lw0 = log_w0_of(L, delta, init)
        if L == 1:
            tau_star, scale = 1 / sigma, sp.Symbol("delta")
            t = delta * tau_star * x
            w = sigma / lam + (math.exp(lw0) - sigma / lam) * np.exp(-lam * t)
        elif L == 2:
            esc = escape_scale(2, init)
            tau_star, scale = float(esc.tau_star.subs(S.sigma, sigma)), esc.scale
            t = delta * tau_star * x
            w0 = math.exp(lw0)
            w = sigma * w0 / ((sigma - lam * w0) * np.exp(-2 * sigma * t) + lam * w0)
        else:
            esc = escape_scale(L, init)
            tau_star, scale = float(esc.tau_star.subs(S.sigma, sigma)), esc.scale
            w = depth_flow_rescaled_numpy(L, sigma, lam, x * tau_star, delta, init)
        out[L] = {"x": x, "w_rel": w / (sigma / lam), "scale": str(scale), "tau_star": tau_star}
    return out


def plot_depths(data: dict[int, dict[str, object]]):
    """A matplotlib Figure of :func:`depth_comparison_data` (needs matplotlib; no file I/O)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ValueError("plot_depths needs matplotlib: pip install matplotlib") from exc
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    for L, d in sorted(data.items()):
        ax.plot(d["x"], d["w_rel"], label=f"L = {L}  (t = {d['scale']}·τ)")
    ax.axvline(1.0, color="0.7", lw=0.8)
    ax.set_xlabel("τ / τ*_L")
    ax.set_ylabel("w / (σ/λ)")
    ax.legend(fontsize=8)
    return fig
