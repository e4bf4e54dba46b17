"""Step-size regimes: symbolic thresholds (residuals) checked by iterating just below/above each."""

import io
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from symdyn.derive import regimes as R
from symdyn.model.core import Model
from symdyn.output.figures import FIGURES, figure_files


def _orbit(s, x0, n, dps=30, sigma_zero=False):
    """x_k of x⁺ = x(1 + s(1 − x))² (x = λw/σ, s = ησ), or u⁺ = u(1 − u)² when sigma_zero (SPEC §2)."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    s, x = ctx.mpf(s), ctx.mpf(x0)
    out = [x]
    for _ in range(n):
        x = x * (1 - x) ** 2 if sigma_zero else x * (1 + s * (1 - x)) ** 2
        out.append(x)
    return out


@pytest.mark.parametrize("fn", [R.fixed_points, R.multipliers, R.monotone_threshold, R.oscillation_thresholds,
                                R.period_two_orbit, R.cycle_multiplier, R.zero_mode_bound,
                                R.linear_thresholds])
def test_derivations_verified(fn):
    d = fn()
    assert d.verified, d.residuals


def test_monotone_below_half_oscillating_above():
    below, above = _orbit("0.49", "0.01", 400), _orbit("0.51", "0.01", 400)
    assert all(b <= a <= 1 for a, b in zip(below[1:], below, strict=False))  # increasing, never past σ/λ
    first = next(i for i, x in enumerate(above) if x > 1)  # the first overshoot of σ/λ
    signs = [np.sign(float(x - 1)) for x in above[first:first + 8]]  # |x − 1| still >> 10^-30 here
    assert set(signs) == {-1.0, 1.0} and all(a != b for a, b in zip(signs, signs[1:], strict=False))
    assert abs(above[-1] - 1) < 1e-10  # still converges (|ν| = 0.02)


def test_period_doubling_at_one():
    ctx = mpmath.MPContext()
    ctx.dps = 30
    below = _orbit("0.99", "0.3", 6000)
    assert abs(below[-1] - 1) < 1e-20  # |ν| = 0.98: 0.98^6000 ≈ 1e-53
    for s in ("1.01", "1.2"):  # stable 2-cycle for 1 < s < √5 − 1 (cycle multiplier 7 − 4s − 2s²)
        xs = _orbit(s, "0.9", 20000)
        sv = ctx.mpf(s)
        root = ctx.sqrt((sv - 1) * (sv + 3))
        lo, hi = (1 + sv - root) / (2 * sv), (1 + sv + root) / (2 * sv)  # closed form with η = s, σ = λ = 1
        last = sorted(xs[-2:])
        assert abs(last[0] - lo) < 1e-12 and abs(last[1] - hi) < 1e-12, s  # converged cycle, rate ≥ 0.8^k
    # negative control: beyond √5 − 1 the 2-cycle is unstable, the orbit leaves it
    xs = _orbit("1.3", "0.9", 20000)
    sv = ctx.mpf("1.3")
    root = ctx.sqrt((sv - 1) * (sv + 3))
    assert abs(min(xs[-2:]) - (1 + sv - root) / (2 * sv)) > 1e-3


def test_sigma_zero_bound_threshold():
    for u0, holds in (("1.49", True), ("1.51", False)):
        us = _orbit(0, u0, 500, sigma_zero=True)
        ok = all(u <= us[0] / (1 + 2 * us[0] * k) for k, u in enumerate(us))
        assert ok is holds, u0  # the bound w_k <= w0/(1 + 2ηλw0k) needs ηλw0 <= 3/2 (E9)
    assert _orbit(0, "1.9", 1, sigma_zero=True)[1] < 1.9 and _orbit(0, "2.1", 1, sigma_zero=True)[1] > 2.1


def test_linear_model_thresholds():
    for x, kind in ((0.99, "monotone"), (1.01, "oscillating"), (1.99, "oscillating"), (2.01, "unstable")):
        m = Model(depth=1, sigma=1, lam=1, eta=x)
        assert R.classify(m) == kind
        e = [(1 - x) ** k for k in range(3000)]  # L = 1 closed form: w_k − σ/λ ∝ (1 − ηλ)^k (SPEC §2)
        assert (abs(e[-1]) < 1e-6) == (x < 2) and (min(e) >= 0) == (x <= 1)


def test_classify_and_bifurcation_points():
    kinds = [R.classify(Model(depth=2, sigma=1, lam=1, eta=e)) for e in ("0.5", "0.51", "1")]
    assert kinds == ["monotone", "oscillating", "period-doubling"]
    s, x = R.bifurcation_points(np.array([0.4, 1.1]), transient=3000, keep=8)
    assert np.allclose(x[s == 0.4], 1.0)
    assert len(set(np.round(x[s == 1.1], 9))) == 2
    assert math.isclose(x[s == 1.1].max(), (2.1 + math.sqrt(0.1 * 4.1)) / 2.2, rel_tol=1e-9)


def test_fig3_files_and_data():
    """fig3 (issue #9): PNG/PDF/CSV; the CSV's long-run iterates show the regimes derived above."""
    assert "fig3" in FIGURES
    files = figure_files("fig3")
    assert files["fig3.png"].startswith(b"\x89PNG") and files["fig3.pdf"].startswith(b"%PDF")
    data = np.loadtxt(io.StringIO(files["fig3.csv"].decode()), delimiter=",", skiprows=2)
    s, x = data[:, 0], data[:, 1]
    s2, x2 = s[(s > 1.05) & (s < 1.2)], x[(s > 1.05) & (s < 1.2)]  # stable 2-cycle region
    assert np.all(np.abs(x[s < 0.95] - 1) < 1e-9)  # converged to σ/λ (multiplier |1-2s| <= 0.9)
    # stable 2-cycle: every point on the closed form (period_two_orbit() at σ = λ = 1), none at 1
    w_lo = ((1 + s2) - np.sqrt((s2 - 1) * (s2 + 3))) / (2 * s2)
    w_hi = ((1 + s2) + np.sqrt((s2 - 1) * (s2 + 3))) / (2 * s2)
    near = np.minimum(np.abs(x2 - w_lo), np.abs(x2 - w_hi))
    assert near.max() < 1e-6  # cycle multiplier 7-4s-2s² in (-0.6, 0.6): converged after 2000 steps
    assert np.ptp(x[s > 1.6]) > 1  # negative control: past √5 − 1 the iterates spread out


def test_sheet_section_uses_verified_derivations():
    """The formula-sheet section shows the derived objects (no retyped formulas) and they verify."""
    from symdyn.derive.poincare import flow_poincare_function
    from symdyn.output.sheet import SECTIONS, _regimes

    assert _regimes in SECTIONS
    sec = _regimes()  # only this section: build() would render the whole sheet
    by = {item.label: item.make() for item in sec.entries}
    assert by["regime-period-two"].rhs == R.period_two_orbit().expr and R.period_two_orbit().verified
    assert by["regime-sigma0"].rhs == sp.Rational(3, 2) and by["regime-sigma0"].claim == "E9"
    assert by["psi-flow"].rhs == flow_poincare_function().expr
    for d in (R.fixed_points(), R.multipliers(), R.cycle_multiplier(), R.zero_mode_bound(), R.linear_thresholds()):
        assert d.verified, d.residuals
