"""Matrix-level dynamics of the linear model W and the two-layer network (W1, W2) (docs/conventions.md "Matrix forms").

Float64 numpy throughout: this is the simulation the scalar theory must describe.

* Loss f(W) = ½ tr(WᵀΣxW) − tr(WᵀΣxy) (+ const), gradient ∇_W f = ΣxW − Σxy (docs/conventions.md).
* Linear GD W⁺ = W − η(ΣxW − Σxy); closed form (eq 21 corrected, erratum E12 (docs/conventions.md): the power is on the
  LEFT) W_k = Σx†Σxy + (I − ηΣx)^k (W0 − Σx†Σxy). Linear flow (Prop 1)
  W(t) = e^{−tΣx}(W0 − Σx†Σxy) + Σx†Σxy.
* Two-layer GD W1⁺ = W1 − η(ΣxW − Σxy)W2ᵀ, W2⁺ = W2 − ηW1ᵀ(ΣxW − Σxy), W = W1W2; the flow is the
  same vector field, integrated by ``scipy.integrate.solve_ivp``.
* Spectral init (Thm 1): W1 = U M Q, W2 = Q⁻¹ N Vᵀ, M, N rectangular diagonal. With ε = 0 and Q
  orthogonal the run stays U diag(w_i) Vᵀ and each w_i follows the scalar map / flow of
  :mod:`symdyn.dynamics`; a non-orthogonal Q breaks that (erratum E4, docs/conventions.md), which
  :func:`per_mode_check` measures as off-diagonal mass.

>>> import numpy as np
>>> sx, sxy = np.diag([2.0, 1.0]), np.diag([1.0, 0.5])
>>> (W1, W2), b = spectral_init(sx, sxy, delta=3.0)
>>> run = two_layer_gd(sx, sxy, W1, W2, eta=0.1, steps=400)
>>> chk = per_mode_check(sx, sxy, run, delta=3.0, basis=b)
>>> bool(chk.max_error < 1e-12), bool(chk.max_offdiag < 1e-12)
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.integrate import solve_ivp

from symdyn.derive.closed_forms import flow_closed_form
from symdyn.derive.dynamics import product_map
from symdyn.matrix.diagnostics import Basis, _check_moments, adapted_basis, offdiag_norm
from symdyn.model import symbols as S
from symdyn.model.checks import init_exponent
from symdyn.numeric import to_numpy

# ---------------------------------------------------------------- loss, gradient, fixed point


def loss(sx: np.ndarray, sxy: np.ndarray, W: np.ndarray) -> float:
    """f(W) = ½ tr(WᵀΣxW) − tr(WᵀΣxy), the loss up to the constant ‖Y‖²/2n (docs/conventions.md)."""
    return float(0.5 * np.sum(W * (sx @ W)) - np.sum(W * sxy))


def gradient(sx: np.ndarray, sxy: np.ndarray, W: np.ndarray) -> np.ndarray:
    """∇_W f = ΣxW − Σxy."""
    return sx @ W - sxy


def least_squares(sx: np.ndarray, sxy: np.ndarray) -> np.ndarray:
    """W* = Σx†Σxy; needs range(Σxy) ⊆ range(Σx) (automatic for moments of data)."""
    sx, sxy = _check_moments(sx, sxy)
    W = np.linalg.pinv(sx, hermitian=True) @ sxy
    scale = max(1.0, float(np.abs(sxy).max()))
    if np.abs(sx @ W - sxy).max() > 1e-8 * scale:
        raise ValueError("Sigma_xy is not in the range of Sigma_x: these are not moments of data "
                         "(compute them as X^T X/n, X^T Y/n)")
    return W


def _check_eta(eta: float) -> float:
    eta = float(eta)
    if not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"step size eta must be a finite number > 0, got {eta}")
    return eta


def _record_steps(steps: int, record: np.ndarray | None) -> np.ndarray:
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    rec = np.arange(steps + 1) if record is None else np.unique(np.asarray(record, dtype=int))
    if rec.size == 0 or rec[0] < 0 or rec[-1] > steps:
        raise ValueError(f"record steps must lie in [0, {steps}]")
    return rec


# ---------------------------------------------------------------- runs


@dataclass(frozen=True)
class Run:
    """A recorded trajectory: ``times`` (GD steps k, or flow times t), the product W at each,
    the final factors, the depth, the step size (None for the flow) and the init's w0 scale."""

    times: np.ndarray
    products: np.ndarray
    factors: tuple[np.ndarray, ...]
    depth: int
    eta: float | None = None
    init: str = "layer"


