"""Stable rewrites before float64 (``numeric.stable``): the same function, finite where the naive form is not."""

import math
from itertools import product

import numpy as np
import pytest
import sympy as sp
from sympy.codegen.cfunctions import expm1
from sympy.codegen.numpy_nodes import logaddexp

from symdyn.model import symbols as S
from symdyn.numeric.stable import log_form, stabilize

ARGS = (S.t, S.sigma, S.lam, S.delta)
E = sp.exp(2 * S.sigma * S.t - 2 * S.delta)
#: The L = 2 flow from w0 = e^{-2δ} as the closed form first comes out: inf/inf once 2σt − 2δ > 709.
NAIVE = S.sigma * E / (S.lam * (E - sp.exp(-2 * S.delta)) + S.sigma)
#: The L = 1 flow from w0 = e^{-δ}: w = σ/λ + (e^{-δ} − σ/λ)e^{-λt}.
LINEAR = S.sigma / S.lam + (sp.exp(-S.delta) - S.sigma / S.lam) * sp.exp(-S.lam * S.t)


def plain(e: sp.Expr) -> sp.Expr:
    """expm1 and logaddexp written back as exp and log (their definitions), for sympy's evalf."""
    e = e.replace(lambda x: isinstance(x, expm1), lambda x: sp.exp(x.args[0]) - 1)
    return e.replace(lambda x: isinstance(x, logaddexp), lambda x: sp.log(sp.exp(x.args[0]) + sp.exp(x.args[1])))


def reference(e: sp.Expr, point: dict) -> float:
    """``e`` at ``point`` (exact rationals) by sympy's evalf at 50 digits, rounded once to float."""
    return float(plain(e).evalf(50, subs={s: sp.Rational(v) for s, v in point.items()}))


def f64(e: sp.Expr):
    return sp.lambdify(ARGS, e, "numpy")


GRID = [dict(zip(ARGS, p, strict=True))
        for p in product(("0.1", "1", "3"), ("0.3", "2.5"), ("0.2", "1.7"), ("0.5", "4"))]


@pytest.mark.parametrize("expr", [NAIVE, LINEAR])
def test_stable_form_is_the_same_function(expr):
    stable = stabilize(expr)
    assert stable != expr  # the rewrite did something (else this test is vacuous)
    for p in GRID[::3]:
        exact = {s: sp.Rational(v) for s, v in p.items()}
        # an identity: 50-digit evaluations agree to 1e-40 relative (10 digits for evalf's own rounding)
        a, b = (plain(e).evalf(50, subs=exact) for e in (expr, stable))
        assert abs(a - b) <= 1e-40 * abs(a)


@pytest.mark.parametrize("expr", [NAIVE, LINEAR])
def test_float64_values_agree_at_moderate_arguments(expr):
    naive, stable = f64(expr), f64(stabilize(expr))
    for p in GRID:
        ref = reference(expr, p)
        x = [float(v) for v in p.values()]
        # ~10 float64 operations, exponents |2σt − 2δ| <= 20 amplify an argument's rounding by <= 20:
        # 1e-13 relative is ~500 ulp, ample for both; the forms are compared, not tuned
        assert abs(stable(*x) - ref) <= 1e-13 * abs(ref)
        assert abs(naive(*x) - ref) <= 1e-13 * abs(ref)


def test_finite_where_the_naive_form_overflows():
    t, sigma, lam, delta = 1000.0, 1.0, 2.0, 400.0  # e^{2σt − 2δ} = e^{1200} overflows
    with np.errstate(all="ignore"):
        assert math.isnan(f64(NAIVE)(t, sigma, lam, delta))  # negative control: inf/inf
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        got = f64(stabilize(NAIVE))(t, sigma, lam, delta)  # no overflow, no nan; e^{-1200} may flush to 0
    ref = reference(NAIVE, {S.t: 1000, S.sigma: 1, S.lam: 2, S.delta: 400})
    assert ref == 0.5 and got == ref  # σ/λ to within e^{-1200}: exactly 0.5 in float64


def test_expm1_where_the_naive_form_cancels():
    expr = S.lam * (1 - sp.exp(-2 * S.sigma * S.t))
    stable = stabilize(expr)
    assert stable.has(expm1)
    t = 1e-12
    ref = reference(expr, {S.t: sp.Rational(t), S.sigma: 1, S.lam: 1, S.delta: 0})
    with np.errstate(all="raise"):
        good, bad = f64(stable)(t, 1.0, 1.0, 0.0), f64(expr)(t, 1.0, 1.0, 0.0)
    assert abs(good - ref) <= 2 * np.finfo(float).eps * ref  # expm1 is accurate to an ulp or so
    assert abs(bad - ref) > 1e-6 * ref  # negative control: 1 − e^{-2e-12} keeps ~4 of 16 digits


def test_log_form_is_finite_where_w_underflows():
    ln_w = log_form(stabilize(NAIVE))
    delta = 1e4  # w(0) = e^{-2e4}: 0.0 in float64
    with np.errstate(all="ignore"):
        assert f64(sp.log(NAIVE))(0.0, 1.0, 2.0, delta) == -np.inf  # negative control: log of an underflow
    with np.errstate(divide="ignore"):  # at t = 0 the branch ln(−expm1(0)) = ln 0 = −inf is meant
        assert f64(ln_w)(0.0, 1.0, 2.0, delta) == -2 * delta  # ln w0 = −2δ exactly
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        got = f64(ln_w)(3e3, 1.0, 2.0, delta)  # w = e^{-14000} underflows; its log does not
    ref = reference(sp.log(NAIVE), {S.t: 3000, S.sigma: 1, S.lam: 2, S.delta: 10**4})
    assert abs(got - ref) <= 1e-15 * abs(ref)  # |ln w| ~ 1.4e4: a few ulp of the sum 2σt − 2δ


@pytest.mark.parametrize("expr", [NAIVE, LINEAR])
def test_log_form_is_the_log(expr):
    ln_w = log_form(stabilize(expr))
    assert not ln_w.has(sp.log(expr))  # ln f without forming f
    f = f64(ln_w)
    for p in GRID[::2]:
        ref = reference(sp.log(expr), p)
        # logaddexp and log(−expm1) each to a few ulp of O(10) quantities: 1e-13 absolute
        assert abs(f(*[float(v) for v in p.values()]) - ref) <= 1e-13 * max(1.0, abs(ref))


@pytest.mark.parametrize("expr, match", [
    (S.sigma - S.lam, "not a sum of nonnegative terms"),
    (-S.sigma, "not evidently positive"),
    (sp.Symbol("x", real=True), "not evidently nonnegative"),
])
def test_log_form_refuses_what_it_cannot_prove_positive(expr, match):
    with pytest.raises(ValueError, match=match) as info:
        log_form(expr)
    assert "\n" not in str(info.value)
