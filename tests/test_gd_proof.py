"""The GD error bound (``symdyn.precise.gd_proof``): each ingredient against exact arithmetic, then the whole.

References are independent of the bound's code: the derived maps of :mod:`symdyn.derive.dynamics`
(sympy, evaluated exactly or at hundreds of digits), ``Fraction`` iterations, and plain mpmath
loops at several times the working precision.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import gmpy2
import mpmath
import pytest
import sympy as sp

from symdyn.derive.dynamics import balanced_factor_map, product_map
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise import gd_proof as P
from symdyn.precise.balls import arb
from symdyn.precise.certified import ball_context
from symdyn.precise.gd_iterate import KERNELS, deep_kernel, gd_enclosures, prove_orbit

#: (depth, map) of every kernel with its error model.
KINDS = [(1, "product"), (2, "product"), (2, "factor"), (3, "product"), (3, "factor"), (4, "product"),
         (4, "factor")]


def kernel(depth: int, kind: str):
    return KERNELS[(depth, kind)] if depth <= 2 else deep_kernel(depth, kind)


def derived(depth: int, kind: str) -> tuple[sp.Expr, sp.Symbol]:
    """The derived map (not the kernel) and its variable."""
    if kind == "product" or depth == 1:
        return product_map(depth).expr, S.w
    a = sp.Symbol("a", positive=True)
    return balanced_factor_map(depth).expr, a


@pytest.mark.parametrize("depth,kind", KINDS)
def test_log_derivative_is_that_of_the_derived_map(depth, kind):
    expr, var = derived(depth, kind)
    g_true = sp.simplify(var * sp.diff(expr, var) / expr)
    k = kernel(depth, kind)
    g_model = k.proof.gb(var, *k.constants(S.sigma, S.lam, S.eta))[0]
    assert sp.simplify(g_model - g_true) == 0


#: Parameter points (sigma, lambda, eta) inside each depth's stable range.
POINTS = {1: [(1, 1, "1/10"), ("1/2", 2, "3/2"), (0, 1, "1/3")],
          2: [(1, 1, "1/10"), ("1/2", 3, "9/10"), (2, 1, "2/5"), (0, 1, "1/4")],
          3: [(1, 1, "1/25"), ("1/2", "3/2", "1/10")], 4: [(1, 1, "1/25"), ("1/2", "3/2", "1/20")]}


def _exact_step(depth, kind, point, x: Fraction):
    """f(x) from the derived map, to 150 digits (exact inputs)."""
    expr, var = derived(depth, kind)
    s, l, e = (sp.Rational(v) for v in point)
    return expr.subs({S.sigma: s, S.lam: l, S.eta: e, var: sp.Rational(x.numerator, x.denominator)}).evalf(150)


def _computed_step(k, consts, x: Fraction, prec: int):
    with gmpy2.context(precision=prec):
        c = [gmpy2.mpfr(gmpy2.mpq(int(q.p), int(q.q))) for q in consts]
        xm = gmpy2.mpfr(gmpy2.mpq(x.numerator, x.denominator))
        assert Fraction(int(xm.as_integer_ratio()[0]), int(xm.as_integer_ratio()[1])) == x  # x is exact
        out = k.steps(xm, *c)
    n, d = out.as_integer_ratio()
    return sp.Rational(int(n), int(d))


@pytest.mark.parametrize("depth,kind", KINDS)
@pytest.mark.parametrize("prec", [24, 53, 90])
def test_rounding_of_one_step_is_within_rho(depth, kind, prec):
    rnd = random.Random(depth * 1000 + prec)
    k = kernel(depth, kind)
    worst = 0.0
    for point in POINTS[depth]:
        consts = [sp.Rational(c) for c in k.constants(*(sp.Rational(v) for v in point))]
        floats = tuple(float(c) for c in consts)
        fixed = (sp.Rational(point[0]) / sp.Rational(point[1])) if sp.Rational(point[0]) else sp.Integer(1)
        top = float(fixed) ** (1 / k.output_power) * 1.3  # iterates live below the fixed point (and a bit above)
        for _ in range(12):
            x = Fraction(rnd.uniform(1e-6, top)).limit_denominator(2**prec)
            x = Fraction(float(gmpy2.mpfr(x, prec)))  # a number of the working precision
            got = _computed_step(k, consts, x, prec)
            true = _exact_step(depth, kind, point, x)
            err = abs(sp.log(got / true).evalf(60))
            _, b = k.proof.gb(float(x), *floats)
            bound = k.proof.rho(b) * 2.0**-prec
            assert err <= bound, (point, x, float(err / bound))
            worst = max(worst, float(err / bound))
    # not vacuous: the bound is within ~100x of what rounding really does somewhere in the sample
    assert worst > 1e-2


@pytest.mark.parametrize("depth,kind", KINDS)
@pytest.mark.parametrize("rel_radius", [0.0, 1e-12, 1e-5])
def test_K_bounds_the_log_derivative_on_the_ball(depth, kind, rel_radius):
    rnd = random.Random(depth + int(rel_radius * 1e12))
    k = kernel(depth, kind)
    ctx = mpmath.MPContext()
    ctx.prec = 200
    for point in POINTS[depth]:
        consts = [sp.Rational(c) for c in k.constants(*(sp.Rational(v) for v in point))]
        exact = [ctx.mpf(int(c.p)) / int(c.q) for c in consts]
        for _ in range(8):
            xf = rnd.uniform(1e-4, 1.2)
            kappa, _ = P.step_bounds(k.proof, xf, tuple(float(c) for c in consts), rel_radius, 2.0**-60)
            if math.isinf(kappa):
                continue  # the check refused: nothing claimed
            xs = [ctx.mpf(xf) * ctx.exp(ctx.mpf(t) / 20 * rel_radius) for t in range(-20, 21)]
            sup = max(abs(k.proof.gb(x, *exact)[0]) for x in xs)
            assert sup <= kappa


def test_fast_regions_are_invariant_with_log_derivative_at_most_one():
    # the L = 2 product map on [0, beta]: |g| <= 1, A <= 3, f <= beta (1 - 2^-20), at 2000 exact points
    for sigma, lam, eta in [(1, 1, "1/10"), ("1/2", 3, "4/5"), (2, 1, "2/5"), (0, 1, "1/4")]:
        c, d = (Fraction(str(v)) for v in KERNELS[(2, "product")].constants(*map(sp.Rational, (sigma, lam, eta))))
        region = P.PRODUCT2.region((c, d))
        beta = c * (1 - P.MARGIN) / (2 * d)
        assert region is not None and region.upper <= beta
        for i in range(2001):
            x = beta * i / 2000
            g, a = P.product2_gb(x, c, d)
            assert abs(g) <= 1 and a <= 3 and x * (c - d * x) ** 2 <= beta * (1 - P.MARGIN)
    # above eta*sigma ~ 0.837 the map overshoots c/(2d): no fast region, the per-step bound runs
    assert P.PRODUCT2.region((Fraction(19, 10), Fraction(1, 10))) is None
    assert P.LINEAR.region((Fraction(-1, 2), Fraction(1))) is None  # eta*lambda > 1: signs alternate


# ------------------------------------------------------------------ the whole bound
def exact_orbit(w0: Fraction, sigma, lam, eta, k: int) -> list[Fraction]:
    out, w = [w0], w0
    for _ in range(k):
        w = w * (1 + eta * (sigma - lam * w)) ** 2
        out.append(w)
    return out


def _contains(ball, q: Fraction) -> bool:
    with ball_context(4096):
        return ball.contains(arb(sp.Rational(q.numerator, q.denominator).p) / q.denominator)


@pytest.mark.parametrize("prec", [24, 40])
def test_enclosures_contain_the_exact_orbit_and_shrunk_ones_do_not(prec):
    m = Model(depth=2, sigma=1, lam=2, eta="1/4", delta=0)
    ks = list(range(9))
    exact = exact_orbit(Fraction(1, 100), Fraction(1), Fraction(2), Fraction(1, 4), 8)
    balls = gd_enclosures(m, ks, prec, w0="1/100")
    assert all(_contains(b, q) for b, q in zip(balls, exact, strict=True))
    # negative control: the same balls with radius x 1e-3 miss the exact iterate (the bound is not 1000x loose)
    with ball_context(prec + 64):
        shrunk = [arb(b.mid(), b.rad() * arb("0.001")) for b in balls]
    assert sum(not _contains(b, q) for b, q in zip(shrunk, exact, strict=True)) >= len(ks) // 2


def exact_ball(x) -> arb:
    """The exact binary value of an mpf as a zero-radius ball."""
    sign, man, exp, _ = x._mpf_
    return arb((-int(man) if sign else int(man), int(exp)))


def reference_loop(sigma, lam, eta, w0: str, k: int, prec: int):
    """A plain mpmath loop of w(1 + eta(sigma - lam w))^2 at ``prec`` bits (the independent reference)."""
    ctx = mpmath.MPContext()
    ctx.prec = prec
    s, l, e = (ctx.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in (sigma, lam, eta))
    w = ctx.mpf(sp.Rational(w0).p) / sp.Rational(w0).q
    for _ in range(k):
        w = w * (1 + e * (s - l * w)) ** 2
    return w


@pytest.mark.parametrize("eta", ["1/10", "9/10"])  # fast region / per-step bound (eta*sigma > 0.837)
def test_long_run_enclosure_contains_a_reference_at_twice_the_precision(eta):
    k, prec = 5000, 64
    [ball] = gd_enclosures(Model(depth=2, sigma=1, lam=1, eta=eta, delta=0), [k], prec, w0="1e-6")
    ref = reference_loop(1, 1, eta, "1e-6", k, 2 * prec)  # its own error ~k 2^-128, far inside the ball
    with ball_context(4 * prec):
        assert ball.contains(exact_ball(ref))
        rel = float(ball.rad() / abs(ball.mid()))
    # linear growth on the stable range: about 16 u per step, nowhere near exponential
    assert rel < 50 * k * 2.0**-prec


def test_an_expanding_map_widens_its_enclosure_and_never_keeps_digits():
    # eta*sigma = 3/2 is outside the stable range (fixed point 1 repels, multiplier -2): the kernel
    # runs anyway through the lower-level prove_orbit (gd_values refuses the model's step size)
    k = KERNELS[(2, "product")]
    consts = k.constants(sp.Integer(1), sp.Integer(1), sp.Rational(3, 2))
    with ball_context(96):
        start = arb(1) / 3
    ks = list(range(0, 61, 5))
    balls = prove_orbit(k, consts, start, ks, 64)
    widths = [float(b.rad() / abs(b.mid())) if b.is_finite() and not b.contains(0) else math.inf for b in balls]
    assert widths[-1] == math.inf or widths[-1] > 1e6 * widths[1]  # widened by orders of magnitude
    # every enclosure still contains the orbit (an exact-rational reference would have 3^60 digits:
    # a plain loop at 1024 bits, whose own error stays ~2^60 ulps, is far inside every ball)
    for kk, b in zip(ks, balls, strict=True):
        ref = reference_loop(1, 1, "3/2", "1/3", kk, 1024)
        with ball_context(1100):
            assert b.contains(exact_ball(ref))
    # and the refusal is real: the orbit at 64 bits has really lost its digits (compare 1024 bits)
    lost = abs(reference_loop(1, 1, "3/2", "1/3", 60, 64) - reference_loop(1, 1, "3/2", "1/3", 60, 1024))
    assert lost > 1e-6


def test_depth_three_escape_widens_by_the_real_sensitivity():
    # from a tiny start the depth-3 map expands relative errors by (w_k/w_0)^{1/3} (the escape is
    # genuinely sensitive): the bound must widen accordingly, and the real error confirms it
    m = Model(depth=3, sigma=1, lam=1, eta="1/25", delta=8)
    k, prec = 1200, 80
    [ball] = gd_enclosures(m, [k], prec)
    w0 = math.exp(-24)
    with ball_context(4 * prec):
        rel = float(ball.rad() / abs(ball.mid()))
        w = float(ball.mid())
    assert rel > (w / w0) ** (1 / 3) * 2.0**-prec  # at least the amplification of the start's rounding
    [fine] = gd_enclosures(m, [k], 3 * prec)
    with ball_context(4 * prec):
        assert ball.overlaps(fine) and ball.contains(fine.mid())
