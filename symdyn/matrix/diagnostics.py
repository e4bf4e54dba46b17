"""How far data are from Assumption 1: the diagnostics Δx and Δxy (docs/conventions.md, paper eq 27).

Assumption 1 asks for Σx = U(Dx + B)Uᵀ and Σxy = U Dxy Vᵀ with U, V orthogonal, Dx, Dxy
diagonal and ‖B‖₂ ≤ ε. The two numbers (the reading of eq 27 that makes 0 the "holds"
value, erratum E13 (docs/conventions.md)):

* Δx = ½ ‖Σx/‖Σx‖_F − I/√d‖_F²  — how far Σx is from a multiple of I (0 for Σx ∝ I);
* Δxy = ‖offdiag(UᵀΣxU)‖_F / ‖Σx‖_F — how far the singular vectors U of Σxy are from
  diagonalising Σx (0 under Assumption 1 with ε = 0).

When rank Σxy = r_xy < d the SVD fixes only r_xy columns of U and Δxy depends on how the
rest is completed. ``completion`` selects it:

* ``"complement"`` (default, docs/conventions.md): the eigenvectors of the compressed block CᵀΣxC on the
  orthogonal complement C of range(Σxy) — the completion that makes Δxy = 0 whenever some
  U of Assumption 1 exists (with distinct σ);
* ``"lapack"``: the trailing columns of LAPACK's full U (``numpy.linalg.svd``), arbitrary;
* ``"block"``: no completion; the off-diagonal mass of the r_xy × r_xy block U_rᵀΣxU_r alone.

>>> import numpy as np
>>> delta_x(np.eye(3))
0.0
>>> sx = np.diag([3.0, 2.0, 1.0]); sxy = np.diag([1.0, 0.5, 0.0])
>>> round(delta_xy(sx, sxy), 12), round(delta_xy(sx + 0.1 * np.ones((3, 3)), sxy), 3)
(0.0, 0.063)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

COMPLETIONS = ("complement", "lapack", "block")

#: Δxy above this triggers :class:`Assumption1Warning` in :func:`check_assumption1`.
DEFAULT_WARN_THRESHOLD = 0.05


class Assumption1Warning(UserWarning):
    """The data are far from Assumption 1: the per-mode (scalar) theory does not describe them."""


def _check_moments(sx: np.ndarray, sxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sx = np.asarray(sx, dtype=float)
    sxy = np.asarray(sxy, dtype=float)
    if sx.ndim != 2 or sx.shape[0] != sx.shape[1]:
        raise ValueError(f"Sigma_x must be a square d x d matrix, got shape {sx.shape}")
    if sxy.ndim != 2 or sxy.shape[0] != sx.shape[0]:
        raise ValueError(f"Sigma_xy must be d x p with d = {sx.shape[0]}, got shape {sxy.shape}")
    if not (np.all(np.isfinite(sx)) and np.all(np.isfinite(sxy))):
        raise ValueError("Sigma_x and Sigma_xy must be finite (no nan/inf)")
    if not np.allclose(sx, sx.T, rtol=0, atol=1e-12 * max(1.0, np.abs(sx).max())):
        raise ValueError("Sigma_x must be symmetric (it is X^T X / n)")
    return sx, sxy


def numerical_rank(s: np.ndarray, shape: tuple[int, int]) -> int:
    """The rank numpy's ``matrix_rank`` uses: singular values above max(shape)·eps·s_max."""
    if s.size == 0 or s[0] == 0:
        return 0
    return int(np.sum(s > max(shape) * np.finfo(float).eps * s[0]))


@dataclass(frozen=True)
class Basis:
    """The singular basis of Σxy adapted to Σx (Assumption 1's U, V and the per-mode σ, λ).

    ``U`` is d × d (``"block"``: d × r_xy), ``V`` is p × p (its first r_xy columns pair with
    U's), ``sigma`` the singular values in decreasing order (zeros past r_xy), ``lam`` the
    curvatures λ_i = u_iᵀΣx u_i in the same (σ-)order.
    """

    U: np.ndarray
    V: np.ndarray
    sigma: np.ndarray
    lam: np.ndarray
    rank: int
    completion: str


