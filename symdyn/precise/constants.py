"""Certified constants of the depth-L limit: x_L, the root of the transition equation.

The flow's value at the transition τ* of the depth-L limit (:mod:`symdyn.asymptotics.depth`) is
x_L σ/λ, where x_L in (0, 1) solves ₂F₁(1, a; a+1; x) = 0 with a = 2/L − 1
(:func:`symdyn.derive.depth.transition_equation`). This module finds x_L numerically in local
mpmath contexts and proves it: F(x) = Σ_n a/(a+n) xⁿ = 1 − Σ_{n>=1} |a|/(a+n) xⁿ decreases on
(0, 1), so its root is unique, and a sign change F(x − h) > 0 > F(x + h) evaluated in ball
arithmetic (arb's ₂F₁) encloses it in [x − h, x + h].
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import mpmath
import sympy as sp

from symdyn.model.checks import check_depth
from symdyn.precise.balls import arb, arb_from_mpf
from symdyn.precise.certified import GUARD_BITS, Certified, ball_context, certify, local_context


def mp_regular_integral(ctx: mpmath.ctx_mp.MPContext, depth: int, z: mpmath.mpf) -> mpmath.mpf:
    """J_L(z) for 0 <= z < 1 at ctx's precision, by partial fractions over the L-th roots of unity."""
    total = -ctx.log1p(-z)
    for j in range(1, depth):
        om = ctx.expjpi(ctx.mpf(2 * j) / depth)
        total -= ctx.re(om**2 * ctx.log(1 - z / om))
    return total / depth


def _x_root(ctx: mpmath.ctx_mp.MPContext, depth: int, via: str) -> mpmath.mpf:
    """x_L in (0, 1) with ₂F₁(1, a; a+1; x_L) = 0, by a bracketed solver at ctx's precision."""
    a = ctx.mpf(2) / depth - 1
    lo, hi = ctx.mpf("0.01"), 1 - ctx.mpf(10) ** (-8)   # F(0) = 1 > 0, F → −∞ as x → 1
    if via == "hyper":
        # the series ₂F₁(1, a; a+1; x) = Σ_n a/(a+n) xⁿ summed to absolute accuracy (terms n >= 1 share
        # one sign, tail < |term|/(1 − x)); mpmath's hyp2f1 insists on relative accuracy and slows
        # down 100× next to the root. F(0.99) < 0 for every L >= 3 (the sign check below enforces it)
        hi = ctx.mpf("0.99")

        def f(x):
            total, power, n, tol = ctx.one, ctx.one, 0, ctx.eps * (1 - x)
            while True:
                n += 1
                power *= x
                total += a * power / (a + n)
                if power < tol:
                    return total
    else:   # partial fractions: J_L(z) = −(1/L) Re Σ_k ω_k² ln(1 − z/ω_k), ω_k = e^{2πik/L}
        def f(x):
            z = ctx.root(x, depth)
            return 1 - (depth - 2) * z ** (depth - 2) * mp_regular_integral(ctx, depth, z)
    if not (f(lo) > 0 > f(hi)):
        raise ValueError(f"no sign change for the transition equation of depth {depth}")
    x = ctx.findroot(f, (lo, hi), solver="anderson", verify=False)
    h = ctx.ldexp(1, GUARD_BITS - ctx.prec)
    if not (f(x - h) > 0 > f(x + h)):          # sign-change certificate: the root is within h of x
        raise ValueError(f"transition root of depth {depth} not bracketed to 2^-{ctx.prec - GUARD_BITS}")
    return x


#: The two independent evaluations of the transition equation (the elementary one checks the other in tests).
METHODS = ("hyper", "elementary")


def x_ball(depth: int, prec: int) -> arb:
    """A ball proven to contain x_L: the mpmath root x (elementary form, the fast one), and
    F(x − h) > 0 > F(x + h) in arb 32 bits above ``prec``, h from 2^{4−prec} widened until it holds."""
    ctx = local_context(prec)
    x = _x_root(ctx, depth, METHODS[1])
    a = Fraction(2, depth) - 1
    with ball_context(prec + 32) as balls:
        for shift in range(4, GUARD_BITS + 1, 4):
            h = ctx.ldexp(1, shift - ctx.prec)
            lo, hi = arb_from_mpf((x - h)._mpf_), arb_from_mpf((x + h)._mpf_)
            if balls.hyp2f1(1, a, a + 1, lo) > 0 > balls.hyp2f1(1, a, a + 1, hi):
                return lo.union(hi)
    return arb(0, math.inf)


@cache
def _certified_x(depth: int, digits: int) -> Certified:
    [x] = certify(lambda prec: [x_ball(depth, prec)], digits)
    return x


def certified_transition_constant(depth: int, digits: int = 30) -> Certified:
    """x_L = λw*/σ with ``digits`` digits proven by the enclosure of :func:`x_ball` (w* = x_L σ/λ is
    the flow's value at τ*). Cached per (depth, digits).

    >>> c = certified_transition_constant(4, 15)
    >>> c.text, c.proof
    ('0.694816538053797', 'ball')
    """
    return _certified_x(check_depth(depth, 3), digits)


def transition_constant(depth: int, digits: int = 30) -> sp.Float:
    """x_L to ``digits`` proven digits as a sympy Float (:func:`certified_transition_constant`).

    >>> str(transition_constant(4, 15))
    '0.694816538053797'
    """
    return sp.Float(certified_transition_constant(depth, digits).text, digits)
