"""Certified digits by rerun (``symdyn.precise.certified``): right digits, honest failure, bad input."""

import random
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

import mpmath
import pytest
from mpmath import MPContext

from symdyn.precise.certified import (
    CertificationError,
    Certified,
    agreeing_digits,
    bits_for_digits,
    certify,
    check_digits,
    check_prec,
)


def ctx_at(prec: int) -> MPContext:
    ctx = MPContext()
    ctx.prec = prec
    return ctx


def exact(x) -> Fraction:
    """The exact binary value of an mpf (independent of symdyn's own converter)."""
    sign, man, exp, _ = x._mpf_
    return (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)


def values(prec: int) -> list:
    """Three test values spanning magnitudes and signs, computed in a local context."""
    ctx = ctx_at(prec)
    return [ctx.e / 3, ctx.log(2) * ctx.mpf(10) ** -30, -ctx.pi**10]


def correctly_rounded(c: Certified, ref: Fraction) -> bool:
    """``c.text`` is within half a unit in its last place of ``ref`` (what rounding to nearest gives)."""
    return abs(c.fraction - ref) <= c.ulp() / 2


@pytest.mark.parametrize("digits", [5, 20, 60])
def test_certified_digits_are_the_true_digits(digits):
    got = certify(values, digits)
    # reference: the same functions at 4x the bits; its error (~2^{-4·bits}) is far below the half ulp
    ref = [exact(x) for x in values(4 * bits_for_digits(digits) + 64)]
    for c, r in zip(got, ref, strict=True):
        assert c.digits == digits and len(c.text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")) == digits
        assert correctly_rounded(c, r)
        assert c.prec >= bits_for_digits(digits)  # the run it came from could carry the digits


def test_a_value_that_never_settles_raises():
    # negative control: a "computation" whose value moves by 1e-12 relative whenever the precision changes
    # agrees to ~12 digits between any two runs, so 20 digits can never be certified
    def drifting(prec):
        ctx = ctx_at(prec)
        return [ctx.mpf(1) / 3 * (1 + ctx.mpf(prec) * ctx.mpf(10) ** -15)]

    with pytest.raises(CertificationError, match="could not certify 20 digits within the precision cap") as info:
        certify(drifting, 20)
    assert "\n" not in str(info.value) and "max_prec" in str(info.value)
    # strict=False: the digits it reports do agree between the last two runs, and are fewer than asked
    [c] = certify(drifting, 20, strict=False)
    assert 9 <= c.digits < 20  # 1e-15·Δprec with Δprec <= 700 bits: between 1e-13 and 1e-10 relative
    assert correctly_rounded(c, exact(drifting(c.prec)[0]))
    # positive control: the same value without the drift certifies
    assert certify(lambda p: [ctx_at(p).mpf(1) / 3], 20)[0].text == "0." + "3" * 20


def e_partial(prec: int, terms: int):
    ctx = ctx_at(prec)
    return ctx.fsum(1 / ctx.factorial(n) for n in range(terms))


def test_vary_catches_a_truncation_error_that_precision_alone_misses():
    ref = exact(ctx_at(400).e)
    # a fixed 20-term series of e is "certified" to 30 digits by precision reruns alone, and is wrong:
    # its error 1/20! ~ 4e-19 is far above the 30th digit (what the module docstring warns about)
    [fixed] = certify(lambda p: [e_partial(p, 20)], 30)
    assert fixed.digits == 30 and not correctly_rounded(fixed, ref)
    # vary=True: each run uses 5 more terms, so a digit must survive the change of method too
    [varied] = certify(lambda p, attempt: [e_partial(p, 20 + 5 * attempt)], 30, vary=True)
    assert varied.digits == 30 and correctly_rounded(varied, ref)


def test_zero_never_certifies_by_rerun():
    # a computed 0 may be total cancellation: the rerun test cannot tell, so it refuses
    with pytest.raises(CertificationError):
        certify(lambda p: [ctx_at(p).mpf(0)], 10)


def test_non_finite_value_is_a_value_error():
    with pytest.raises(ValueError, match="non-finite value"):
        certify(lambda p: [ctx_at(p).inf], 10)


def test_progress_is_one_monotone_count_over_the_runs():
    seen = []
    certify(values, 10, progress=lambda done, total, stage: seen.append((done, total, stage)))
    assert len(seen) >= 3  # a report before each of the (>= 2) runs, then the last one
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(seen, seen[1:], strict=False))  # never goes back
    assert seen[-1][0] == seen[-1][1] and seen[0][0] == 0  # from 0 to the whole
    assert seen[0][2] == f"run at {bits_for_digits(10) + 16} bits"  # ⌈D log2 10⌉ + GUARD_BITS