def linear_gd(sx: np.ndarray, sxy: np.ndarray, W0: np.ndarray, eta: float, steps: int,
              record: np.ndarray | None = None) -> Run:
    """Iterate W⁺ = W − η(ΣxW − Σxy) for ``steps`` steps, recording W at the steps ``record``."""
    sx, sxy = _check_moments(sx, sxy)
    eta = _check_eta(eta)
    rec = _record_steps(steps, record)
    out, (W,) = _iterate((np.array(W0, dtype=float),), lambda f, W: (W - eta * gradient(sx, sxy, W),),
                         lambda f: f[0], rec, eta)
    return Run(rec, out, (W,), 1, eta)


def linear_gd_closed_form(sx: np.ndarray, sxy: np.ndarray, W0: np.ndarray, eta: float,
                          k: int) -> np.ndarray:
    """Eq (21) corrected (erratum E12, docs/conventions.md): W_k = Σx†Σxy + (I − ηΣx)^k (W0 − Σx†Σxy)."""
    Ws = least_squares(sx, sxy)
    P = np.linalg.matrix_power(np.eye(sx.shape[0]) - _check_eta(eta) * sx, int(k))
    return Ws + P @ (np.asarray(W0, dtype=float) - Ws)


def linear_flow_closed_form(sx: np.ndarray, sxy: np.ndarray, W0: np.ndarray, t: float) -> np.ndarray:
    """Prop 1: W(t) = e^{−tΣx}(W0 − Σx†Σxy) + Σx†Σxy (matrix exponential by eigh)."""
    Ws = least_squares(sx, sxy)
    lam, E = np.linalg.eigh(sx)
    return Ws + (E * np.exp(-t * lam)) @ E.T @ (np.asarray(W0, dtype=float) - Ws)


def _iterate(factors: tuple[np.ndarray, ...], step, product, rec: np.ndarray, eta: float):
    """The GD loop shared by every depth: ``factors ← step(factors, W)`` with W = product(factors),
    recording W at the steps ``rec`` and stopping with a clear error if the run diverges."""
    out, j = None, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(rec[-1] + 1):
            W = product(factors)
            if out is None:
                out = np.empty((rec.size,) + W.shape)
            if k == rec[j]:
                out[j] = W
                j += 1
            if k % 64 == 0:
                _check_finite(W, eta)
            if k < rec[-1]:
                factors = step(factors, W)
    _check_finite(product(factors), eta)
    return out, factors


def _check_finite(W: np.ndarray, eta: float) -> None:
    if not np.all(np.isfinite(W)):
        raise ValueError(f"GD diverged with eta = {eta:g}: take eta < 1/sigma_max (L = 2) "
                         "or eta < 2/lambda_max (L = 1)")


def two_layer_gd(sx: np.ndarray, sxy: np.ndarray, W1: np.ndarray, W2: np.ndarray, eta: float,
                 steps: int, record: np.ndarray | None = None, init: str = "layer") -> Run:
    """Iterate W1⁺ = W1 − ηGW2ᵀ, W2⁺ = W2 − ηW1ᵀG with G = ΣxW1W2 − Σxy (docs/conventions.md)."""
    sx, sxy = _check_moments(sx, sxy)
    eta = _check_eta(eta)
    rec = _record_steps(steps, record)
    W1 = np.array(W1, dtype=float)
    W2 = np.array(W2, dtype=float)
    if W1.shape[0] != sx.shape[0] or W2.shape[1] != sxy.shape[1] or W1.shape[1] != W2.shape[0]:
        raise ValueError(f"factor shapes {W1.shape}, {W2.shape} do not fit d = {sx.shape[0]}, "
                         f"p = {sxy.shape[1]}: need W1 d x h and W2 h x p")

    def step(f, W):
        G = sx @ W - sxy
        return f[0] - eta * G @ f[1].T, f[1] - eta * f[0].T @ G

    out, (W1, W2) = _iterate((W1, W2), step, lambda f: f[0] @ f[1], rec, eta)
    return Run(rec, out, (W1, W2), 2, eta, init)


