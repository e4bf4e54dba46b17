"""``Model``: exact parameters, the start w0 under both inits, the GD step-size check and its messages."""

import math
import re
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symdyn.model import symbols as S
from symdyn.model.core import Model

# ------------------------------------------------------------------ exact parameters


def test_numbers_become_exact_rationals():
    m = Model(depth=2, sigma="0.1", lam=Fraction(2, 3), eta="1e-3", delta=7)
    assert (m.sigma, m.lam, m.eta, m.delta) == (sp.Rational(1, 10), sp.Rational(2, 3), sp.Rational(1, 1000), 7)
    assert all(isinstance(v, sp.Rational) for v in (m.sigma, m.lam, m.eta, m.delta))


def test_a_float_is_its_exact_binary_value():
    # 0.1 as a double is 3602879701896397/2^55, not 1/10: symdyn keeps what it was given
    assert Model(sigma=0.1).sigma == sp.Rational(*Fraction(0.1).as_integer_ratio())
    assert Model(sigma=0.1).sigma != sp.Rational(1, 10)


def test_substitution_is_exact():
    m = Model(sigma="1/3", lam=3)
    assert m.values == {S.sigma: sp.Rational(1, 3), S.lam: 3}  # only the numbers given
    assert m.subs(3 * S.sigma * S.lam - S.lam) == 0  # 3·(1/3)·3 − 3, exactly
    # negative control: through a float, 1/3 is not a third and the same expression is not 0
    assert Model(sigma=1 / 3, lam=3).subs(3 * S.sigma * S.lam - S.lam) != 0


def test_unset_parameters_stay_the_canonical_symbols():
    m = Model(depth=3)
    assert (m.sigma, m.lam, m.eta, m.delta) == (S.sigma, S.lam, S.eta, S.delta)
    assert m.values == {} and m.subs(S.sigma + S.w) == S.sigma + S.w


def test_with_values_parses_like_the_constructor():
    m = Model(depth=2).with_values(sigma="0.25", init="product")
    assert m.sigma == sp.Rational(1, 4) and m.init == "product" and m.depth == 2
    with pytest.raises(ValueError, match="eta must be > 0"):
        Model(depth=2).with_values(eta="-1")


# ------------------------------------------------------------------ the start w0, ln w0 and each factor's start


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_start_layer_init(depth):
    # the paper's balanced start: "layer" init starts every factor at e^{-delta}, so the product of the
    # L factors starts at e^{-L delta}
    m, d = Model(depth=depth), S.delta
    assert m.factor0 == sp.exp(-d)
    assert m.w0 == sp.exp(-depth * d) and m.ln_w0 == -depth * d
    assert sp.powsimp(m.factor0**depth) == m.w0  # the product of L equal factors


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_start_product_init(depth):
    # "product" init: the product starts at e^{-delta}, so each balanced factor at e^{-delta/L}
    m, d = Model(depth=depth, init="product"), S.delta
    assert m.w0 == sp.exp(-d) and m.ln_w0 == -d
    assert m.factor0 == sp.exp(-d / depth)
    assert sp.powsimp(m.factor0**depth) == m.w0


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("init", ["layer", "product"])
def test_start_with_a_number_and_ln_w0_exact_where_w0_underflows(depth, init):
    m = Model(depth=depth, delta=400, init=init)
    c = depth if init == "layer" else 1
    assert m.ln_w0 == -400 * c and m.w0 == sp.exp(-400 * c)
    assert sp.log(m.w0) == m.ln_w0  # ln of the exact start, no rounding
    if c > 1:  # e^{-800} and below is 0 in float64, yet ln w0 is exact (negative control for "exact")
        assert float(m.w0) == 0.0 and math.isfinite(float(m.ln_w0))


# ------------------------------------------------------------------ the step-size check
a = sp.Symbol("a", positive=True)


def multiplier(depth: int, sigma, lam, eta) -> sp.Expr:
    """g'(a*) of the balanced factor GD map, derived here from the per-mode loss ½λ(∏a)² − σ∏a of the paper.

    g(a) = a − η ∂ℓ/∂a_i on the balanced point a_i = a: ∂ℓ/∂a_i = (λa^L − σ)a^{L−1}; the fixed point
    is a* = (σ/λ)^{1/L}; for L = 1 any point (the map is affine). The product map w = a^L is conjugate
    to g near a* (a^L is a diffeomorphism for a > 0), so its multiplier at σ/λ is the same.
    """
    g = a - eta * (lam * a**depth - sigma) * a ** (depth - 1)
    return sp.simplify(sp.diff(g, a).subs(a, (sp.S(sigma) / lam) ** sp.Rational(1, depth)))


