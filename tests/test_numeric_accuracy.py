"""Accuracy harness of the numeric boundary against the same sympy expression in mpmath.

Reference: symdyn.numeric.reference evaluates the *original* closed form (w(t) of the scalar flow, from
symdyn.closed_forms, with w0 = e^{-cδ}) at 50+ certified digits on exact float inputs, so
every error measured is float64 error of symdyn's evaluator, not input rounding.

Why 1e-13 relative for w >= 1e-300: the stable forms are sums of nonnegative terms
(no cancellation, each term a few roundings) times one exponential e^x whose argument is
rounded once (TwoProduct + TwoSum, symdyn.numeric.accurate; tests/test_numeric_exponent.py);
exp of an argument carrying half an ulp has relative error |x|·ε/2, and |x| <= ~700 where w >= 1e-300, so the bound is
(700/2 + ~10)·2.2e-16 ≈ 8e-14 < 1e-13. For ln w the absolute error is a few ε per term
of the logaddexp chain plus ε·|ln w| from rounding the exponent: bound 1e-13·max(1, |ln w|)
(measured: ~5e-15).
"""

import mpmath
import numpy as np
import pytest
import sympy as sp

from symdyn.derive.closed_forms import gd_closed_form
from symdyn.model import symbols as S
from symdyn.numeric import flow_numpy, gd_numpy
from symdyn.numeric.forms import flow_expr, init_exponent
from symdyn.numeric.reference import reference
from tests.numeric_samples import flow_points, gd_points

FLOW_ARGS = [S.t, S.sigma, S.lam, S.delta]
GD_ARGS = [S.k, S.sigma, S.lam, S.eta, S.delta]
TINY = mpmath.mpf("1e-300")  # below this compare ln w (issue #4 target)
REL_BOUND = 1e-13  # see module docstring
LOG_BOUND = 1e-13  # relative to max(1, |ln w|), see module docstring


def _errors(ref, out, log_out):
    rel = [float(abs((o - r) / r)) for r, o in zip(ref, out, strict=True) if r > TINY]
    logs = [float(abs(lo - mpmath.log(r)) / max(1, abs(mpmath.log(r))))
            for r, lo in zip(ref, log_out, strict=True)]
    return max(rel), max(logs)


CASES = [(1, "layer"), (2, "layer"), (2, "product")]


@pytest.mark.parametrize("depth, init", CASES)
def test_flow_accuracy_and_naive_control(depth, init):
    points = flow_points(init_exponent(depth, init), n_random=60)
    ref = reference(flow_expr(depth, init), FLOW_ARGS, points)
    with np.errstate(all="raise"):  # no floating-point exception anywhere on the samples
        out = flow_numpy(depth, init)(*points.T)
        log_out = flow_numpy(depth, init, log=True)(*points.T)
    rel, log_err = _errors(ref, out, log_out)
    assert rel < REL_BOUND and log_err < LOG_BOUND, (rel, log_err)

    # negative control: naive lambdify of the same expression on the same samples
    naive = sp.lambdify(FLOW_ARGS, flow_expr(depth, init), "numpy")
    with pytest.raises(FloatingPointError), np.errstate(all="raise"):
        naive(*points.T)
    with np.errstate(all="ignore"):
        bad = naive(*points.T)
    finite = np.isfinite(bad)
    naive_rel = max(float(abs((b - r) / r)) for r, b in zip(ref, bad, strict=True) if r > TINY)
    assert (~finite).any() or naive_rel > 1e3 * REL_BOUND
    if depth == 2:  # L = 2: inf/inf = NaN at large t, as issue #4 reports
        assert np.isnan(bad).any()


def test_gd_accuracy_and_naive_control():
    points = gd_points(n_random=60, max_rate=1.0)
    expr = gd_closed_form(1).expr.subs(S.w0, sp.exp(-S.delta))
    ref = reference(expr, GD_ARGS, points)
    with np.errstate(all="raise"):
        out = gd_numpy()(*points.T)
        log_out = gd_numpy(log=True)(*points.T)
    rel, log_err = _errors(ref, out, log_out)
    assert rel < REL_BOUND and log_err < LOG_BOUND, (rel, log_err)
    naive = sp.lambdify(GD_ARGS, expr, "numpy")
    with np.errstate(all="ignore"):
        bad = naive(*points.T)
    naive_rel = max(float(abs((b - r) / r)) for r, b in zip(ref, bad, strict=True) if r > TINY)
    assert naive_rel > 1e3 * REL_BOUND  # 1 - (1 - eta*lambda)**k cancels for small eta*lambda


def test_gd_oscillating_regime():
    """1 < ηλ < 2: w_k alternates around σ/λ and may cross 0, so the error is measured
    relative to the size of the two terms σ/λ(1 + |q|^k) + w0|q|^k (the sum's condition)."""
    points = gd_points(n_random=60, max_rate=2.0)
    points = points[points[:, 2] * points[:, 3] > 1]
    expr = gd_closed_form(1).expr.subs(S.w0, sp.exp(-S.delta))
    ref = reference(expr, GD_ARGS, points)
    with np.errstate(all="raise"):
        out = gd_numpy()(*points.T)
    worst = 0.0
    for r, o, (k, s, l, eta, d) in zip(ref, out, points, strict=True):
        q = abs(1 - mpmath.mpf(float(eta)) * mpmath.mpf(float(l)))
        size = mpmath.mpf(float(s)) / mpmath.mpf(float(l)) * (1 + q**k) + mpmath.exp(-d) * q**k
        if size > TINY:  # below 1e-300 the value flushes toward 0 (documented)
            worst = max(worst, float(abs(o - r) / size))
    assert worst < REL_BOUND, worst  # same reasoning as the module docstring


@pytest.mark.slow
@pytest.mark.parametrize("depth, init", CASES)
def test_flow_accuracy_many_samples(depth, init):
    points = flow_points(init_exponent(depth, init), n_random=3000, seed=7)
    ref = reference(flow_expr(depth, init), FLOW_ARGS, points)
    with np.errstate(all="raise"):
        rel, log_err = _errors(ref, flow_numpy(depth, init)(*points.T),
                               flow_numpy(depth, init, log=True)(*points.T))
    assert rel < REL_BOUND and log_err < LOG_BOUND, (rel, log_err)