def flow(sx: np.ndarray, sxy: np.ndarray, factors: tuple[np.ndarray, ...], times: np.ndarray,
         rtol: float = 1e-11, atol: float = 1e-14, init: str = "layer") -> Run:
    """Gradient flow of the linear model (one factor) or the two-layer network (two factors),
    integrated by ``solve_ivp`` (DOP853) and sampled at ``times`` (t = 0 first)."""
    sx, sxy = _check_moments(sx, sxy)
    factors = tuple(np.array(F, dtype=float) for F in factors)
    if len(factors) not in (1, 2):
        raise ValueError(f"flow takes 1 factor (W) or 2 (W1, W2), got {len(factors)}")
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times[0] != 0 or np.any(np.diff(times) <= 0):
        raise ValueError("times must be increasing and start at 0")
    shapes = [F.shape for F in factors]
    sizes = np.cumsum([F.size for F in factors])[:-1]

    def unpack(y):
        return [part.reshape(s) for part, s in zip(np.split(y, sizes), shapes, strict=True)]

    def rhs(_t, y):
        Fs = unpack(y)
        if len(Fs) == 1:
            return -(gradient(sx, sxy, Fs[0])).ravel()
        G = gradient(sx, sxy, Fs[0] @ Fs[1])
        return np.concatenate([-(G @ Fs[1].T).ravel(), -(Fs[0].T @ G).ravel()])

    y0 = np.concatenate([F.ravel() for F in factors])
    sol = solve_ivp(rhs, (0.0, times[-1]), y0, method="DOP853", t_eval=times, rtol=rtol, atol=atol)
    if not sol.success:
        raise ValueError(f"solve_ivp failed: {sol.message}")
    prods = []
    for y in sol.y.T:
        Fs = unpack(y)
        prods.append(Fs[0] if len(Fs) == 1 else Fs[0] @ Fs[1])
    return Run(times, np.array(prods), tuple(unpack(sol.y[:, -1])), len(factors), None, init)


# ---------------------------------------------------------------- spectral init (Thm 1)


