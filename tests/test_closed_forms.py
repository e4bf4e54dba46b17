"""Closed forms: residuals, and agreement with independent ODE solvers and exact iteration."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from symdyn.derive.dynamics import product_ode
from symdyn.model import symbols as S

POINTS = [(1, 1, 1e-3), (2, 0.5, 1e-6), (0.1, 3, 0.02), (0.0, 2, 0.3), (0.0, 0.0, 0.4)]


@pytest.mark.parametrize("depth", [1, 2])
def test_residuals_are_zero(depth):
    d = flow_closed_form(depth)
    assert d.residuals and d.verified


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("s, l, start", POINTS)
def test_flow_against_solve_ivp(depth, s, l, start):
    """scipy's Radau at tight tolerance is the independent reference."""
    rhs = sp.lambdify((S.w, S.sigma, S.lam), product_ode(depth).expr)
    closed = flow_closed_form(depth).expr.subs({S.sigma: s, S.lam: l, S.w0: start})

    def f(t):  # sympy picks the Piecewise branch; plain lambdify would evaluate both (issue 4)
        return float(closed.subs(S.t, t))
    T = 8.0
    sol = solve_ivp(lambda t, y: rhs(y, s, l), (0, T), [start], method="Radau",
                    rtol=1e-12, atol=1e-15, dense_output=True)
    ts = np.linspace(0, T, 9)
    # 1e-8 relative: Radau's global error at rtol=1e-12 over a stiff-ish logistic rise
    np.testing.assert_allclose([f(t) for t in ts], sol.sol(ts)[0], rtol=1e-8)


def test_two_layer_flow_against_mpmath_odefun():
    """mpmath's Taylor integrator at 30 digits, in a local context."""
    ctx = mpmath.MPContext()
    ctx.dps = 30
    s, l, start = ctx.mpf(1) / 3, ctx.mpf(2), ctx.mpf("1e-4")
    sol = ctx.odefun(lambda t, y: 2 * y * (s - l * y), 0, start)
    closed = flow_closed_form(2).expr.args[0][0]
    for t in (1, 5, 12):
        ref = sol(t)
        val = closed.subs({S.sigma: sp.Rational(1, 3), S.lam: 2, S.w0: sp.Rational(1, 10**4), S.t: t})
        # 1e-25: odefun works to ~30 digits; the closed form evaluates exactly then rounds
        assert abs(sp.N(val, 35) - sp.Float(str(ref), 35)) < 1e-25 * abs(ref)


def test_eq16_printed_sigma_zero_branch_fails():
    """Negative control (SPEC E3): the printed σ = 0 branch e^{−2δ}/(1 + 2e^{−δ}λt) is not a solution."""
    rhs0 = product_ode(2).expr.subs(S.sigma, 0)
    printed = sp.exp(-2 * S.delta) / (1 + 2 * sp.exp(-S.delta) * S.lam * S.t)
    res = sp.simplify(sp.diff(printed, S.t) - rhs0.subs(S.w, printed))
    assert res != 0
    corrected = flow_closed_form(2).expr.args[1][0].subs(S.w0, sp.exp(-2 * S.delta))
    assert sp.simplify(sp.diff(corrected, S.t) - rhs0.subs(S.w, corrected)) == 0


@pytest.mark.parametrize("depth", [3, 4])
def test_implicit_relation_against_odefun(depth):
    """t = G(w) − G(w0) evaluated with mpmath.hyp2f1 at the odefun solution w(t)."""
    d = implicit_relation(depth)
    assert d.verified
    vals = {S.sigma: sp.Rational(1, 2), S.lam: sp.Rational(3, 2), S.w0: sp.Rational(1, 100)}
    g = sp.lambdify((S.w,), d.expr.rhs.subs(vals), "mpmath")
    ctx = mpmath.MPContext()
    ctx.dps = 30
    L = depth
    sol = ctx.odefun(lambda t, y: L * y ** (2 - ctx.mpf(2) / L) * (ctx.mpf(1) / 2 - ctx.mpf(3) / 2 * y),
                     0, ctx.mpf(1) / 100)
    with mpmath.workdps(30):
        for t in (1, 3, 6):
            # 1e-20: odefun's ~30 digits times dG/dw = 1/F(w), which stays below ~1e4 before
            # w nears the fixed point sigma/lambda (there dG/dw blows up and t is ill-conditioned)
            assert abs(g(sol(t)) - t) < 1e-20 * t


def test_gd_closed_form_residuals():
    assert gd_closed_form(1).verified


@settings(max_examples=40, deadline=None)
@given(
    s=st.fractions(0, 3, max_denominator=20),
    l=st.fractions(0, 3, max_denominator=20),
    eta=st.fractions(Fraction(1, 100), Fraction(1, 2), max_denominator=100),
    start=st.fractions(0, 2, max_denominator=30),
    k=st.integers(0, 12),
)
def test_gd_closed_form_equals_exact_iteration(s, l, eta, start, k):
    """Property: the closed form equals the map iterated k times in exact rational arithmetic."""
    w = start
    for _ in range(k):
        w = w + eta * (s - l * w)
    vals = {S.sigma: sp.Rational(s), S.lam: sp.Rational(l), S.eta: sp.Rational(eta),
            S.w0: sp.Rational(start), S.k: k}
    assert gd_closed_form(1).expr.subs(vals) == sp.Rational(w)
