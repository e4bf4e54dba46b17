"""Reduced-rank regression and the Cor 2 comparison (Reinsel & Velu 1998 Thm 2.2;
erratum E10, docs/conventions.md).

* Closed form (this orientation): the minimiser of f(W) = ½ tr(WᵀΣxW) − tr(WᵀΣxy) over rank ≤ k is
  W^{k,*} = Σx†Σxy V_k V_kᵀ with V_k the top-k eigenvectors of Σyx Σx† Σxy.
* Under Assumption 1 (ε = 0): W^{k,*} = Σ_{i∈S_k} (σ_i/λ_i) u_i v_iᵀ, S_k the k largest σ_i²/λ_i.
* The two-layer dynamics instead visit Σ_{i≤k} (σ_i/λ_i) u_i v_iᵀ (σ-order, Cor 2). They agree only
  when both orders pick the same top k; E10: σ = (2, 1, .5), λ = (10, 1, 1), k = 1 gives loss −0.2
  for the dynamics' limit against −0.5 for RRR.

>>> import numpy as np
>>> c = cor2_comparison(np.diag([10.0, 1.0, 1.0]), np.diag([2.0, 1.0, 0.5]), k=1)
>>> round(c.loss_dynamics, 12), round(c.loss_rrr, 12), c.agree
(-0.2, -0.5, False)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from symdyn.matrix.diagnostics import _check_moments, adapted_basis
from symdyn.matrix.dynamics import loss


def _check_rank(k: int, sxy: np.ndarray) -> int:
    if isinstance(k, bool) or int(k) != k or k < 0:
        raise ValueError(f"rank k must be an integer >= 0, got {k!r}")
    if k > min(sxy.shape):
        raise ValueError(f"rank k = {k} exceeds min(d, p) = {min(sxy.shape)}")
    return int(k)


def rrr(sx: np.ndarray, sxy: np.ndarray, k: int) -> np.ndarray:
    """W^{k,*} = Σx†Σxy V_k V_kᵀ (Reinsel & Velu Thm 2.2 in the orientation of docs/conventions.md)."""
    sx, sxy = _check_moments(sx, sxy)
    k = _check_rank(k, sxy)
    Ws = np.linalg.pinv(sx, hermitian=True) @ sxy
    _, E = np.linalg.eigh(sxy.T @ Ws)
    Vk = E[:, ::-1][:, :k]
    return Ws @ Vk @ Vk.T


def rrr_numeric(sx: np.ndarray, sxy: np.ndarray, k: int, starts: int = 5,
                seed: int = 0) -> tuple[np.ndarray, float]:
    """Minimise f(ABᵀ) over A ∈ R^{d×k}, B ∈ R^{p×k} by L-BFGS from ``starts`` random starts.

    An independent check of :func:`rrr`: returns the best W = ABᵀ and its loss.
    """
    sx, sxy = _check_moments(sx, sxy)
    k = _check_rank(k, sxy)
    d, p = sxy.shape
    rng = np.random.default_rng(seed)

    def fg(z):
        A, B = z[:d * k].reshape(d, k), z[d * k:].reshape(p, k)
        W = A @ B.T
        G = sx @ W - sxy
        return loss(sx, sxy, W), np.concatenate([(G @ B).ravel(), (G.T @ A).ravel()])

    best = None
    for _ in range(starts):
        z0 = rng.standard_normal((d + p) * k)
        res = minimize(fg, z0, jac=True, method="L-BFGS-B",
                       options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
        if best is None or res.fun < best.fun:
            best = res
    A, B = best.x[:d * k].reshape(d, k), best.x[d * k:].reshape(p, k)
    return A @ B.T, float(best.fun)


def mode_sum(sx: np.ndarray, sxy: np.ndarray, modes: np.ndarray) -> np.ndarray:
    """Σ_{i∈modes} (σ_i/λ_i) u_i v_iᵀ in the Assumption-1 basis (modes indexed in σ-order)."""
    b = adapted_basis(sx, sxy)
    W = np.zeros(np.asarray(sxy).shape)
    for i in modes:
        if b.lam[i] <= 0:
            raise ValueError(f"mode {i} has lambda = {b.lam[i]:g} <= 0: sigma/lambda is undefined")
        W += (b.sigma[i] / b.lam[i]) * np.outer(b.U[:, i], b.V[:, i])
    return W


def assumption1_rrr(sx: np.ndarray, sxy: np.ndarray, k: int) -> np.ndarray:
    """Under Assumption 1: Σ_{i∈S_k} (σ_i/λ_i) u_i v_iᵀ, S_k the k largest σ_i²/λ_i (docs/conventions.md)."""
    b = adapted_basis(sx, sxy)
    k = _check_rank(k, np.asarray(sxy))
    r = b.rank
    score = b.sigma[:r] ** 2 / b.lam[:r]
    return mode_sum(sx, sxy, np.argsort(-score, kind="stable")[:min(k, r)])


def dynamics_limit(sx: np.ndarray, sxy: np.ndarray, k: int) -> np.ndarray:
    """Cor 2: the matrix the two-layer dynamics visit for 1/σ_k < τ < 1/σ_{k+1}: Σ_{i≤k}(σ_i/λ_i)u_i v_iᵀ."""
    b = adapted_basis(sx, sxy)
    k = _check_rank(k, np.asarray(sxy))
    return mode_sum(sx, sxy, np.arange(min(k, b.rank)))


@dataclass(frozen=True)
class Cor2Comparison:
    """Loss of the dynamics' rank-k plateau against the rank-k RRR optimum."""

    k: int
    loss_dynamics: float
    loss_rrr: float
    distance: float

    @property
    def agree(self) -> bool:
        """True when the plateau is the RRR solution (losses equal to 1e-10 relative)."""
        return abs(self.loss_dynamics - self.loss_rrr) <= 1e-10 * max(1.0, abs(self.loss_rrr))


def cor2_comparison(sx: np.ndarray, sxy: np.ndarray, k: int) -> Cor2Comparison:
    """Compare :func:`dynamics_limit` with :func:`rrr` (erratum E10, docs/conventions.md)."""
    Wd, Wr = dynamics_limit(sx, sxy, k), rrr(sx, sxy, k)
    return Cor2Comparison(k, loss(sx, sxy, Wd), loss(sx, sxy, Wr), float(np.linalg.norm(Wd - Wr)))
