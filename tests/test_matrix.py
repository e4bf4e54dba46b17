"""Matrix dynamics against the scalar theory (SPEC §2 "Matrix forms", E4, E12)."""

import numpy as np
import pytest

from symdyn.matrix.dynamics import (
    flow,
    linear_flow_closed_form,
    linear_gd,
    linear_gd_closed_form,
    non_orthogonal,
    per_mode_check,
    perturbation_ratios,
    random_orthogonal,
    spectral_init,
    two_layer_gd,
)


def assumption1(d=5, p=4, seed=0):
    """Σx = U diag(λ) Uᵀ, Σxy = U diag(σ) Vᵀ with Haar-random U, V (Assumption 1, ε = 0)."""
    rng = np.random.default_rng(seed)
    U, V = random_orthogonal(d, rng), random_orthogonal(p, rng)
    lam = np.array([2.0, 1.5, 1.0, 0.5, 0.3])[:d]
    sig = np.array([1.0, 0.6, 0.3, 0.1])[:min(d, p)]
    return U @ np.diag(lam) @ U.T, U @ np.eye(d, p) @ np.diag(sig) @ V.T


@pytest.mark.parametrize("init", ["layer", "product"])
@pytest.mark.parametrize("orthogonal_q", [False, True])
def test_two_layer_gd_reduces_per_mode(init, orthogonal_q):
    sx, sxy = assumption1()
    Q = random_orthogonal(4, np.random.default_rng(1)) if orthogonal_q else None
    (W1, W2), b = spectral_init(sx, sxy, 4.0, init=init, Q=Q)
    run = two_layer_gd(sx, sxy, W1, W2, eta=0.2, steps=2000, record=np.arange(0, 2001, 10), init=init)
    chk = per_mode_check(sx, sxy, run, 4.0, b)
    # 2000 float64 steps of 5x4 matmuls: rounding ~ k * eps ~ 4e-13 worst case
    assert chk.max_error < 1e-12
    assert chk.max_offdiag < 1e-12
    assert chk.scalar[-1, 0] == pytest.approx(1.0 / 2.0, rel=1e-9)  # mode 1 reached σ/λ = 1/2


def test_non_orthogonal_q_breaks_reduction():
    """SPEC E4 negative control: the paper's "arbitrary invertible Q" does not reduce per mode."""
    sx, sxy = assumption1()
    Q = non_orthogonal(4, np.random.default_rng(2))
    (W1, W2), b = spectral_init(sx, sxy, 4.0, Q=Q)
    assert np.allclose(W1 @ W2, spectral_init(sx, sxy, 4.0)[0][0] @ spectral_init(sx, sxy, 4.0)[0][1])
    run = two_layer_gd(sx, sxy, W1, W2, eta=0.2, steps=2000, record=np.arange(0, 2001, 10))
    chk = per_mode_check(sx, sxy, run, 4.0, b)
    # same product at k = 0, yet the run leaves the diagonal: off-diagonal mass is O(1), not rounding
    assert chk.offdiag[0] < 1e-14
    assert chk.max_offdiag > 1e-2
    assert chk.max_error > 1e-2


def test_linear_gd_reduces_per_mode():
    sx, sxy = assumption1()
    (W0,), b = spectral_init(sx, sxy, 3.0, depth=1)
    run = linear_gd(sx, sxy, W0, eta=0.3, steps=300)
    chk = per_mode_check(sx, sxy, run, 3.0, b)
    assert chk.max_error < 1e-12 and chk.max_offdiag < 1e-12  # rounding only (300 steps)


def test_two_layer_flow_matches_closed_form():
    """solve_ivp on (W1, W2) against the derived scalar closed form (flow_closed_form(2))."""
    sx, sxy = assumption1()
    (W1, W2), b = spectral_init(sx, sxy, 2.0)
    run = flow(sx, sxy, (W1, W2), np.linspace(0.0, 15.0, 16))
    chk = per_mode_check(sx, sxy, run, 2.0, b)
    # DOP853 with rtol 1e-11: global error ~1e-10 on this horizon
    assert chk.max_error < 1e-8
    assert chk.max_offdiag < 1e-8


def test_linear_gd_closed_form_power_on_the_left():
    """Eq 21 corrected (SPEC E12): the power multiplies on the LEFT; the printed right power is wrong."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 4))
    Y = X @ rng.standard_normal((4, 4)) + 0.1 * rng.standard_normal((50, 4))
    sx, sxy = X.T @ X / 50, X.T @ Y / 50
    W0 = 0.1 * rng.standard_normal((4, 4))
    eta, k = 0.2, 40
    it = linear_gd(sx, sxy, W0, eta, k).products[-1]
    left = linear_gd_closed_form(sx, sxy, W0, eta, k)
    assert np.abs(it - left).max() < 1e-12  # 40 steps of rounding
    Ws = np.linalg.solve(sx, sxy)
    right = Ws + (W0 - Ws) @ np.linalg.matrix_power(np.eye(4) - eta * sx, k)
    assert np.abs(it - right).max() > 1e-3  # negative control: the printed form


def test_linear_flow_prop1_against_solve_ivp():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((40, 3)), rng.standard_normal((40, 2))
    sx, sxy = X.T @ X / 40, X.T @ Y / 40
    W0 = 0.01 * rng.standard_normal((3, 2))
    run = flow(sx, sxy, (W0,), np.array([0.0, 0.5, 3.0]))
    for t, W in zip(run.times, run.products, strict=True):
        assert np.abs(W - linear_flow_closed_form(sx, sxy, W0, t)).max() < 1e-9  # rtol 1e-11


def test_perturbation_is_order_epsilon():
    """‖W^ε − W^0‖/ε stays O(1) as ε → 0 on bounded time (Grönwall, SPEC §2)."""
    sx, sxy = assumption1()
    B = np.random.default_rng(5).standard_normal((5, 5))
    eps = (1e-2, 1e-3, 1e-4)
    ratios = perturbation_ratios(sx, sxy, B, eps, eta=0.2, steps=300, delta=4.0)
    r = np.array([ratios[e] for e in eps])
    assert np.all(r > 1e-3) and np.all(r < 10)  # nonzero and bounded
    # the ratio converges (to the derivative): consecutive ratios within 5 %
    assert np.all(np.abs(r[1:] / r[:-1] - 1) < 0.05)
    # fitted order of ‖W^ε − W^0‖ in ε: 1 (rounding at ε = 1e-4 is ~1e-12 relative, far below)
    slope = np.polyfit(np.log(eps), np.log(r * np.array(eps)), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.02)


def test_bad_input():
    sx, sxy = assumption1()
    with pytest.raises(ValueError, match="eta"):
        two_layer_gd(sx, sxy, np.eye(5, 4), np.eye(4), eta=-1, steps=3)
    with pytest.raises(ValueError, match="shapes"):
        two_layer_gd(sx, sxy, np.eye(5, 3), np.eye(4), eta=0.1, steps=3)
    with pytest.raises(ValueError, match="diverged"):
        two_layer_gd(sx, sxy, 3 * np.eye(5, 4), 3 * np.eye(4), eta=5.0, steps=200)
    with pytest.raises(ValueError, match="symmetric"):
        spectral_init(np.triu(np.ones((5, 5))), sxy, 1.0)
