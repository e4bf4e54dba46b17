"""The depth-L flow (L >= 3) at arbitrary precision: the implicit relation inverted in mpmath.

The flow is w(t) = G^{-1}(t + G(w0)) with G from :mod:`symdyn.derive.depth`. The inversion works
in a local mpmath context with enough guard digits for the cancellation t − A
(A = w0^{−p}/((L−2)σ), the escape time), brackets the root in u = ln w (before the escape the log
form p·u + ln((L−2)σ) + ln(H(e^u) + |s|), free of cancellation for tiny w; after it G itself) and
polishes with a bracketing Anderson–Björk step, certified by a sign change.
"""

from __future__ import annotations

import math

import sympy as sp

from symdyn.derive.depth import escape_scale
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, init_exponent
from symdyn.model.exact import parse_number
from symdyn.precise.certified import bits_for_digits, certify, local_context
from symdyn.precise.constants import transition_constant
from symdyn.precise.evaluate import exact_mpf


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


#: Working bits over the requested precision: the root-finder's sign certificate leaves ~2^8·|ln w| ulps.
GUARD = 32


def _flow_at(L: int, sig: sp.Rational, la: sp.Rational, t: sp.Rational, w0q: sp.Rational | None,
             delta: sp.Rational | None, init: str, prec: int):
    """w(t) from w0 (or from δ) at ``prec`` working bits plus the bits lost in t − A (A ~ w0^{−(L−2)/L})."""
    if w0q is not None:
        lw0 = math.log(float(w0q)) if w0q > 1e-300 else float(sp.log(w0q).evalf())
    else:
        lw0 = -init_exponent(L, init) * float(delta)
    ctx = local_context(prec + max(0, math.ceil(-(L - 2) / L * lw0 / math.log(2))))
    S_, La = exact_mpf(ctx, sig), exact_mpf(ctx, la)
    W0 = exact_mpf(ctx, w0q) if w0q is not None else ctx.exp(-init_exponent(L, init) * exact_mpf(ctx, delta))
    if not W0 < S_ / La:
        raise ValueError(f"need w0 < sigma/lambda, got w0 = {ctx.nstr(W0, 8)}")
    s = exact_mpf(ctx, t) + _mp_G(ctx, L, S_, La, W0)
    return _mp_solve(ctx, L, S_, La, s)


def _rescaled_at(L: int, sig: sp.Rational, la: sp.Rational, tau: sp.Rational, delta: sp.Rational, init: str,
                 prec: int):
    """w at t = τ·scale(δ) at ``prec`` working bits; τ − τ* is formed exactly (so τ = τ* is exact)."""
    diff = tau - sp.Rational(escape_scale(L, init).tau_star.subs(S.sigma, sig))
    m = init_exponent(L, init)
    ctx = local_context(prec)
    S_, La, D = exact_mpf(ctx, sig), exact_mpf(ctx, la), exact_mpf(ctx, delta)
    W0 = ctx.exp(-m * D)
    if not W0 < S_ / La:
        raise ValueError(f"need w0 < sigma/lambda, got w0 = {ctx.nstr(W0, 8)}")
    scale = ctx.exp(m * (L - 2) * D / L)
    s = scale * exact_mpf(ctx, diff) + _mp_H(ctx, L, S_, La, W0)
    return _mp_solve(ctx, L, S_, La, s)


def _start(w0, delta) -> tuple:
    if (w0 is None) == (delta is None):
        raise ValueError("give exactly one of w0 or delta")
    return (None if w0 is None else parse_number(w0, "w0"),
            None if delta is None else parse_number(delta, "delta"))


def depth_flow_mp(depth: int, sigma, lam, t, *, w0=None, delta=None, init: str = "layer",
                  dps: int = 30) -> str:
    """w(t) to ``dps`` digits (decimal string, uncertified) from w0, or from δ with the given init.

    Inputs are parsed exactly (strings like "1/3", "1e-8"); the working precision is ``dps`` + 10
    digits plus the digits lost in t − A (A ~ w0^{−(L−2)/L}), in a local mpmath context.
    """
    L = _check(depth, sigma, lam)
    x = _flow_at(L, parse_number(sigma, "sigma"), parse_number(lam, "lam"), parse_number(t, "t"),
                 *_start(w0, delta), init, bits_for_digits(dps + 10))
    return x.context.nstr(x, dps, strip_zeros=False)


def depth_flow_rescaled_mp(depth: int, sigma, lam, tau, delta, init: str = "layer", dps: int = 30) -> str:
    """w at t = τ·scale(δ) to ``dps`` digits (uncertified); τ − τ* is formed exactly (so τ = τ* is exact)."""
    L = _check(depth, sigma, lam)
    x = _rescaled_at(L, parse_number(sigma, "sigma"), parse_number(lam, "lam"), parse_number(tau, "tau"),
                     parse_number(delta, "delta"), init, bits_for_digits(dps + 10))
    return x.context.nstr(x, dps, strip_zeros=False)


def certified_depth_flow(depth: int, sigma, lam, points, *, delta=None, init: str = "layer", rescaled: bool = False,
                         digits: int = 30, w0=None, **kw: object) -> list:
    """w at flow times t (or at t = τ·scale with ``rescaled=True``) to ``digits`` certified digits.

    The inversion of :func:`depth_flow_mp` / :func:`depth_flow_rescaled_mp`, run at rising working
    precisions by :func:`symdyn.precise.certified.certify` (the rerun test); the start is δ with
    ``init``, or ``w0`` (exactly one); ``kw`` goes to ``certify`` (``max_prec``, ``progress``…).
    """
    L = _check(depth, sigma, lam)
    sig, la = parse_number(sigma, "sigma"), parse_number(lam, "lam")
    w0q, de = _start(w0, delta)
    if rescaled and de is None:
        raise ValueError("rescaled time t = tau*scale(delta) needs delta, not w0")
    xs = [parse_number(x, "tau" if rescaled else "t") for x in points]

    def compute(prec: int) -> list:
        if rescaled:
            return [_rescaled_at(L, sig, la, x, de, init, prec + GUARD) for x in xs]
        return [_flow_at(L, sig, la, x, w0q, de, init, prec + GUARD) for x in xs]
    return certify(compute, digits, **kw)
