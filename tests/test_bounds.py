"""Corrected Thm 3 bounds (SPEC §2 "Discrete bounds"), checked on exact and 50-digit iterations.

Reference iterations: the GD product map w⁺ = w(1 + η(σ − λw))² (SPEC §2) in exact Fractions
(short runs) and in a local mpmath context at 50 digits (long runs).
"""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symdyn.derive.bounds import printed_forms, ratio_bracket, ratio_identity, sigma_zero_bound, thm3_bounds, y
from symdyn.model import symbols as S


def gd(w, sigma, lam, eta):
    return w * (1 + eta * (sigma - lam * w)) ** 2


def test_ratio_identity_residual_zero():
    d = ratio_identity()
    assert d.verified and all(r == 0 for r in d.residuals.values())
    assert sp.simplify(d.expr - (1 - S.eta * S.sigma * (2 + y) / (1 + y) ** 2)) == 0  # SPEC §2
    b = ratio_bracket()
    assert b.verified and b.expr == sp.Interval(1 - 2 * S.eta * S.sigma, (1 + S.eta * S.sigma) ** -2)


def test_ratio_identity_on_exact_iterates():
    sigma, lam, eta, w = Fraction(1), Fraction(2), Fraction(1, 4), Fraction(1, 100)
    r = sp.lambdify((S.sigma, S.eta, y), ratio_identity().expr)
    lo, hi = 1 - 2 * eta * sigma, 1 / (1 + eta * sigma) ** 2  # SPEC §2 bracket
    ratios = []
    for _ in range(6):
        nxt = gd(w, sigma, lam, eta)
        u, u_next = 1 / w - lam / sigma, 1 / nxt - lam / sigma
        yy = eta * (sigma - lam * w)
        assert u_next / u == r(sigma, eta, yy)  # exact rational equality
        assert lo <= u_next / u <= hi
        ratios.append(u_next / u)
        w = nxt
    # the bracket is not vacuous: from w0 = 1/100 the first ratio sits in the top tenth of it, so a
    # bracket shrunk from above by 10% would already fail on these exact iterates
    assert ratios[0] > hi - (hi - lo) / 10


def _bound_fns():
    lo, hi = (sp.lambdify((S.sigma, S.lam, S.eta, S.w0, S.k), d.expr, "mpmath") for d in thm3_bounds())
    return lo, hi


@pytest.mark.parametrize("sigma,lam,eta,w0", [(1, 1, "0.1", "1e-6"), (2, 1, "0.25", "0.3"),
                                              ("0.5", 3, "1", "0.01"), (1, "0.5", "0.5", "1e-3")])
def test_corrected_bounds_hold_on_long_runs(sigma, lam, eta, w0):
    assert all(d.verified for d in thm3_bounds())
    ctx = mpmath.MPContext()
    ctx.dps = 50  # margins near the fixed point are ~1e-30 after 600 steps; 50 digits resolve them
    s, l, e, w = (ctx.mpf(x) for x in (sigma, lam, eta, w0))
    assert 2 * e * s <= 1 and 0 < w < s / l  # the hypotheses of the corrected Thm 3
    lo, hi = _bound_fns()
    w_k = w
    # rounding: each step adds ~1e-50 relative error and the map contracts near σ/λ, so 1e-45
    # absorbs it; it matters when 2ησ = 1 (upper bound = σ/λ exactly once (1-2ησ)^k = 0)
    eps = ctx.mpf("1e-45")
    with ctx.workdps(ctx.dps):
        for k in range(600):
            assert lo(s, l, e, w, k) - eps <= w_k <= hi(s, l, e, w, k) + eps, k
            w_k = gd(w_k, s, l, e)


def test_bounds_on_exact_fractions():
    sigma, lam, eta, w0 = Fraction(1), Fraction(1), Fraction(1, 4), Fraction(1, 50)
    w = w0
    u0 = 1 / w0 - lam / sigma
    for k in range(8):  # exact: the iterate's denominator grows like 3^k digits
        u = 1 / w - lam / sigma
        assert u0 * (1 - 2 * eta * sigma) ** k <= u <= u0 / (1 + eta * sigma) ** (2 * k)
        w = gd(w, sigma, lam, eta)


def test_printed_upper_bound_is_violated_spec_e7():
    printed = next(p for p in printed_forms() if p.name == "printed Thm 3 upper bound")
    f = sp.lambdify((S.sigma, S.lam, S.eta, S.w0, S.k), printed.expr, "mpmath")
    ctx = mpmath.MPContext()
    ctx.dps = 50  # the violation is 2.09e-13 on values ~1e-5: needs > 20 digits, 50 leaves margin
    s = l = ctx.mpf(1)
    e, w0 = ctx.mpf("0.1"), ctx.mpf("1e-6")
    w, first = w0, None
    with ctx.workdps(50):
        for k in range(1, 400):
            w = gd(w, s, l, e)
            if w > f(s, l, e, w0, k):
                first, excess = k, w - f(s, l, e, w0, k)
                break
    assert first == 181  # SPEC E7
    assert abs(excess - ctx.mpf("2.09e-13")) < ctx.mpf("0.01e-13")  # SPEC E7 gives 3 digits
    # the corrected bound holds at the same k (so the check above can tell them apart)
    _, hi = _bound_fns()
    assert w <= hi(s, l, e, w0, first)


def test_printed_hypothesis_w0_below_one_is_not_enough_spec_e8():
    hyp = next(p for p in printed_forms() if p.name == "printed Thm 3 hypothesis")
    sigma, lam, eta, w0 = Fraction(1, 10), Fraction(5), Fraction(49, 10), Fraction(95, 100)
    assert hyp.expr.subs(S.w0, sp.Rational(95, 100)) == sp.true and 2 * eta * sigma <= 1
    w = w0
    for _ in range(3):
        w = gd(w, sigma, lam, eta)
    assert w > 10**6  # SPEC E8: diverges although the printed hypothesis holds


def test_sigma_zero_bound_and_its_hypothesis_spec_e9():
    d = sigma_zero_bound()
    assert d.verified
    f = sp.lambdify((S.eta, S.lam, S.w0, S.k), d.expr)
    lam, eta = Fraction(1), Fraction(1)
    for w0 in (Fraction(1, 10), Fraction(1), Fraction(3, 2)):  # ηλw0 <= 3/2: the bound holds
        w = w0
        for k in range(7):  # exact Fractions: the denominator's digits triple every step
            assert w <= f(eta, lam, w0, k)
            w = gd(w, 0, lam, eta)
    # negative control: ηλw0 = 19/10 > 3/2 breaks it at k = 1 (w1 = 0.81 w0 > w0/4.8)
    w0 = Fraction(19, 10)
    assert gd(w0, 0, lam, eta) > f(eta, lam, w0, 1)
