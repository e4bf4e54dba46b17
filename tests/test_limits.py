"""Flow and GD limits built on the engine: Cor 1, Cor 2, half-time, T^η (SPEC §2 and errata)."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from symdyn.asymptotics.engine import evaluate_at
from symdyn.asymptotics.limits import (
    frobenius_limit,
    gd_limit,
    gd_transition,
    gd_transition_series,
    half_time,
    linearisation,
    printed_half_time,
    visited_matrix,
)
from symdyn.model import symbols as S
from symdyn.model.core import Model


def test_cor1_frobenius_limit_values():
    # autoencoder Σx = Σxy = diag(.1, .01, .001) (SPEC §4 Fig 1): σ_i = λ_i, plateaus 0, 1, 2, 3 (E11)
    sig = ["1/10", "1/100", "1/1000"]
    r = frobenius_limit(sig, sig)
    assert r.transitions == (10, 100, 1000)
    for tau, plateau in ((5, 0), (50, 1), (500, 2), (5000, 3)):
        assert evaluate_at(r.expr, tau) == plateau
    # at τ = 1/σ_i the new mode contributes σ²/(σ+λ)² = 1/4 (SPEC §2, Cor 1)
    assert r.boundary_values == (sp.Rational(1, 4), sp.Rational(5, 4), sp.Rational(9, 4))


def test_cor1_symbolic_modes_sum_of_piecewise():
    r = frobenius_limit(2)
    assert isinstance(r.expr, sp.Add) and all(isinstance(a, sp.Piecewise) for a in r.expr.args)
    s1, s2 = sp.symbols("sigma_1:3", positive=True)
    l1, l2 = sp.symbols("lambda_1:3", positive=True)
    # under σ1 > σ2: at τ = 1/σ2 mode 1 is learned, mode 2 is half-way (SPEC §2, Cor 1)
    assert sp.simplify(r.boundary_values[1] - (s1**2 / l1**2 + s2**2 / (s2 + l2) ** 2)) == 0


def test_cor1_against_mpmath_at_large_delta():
    sig, lam = [2, 1, sp.Rational(1, 2)], [10, 1, 1]
    r = frobenius_limit(sig, lam)
    ctx = mpmath.MPContext()
    ctx.dps = 400  # resolves the e^{-2δ}-sized terms at δ = 200
    delta = 200
    for tau in (sp.Rational(3, 10), sp.Rational(1, 2), sp.Rational(3, 4), 1, sp.Rational(3, 2), 2, 3):
        w0, t = ctx.exp(-2 * delta), delta * ctx.mpf(tau)
        exact = sum((s * w0 / ((s - l * w0) * ctx.exp(-2 * s * t) + l * w0)) ** 2  # SPEC §2 closed form
                    for s, l in ((ctx.mpf(a), ctx.mpf(b)) for a, b in zip(sig, lam, strict=True)))
        # nearest transition is ≥ 25% away in τ·σ: distance ≤ e^{-2δ·0.25}·(σ/λ)² ≪ 1e-20
        assert abs(exact - ctx.mpf(evaluate_at(r.expr, tau))) < 1e-20


def test_cor2_spec_e10_example():
    # SPEC E10: σ = (2, 1, .5), λ = (10, 1, 1): the rank-1 plateau has loss −0.2, the RRR optimum −0.5
    v = visited_matrix(1, [2, 1, "1/2"], [10, 1, 1])
    assert v.diagonal == (sp.Rational(1, 5), 0, 0)
    assert v.loss == sp.Rational(-1, 5) and v.rrr_loss == sp.Rational(-1, 2)
    assert v.rrr_condition == sp.false
    # when σ-order and σ²/λ-order agree (Σx ∝ I), the visited matrix is the RRR solution
    w = visited_matrix(2, [3, 2, 1], [1, 1, 1])
    assert w.rrr_condition == sp.true and w.diagonal == w.rrr_diagonal == (3, 2, 0)


def test_cor2_symbolic_condition():
    v = visited_matrix(1, 3)
    s = sp.symbols("sigma_1:4", positive=True)
    l = sp.symbols("lambda_1:4", positive=True)
    assert v.diagonal == (s[0] / l[0], 0, 0)
    top = s[0] ** 2 / l[0]
    assert v.rrr_condition == sp.And(top >= s[1] ** 2 / l[1], top >= s[2] ** 2 / l[2])
    with pytest.raises(ValueError, match="decreasing"):
        visited_matrix(1, [1, 2], [1, 1])


def test_half_time_exact_and_against_solve_ivp():
    d = half_time()
    target = S.delta / S.sigma + sp.log(S.sigma / S.lam - sp.exp(-2 * S.delta)) / (2 * S.sigma)
    assert d.verified and sp.simplify(d.expr - target) == 0  # SPEC §2 / erratum E5
    # independent: integrate ẇ = 2w(σ − λw) from e^{-2δ} (scipy), event w = σ/(2λ)
    sigma, lam, delta = 0.5, 2.0, 3.0
    ev = lambda t, w: w[0] - sigma / (2 * lam)  # noqa: E731
    ev.terminal = True
    sol = solve_ivp(lambda t, w: 2 * w * (sigma - lam * w), (0, 100), [np.exp(-2 * delta)],
                    events=ev, rtol=1e-12, atol=1e-300)
    exact = float(d.expr.subs({S.sigma: sigma, S.lam: lam, S.delta: delta}))
    assert abs(sol.t_events[0][0] - exact) < 1e-8  # rtol 1e-12 on a time of order 10
    # the printed eq (17) is negative for σ < 1 (E5): a claim the checker can refute
    assert printed_half_time().expr.subs({S.sigma: sp.Rational(1, 2), S.delta: 3}) < 0


def test_gd_transition_and_series():
    assert linearisation().expr == (1 + S.eta * S.sigma) ** 2 and linearisation().verified
    assert gd_transition().expr == S.eta / sp.log(1 + S.eta * S.sigma)
    assert gd_transition("product").expr == S.eta / (2 * sp.log(1 + S.eta * S.sigma))
    s = gd_transition_series(5)
    # x/ln(1+x) = 1 + x/2 − x²/12 + x³/24 − 19x⁴/720 (Gregory coefficients, OEIS A002206/A002207)
    gregory = [1, sp.Rational(1, 2), sp.Rational(-1, 12), sp.Rational(1, 24), sp.Rational(-19, 720)]
    expected = sum(g * S.eta**n * S.sigma ** (n - 1) for n, g in enumerate(gregory))
    assert s.verified and sp.expand(s.expr - expected) == 0
    # T^η decreases in σ: modes are learned in σ-order for every η (SPEC §2)
    assert sp.diff(gd_transition().expr, S.sigma).subs({S.eta: sp.Rational(1, 3), S.sigma: 2}) < 0


def test_gd_limit_piecewise_and_no_limit_at_transition():
    r = gd_limit(Model(depth=2))
    assert r.transitions == (S.eta / sp.log(1 + S.eta * S.sigma),)
    assert r.boundary_values == (None,)
    assert evaluate_at(r.expr.subs({S.sigma: 1, S.lam: 2, S.eta: sp.Rational(1, 10)}), 5) == sp.Rational(1, 2)
    assert any("2*eta*sigma <= 1" in a for a in r.assumptions)
    # beyond the step-size condition the piece above T^η is left undecided, not guessed
    bad = gd_limit(Model(depth=2, sigma=1, lam=1, eta="9/10"))
    assert bad.undecided and evaluate_at(bad.expr, sp.Rational(1, 10)) == 0


def _tau_half(ctx, sigma, lam, eta, delta):
    """η k_{1/2}/δ from the GD map iterated in mpmath, k_{1/2} interpolated in log w."""
    w, k, half = ctx.exp(-2 * delta), 0, sigma / (2 * lam)
    while w < half:
        prev, w, k = w, w * (1 + eta * (sigma - lam * w)) ** 2, k + 1
    frac = (ctx.log(half) - ctx.log(prev)) / (ctx.log(w) - ctx.log(prev))
    return eta * (k - 1 + frac) / delta


@pytest.mark.parametrize("sigma,lam,eta", [(1, 1, "0.1"), ("0.5", 2, "0.5"),
                                           pytest.param(2, 1, "0.2", marks=pytest.mark.slow),
                                           pytest.param(1, 3, "0.25", marks=pytest.mark.slow)])
def test_gd_transition_against_iteration(sigma, lam, eta):
    ctx = mpmath.MPContext()
    ctx.dps = 30  # the map is iterated ~2000 times; mpmath exponents cover w0 = e^{-400}
    s, l, e = (ctx.mpf(sp.Rational(x)) for x in (sigma, lam, eta))
    T_exact = gd_transition().expr.subs({S.eta: sp.Rational(eta), S.sigma: sp.Rational(sigma)})
    T = ctx.mpf(str(sp.N(T_exact, 40)))
    errors = [abs(_tau_half(ctx, s, l, e, d) - T) for d in (25, 50, 100, 200)]
    # η k_{1/2} = (2δ + O(1))/ln μ · η, so the gap is C/δ: it halves when δ doubles (0.4..0.6)
    ratios = [b / a for a, b in zip(errors, errors[1:], strict=False)]
    assert all(0.4 < q < 0.6 for q in ratios), ratios
    # negative control: the flow's 1/σ is not the GD transition (gap ≫ the remaining error)
    assert abs(_tau_half(ctx, s, l, e, 200) - 1 / s) > 5 * errors[-1]


def test_float_parameters_stay_their_exact_binary_value():
    # regression (issue #13): nsimplify turned sigma = 1.4142135623730951 into sqrt(2)
    from fractions import Fraction

    from symdyn.asymptotics.limits import mode_limits

    s = 1.4142135623730951
    lims = mode_limits([s, 1])
    exact = sp.Rational(*Fraction(s).as_integer_ratio())
    assert lims[0].transitions[0] == 1 / exact and not lims[0].transitions[0].has(sp.sqrt(2))
    assert exact != sp.sqrt(2)   # negative control: the binary value is not sqrt(2)