def threshold(depth: int, sigma, lam) -> sp.Expr:
    """η* with multiplier −1 (the multiplier is 1 − cη with c > 0, so |g'| < 1 iff 0 < η < η*)."""
    eta = sp.Symbol("eta_", positive=True)
    [root] = sp.solve(sp.Eq(multiplier(depth, sigma, lam, eta), -1), eta)
    return root


def _message_bound(msg: str) -> sp.Rational:
    return sp.Rational(re.search(r"i\.e\. eta < (\S+)$", msg).group(1))  # "1/3" or "0.0416667"


@pytest.mark.parametrize("depth, sigma, lam, exact_threshold", [
    (1, "1/2", 4, sp.Rational(1, 2)),        # 1 − ηλ = −1 at η = 2/λ
    (1, 0, 3, sp.Rational(2, 3)),            # σ plays no role for L = 1
    (2, "1/2", 2, 2),                        # 1 − 2ησ = −1 at η = 1/σ
    (2, 3, "1/5", sp.Rational(1, 3)),        # λ plays no role for L = 2
    (3, 8, 1, sp.Rational(1, 24)),           # 1 − 3ηλ(σ/λ)^{4/3} with (σ/λ)^{4/3} = 16
])
def test_step_size_threshold(depth, sigma, lam, exact_threshold):
    eta_star = threshold(depth, sp.Rational(sigma), sp.Rational(lam))
    assert eta_star == exact_threshold  # the independent derivation agrees with the hand value
    eps = sp.Rational(1, 10**12)
    Model(depth=depth, sigma=sigma, lam=lam, eta=eta_star * (1 - eps)).check_step_size()  # just stable
    for eta in (eta_star, eta_star * (1 + eps)):  # multiplier −1 (neutral) and beyond: refused
        with pytest.raises(ValueError, match="unstable") as info:
            Model(depth=depth, sigma=sigma, lam=lam, eta=eta).check_step_size()
        msg = str(info.value)
        assert "\n" not in msg
        # the message names the bound; 6 significant digits are printed for L >= 3, exact otherwise
        assert abs(_message_bound(msg) / eta_star - 1) < 1e-5


def test_step_size_threshold_irrational_depth_3():
    # σ/λ = 2: η* = 2/(3·2^{4/3}) is irrational; bracket it with rationals 1e-20 apart (30-digit mpmath)
    eta_star = threshold(3, 2, 1)
    ctx = mpmath.MPContext()
    ctx.dps = 30
    ref = 2 / (3 * ctx.cbrt(16))
    assert abs(ctx.mpf(sp.N(eta_star, 30)) - ref) < ctx.mpf(10) ** -28  # 30 digits, 2 spare
    below, above = (sp.Rational(ctx.nstr(ref + s * ctx.mpf(10) ** -20, 28)) for s in (-1, 1))
    Model(depth=3, sigma=2, lam=1, eta=below).check_step_size()
    with pytest.raises(ValueError, match=r"L\*eta\*lambda\*\(sigma/lambda\)\^\(2-2/L\) < 2"):
        Model(depth=3, sigma=2, lam=1, eta=above).check_step_size()


def test_step_size_not_checked_while_symbolic():
    # a huge eta is refused once the parameters are numbers, never while they are symbols
    Model(depth=2, eta=100).check_step_size()
    Model(depth=3, eta=100, sigma=1).check_step_size()
    with pytest.raises(ValueError):
        Model(depth=2, eta=100, sigma=1).check_step_size()  # negative control


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("kw, match", [
    ({"lam": "-1"}, "lambda must be >= 0"),      # the API name, not the Python field name lam
    ({"delta": "-0.5"}, "delta must be >= 0"),
    ({"eta": "-1/3"}, "eta must be > 0"),
    ({"sigma": "abc"}, "sigma must be a decimal number or a fraction"),
    ({"sigma": sp.sqrt(2)}, "sigma must be an exact rational number"),
    ({"eta": float("inf")}, "eta must be finite"),
    ({"delta": True}, "delta must be a number"),
    ({"depth": 13}, "above the supported maximum 12"),
    ({"depth": 2.0}, "depth must be an integer >= 1"),
    ({"init": "Product"}, "init must be one of layer, product"),
])
def test_bad_input_is_one_line(kw, match):
    with pytest.raises(ValueError, match=match) as info:
        Model(**kw)
    assert "\n" not in str(info.value)
