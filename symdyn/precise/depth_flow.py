"""The depth-L flow (L >= 3) at arbitrary precision: the implicit relation inverted in mpmath.

The flow is w(t) = G^{-1}(t + G(w0)) with G from :mod:`symdyn.derive.depth`. The inversion works
in a local mpmath context with enough guard digits for the cancellation t − A
(A = w0^{−p}/((L−2)σ), the escape time), brackets the root in u = ln w (before the escape the log
form p·u + ln((L−2)σ) + ln(H(e^u) + |s|), free of cancellation for tiny w; after it G itself) and
polishes with a bracketing Anderson–Björk step, certified by a sign change.

The certified values are **proven**: the bracket [u − h, u + h] found in mpmath is checked again
in ball arithmetic (:func:`flow_ball`), with every input (σ, λ, w0 = e^{−mδ}, t + G(w0)) a ball:
φ(u − h) < 0 < φ(u + h) for the continuous φ whose only zero is ln w (G is increasing), so
w ∈ [e^{u−h}, e^{u+h}].
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from symdyn.derive.depth import escape_scale
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, init_exponent
from symdyn.model.exact import parse_number
from symdyn.precise.balls import arb, arb_from_mpf
from symdyn.precise.certified import ball_context, bits_for_digits, certify, local_context
from symdyn.precise.constants import transition_constant
from symdyn.precise.evaluate import exact_mpf


def _check(depth: int, sigma, lam) -> int:
    check_depth(depth, 3)
    if not (parse_number(sigma, "sigma") > 0 and parse_number(lam, "lam") > 0):
        raise ValueError(f"need sigma > 0 and lam > 0, got sigma={sigma}, lam={lam} "
                         "(sigma = 0 or lam = 0 modes: use symdyn.derive.depth.special_mode_solutions)")
    return depth


def _mp_G(ctx, depth, sigma, lam, w):
    """The hypergeometric G(w) = w^a/(aLσ)·₂F₁(1, a; a+1; λw/σ) (closed_forms.implicit_relation).

    ``ctx`` an mpmath context or an :class:`~symdyn.precise.balls.ArbContext` (then a ball)."""
    a, aq = ctx.mpf(2) / depth - 1, Fraction(2, depth) - 1
    return w**a / (a * depth * sigma) * ctx.hyp2f1(1, aq, aq + 1, lam * w / sigma)


def _mp_H(ctx, depth, sigma, lam, w):
    """H(w) = G(w) + w^{−p}/((L−2)σ) = w^a/(Lσ) · x/(a+1) · ₂F₁(1, a+1; a+2; x) > 0, x = λw/σ
    (the n >= 1 terms of G = w^a/(Lσ) Σ_n x^n/(a+n), shifted; no cancellation for small w)."""
    a, aq = ctx.mpf(2) / depth - 1, Fraction(2, depth) - 1
    x = lam * w / sigma
    return w**a / (depth * sigma) * x / (a + 1) * ctx.hyp2f1(1, aq + 1, aq + 2, x)


def _phi(ctx, depth, sigma, lam, s, log_form: bool):
    """The function of u = ln w whose only zero is the solution of G(w) = s.

    Log form (s < 0): p·u + ln((L−2)σ) + ln(H(e^u) − s), free of cancellation for tiny w; else G(e^u) − s.
    """
    if log_form:
        p = ctx.mpf(depth - 2) / depth
        c = (depth - 2) * sigma
        return lambda u: p * u + ctx.log(c) + ctx.log(_mp_H(ctx, depth, sigma, lam, ctx.exp(u)) - s)
    return lambda u: _mp_G(ctx, depth, sigma, lam, ctx.exp(u)) - s


def _mp_solve(ctx, depth, sigma, lam, s):
    """w with G(w) = s (the midpoint of :func:`_mp_bracket`)."""
    lo, hi, _ = _mp_bracket(ctx, depth, sigma, lam, s)
    return sigma / lam if hi is None else ctx.exp((lo + hi) / 2)


def _mp_bracket(ctx, depth, sigma, lam, s):
    """(u_lo, u_hi, log_form) with ln w in [u_lo, u_hi] by a sign change of φ (:func:`_phi`); u_hi is
    None when w = σ/λ to working precision (then w in [e^{u_lo}, σ/λ]). Bracket in u = ln w,
    bisection, Anderson–Björk."""
    L = depth
    p = ctx.mpf(L - 2) / L
    c = (L - 2) * sigma
    wstar = sigma / lam * ctx.mpf(str(transition_constant(L, 15)))   # only a bracket end (G(w*) ~ 0 to 15 digits)
    ln_ratio = ctx.log(sigma / lam)
    log_form = s < 0
    phi = _phi(ctx, L, sigma, lam, s, log_form)
    if log_form:
        lo = -ctx.log(c * (-s) + wstar ** (-p)) / p - 1
        hi = min(-ctx.log(c * (-s)) / p + 1, ctx.log(wstar) + 1, ln_ratio - ctx.mpf(10) ** -6)
    else:
        lo = ctx.log(wstar) - 1
        gap = ctx.mpf(1) / 2
        while phi(ln_ratio + ctx.log1p(-gap)) <= 0:         # G → +∞ as w → σ/λ
            gap /= 2 if gap > ctx.mpf(10) ** -4 else gap ** -1
            if gap < ctx.eps * 2**8:                          # w = σ/λ to working precision
                return ln_ratio + ctx.log1p(-gap * 2), None, False
        hi = ln_ratio + ctx.log1p(-gap)
    if not phi(lo) < 0 < phi(hi):
        raise ValueError("internal: the inverse of G is not bracketed (report this input)")
    for _ in range(20):                                      # bisection before the fast step
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if phi(mid) < 0 else (lo, mid)
    u = ctx.findroot(phi, (lo, hi), solver="anderson", verify=False)
    h = abs(u) * ctx.eps * 2**8 + ctx.eps
    if phi(u - h) <= 0 <= phi(u + h):
        return u - h, u + h, log_form
    for _ in range(ctx.prec + 10):                        # fall back to plain bisection
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if phi(mid) < 0 else (lo, mid)
    return lo, hi, log_form


def _ball_bracket(balls, depth, sigma, lam, s, bracket) -> arb:
    """The ball e^{[u_lo, u_hi]} (or [e^{u_lo}, σ/λ]) once φ changes sign there in ball arithmetic,
    else an unbounded ball. ``sigma``, ``lam``, ``s`` are balls of ``balls``.

    The mpmath bracket is only a start: where mpmath's φ is less accurate than its width (G ~ 0 by
    cancellation near the transition), secant steps on the balls' midpoints move and widen it
    until the ball evaluation proves the sign change (at most :data:`BRACKET_STEPS` tries).
    """
    lo, hi, log_form = bracket
    if log_form and not s < 0:
        return arb(0, math.inf)
    phi = _phi(balls, depth, sigma, lam, s, log_form)
    u_lo = arb_from_mpf(lo._mpf_)
    if hi is None:
        return u_lo.exp().union(sigma / lam) if phi(u_lo) < 0 else arb(0, math.inf)
    u_hi = arb_from_mpf(hi._mpf_)
    for _ in range(BRACKET_STEPS):
        f_lo, f_hi = phi(u_lo), phi(u_hi)
        if f_lo < 0 < f_hi:
            return u_lo.union(u_hi).exp()
        mid, width = ((u_lo + u_hi) / 2).mid(), (u_hi - u_lo).mid()
        slope = (f_hi - f_lo).mid() / width
        shift = (phi(mid).mid() / slope).mid() if slope > 0 else arb(0)
        width = (width * 4).max(abs(shift) / 2)
        u_lo, u_hi = (mid - shift - width / 2).mid(), (mid - shift + width / 2).mid()
    return arb(0, math.inf)


#: Secant moves of the ball check before it gives up (each widens the bracket at least 4x).
BRACKET_STEPS = 40

#: Working bits over the requested precision: the root-finder's sign certificate leaves ~2^8·|ln w| ulps.
GUARD = 32
#: Extra bits of the ball check over the bracket's working precision.
BALL_GUARD = 64


def _flow_prec(L: int, w0q: sp.Rational | None, delta: sp.Rational | None, init: str, prec: int) -> int:
    """``prec`` plus the bits lost in t − A (A ~ w0^{−(L−2)/L})."""
    if w0q is not None:
        lw0 = math.log(float(w0q)) if w0q > 1e-300 else float(sp.log(w0q).evalf())
    else:
        lw0 = -init_exponent(L, init) * float(delta)
    return prec + max(0, math.ceil(-(L - 2) / L * lw0 / math.log(2)))


def _flow_inputs(ctx, L: int, sig, la, t, w0q, delta, init: str) -> tuple:
    """(σ, λ, s = t + G(w0)) in ``ctx`` (mpmath or balls)."""
    S_, La = exact_mpf(ctx, sig), exact_mpf(ctx, la)
    W0 = exact_mpf(ctx, w0q) if w0q is not None else ctx.exp(-init_exponent(L, init) * exact_mpf(ctx, delta))
    return S_, La, exact_mpf(ctx, t) + _mp_G(ctx, L, S_, La, W0)


def _rescaled_inputs(ctx, L: int, sig, la, tau, delta, init: str) -> tuple:
    """(σ, λ, s = scale·(τ − τ*) + H(w0)) in ``ctx``; τ − τ* is formed exactly (so τ = τ* is exact)."""
    diff = tau - sp.Rational(escape_scale(L, init).tau_star.subs(S.sigma, sig))
    m = init_exponent(L, init)
    S_, La, D = exact_mpf(ctx, sig), exact_mpf(ctx, la), exact_mpf(ctx, delta)
    W0 = ctx.exp(-m * D)
    scale = ctx.exp(m * (L - 2) * D / L)
    return S_, La, scale * exact_mpf(ctx, diff) + _mp_H(ctx, L, S_, La, W0)


def _check_w0(ctx, L: int, sig, la, w0q, delta, init: str) -> None:
    W0 = exact_mpf(ctx, w0q) if w0q is not None else ctx.exp(-init_exponent(L, init) * exact_mpf(ctx, delta))
    if not W0 < exact_mpf(ctx, sig) / exact_mpf(ctx, la):
        raise ValueError(f"need w0 < sigma/lambda, got w0 = {ctx.nstr(W0, 8)}")


def _flow_at(L: int, sig: sp.Rational, la: sp.Rational, t: sp.Rational, w0q: sp.Rational | None,
             delta: sp.Rational | None, init: str, prec: int):
    """w(t) from w0 (or from δ) at ``prec`` working bits plus the bits lost in t − A (A ~ w0^{−(L−2)/L})."""
    ctx = local_context(_flow_prec(L, w0q, delta, init, prec))
    _check_w0(ctx, L, sig, la, w0q, delta, init)
    return _mp_solve(ctx, L, *_flow_inputs(ctx, L, sig, la, t, w0q, delta, init))


def _rescaled_at(L: int, sig: sp.Rational, la: sp.Rational, tau: sp.Rational, delta: sp.Rational, init: str,
                 prec: int):
    """w at t = τ·scale(δ) at ``prec`` working bits; τ − τ* is formed exactly (so τ = τ* is exact)."""
    ctx = local_context(prec)
    _check_w0(ctx, L, sig, la, None, delta, init)
    return _mp_solve(ctx, L, *_rescaled_inputs(ctx, L, sig, la, tau, delta, init))


def flow_ball(L: int, sig: sp.Rational, la: sp.Rational, x: sp.Rational, delta: sp.Rational | None, init: str,
              prec: int, rescaled: bool = False, w0q: sp.Rational | None = None) -> arb:
    """A ball proven to contain w(t) (t = x; or t = x·scale with ``rescaled``), from w0 = e^{−mδ} or w0 given."""
    inputs, work = ((_rescaled_inputs, prec) if rescaled else
                    (_flow_inputs, _flow_prec(L, w0q, delta, init, prec)))
    args = (L, sig, la, x, delta, init) if rescaled else (L, sig, la, x, w0q, delta, init)
    ctx = local_context(work)
    _check_w0(ctx, L, sig, la, w0q, delta, init)
    bracket = _mp_bracket(ctx, L, *inputs(ctx, *args))
    with ball_context(work + BALL_GUARD) as balls:  # balls much narrower than the bracket (2^8 ulps)
        S_, La, s = inputs(balls, *args)
        return _ball_bracket(balls, L, S_, La, s, bracket)


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

    The inversion of :func:`depth_flow_mp` / :func:`depth_flow_rescaled_mp` with its bracket proven
    in ball arithmetic (:func:`flow_ball`), at rising working precisions until the balls are
    narrow enough (:func:`symdyn.precise.certified.certify`); ``kw`` goes to ``certify``
    (``max_prec``, ``progress``…); the start is δ with ``init``, or ``w0`` (exactly one).
    """
    L = _check(depth, sigma, lam)
    sig, la = parse_number(sigma, "sigma"), parse_number(lam, "lam")
    w0q, de = _start(w0, delta)
    if rescaled and de is None:
        raise ValueError("rescaled time t = tau*scale(delta) needs delta, not w0")
    xs = [parse_number(x, "tau" if rescaled else "t") for x in points]

    def compute(prec: int) -> list:
        return [flow_ball(L, sig, la, x, de, init, prec + GUARD, rescaled, w0q) for x in xs]
    return certify(compute, digits, **kw)