def random_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random orthogonal n × n matrix (QR of a Gaussian, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def non_orthogonal(n: int, rng: np.random.Generator, strength: float = 0.5) -> np.ndarray:
    """An invertible, non-orthogonal Q = I + strength·G/√n (G Gaussian): the paper's
    "arbitrary invertible Q", which breaks the per-mode reduction (erratum E4, docs/conventions.md)."""
    Q = np.eye(n) + strength * rng.standard_normal((n, n)) / np.sqrt(n)
    if np.linalg.cond(Q) > 1e8:
        raise ValueError("drawn Q is nearly singular; use another seed or a smaller strength")
    return Q


def factor_scale(delta: float, init: str = "layer", depth: int = 2) -> float:
    """Each factor's start: e^{−δ} ("layer") or e^{−δ/L} ("product", so the product is e^{−δ})."""
    return float(np.exp(-init_exponent(depth, init) * delta / depth))


def spectral_init(sx: np.ndarray, sxy: np.ndarray, delta: float, init: str = "layer",
                  hidden: int | None = None, Q: np.ndarray | None = None, depth: int = 2,
                  completion: str = "complement") -> tuple[tuple[np.ndarray, ...], Basis]:
    """Thm 1's init: returns ``((W1, W2), basis)`` with W1 = U M Q, W2 = Q⁻¹ N Vᵀ, M, N rectangular
    diagonal at the factor scale (:func:`factor_scale`); U, V from
    :func:`symdyn.diagnostics.adapted_basis`. ``depth=1`` returns ``((W0,), basis)`` with
    W0 = U diag(e^{−δ}) Vᵀ (both inits coincide for L = 1).

    ``hidden`` (default min(d, p)) is the width h; ``Q`` (default I) is h × h.
    """
    if depth not in (1, 2):
        raise ValueError(f"spectral_init supports depth 1 or 2, got {depth!r}")
    b = adapted_basis(sx, sxy, completion)
    d, p = b.U.shape[1], b.V.shape[1]
    a = factor_scale(delta, init, depth)
    if depth == 1:
        if Q is not None or hidden is not None:
            raise ValueError("the linear model (depth 1) has no hidden layer: drop hidden and Q")
        return (b.U @ (np.eye(d, p) * a) @ b.V.T,), b
    h = min(d, p) if hidden is None else int(hidden)
    if h < 1:
        raise ValueError(f"hidden width must be >= 1, got {h}")
    Q = np.eye(h) if Q is None else np.asarray(Q, dtype=float)
    if Q.shape != (h, h):
        raise ValueError(f"Q must be {h} x {h}, got {Q.shape}")
    M = np.eye(d, h) * a
    N = np.eye(h, p) * a
    return (b.U @ M @ Q, np.linalg.solve(Q, N @ b.V.T)), b


# ---------------------------------------------------------------- the scalar side (the numeric boundary)


@cache
def _scalar_map(depth: int):
    return to_numpy(product_map(depth).expr, (S.w, S.sigma, S.lam, S.eta))


@cache
def _scalar_flow(depth: int):
    return to_numpy(flow_closed_form(depth).expr, (S.t, S.w0, S.sigma, S.lam))


def scalar_gd(sigma: np.ndarray, lam: np.ndarray, eta: float, w0: np.ndarray, record: np.ndarray,
              depth: int = 2) -> np.ndarray:
    """Iterate the derived product map (:func:`symdyn.dynamics.product_map`) for every mode."""
    G = _scalar_map(depth)
    w = np.array(w0, dtype=float) * np.ones_like(np.asarray(sigma, dtype=float))
    out = np.empty((len(record), w.size))
    j = 0
    for k in range(int(record[-1]) + 1):
        if k == record[j]:
            out[j] = w
            j += 1
        if k < record[-1]:
            w = G(w, sigma, lam, eta)
    return out


def scalar_flow(sigma: np.ndarray, lam: np.ndarray, w0: float, times: np.ndarray,
                depth: int = 2) -> np.ndarray:
    """The derived closed form (:func:`symdyn.closed_forms.flow_closed_form`) for every mode."""
    F = _scalar_flow(depth)
    sigma = np.asarray(sigma, dtype=float)
    lam = np.asarray(lam, dtype=float)
    t = np.asarray(times, dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.broadcast_to(F(t, w0, sigma[None, :], lam[None, :]), (t.shape[0], sigma.size)).copy()


@dataclass(frozen=True)
class ModeCheck:
    """Matrix run versus the scalar dynamics, per mode.

    ``diagonal[j, i]`` = (UᵀW V)_ii at record j, ``scalar[j, i]`` the scalar prediction,
    ``offdiag[j]`` = ‖offdiag(UᵀWV)‖_F / max(‖W‖_F, tiny), ``singular_values[j]`` of W.
    """

    times: np.ndarray
    diagonal: np.ndarray
    scalar: np.ndarray
    offdiag: np.ndarray
    singular_values: np.ndarray

    @property
    def max_error(self) -> float:
        """max_j,i |diag − scalar| / max(1, max|scalar|)."""
        return float(np.abs(self.diagonal - self.scalar).max() / max(1.0, np.abs(self.scalar).max()))

    @property
    def max_offdiag(self) -> float:
        return float(self.offdiag.max())


def per_mode_check(sx: np.ndarray, sxy: np.ndarray, run: Run, delta: float,
                   basis: Basis | None = None) -> ModeCheck:
    """Compare a matrix run from the spectral init with the per-mode scalar map / flow (docs/conventions.md).

    σ_i, λ_i are read in the basis (λ_i = u_iᵀΣxu_i, σ-order); w0 = e^{−2δ} ("layer") or
    e^{−δ} ("product") for L = 2, e^{−δ} for L = 1.
    """
    b = adapted_basis(sx, sxy) if basis is None else basis
    m = min(b.U.shape[1], b.V.shape[1], run.products.shape[1], run.products.shape[2])
    sigma, lam = b.sigma[:m], b.lam[:m]
    w0 = factor_scale(delta, run.init, run.depth) ** run.depth
    if run.eta is None:
        scalar = scalar_flow(sigma, lam, w0, run.times, run.depth)
    else:
        scalar = scalar_gd(sigma, lam, run.eta, w0, run.times, run.depth)
    rotated = np.einsum("ai,jab,bk->jik", b.U, run.products, b.V)
    diag = np.einsum("jii->ji", rotated[:, :m, :m])
    norms = np.maximum(np.linalg.norm(run.products, axis=(1, 2)), np.finfo(float).tiny)
    off = np.array([offdiag_norm(R) for R in rotated]) / norms
    sv = np.linalg.svd(run.products, compute_uv=False)
    return ModeCheck(run.times, diag, scalar, off, sv)


# ---------------------------------------------------------------- ε > 0: the O(ε) deviation


def perturbation_ratios(sx: np.ndarray, sxy: np.ndarray, B: np.ndarray, epsilons: tuple[float, ...],
                        eta: float, steps: int, delta: float, init: str = "layer") -> dict[float, float]:
    """max_{k ≤ steps} ‖W^ε_k − W^0_k‖_F / ε for two-layer GD with Σx^ε = Σx + ε U B̂ Uᵀ.

    B̂ = sym(B)/‖sym(B)‖₂ so ‖ε B̂‖₂ = ε (Assumption 1 with ε > 0); U is the ε = 0 basis and the
    init is the ε = 0 spectral init. On bounded time (fixed ``steps``) the ratio stays O(1) as
    ε → 0 (Grönwall, docs/conventions.md).
    """
    (W1, W2), b = spectral_init(sx, sxy, delta, init)
    Bs = 0.5 * (np.asarray(B, dtype=float) + np.asarray(B, dtype=float).T)
    Bs = Bs / np.linalg.norm(Bs, 2)
    base = two_layer_gd(sx, sxy, W1, W2, eta, steps).products
    out = {}
    for eps in epsilons:
        if not eps > 0:
            raise ValueError(f"every epsilon must be > 0, got {eps}")
        sx_eps = sx + eps * b.U @ Bs @ b.U.T
        prods = two_layer_gd(sx_eps, sxy, W1, W2, eta, steps).products
        out[float(eps)] = float(np.linalg.norm(prods - base, axis=(1, 2)).max() / eps)
    return out
