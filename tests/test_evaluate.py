"""sympy → mpmath evaluation in local contexts (``symdyn.precise.evaluate``) against mpmath called directly."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from mpmath import MPContext

from symdyn.model import symbols as S
from symdyn.precise.certified import CertificationError
from symdyn.precise.evaluate import certified_evaluate, evaluate, exact_mpf, local_context

ENV = {S.sigma: "1/2", S.lam: 2, S.eta: "0.1", S.w: "3/7"}


def ctx_at(prec: int) -> MPContext:
    ctx = MPContext()
    ctx.prec = prec
    return ctx


def direct(ctx: MPContext) -> dict:
    """The same expressions written with mpmath by hand (σ = 1/2, λ = 2, η = 1/10, w = 3/7)."""
    s, l, e, w = ctx.mpf(1) / 2, ctx.mpf(2), ctx.mpf(1) / 10, ctx.mpf(3) / 7
    a = ctx.mpf(-1) / 3
    return {
        "map": w * (1 + e * (s - l * w)) ** 2,
        "logistic": s * w / (l * w + (s - l * w) * ctx.exp(-2 * s * 5)),
        "hyper": ctx.hyp2f1(a, 1, a + 1, l * w / s) / (s * ctx.cbrt(w)),
        "elementary": ctx.log(1 + w) - ctx.atan(s) + ctx.sqrt(l) * ctx.sinh(e) + ctx.expm1(-e),
        "lambert": ctx.lambertw(s * ctx.exp(s)) + ctx.power(w, ctx.pi),
    }


EXPRS = {
    "map": S.w * (1 + S.eta * (S.sigma - S.lam * S.w)) ** 2,
    "logistic": (S.sigma * S.w / (S.lam * S.w + (S.sigma - S.lam * S.w) * sp.exp(-2 * S.sigma * S.t))).subs(S.t, 5),
    "hyper": sp.hyper([-sp.Rational(1, 3), 1], [sp.Rational(2, 3)], S.lam * S.w / S.sigma)
    / (S.sigma * S.w ** sp.Rational(1, 3)),
    "elementary": sp.log(1 + S.w) - sp.atan(S.sigma) + sp.sqrt(S.lam) * sp.sinh(S.eta) + sp.exp(-S.eta) - 1,
    "lambert": sp.LambertW(S.sigma * sp.exp(S.sigma)) + S.w**sp.pi,
}


@pytest.mark.parametrize("name", sorted(EXPRS))
@pytest.mark.parametrize("prec", [53, 200])
def test_matches_mpmath_by_hand(name, prec):
    got = evaluate(EXPRS[name], prec, ENV)
    assert got.context.prec == prec
    ref = direct(ctx_at(prec + 100))[name]  # 100 more bits: the reference's own error is negligible
    # a handful of correctly rounded operations (hyp2f1 and lambertw to within a few ulp each)
    # in a different order: 2^{-(prec − 10)} relative leaves 10 bits for their accumulation
    assert abs(got - ref) <= abs(ref) * mpmath.mpf(2) ** (10 - prec)


def test_piecewise_and_min_max():
    pw = sp.Piecewise((S.sigma, S.lam * S.w > S.sigma), (S.lam, True))
    assert evaluate(pw, 80, ENV) == ctx_at(80).mpf(1) / 2  # λw = 6/7 > 1/2: the first branch
    assert evaluate(pw, 80, {**ENV, S.w: "1/7"}) == 2  # λw = 2/7: the second
    # a condition on exact parameters is decided exactly: 1/10 + 2/10 > 3/10 is false ...
    close = sp.Piecewise((1, S.sigma + S.eta > S.lam), (2, True))
    tenths = {S.sigma: "0.1", S.eta: "0.2", S.lam: "0.3"}
    assert evaluate(close, 53, tenths) == 2
    # ... while in 53-bit arithmetic it is true (0.30000000000000004 > 0.29999999999999999): given as
    # mpf values (not exact numbers) the condition is decided numerically and takes the other branch
    ctx = ctx_at(53)
    as_mpf = {S.sigma: ctx.mpf(1) / 10, S.eta: ctx.mpf(2) / 10, S.lam: ctx.mpf(3) / 10}
    assert as_mpf[S.sigma] + as_mpf[S.eta] > as_mpf[S.lam]
    assert evaluate(close, 53, as_mpf) == 1
    assert evaluate(sp.Min(S.sigma, S.w) + sp.Max(S.sigma, S.w), 80, ENV) == ctx_at(80).mpf(1) / 2 + \
        ctx_at(80).mpf(3) / 7
    with pytest.raises(ValueError, match="no branch of the Piecewise applies"):
        evaluate(sp.Piecewise((1, S.sigma > 1)), 53, ENV)


def test_rationals_enter_correctly_rounded_not_through_float():
    ctx = ctx_at(120)
    third = evaluate(sp.Rational(1, 3), 120)
    assert third == ctx.mpf(1) / 3  # mpmath's division is correctly rounded: the same binary value
    assert third != ctx.mpf(1 / 3)  # negative control: a float carries only 53 of the 120 bits
    tenth = evaluate(S.eta, 120, {S.eta: "0.1"})
    assert abs(as_fraction(tenth) - Fraction(1, 10)) <= Fraction(1, 10) * Fraction(1, 2**120)  # half an ulp
    assert exact_mpf(ctx, Fraction(2, 3)) == ctx.mpf(2) / 3
    # an mpf of another (wider) context is rounded to this one
    wide = ctx_at(400).mpf(2) / 3
    assert exact_mpf(ctx, wide) == ctx.mpf(2) / 3 and exact_mpf(ctx, wide).context is ctx


def as_fraction(x) -> Fraction:
    """The exact binary value of an mpf (man·2^exp), written here independently of symdyn."""
    sign, man, exp, _ = x._mpf_
    v = Fraction(man) * Fraction(2) ** exp
    return -v if sign else v


def test_as_fraction_is_the_exact_binary_value():
    ctx = ctx_at(53)
    assert as_fraction(ctx.mpf(0.1)) == Fraction(0.1)  # both exact binary values of the double 0.1
    assert as_fraction(ctx.mpf(-0.375)) == Fraction(-3, 8)


def test_certified_evaluate_against_mpmath():
    # ln(1 + e^{-200}) ≈ e^{-200}: a naive double gives 0; mpmath at 800 bits is the reference
    c = certified_evaluate(sp.log(1 + sp.exp(-S.delta)), 30, {S.delta: 200})
    ref = ctx_at(800)
    ref = ref.log(1 + ref.exp(-200))
    assert c.digits == 30 and abs(c.fraction - as_fraction(ref)) <= c.ulp() / 2  # correctly rounded to 30 digits


def test_exact_zero_is_decided_symbolically():
    e = (S.sigma + 1) ** 2 - S.sigma**2 - 2 * S.sigma - 1  # 0 for every σ, but not simplified by sympy
    assert e != 0
    assert certified_evaluate(e, 20, {S.sigma: "1/3"}).text == "0"
    # negative control: the rerun alone cannot certify a computed zero
    from symdyn.precise.certified import certify

    with pytest.raises(CertificationError):
        certify(lambda p: [evaluate(e, p, {S.sigma: "1/3"})], 20)


@pytest.mark.parametrize("expr, env, match", [
    (S.sigma + S.lam, {S.sigma: 1}, "no value given for the symbol lambda"),
    (sp.zeta(S.sigma), {S.sigma: 3}, "cannot evaluate zeta"),
    (S.sigma, {S.sigma: "x"}, "sigma must be a decimal number"),
])
def test_bad_input_is_one_line(expr, env, match):
    with pytest.raises(ValueError, match=match) as info:
        evaluate(expr, 53, env)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="precision must be an integer >= 2"):
        evaluate(expr, 1, env)


@pytest.mark.parametrize("global_prec", [20, 300])
def test_global_mpmath_precision_is_never_read_or_written(global_prec):
    saved = mpmath.mp.prec
    before = evaluate(EXPRS["hyper"], 150, ENV)
    try:
        mpmath.mp.prec = global_prec
        after = evaluate(EXPRS["hyper"], 150, ENV)
        certified_evaluate(EXPRS["logistic"], 25, ENV)
        assert local_context(77).prec == 77
        assert mpmath.mp.prec == global_prec  # not written
    finally:
        mpmath.mp.prec = saved
    assert after == before and after.context.prec == 150  # not read: same bits under any global precision
