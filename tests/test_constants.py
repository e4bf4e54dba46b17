"""x_L, the root of the depth-L transition equation ₂F₁(1, a; a+1; x) = 0, a = 2/L − 1 (``precise.constants``)."""

from functools import cache

import mpmath
import pytest
import sympy as sp

from symdyn.precise.constants import mp_regular_integral, transition_constant


@cache
def reference_root(depth: int):
    """x_L from mpmath's own hyp2f1 and findroot at 50 digits; the sign change below certifies 45 of them.

    Independent of symdyn's solver (its own series summation and the partial-fraction form): the
    defining equation of the paper's depth-L transition, written directly with mpmath.
    """
    ctx = mpmath.MPContext()
    ctx.dps = 50
    a = ctx.mpf(2) / depth - 1

    def f(x):
        return ctx.hyp2f1(1, a, a + 1, x)

    x = ctx.findroot(f, (ctx.mpf("0.3"), ctx.mpf("0.95")), solver="anderson", verify=False)
    h = ctx.mpf(10) ** -45
    assert f(x - h) > 0 > f(x + h)  # F decreases through 0: the root lies within 10^{-45} of x
    return x


def close(x: sp.Float, depth: int, digits: int) -> bool:
    """|x − x_L| < 10^{-digits}, compared in a local context at 60 digits (never the global mp)."""
    ctx = mpmath.MPContext()
    ctx.dps = 60
    return abs(ctx.mpf(str(x)) - ctx.mpf(reference_root(depth))) < ctx.mpf(10) ** -digits


@pytest.mark.parametrize("depth", [3, 4, 5, 6])
def test_transition_constant_against_findroot(depth):
    x = transition_constant(depth)
    assert isinstance(x, sp.Float) and 0 < x < 1
    # 30 certified digits of a number in (0.4, 1): |error| <= half a unit of the 30th digit (5e-31), plus
    # the decimal→binary rounding of sp.Float at 30 digits (~1e-31) and the reference's 1e-45: 1e-30 bounds all
    assert close(x, depth, 30)
    # negative control: the roots of neighbouring depths are far apart, so the comparison discriminates
    assert not close(x, depth + 1, 2)


def test_more_digits_when_asked():
    x = transition_constant(5, 40)
    # 40 digits: half a unit (5e-41) plus the reference's 1e-45 stays below 1e-40
    assert close(x, 5, 40)
    assert str(transition_constant(5, 10)) == mpmath.nstr(reference_root(5), 10)  # rounded, not truncated


def test_decreasing_in_depth():
    # property: F_L(x) = 1 + Σ_{n>=1} a/(a+n) xⁿ with a = 2/L − 1 < 0; a larger L makes every a/(a+n) more
    # negative, so F_{L+1} < F_L on (0, 1) and the root moves left
    xs = [transition_constant(L, 15) for L in range(3, 8)]
    assert all(a > b for a, b in zip(xs, xs[1:], strict=False))


@pytest.mark.parametrize("depth", [3, 4, 6])
def test_regular_integral_against_quadrature(depth):
    # J_L(z) = ∫_0^z ζ/(1 − ζ^L) dζ (derive.depth.regular_integral), by mpmath's tanh-sinh quadrature
    ctx = mpmath.MPContext()
    ctx.dps = 30
    for z in ("0.2", "0.7", "0.95"):
        z = ctx.mpf(z)
        ref = ctx.quad(lambda s: s / (1 - s**depth), [0, z])
        # quadrature of a smooth integrand at 30 digits: 1e-25 relative leaves 5 digits for both methods
        assert abs(mp_regular_integral(ctx, depth, z) - ref) < abs(ref) * ctx.mpf(10) ** -25


@pytest.mark.parametrize("bad", [1, 2, 0, 13, 3.0])
def test_depth_must_be_at_least_three(bad):
    with pytest.raises(ValueError, match="depth") as info:
        transition_constant(bad)
    assert "\n" not in str(info.value)
