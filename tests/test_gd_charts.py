"""The numeric GD charts (symdyn.precise.charts): floating series, gmpy2 arithmetic, map coefficients."""

from fractions import Fraction

import gmpy2
import mpmath
import pytest

from symdyn.derive.kernels import product2_steps
from symdyn.derive.linearisation import koenigs_coefficients, poincare_coefficients, series_residual
from symdyn.derive.poincare import map_coefficients
from symdyn.model.core import Model
from symdyn.precise.charts import GDCharts, _float_series, numeric_map_coefficients

MODELS = [Model(depth=2, sigma=1, lam=1, eta="1/10"), Model(depth=2, sigma="3/2", lam="2/7", eta="1/5"),
          Model(depth=2, sigma=2, lam=3, eta="0.05")]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("at", ["zero", "fixed"])
def test_numeric_map_coefficients_equal_symbolic(model, at):
    # reference: map_coefficients substitutes the model into product_map(2) with sympy (exact)
    assert numeric_map_coefficients(model, at) == tuple(
        Fraction(int(c.p), int(c.q)) for c in map_coefficients(model, at))


@pytest.mark.parametrize("kind", ["poincare", "koenigs"])
def test_quartic_series_solve_the_functional_equation(kind):
    # reference: series_residual composes the polynomials with sympy.Poly, independently of the recursion
    b = (3, 1, 2, 5)  # g(x) = 3x + x² + 2x³ + 5x⁴: exercises the powers beyond the cubic L = 2 map
    fn = poincare_coefficients if kind == "poincare" else koenigs_coefficients
    assert series_residual(b, fn(b, 10), kind) == 0
    # negative control: perturbing the last coefficient breaks the equation at that order
    bad = (*fn(b, 10)[:-1], fn(b, 10)[-1] + 1)
    assert series_residual(b, bad, kind) != 0


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("at,kind", [("zero", "poincare"), ("zero", "koenigs"),
                                     ("fixed", "poincare"), ("fixed", "koenigs")])
def test_float_series_is_the_exact_series_rounded(model, at, kind):
    # reference: the exact Fraction recursion on the exact map coefficients
    ctx = mpmath.MPContext()
    ctx.prec = 120
    exact = (poincare_coefficients if kind == "poincare" else koenigs_coefficients)(
        map_coefficients(model, at), 32)
    floats = _float_series(numeric_map_coefficients(model, at), 32, kind, ctx)
    for q, c in zip(exact, floats, strict=True):
        err = abs(Fraction(*c.as_integer_ratio()) - q)
        # rounded once to 120 bits (half an ulp, 2^-120 relative) from a 152-bit recursion whose
        # own error is ~order·2^-152: 2^-119 relative leaves a factor 2 for that
        assert err <= abs(q) * Fraction(1, 2**119), (q, c)


def test_gmpy2_arithmetic_gives_the_mpmath_numbers():
    """advance (plain steps on gmpy2) and _poly (Horner on gmpy2) reproduce mpmath bit for bit."""
    c = GDCharts(MODELS[0], 150, 24)
    w = c.exact(Fraction(3, 10))
    # reference: the kernel run on the context's mpf (plain mpmath loop); 5 steps from 0.3 stay
    # outside the disk at 1
    plain = product2_steps(w, *c.step_constants, n=5)
    assert abs(plain - c.p) > c.r1
    assert c.advance(w, 5) == plain
    z = c.exact(Fraction(1, 200))
    as_mpf = [c.ctx.mpf(x.as_integer_ratio()[0]) / x.as_integer_ratio()[1] for x in c.psi_c]
    horner_mp = as_mpf[-1]
    for a in reversed(as_mpf[:-1]):
        horner_mp = horner_mp * z + a
    assert c._poly(c.psi_c, z) == horner_mp * z
    # below gmpy2's exponent range (2^-(2^30)) the mpmath fallback takes over: Ψ(z) = z + O(z²) = z
    tiny = c.ctx.ldexp(1, -2**31)
    assert c._poly(c.psi_c, tiny) == tiny  # gmpy2 alone would underflow to 0 (or trap)
    assert c.advance(tiny, 3) == product2_steps(tiny, *c.step_constants, n=3) > tiny
    assert isinstance(c.psi_c[0], gmpy2.mpfr)
