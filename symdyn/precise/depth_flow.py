"""The depth-L flow (L >= 3) at arbitrary precision: the implicit relation inverted in mpmath.

The flow is w(t) = G^{-1}(t + G(w0)) with G from :mod:`symdyn.derive.depth`. The inversion works
in a local mpmath context with enough guard digits for the cancellation t − A
(A = w0^{−p}/((L−2)σ), the escape time), brackets the root in u = ln w (before the escape the log
form p·u + ln((L−2)σ) + ln(H(e^u) + |s|), free of cancellation for tiny w; after it G itself) and
polishes with a bracketing Anderson–Björk step, certified by a sign change.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp

from symdyn.derive.depth import escape_scale
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, init_exponent
from symdyn.model.exact import parse_number
from symdyn.precise.certified import certify
from symdyn.precise.constants import transition_constant
from symdyn.precise.evaluate import local_context


def _check(depth: int, sigma, lam) -> int:
    check_depth(depth, 3)
    if not (parse_number(sigma, "sigma") > 0 and parse_number(lam, "lam") > 0):
        raise ValueError(f"need sigma > 0 and lam > 0, got sigma={sigma}, lam={lam} "
                         "(sigma = 0 or lam = 0 modes: use symdyn.derive.depth.special_mode_solutions)")
    return depth



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
    wstar = sigma / lam * ctx.mpf(str(transition_constant(L, 15)))   # only a bracket end (G(w*) ~ 0 to 15 digits)
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
    L = _check(depth, sigma, lam)
    sig, la, tt = _exact(sigma, "sigma"), _exact(lam, "lambda"), _exact(t, "t")
    if (w0 is None) == (delta is None):
        raise ValueError("give exactly one of w0 or delta")
    if w0 is not None:
        w0q = _exact(w0, "w0")
        lw0 = math.log(float(w0q)) if w0q > 1e-300 else float(sp.log(w0q).evalf())
    else:
        lw0 = -init_exponent(L, init) * float(_exact(delta, "delta"))
    ctx = _mp_ctx(dps, -(L - 2) / L * lw0 / math.log(10))
    S_, La = ctx.mpf(sig.p) / sig.q, ctx.mpf(la.p) / la.q
    if w0 is not None:
        W0 = ctx.mpf(w0q.p) / w0q.q
    else:
        de = _exact(delta, "delta")
        W0 = ctx.exp(-init_exponent(L, init) * ctx.mpf(de.p) / de.q)
    if not W0 < S_ / La:
        raise ValueError(f"need w0 < sigma/lambda, got w0 = {ctx.nstr(W0, 8)}")
    s = ctx.mpf(tt.p) / tt.q + _mp_G(ctx, L, S_, La, W0)
    return ctx.nstr(_mp_solve(ctx, L, S_, La, s), dps, strip_zeros=False)


def depth_flow_rescaled_mp(depth: int, sigma, lam, tau, delta, init: str = "layer", dps: int = 30) -> str:
    """w at t = τ·scale(δ) to ``dps`` digits; τ − τ* is formed exactly (so τ = τ* is exact)."""
    L = _check(depth, sigma, lam)
    sig, la = _exact(sigma, "sigma"), _exact(lam, "lambda")
    ta, de = _exact(tau, "tau"), _exact(delta, "delta")
    esc = escape_scale(L, init)
    tau_star = sp.Rational(esc.tau_star.subs(S.sigma, sig))
    diff = ta - tau_star
    m = init_exponent(L, init)
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


