"""Exact parsing of user numbers and the model's validation."""

import math

import pytest
import sympy as sp

from symdyn import Model, parse_number


@pytest.mark.parametrize("text, value", [
    ("0.1", sp.Rational(1, 10)), ("1/3", sp.Rational(1, 3)), ("1e-8", sp.Rational(1, 10**8)),
    ("-2.5", sp.Rational(-5, 2)), (" 7 ", 7), (3, 3), (0.5, sp.Rational(1, 2)),
    ("1e1000", 10**1000), ("2/ 6", sp.Rational(1, 3)),
])
def test_parse_exact(text, value):
    assert parse_number(text) == value


def test_float_is_its_exact_binary_value():
    # 0.1 as a float is not 1/10; symdyn keeps the binary value rather than guessing
    assert parse_number(0.1) == sp.Rational(3602879701896397, 36028797018963968)


@pytest.mark.parametrize("bad", ["abc", "1/0", "nan", "inf", "", math.inf, math.nan, True, None, "1/x",
                                 "1_000", "\u0661\u0662", "\uff11", "1e1001", "1e99999999", "1e-99999999",
                                 "9" * 5000, "1e" + "9" * 5000])
def test_parse_rejects(bad):
    # issue #19: underscores, non-ASCII digits and unbounded exponents were accepted (or hung)
    with pytest.raises(ValueError) as info:
        parse_number(bad, "sigma")
    assert "\n" not in str(info.value) and "4300" not in str(info.value)


def test_exponent_limit_is_raisable():
    from symdyn.model.checks import raised_limits

    with raised_limits(exponent=2000):
        assert parse_number("1e-1500") == sp.Rational(1, 10**1500)


def test_model_validation_messages():
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        Model(sigma="-1")
    with pytest.raises(ValueError, match="eta must be > 0"):
        Model(eta=0)
    with pytest.raises(ValueError, match="init must be one of"):
        Model(init="uniform")
    with pytest.raises(ValueError, match="depth"):
        Model(depth=0)


def test_step_size_check():
    Model(depth=2, sigma=1, eta="0.99").check_step_size()
    with pytest.raises(ValueError, match="need eta\\*sigma < 1"):
        Model(depth=2, sigma=1, eta=1).check_step_size()
    with pytest.raises(ValueError, match="need eta\\*lambda < 2"):
        Model(depth=1, lam=4, eta="0.5").check_step_size()


def test_init_conventions():
    d = sp.Symbol("delta", nonnegative=True)
    assert Model(depth=3).w0 == sp.exp(-3 * d)
    assert Model(depth=3, init="product").w0 == sp.exp(-d)
