"""The GD-map kernels (symdyn.derive.kernels): equal to the derived maps, and the same in every arithmetic."""

from __future__ import annotations

from fractions import Fraction

import gmpy2
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symdyn.derive.derived import residual
from symdyn.derive.dynamics import product_map
from symdyn.derive.kernels import (
    deep_product_steps,
    factor_constants,
    factor_steps,
    kernel_maps,
    linear_constants,
    linear_steps,
    product2_constants,
    product2_steps,
)
from symdyn.model import symbols as S
from symdyn.precise.certified import local_context

SIG, LAM, ETA = Fraction(3, 2), Fraction(1, 3), Fraction(1, 10)


def reference_product2(w: Fraction, k: int) -> Fraction:
    """Independent reference: the paper's map w⁺ = w(1 + η(σ − λw))² (§4), in exact Fractions."""
    for _ in range(k):
        w = w * (1 + ETA * (SIG - LAM * w)) ** 2
    return w


# --- the kernels are the derived maps --------------------------------------------------------------

@pytest.mark.parametrize("depth", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("kind", ["product", "factor"])
def test_kernel_on_symbols_is_the_derived_map(depth, kind):
    d = kernel_maps(depth)[kind]
    assert d.verified, d.residuals


def test_negative_control_a_wrong_kernel_leaves_a_residual():
    # the same check on a kernel with a wrong constant (2ησ in place of ησ) must fail
    x = sp.Symbol("x", positive=True)
    c, d = product2_constants(S.sigma, S.lam, S.eta)
    wrong = product2_steps(x, c + S.eta * S.sigma, d)
    assert residual(wrong - product_map(2).expr.subs(S.w, x)) != 0
    assert residual(product2_steps(x, c, d) - product_map(2).expr.subs(S.w, x)) == 0


# --- one kernel, every arithmetic -------------------------------------------------------------------

def test_product2_in_fractions_is_exact():
    c, d = product2_constants(SIG, LAM, ETA)
    w0 = Fraction(1, 50)
    assert all(product2_steps(w0, c, d, n=k) == reference_product2(w0, k) for k in range(5))


def test_product2_in_mpmath_and_gmpy2_is_the_same_rounded_number():
    prec, k, w0 = 200, 8, Fraction(1, 50)  # the exact iterate's digits triple each step: keep k small
    exact = reference_product2(w0, k)
    ctx = local_context(prec)
    mp = product2_steps(ctx.mpf(1) / 50, *(ctx.mpf(q.numerator) / q.denominator
                                          for q in product2_constants(SIG, LAM, ETA)), n=k)
    with gmpy2.context(precision=prec):
        g = product2_steps(gmpy2.mpfr(1) / 50, *(gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator))
                                                 for q in product2_constants(SIG, LAM, ETA)), n=k)
        g_exact = Fraction(*g.as_integer_ratio())
    # both round each operation to nearest in the same order: bitwise the same number
    man, exp = mp.man_exp
    assert Fraction(man) * Fraction(2) ** exp == g_exact
    # relative errors are not amplified (w f'(w)/f(w) = (c − 3dw)/(c − dw) is in (0, 1] here), so
    # 8 steps of 3 roundings plus the rounded c, d, w0 give < 40·2^-200 < 2^-194 relative: 2^-190
    # leaves a factor 16, and a wrong map is off by far more
    assert abs(g_exact - exact) <= exact * Fraction(1, 2**190)


def test_product2_floats_and_numpy_agree_elementwise():
    s = np.array([0.2, 0.7, 1.1])
    c, d = product2_constants(1.0, 1.0, s)
    arr = product2_steps(np.full(3, 0.1), c, d, n=30)
    for i, si in enumerate(s):
        cf, df = product2_constants(1.0, 1.0, float(si))
        assert arr[i] == product2_steps(0.1, cf, df, n=30)  # the same IEEE operations


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 2.0), st.integers(0, 6))
def test_n_steps_are_n_single_steps(w0, n):
    c, d = product2_constants(0.5, 2.0, 0.1)
    one = w0
    for _ in range(n):
        one = product2_steps(one, c, d)
    assert product2_steps(w0, c, d, n=n) == one
    assert product2_steps(w0, c, d, n=0) == w0


def test_linear_kernel_matches_its_closed_form():
    # w_k = σ/λ + (w0 − σ/λ)(1 − ηλ)^k (the L = 1 closed form, rsolve in derive.closed_forms), exactly
    c, d = linear_constants(SIG, LAM, ETA)
    w0, p = Fraction(1, 7), SIG / LAM
    for k in range(6):
        assert linear_steps(w0, c, d, n=k) == p + (w0 - p) * (1 - ETA * LAM) ** k


def _exact_root(q: Fraction, n: int) -> Fraction:
    num, ok1 = sp.integer_nthroot(q.numerator, n)
    den, ok2 = sp.integer_nthroot(q.denominator, n)
    assert ok1 and ok2, "the test only takes roots of exact L-th powers"
    return Fraction(num, den)


@pytest.mark.parametrize("depth", [3, 4])
def test_deep_product_is_the_product_of_balanced_factors(depth):
    # property: w = a^L moves as a does (every factor is multiplied by the same a⁺/a), exactly in Fractions
    e, d = factor_constants(SIG, LAM, ETA)
    a = Fraction(1, 3)
    w = a**depth
    for _ in range(2):
        a_next = factor_steps(depth, a, e, d)
        w = deep_product_steps(depth, w, e, d, _exact_root)
        assert w == a_next**depth
        a = a_next


def test_factor_kernel_at_depth_two_is_eq22():
    # paper eq (22), the per-factor recursion a⁺ = a + ηa(σ − λa²), written independently
    e, d = factor_constants(SIG, LAM, ETA)
    a = Fraction(2, 5)
    assert factor_steps(2, a, e, d) == a + ETA * a * (SIG - LAM * a**2)
