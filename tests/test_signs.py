"""Signs by certified intervals: right where it matters, fast on hostile step sizes, undecided instead of hanging."""

import time

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symdyn.asymptotics.signs import Undecidable, certified_sign, sign_of, within_budget
from symdyn.model import symbols as S
from symdyn.model.core import Model


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=-50, max_value=50), st.fractions(min_value="1/1000", max_value=1000),
       st.integers(1, 5))
def test_certified_sign_agrees_with_high_precision(a, b, n):
    # property: the sign of a*log(b) + sqrt(n) - exp(a/n) against a 200-digit mpmath value
    # (an independent evaluator; at 200 digits no such value is within 1e-150 of 0 but an exact zero)
    e = sp.Rational(a.numerator, a.denominator) * sp.log(sp.Rational(b.numerator, b.denominator)) \
        + sp.sqrt(n) - sp.exp(sp.Rational(a.numerator, a.denominator) / n)
    if e == 0:  # a = 0 gives sqrt(n) - 1 - ... = 0 for n = 1: an exact zero, decided exactly
        assert sign_of(e) == 0
        return
    ctx = mpmath.MPContext()
    ctx.dps = 200
    ref = ctx.mpf(a.numerator) / a.denominator * ctx.log(ctx.mpf(b.numerator) / b.denominator) \
        + ctx.sqrt(n) - ctx.exp(ctx.mpf(a.numerator) / a.denominator / n)
    assert abs(ref) > ctx.mpf(10) ** -150
    assert certified_sign(e) == (1 if ref > 0 else -1)


def test_exact_zeros_are_proved():
    assert sign_of(2 * sp.log(sp.Rational(7, 6)) - sp.log(sp.Rational(49, 36))) == 0
    assert sign_of(sp.log(6) - sp.log(2) - sp.log(3)) == 0
    assert sign_of(sp.log(sp.Rational(12, 35)) + sp.log(35) - 2 * sp.log(2) - sp.log(3)) == 0


def test_near_zero_is_undecided_not_guessed():
    # log(1 + x) - x ~ -x^2/2 = -5e-4001: beyond the 4096-bit ladder, and not zero
    x = sp.Rational(1, 10**2000)
    t0 = time.perf_counter()
    with pytest.raises(Undecidable, match="does not exclude 0"):
        sign_of(sp.log(1 + x) - x)
    assert time.perf_counter() - t0 < 10  # the ladder and the budget bound the work (2 s simplify)
    # positive control: at a distance the ladder resolves, the sign is certified
    y = sp.Rational(1, 10**100)
    assert sign_of(sp.log(1 + y) - y) == -1


def test_symbols_taking_both_signs_are_undecided_at_once():
    x, y = sp.symbols("x y", positive=True)
    t0 = time.perf_counter()
    with pytest.raises(Undecidable, match="both signs"):
        sign_of(sp.log(x) - y)
    assert time.perf_counter() - t0 < 1
    assert sign_of(x**2 + y) == 1  # control: the assumptions still decide what they can


def test_budget_returns_default_when_out_of_time():
    def slow():
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 5:
            pass
        return "done"
    t0 = time.perf_counter()
    assert within_budget(slow, 0.2, default="late") == "late"
    assert time.perf_counter() - t0 < 2
    assert within_budget(lambda: "quick", 1.0, default="late") == "quick"


@pytest.mark.parametrize("eta", ["0.5000000001", "0.2360679774997896964", "0.4999999999999999999999"])
def test_hostile_step_sizes_finish_quickly(eta):
    # issue #19: these ran for minutes and took 4 GB inside simplify/logcombine
    from symdyn import limit

    t0 = time.perf_counter()
    r = limit(Model(depth=2, sigma=1, lam=1, eta=eta), "gd")
    assert time.perf_counter() - t0 < 20
    (T,) = r.transitions
    eta_q = sp.Rational(eta)
    # independent check of the transition: T = eta/ln(1 + eta*sigma) (the linearisation at 0)
    assert sp.simplify(T - eta_q / sp.log(1 + eta_q)) == 0
    below = r.expr.subs(S.tau, T / 2)
    assert below == 0
    above = r.expr.subs(S.tau, T + 1)
    if 2 * eta_q <= 1:
        assert above == 1  # sigma/lambda
    else:
        assert above is sp.nan and r.undecided  # Thm 3 does not apply: undecided, not guessed