# ------------------------------------------------------------------ agreeing_digits against decimal rounding


def decimal_agreement(a: Fraction, b: Fraction, digits: int) -> int:
    """Largest d <= digits with a and b rounding to the same d significant digits (Python's decimal)."""
    def rounded(x: Fraction, d: int) -> Decimal:
        big = Context(prec=200)
        return Context(prec=d, rounding=ROUND_HALF_EVEN).plus(big.divide(Decimal(x.numerator), Decimal(x.denominator)))

    if a == 0 or b == 0 or (a < 0) != (b < 0):
        return 0
    return max((d for d in range(1, digits + 1) if rounded(a, d) == rounded(b, d)), default=0)


def test_agreeing_digits_are_digits_that_agree():
    rnd = random.Random(5)
    ctx = ctx_at(300)
    for _ in range(300):
        a = ctx.mpf(rnd.uniform(-1, 1)) * ctx.mpf(10) ** rnd.randint(-40, 40)
        b = a * (1 + ctx.mpf(rnd.uniform(-1, 1)) * ctx.mpf(10) ** -rnd.randint(1, 40))
        d = agreeing_digits(a, b, 45)
        assert d == agreeing_digits(b, a, 45)
        if d:  # soundness: the digits it counts agree under an independent rounding
            assert decimal_agreement(exact(a), exact(b), d) == d
        # never more than one digit short of the largest agreement (see the xfail below for that digit)
        assert d >= decimal_agreement(exact(a), exact(b), 45) - 1


def test_agreeing_digits_is_the_largest_agreement():
    ctx = ctx_at(200)
    a, b = ctx.mpf("1.00000149"), ctx.mpf("1.00000050001")  # both 1.000001 at 7 digits, rel. diff 9.9e-7
    assert decimal_agreement(exact(a), exact(b), 30) == 7
    assert agreeing_digits(a, b, 30) == 7


def test_agreeing_digits_edge_cases():
    ctx = ctx_at(100)
    x = ctx.mpf(2) / 3
    assert agreeing_digits(x, +x, 25) == 25  # identical: every requested digit
    assert agreeing_digits(x, -x, 25) == 0  # opposite signs
    assert agreeing_digits(ctx.mpf(0), ctx.mpf(0), 25) == 0  # computed zeros never certify


# ------------------------------------------------------------------ the Certified value


def test_certified_value_accessors():
    c = Certified("-1.2500", 5, 80)
    assert str(c) == "-1.2500" and c.fraction == Fraction(-5, 4)
    assert c.ulp() == Fraction(1, 10**4)
    assert c.mpf() == mpmath.mpf(-1.25) and c.mpf(ctx_at(20)).context.prec == 20
    assert Certified("0", 5, 80).ulp() == 0
    with pytest.raises(ValueError, match="no certified digits"):
        _ = Certified("?", 0, 80).fraction


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10", None, True])
def test_check_digits(bad):
    assert check_digits(7) == 7
    with pytest.raises(ValueError, match=r"digits must be an integer >= 1") as info:
        check_digits(bad)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("bad", [1, 0, 64.0, "64", None, False])
