"""The boundary function: laziness, broadcasting, validation, no FP warnings, properties."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symdyn.model import symbols as S
from symdyn.numeric import flow_numpy, gd_numpy, to_numpy
from symdyn.numeric.forms import flow_expr


def test_piecewise_dead_branch_is_never_evaluated():
    """numpy.select (sympy's lowering) evaluates exp(t) at t = 1e6 and overflows;
    the lazy lowering evaluates each branch only where it is selected."""
    expr = sp.Piecewise((sp.exp(-S.t), S.t > 1), (sp.exp(S.t), True))
    t = np.array([0.5, 1e6])
    with pytest.raises(FloatingPointError), np.errstate(all="raise"):
        sp.lambdify([S.t], expr, "numpy")(t)  # negative control (sympy #15014)
    with np.errstate(all="raise"):
        assert np.allclose(to_numpy(expr, [S.t])(t), [np.exp(0.5), 0.0])  # exact values


def test_generic_path_stabilizes_the_naive_form():
    """Issue #4's naive closed form (inf/inf at large t) goes through the same function."""
    e = sp.exp(2 * S.sigma * S.t - 2 * S.delta)
    naive = S.sigma * e / (S.lam * (e - sp.exp(-2 * S.delta)) + S.sigma)
    f = to_numpy(naive, [S.t, S.sigma, S.lam, S.delta])
    with np.errstate(all="raise"):
        out = f(np.array([1e3, 1e15]), 1.0, 2.0, 1e4)
    # t = 1e15: w = sigma/lambda = 0.5 exactly in the limit; t = 1e3 << delta/sigma: w ~ e^{-2e4 + 2e3} = 0
    assert out.tolist() == [0.0, 0.5]


def test_broadcasting_and_shapes():
    f = flow_numpy(2)
    t = np.logspace(-3, 3, 7)[:, None]
    out = f(t, np.array([0.0, 0.5, 2.0]), 1.0, 3.0)
    assert out.shape == (7, 3)
    assert np.allclose(out[:, 1], [f(x, 0.5, 1.0, 3.0) for x in t[:, 0]], rtol=0, atol=0)
    assert np.ndim(f(1.0, 1.0, 1.0, 1.0)) == 0


@pytest.mark.parametrize("call, match", [
    (lambda: flow_numpy(2)(-1.0, 1.0, 1.0, 1.0), "t=-1 is outside"),
    (lambda: flow_numpy(2)(1.0, 1.0, 1.0, 2e4), "delta=20000 is outside"),
    (lambda: flow_numpy(2)(1.0, 1e-9, 1.0, 1.0), "sigma=1e-09 is outside"),
    (lambda: flow_numpy(1)(1.0, 1.0, np.nan, 1.0), "lambda must be finite"),
    (lambda: flow_numpy(2)(np.zeros(3), np.ones(2), 1.0, 1.0), "do not broadcast"),
    (lambda: flow_numpy(0), "depth must be an integer >= 1"),
    (lambda: flow_numpy(2, "both"), "init must be one of"),
    (lambda: gd_numpy()(1.5, 1.0, 1.0, 0.1, 1.0), "k=1.5 is outside"),
    (lambda: gd_numpy()(1, 1.0, 1.0, 2.0, 1.0), "0 < eta\\*lambda < 2"),
    (lambda: gd_numpy(log=True)(1, 1.0, 1.0, 1.5, 1.0), "eta\\*lambda <= 1"),
])
def test_one_line_value_errors(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_log_variant_where_w_underflows():
    """ln w at t = 0 is exactly -c*delta (the init rule, docs/conventions.md), far below the double range."""
    with np.errstate(all="raise"):
        assert flow_numpy(2, log=True)(0.0, 1.0, 1.0, 1e4) == -2e4
        assert flow_numpy(2, "product", log=True)(0.0, 1.0, 1.0, 1e4) == -1e4
        assert flow_numpy(2)(0.0, 1.0, 1.0, 1e4) == 0.0  # flushes to 0, no warning


positive = st.floats(1e-3, 1e3)


@settings(max_examples=60, deadline=None)
@given(sigma=positive, lam=positive, delta=st.floats(0, 50), depth=st.sampled_from([1, 2]))
def test_monotone_and_bounded(sigma, lam, delta, depth):
    """The logistic flow ẇ = 2w(σ − λw): for w0 < σ/λ the flow increases in t, and 0 <= w <= max(w0, σ/λ)."""
    w0 = np.exp(-depth * delta if depth == 2 else -delta)
    t = np.sort(np.concatenate([[0.0], np.logspace(-6, 12, 200)]))
    with np.errstate(all="raise"):
        w = flow_numpy(depth)(t, sigma, lam, delta)
    bound = max(w0, sigma / lam)
    assert np.all(w >= 0) and np.all(w <= bound * (1 + 4e-16))  # 2 ulps of rounding
    if w0 < sigma / lam:
        # monotone up to rounding: two neighbouring t may take different (each ~1-ulp accurate)
        # evaluation paths, so allow 4 ulps of the bound (hypothesis found 1.5 ulps at sigma=lam=27)
        assert np.all(np.diff(w) >= -4 * np.finfo(float).eps * bound)


@settings(max_examples=40, deadline=None)
@given(sigma=positive, lam=positive, delta=st.floats(0, 30), t=st.floats(0, 1e3))
def test_log_variant_matches_log_of_value(sigma, lam, delta, t):
    with np.errstate(all="raise"):
        w = flow_numpy(2)(t, sigma, lam, delta)
        lw = flow_numpy(2, log=True)(t, sigma, lam, delta)
    assert abs(np.log(w) - lw) <= 1e-13 * max(1.0, abs(lw))  # both accurate to ~1e-14 (harness)


def test_lowered_form_is_the_same_function():
    """The printed stable form equals the closed form (exact symbolic check against closed_forms) on both
    sides of the transition: S = e^{-max(x, 0)} and R = e^{min(x, 0)} are (e^{-x}, 1) for
    x > 0 and (1, e^x) for x <= 0 (symdyn.numeric.stable.two_sided)."""
    from symdyn.numeric.stable import ScaleDown, ScaleUp

    lowered = flow_numpy(2).lowered.expr  # Piecewise in x = 2δ - 2σt
    x_sym, x = sp.Symbol("x", real=True), 2 * S.delta - 2 * S.sigma * S.t
    main = lowered.args[0][0]
    assert main.has(ScaleDown) and main.has(ScaleUp)
    closed = flow_expr(2).args[0][0]
    for down, up in ((sp.exp(-x_sym), 1), (1, sp.exp(x_sym))):
        side = main.subs({ScaleDown(x_sym): down, ScaleUp(x_sym): up}).subs(x_sym, x)
        assert sp.simplify((side - closed).rewrite(sp.exp)) == 0
    # negative control: swapping the pair is a different function
    wrong = main.subs({ScaleDown(x_sym): 1, ScaleUp(x_sym): sp.exp(-x_sym)}).subs(x_sym, x)
    assert sp.simplify((wrong - closed).rewrite(sp.exp)) != 0


def test_gd_matches_iteration():
    """Exact-ish reference: iterate the map w+ = w + η(σ − λw) (the L = 1 GD step) in float64 for 200 steps."""
    sigma, lam, eta, delta = 0.7, 1.3, 0.4, 2.0
    w, ws = np.exp(-delta), []
    for _ in range(200):
        ws.append(w)
        w = w + eta * (sigma - lam * w)
    got = gd_numpy()(np.arange(200), sigma, lam, eta, delta)
    assert np.allclose(got, ws, rtol=1e-13, atol=0)  # 200 steps of contraction: ~1e-15 drift