def adapted_basis(sx: np.ndarray, sxy: np.ndarray, completion: str = "complement") -> Basis:
    """U, V of Assumption 1 from the SVD of Σxy, completed as ``completion`` says (module doc)."""
    if completion not in COMPLETIONS:
        raise ValueError(f"completion must be one of {', '.join(COMPLETIONS)}, got {completion!r}")
    sx, sxy = _check_moments(sx, sxy)
    U_full, s, Vt = np.linalg.svd(sxy, full_matrices=True)
    r = numerical_rank(s, sxy.shape)
    d = sx.shape[0]
    if completion == "block":
        U = U_full[:, :r]
    elif completion == "lapack" or r == d:
        U = U_full
    else:
        C = U_full[:, r:]
        _, E = np.linalg.eigh(C.T @ sx @ C)
        U = np.concatenate([U_full[:, :r], C @ E[:, ::-1]], axis=1)
    sigma = np.zeros(U.shape[1])
    sigma[:min(r, sigma.size)] = s[:r][:sigma.size]
    lam = np.einsum("ij,ik,kj->j", U, sx, U)
    return Basis(U, Vt.T, sigma, lam, r, completion)


def delta_x(sx: np.ndarray) -> float:
    """Δx = ½ ‖Σx/‖Σx‖_F − I/√d‖_F² (docs/conventions.md; 0 iff Σx ∝ I)."""
    sx = np.asarray(sx, dtype=float)
    if sx.ndim != 2 or sx.shape[0] != sx.shape[1]:
        raise ValueError(f"Sigma_x must be a square matrix, got shape {sx.shape}")
    norm = np.linalg.norm(sx)
    if norm == 0:
        raise ValueError("Sigma_x is zero: the data have no variance")
    d = sx.shape[0]
    return float(0.5 * np.linalg.norm(sx / norm - np.eye(d) / np.sqrt(d)) ** 2)


def offdiag_norm(M: np.ndarray) -> float:
    """‖M − diag(M)‖_F (M rectangular allowed)."""
    M = np.asarray(M, dtype=float)
    off = M.copy()
    n = min(M.shape)
    off[np.arange(n), np.arange(n)] = 0.0
    return float(np.linalg.norm(off))


def delta_xy(sx: np.ndarray, sxy: np.ndarray, completion: str = "complement") -> float:
    """Δxy = ‖offdiag(UᵀΣxU)‖_F / ‖Σx‖_F with U from :func:`adapted_basis` (docs/conventions.md)."""
    b = adapted_basis(sx, sxy, completion)
    norm = np.linalg.norm(sx)
    if norm == 0:
        raise ValueError("Sigma_x is zero: the data have no variance")
    return offdiag_norm(b.U.T @ np.asarray(sx, dtype=float) @ b.U) / float(norm)


def moments(X: np.ndarray, Y: np.ndarray, center: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(Σx, Σxy) = (XᵀX/n, XᵀY/n) (docs/conventions.md); ``center`` subtracts the column means first."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2:
        raise ValueError(f"X and Y must be 2-d arrays (n x d, n x p), got shapes {X.shape}, {Y.shape}")
    if X.shape[0] != Y.shape[0] or X.shape[0] == 0:
        raise ValueError(f"X and Y need the same number n >= 1 of rows, got {X.shape[0]} and {Y.shape[0]}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("X and Y must be finite (no nan/inf); drop or impute missing values first")
    if center:
        X = X - X.mean(axis=0)
        Y = Y - Y.mean(axis=0)
    n = X.shape[0]
    return X.T @ X / n, X.T @ Y / n


def check_assumption1(sx: np.ndarray, sxy: np.ndarray,
                      threshold: float = DEFAULT_WARN_THRESHOLD) -> float:
    """Return Δxy (complement completion); warn with :class:`Assumption1Warning` if above ``threshold``.

    For the data layer (CLI, loaders): the math modules themselves never warn.
    """
    value = delta_xy(sx, sxy)
    if value > threshold:
        warnings.warn(
            f"data far from Assumption 1: Delta_xy = {value:.3g} > {threshold:g}; the per-mode "
            "(scalar) dynamics do not describe this matrix run (docs/conventions.md)",
            Assumption1Warning, stacklevel=2)
    return value
