"""Reduced-rank regression (Reinsel & Velu Thm 2.2, SPEC §2, E10) and Assumption-1 diagnostics (E13)."""

import warnings

import numpy as np
import pytest

from symdyn.matrix.diagnostics import Assumption1Warning, check_assumption1, delta_x, delta_xy
from symdyn.matrix.dynamics import loss, random_orthogonal
from symdyn.matrix.rrr import assumption1_rrr, cor2_comparison, dynamics_limit, rrr, rrr_numeric


def random_data(seed=1, n=200, d=5, p=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) @ rng.standard_normal((d, d))
    Y = X @ rng.standard_normal((d, p)) + rng.standard_normal((n, p))
    return X.T @ X / n, X.T @ Y / n


@pytest.mark.parametrize("k", [1, 2])
def test_rrr_closed_form_against_numerical_minimisation(k):
    sx, sxy = random_data()
    W = rrr(sx, sxy, k)
    Wn, fn = rrr_numeric(sx, sxy, k, starts=3)
    assert np.linalg.matrix_rank(W) == k
    # L-BFGS to gtol 1e-10: loss to ~1e-12 relative; W (flat directions of a quadratic) to ~1e-6
    assert loss(sx, sxy, W) == pytest.approx(fn, rel=1e-9)
    assert np.abs(W - Wn).max() < 1e-5
    assert loss(sx, sxy, W) <= fn + 1e-12  # the closed form is never beaten
    # negative control: truncating the least-squares solution's SVD is not the optimum (Σx ≠ I)
    U, s, Vt = np.linalg.svd(np.linalg.solve(sx, sxy))
    naive = (U[:, :k] * s[:k]) @ Vt[:k]
    assert loss(sx, sxy, naive) > fn + 1e-6


def test_rrr_under_assumption1_is_the_top_sigma2_over_lambda_modes():
    rng = np.random.default_rng(2)
    U, V = random_orthogonal(4, rng), random_orthogonal(4, rng)
    lam, sig = np.array([10.0, 1.0, 1.0, 2.0]), np.array([2.0, 1.0, 0.5, 0.2])
    sx, sxy = U @ np.diag(lam) @ U.T, U @ np.diag(sig) @ V.T
    for k in (1, 2, 3):
        # closed form vs the Assumption-1 form: both exact up to eigh rounding
        assert np.abs(rrr(sx, sxy, k) - assumption1_rrr(sx, sxy, k)).max() < 1e-12


def test_cor2_counterexample_E10():
    """SPEC E10: σ = (2, 1, .5), λ = (10, 1, 1), k = 1: the dynamics' plateau −0.2, RRR −0.5."""
    sx, sxy = np.diag([10.0, 1.0, 1.0]), np.diag([2.0, 1.0, 0.5])
    c = cor2_comparison(sx, sxy, 1)
    # exact values: ½·10·(1/5)² − 2/5 = −1/5 and ½·1·1 − 1 = −1/2; float rounding only
    assert c.loss_dynamics == pytest.approx(-0.2, abs=1e-14)
    assert c.loss_rrr == pytest.approx(-0.5, abs=1e-14)
    assert not c.agree
    # with Σx = I both orders agree and Cor 2 holds (positive control)
    assert cor2_comparison(np.eye(3), sxy, 1).agree and cor2_comparison(np.eye(3), sxy, 2).agree
    assert np.allclose(dynamics_limit(np.eye(3), sxy, 2), np.diag([2.0, 1.0, 0.0]))


def test_delta_x():
    assert delta_x(np.eye(4)) == pytest.approx(0.0, abs=1e-15)  # Σx = I: 0 (SPEC E13 reading)
    assert delta_x(7.0 * np.eye(4)) == pytest.approx(0.0, abs=1e-15)
    # Σx = diag(1, 0): ½‖(1,0)/1 − (1,1)/√2‖² = ½[(1 − 1/√2)² + ½] = 1 − 1/√2
    assert delta_x(np.diag([1.0, 0.0])) == pytest.approx(1 - 2**-0.5, rel=1e-14)


def test_delta_xy_zero_under_assumption1_and_completion_dependence():
    rng = np.random.default_rng(3)
    U, V = random_orthogonal(6, rng), random_orthogonal(3, rng)
    sx = U @ np.diag([3.0, 2.5, 2.0, 1.5, 1.0, 0.5]) @ U.T
    sxy = U @ np.eye(6, 3) @ np.diag([1.0, 0.5, 0.2]) @ V.T  # rank 3 < d = 6
    # complement completion: 0 up to rounding (eps · cond ~ 1e-15)
    assert delta_xy(sx, sxy, "complement") < 1e-13
    assert delta_xy(sx, sxy, "block") < 1e-13
    # LAPACK's arbitrary completion does not diagonalise the complement block (E13)
    assert delta_xy(sx, sxy, "lapack") > 1e-3
    B = rng.standard_normal((6, 6))
    sx_eps = sx + 0.05 * U @ (B + B.T) @ U.T
    assert delta_xy(sx_eps, sxy) > 1e-3  # perturbed: measurably non-zero
    with pytest.warns(Assumption1Warning, match="Delta_xy"):
        check_assumption1(sx_eps, sxy, threshold=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_assumption1(sx, sxy)  # Assumption 1 holds: no warning
