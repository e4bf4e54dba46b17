"""The derived dynamics against the SPEC's forms and against independent numerics."""

import numpy as np
import pytest
import sympy as sp

from symdyn.derive.dynamics import (
    balanced_factor_map,
    conserved_quantities,
    factor_flow,
    product_map,
    product_ode,
)
from symdyn.model import symbols as S
from symdyn.model.serialize import parse

W, SIG, LAM, ETA = S.w, S.sigma, S.lam, S.eta


@pytest.mark.parametrize(
    "depth, expected",
    [  # SPEC §2 "Scalar flows": L = 1, L = 2 and general L
        (1, SIG - LAM * W),
        (2, 2 * W * (SIG - LAM * W)),
        (3, 3 * W ** sp.Rational(4, 3) * (SIG - LAM * W)),
        (4, 4 * W ** sp.Rational(3, 2) * (SIG - LAM * W)),
    ],
)
def test_product_ode_matches_spec(depth, expected):
    d = product_ode(depth)
    assert d.verified
    assert sp.expand(d.expr - expected) == 0


@pytest.mark.parametrize(
    "depth, expected",
    [  # SPEC §2 "Scalar GD maps"
        (1, W + ETA * (SIG - LAM * W)),
        (2, W * (1 + ETA * (SIG - LAM * W)) ** 2),
        (3, W * (1 + ETA * W ** sp.Rational(1, 3) * (SIG - LAM * W)) ** 3),
    ],
)
def test_product_map_matches_spec(depth, expected):
    d = product_map(depth)
    assert d.verified
    assert sp.expand(d.expr - expected) == 0


def test_two_layer_map_is_structurally_the_spec_string():
    # the acceptance string, parsed with symdyn's symbols
    parsed = parse("w*(1 + eta*(sigma - lambda*w))**2")
    assert product_map(2).expr == parsed


def test_per_factor_map_is_eq22():
    # SPEC E6: eq (22) is the per-factor recursion a+ = a + eta a (sigma - lambda a^2)
    a = sp.Symbol("a", positive=True)
    assert sp.expand(balanced_factor_map(2).expr - (a + ETA * a * (SIG - LAM * a**2))) == 0


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_conserved_quantities(depth):
    qs = conserved_quantities(depth)
    assert len(qs) == depth * (depth - 1) // 2
    assert all(q.verified for q in qs)


def test_conservation_negative_control():
    # a_1^2 + a_2^2 is NOT conserved: the same residual machinery must see that
    a1, a2 = S.factors(2)
    flow = dict(zip((a1, a2), factor_flow(2), strict=True))
    dq = sp.expand(sum(sp.diff(a1**2 + a2**2, x) * flow[x] for x in (a1, a2)))
    assert dq != 0


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_product_map_against_numpy_factor_gd(depth):
    """Independent check: numpy GD on the factors (gradient written by hand) vs the derived map."""
    rng = np.random.default_rng(depth)
    G = sp.lambdify((W, SIG, LAM, ETA), product_map(depth).expr, "numpy")
    for _ in range(20):
        s, l, eta = rng.uniform(0.1, 2), rng.uniform(0.1, 2), rng.uniform(0.01, 0.3)
        a = np.full(depth, rng.uniform(0.05, 0.9))
        p = np.prod(a)
        grad = (l * p - s) * p / a  # d/da_i of ½λp² − σp
        a_next = a - eta * grad
        # 1e-12: a handful of float64 operations on O(1) numbers
        assert np.prod(a_next) == pytest.approx(G(p, s, l, eta), rel=1e-12)


def test_two_layer_matrix_gd_reduces_to_scalar_map():
    """Matrix GD on (W1, W2) with diagonal Σx, Σxy and a balanced diagonal start vs the scalar map."""
    sig = np.array([1.0, 0.5, 0.2])
    lam = np.array([1.5, 0.7, 0.4])
    Sx, Sxy = np.diag(lam), np.diag(sig)
    eta = 0.2
    W1 = W2 = np.diag(np.full(3, 1e-2))
    G = sp.lambdify((W, SIG, LAM, ETA), product_map(2).expr, "numpy")
    w = np.diag(W1 @ W2).copy()
    for _ in range(50):
        grad = Sx @ W1 @ W2 - Sxy
        W1, W2 = W1 - eta * grad @ W2.T, W2 - eta * W1.T @ grad
        w = G(w, sig, lam, eta)
    # 1e-12: 50 steps of a contraction, rounding only
    np.testing.assert_allclose(np.diag(W1 @ W2), w, rtol=1e-12)
    assert np.abs(W1 @ W2 - np.diag(np.diag(W1 @ W2))).max() == 0.0


def test_bad_depth():
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        product_ode(0)