def test_check_prec(bad):
    assert check_prec(2) == 2
    with pytest.raises(ValueError, match=r"max_prec must be an integer >= 2 bits") as info:
        check_prec(bad, "max_prec")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kw, match", [
    ({"guard_bits": -1}, "guard_bits must be >= 0"),
    ({"max_prec": 50}, "below the starting precision"),
    ({"start_prec": 100, "max_prec": 100}, "leaves no room for a rerun"),
    ({"start_prec": 1}, "start_prec must be an integer >= 2"),
])
def test_certify_rejects_bad_settings(kw, match):
    with pytest.raises(ValueError, match=match):
        certify(values, 20, **kw)
    with pytest.raises(ValueError, match="digits must be an integer"):
        certify(values, 0)


def test_compute_must_return_the_same_number_of_values():
    runs = []

    def shrinking(prec):
        runs.append(prec)
        return values(prec)[: 4 - len(runs)]  # 3 values, then 2

    with pytest.raises(RuntimeError, match="different number of values"):
        certify(shrinking, 10)


# ------------------------------------------------------------------ enclosures: balls and their digits
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from symdyn.precise.balls import arb, proven_digits, round_sig, sci  # noqa: E402
from symdyn.precise.certified import ball_context, ball_value, certified_value  # noqa: E402


@given(st.integers(-10**40, 10**40), st.integers(-60, 60), st.integers(1, 45))
def test_round_sig_is_decimal_rounding(n, e, d):
    # reference: Python's decimal module, half even, for exponents it can hold
    got_q, got_e = round_sig((n, e), d)
    want = Context(prec=d, rounding=ROUND_HALF_EVEN).plus(Decimal(f"{n}e{e}"))
    assert Decimal(f"{got_q}e{got_e}") == want and (n == 0 or len(str(abs(got_q))) == d)


@given(st.integers(1, 10**30), st.integers(0, 10**12), st.integers(-40, 40), st.integers(1, 35))
def test_proven_digits_are_the_largest_common_rounding(n, width, e, d):
    lo, hi = (n, e), (n + width, e)
    got = proven_digits(lo, hi, d)
    common = [k for k in range(1, d + 1) if round_sig(lo, k) == round_sig(hi, k)]
    assert got == (max(common) if common else 0)


def test_ball_value_at_any_exponent():
    # a ball far beyond Python's Decimal range (exponent ~ -3e20) still gets its digits and enclosure
    with ball_context(200):
        x = arb((3, -10**21)) * (1 + arb(0, 2.0**-150))
    c = ball_value(x, 20, 200)
    assert c.digits == 20 and c.proof == "ball" and c.text.endswith("e-301029995663981195214")
    lo, hi = c.enclosure
    ref = ctx_at(100).mpf((3, -10**21))  # mpmath's own decimal conversion: 5.4730136364933735568e-3010…214
    assert c.text == ctx_at(100).nstr(ref, 20, strip_zeros=False)
    assert lo.startswith("5.47301363649337355") and lo.endswith("e-301029995663981195214")
    assert hi.endswith("e-301029995663981195214") and Decimal(lo.split("e")[0]) < Decimal(hi.split("e")[0])
    # the agreement interval text ± ½ ulp at such exponents too
    a = certified_value(c.mpf(ctx_at(100)), 12, 100)
    assert a.enclosure[0].endswith("e-301029995663981195214") and a.proof == "agreement"


def test_ball_value_proves_only_what_the_ball_holds():
    with ball_context(100):
        wide = arb(1) / 3 + arb(0, 1e-12)  # [0.333… ± 1e-12]: 11 digits, not 12
        exact_zero, unknown = arb(0), arb(0, 1e-30)
    assert ball_value(wide, 20, 100).digits == 11
    assert ball_value(exact_zero, 20, 100).text == "0" and ball_value(unknown, 20, 100).digits == 0
    assert sci((-12300, -2)) == "-1.23e2"
