"""The paper's experiments as data (docs/conventions.md): Fig 1, Fig 2 and Table 1. Pure: arrays in, arrays out.

* Fig 1 — closed forms only: ‖W(δτ)‖_F² (L = 1) and ‖W1W2(δτ)‖_F² (L = 2) against rescaled time τ for
  δ ∈ {3, 7.5, 12}, autoencoder Σx = Σxy = diag(.1, .01, .001) (erratum E2, docs/conventions.md), both inits. The L = 2
  curves step 0 → 1 → 2 → 3 at τ = 1/σ_i ("layer") or 1/(2σ_i) ("product"). The default τ range
  is [1, 10⁴] so that the "layer" init's last step (τ = 1000, the paper's right edge) and its
  plateau 3 are visible.
* Fig 2 — linear autoencoder GD (p = d = 20, n = 1000, r = 5): trace norm of W_k (L = 1) and of
  W1W2 (L = 2) against k, and the literal eq (28) error ‖W − BDBᵀ‖_F (erratum E14, docs/conventions.md). L = 2 steps
  near k_i = δ/ln(1 + ηλ_i) (the discrete transition T^η = η/ln(1 + ησ) in steps, σ_i = λ_i).
* Table 1 — Δx and Δxy (:mod:`symdyn.diagnostics`) per data set, centring and completion.

>>> f = fig1_data(points=400)
>>> f.jumps("product").tolist()  # δ → ∞ steps of the paper's caption init (erratum E2, docs/conventions.md)
[5.0, 50.0, 500.0]
>>> [round(float(x)) for x in crossings(f.tau, f.curves[(2, "product", 12.0)], [0.5, 1.5, 2.5])]
[5, 54, 537]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symdyn.derive.depth import escape_scale
from symdyn.matrix.diagnostics import COMPLETIONS, delta_x, delta_xy, moments
from symdyn.matrix.dynamics import factor_scale, linear_gd, scalar_flow, two_layer_gd
from symdyn.model import symbols as S
from symdyn.model.checks import INITS, init_exponent
from symdyn.numeric.depth import depth_flow_rescaled_numpy, log_w0_of

# ---------------------------------------------------------------- helpers


def crossings(x: np.ndarray, y: np.ndarray, levels) -> np.ndarray:
    """The first x at which y rises through each level (linear interpolation in log x); nan if never."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    out = []
    for c in levels:
        idx = np.nonzero((y[:-1] < c) & (y[1:] >= c))[0]
        if idx.size == 0:
            out.append(np.nan)
            continue
        i = idx[0]
        frac = (c - y[i]) / (y[i + 1] - y[i])
        lx = np.log(x[i]) + frac * (np.log(x[i + 1]) - np.log(x[i]))
        out.append(float(np.exp(lx)))
    return np.array(out)


def log_grid(stop: int, points: int) -> np.ndarray:
    """The integers 0, 1, … up to ``stop`` on a log scale (unique, about ``points`` of them)."""
    grid = np.unique(np.round(np.logspace(0, np.log10(max(stop, 1)), points)).astype(int))
    return np.concatenate([[0], grid[grid <= stop]])


# ---------------------------------------------------------------- Fig 1


@dataclass(frozen=True)
class Fig1Data:
    """‖·‖_F² against τ for every (depth, init, δ); ``jumps(init)`` is the δ → ∞ prediction."""

    tau: np.ndarray
    curves: dict[tuple[int, str, float], np.ndarray]
    sigma: np.ndarray
    lam: np.ndarray
    deltas: tuple[float, ...]
    inits: tuple[str, ...]

    def jumps(self, init: str) -> np.ndarray:
        """Thm 2 / E1: the L = 2 steps at τ = 1/σ_i ("layer") or 1/(2σ_i) ("product")."""
        return init_exponent(2, init) / 2 / self.sigma

    def plateaus(self) -> np.ndarray:
        """Cor 1: the plateau after the j-th step, Σ_{i≤j} σ_i²/λ_i² (j = 0..r)."""
        return np.concatenate([[0.0], np.cumsum((self.sigma / self.lam) ** 2)])


def fig1_data(deltas: tuple[float, ...] = (3.0, 7.5, 12.0), sigma=(0.1, 0.01, 0.001), lam=None,
              tau_range: tuple[float, float] = (1.0, 1e4), points: int = 1200,
              inits: tuple[str, ...] = INITS) -> Fig1Data:
    """Fig 1 from the derived closed forms (Σx = diag(λ), Σxy = diag(σ); default λ = σ, erratum E2)."""
    sigma = np.asarray(sigma, dtype=float)
    lam = sigma.copy() if lam is None else np.asarray(lam, dtype=float)
    if sigma.shape != lam.shape or np.any(sigma <= 0) or np.any(lam <= 0):
        raise ValueError("sigma and lambda must be positive and of equal length")
    lo, hi = tau_range
    if not 0 < lo < hi:
        raise ValueError(f"tau_range must satisfy 0 < start < stop, got {tau_range}")
    for init in inits:
        factor_scale(0.0, init)  # validates the init name
    tau = np.logspace(np.log10(lo), np.log10(hi), points)
    curves = {}
    for delta in deltas:
        for depth in (1, 2):
            for init in inits:
                w0 = factor_scale(delta, init, depth) ** depth
                w = scalar_flow(sigma, lam, w0, delta * tau, depth)
                curves[(depth, init, float(delta))] = np.sum(w**2, axis=1)
    return Fig1Data(tau, curves, sigma, lam, tuple(float(x) for x in deltas), tuple(inits))


# ---------------------------------------------------------------- Fig 2

FIG2_VARIANCES = (4.0, 2.0, 1.0, 0.5, 0.25)


@dataclass(frozen=True)
class Fig2Data:
    """The Fig 2 runs on a log grid of steps, with the chosen η, δ, seed and the predictions."""

    steps: np.ndarray
    trace_norm: dict[int, np.ndarray]
    eq28_error: dict[int, np.ndarray]
    eta: float
    delta: float
    seed: int
    lam: np.ndarray
    n: int
    d: int
    r: int
    params: dict = field(default_factory=dict)
    #: relative reconstruction error ‖X − XW‖_F²/‖X‖_F² = tr((I − W)ᵀΣx(I − W))/tr Σx, per depth (the paper's Fig 2)
    reconstruction: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def predicted_jumps(self) -> np.ndarray:
        """k_i = δ / ln(1 + ηλ_i) for the r signal modes (σ_i = λ_i for the autoencoder)."""
        return self.delta / np.log1p(self.eta * self.lam[:self.r])

    def measured_jumps(self) -> np.ndarray:
        """Steps at which the L = 2 trace norm rises through i − ½, i = 1..r."""
        return crossings(np.maximum(self.steps, 0.5), self.trace_norm[2], np.arange(self.r) + 0.5)

    def plateau_values(self) -> np.ndarray:
        """L = 2 trace norm at the geometric midpoints between predicted jumps, and at the end."""
        k = self.predicted_jumps
        mids = np.concatenate([np.sqrt(k[:-1] * k[1:]), [self.steps[-1]]])
        return np.interp(mids, self.steps, self.trace_norm[2])


def autoencoder_data(seed: int = 0, n: int = 1000, d: int = 20,
                     variances=FIG2_VARIANCES, noise: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """docs/conventions.md Fig 2 data: x_i = B z_i + ε_i, B ∈ R^{d×r} with U[0,1] entries, z ~ N(0, diag(variances)),
    ε ~ noise·N(0, I). Returns (X, B)."""
    rng = np.random.default_rng(seed)
    r = len(variances)
    B = rng.uniform(0.0, 1.0, (d, r))
    z = rng.standard_normal((n, r)) * np.sqrt(np.asarray(variances, dtype=float))
    X = z @ B.T + noise * rng.standard_normal((n, d))
    return X, B


def fig2_data(seed: int = 0, n: int = 1000, d: int = 20, delta: float = 6.0, eta: float | None = None,
              steps: int | None = None, points: int = 1500) -> Fig2Data:
    """Run linear (L = 1) and two-layer (L = 2) GD on the autoencoder Y = X (docs/conventions.md).

    Defaults (the paper omits them): η = 0.9/(2λmax(Σx)), W(0) = W1(0) = W2(0) = e^{−δ}I ("layer"
    init, product e^{−2δ}), δ = 6, seed 0, and 2.5× the last predicted jump as the run length.
    """
    X, B = autoencoder_data(seed, n, d)
    r = B.shape[1]
    sx, sxy = moments(X, X)
    lam = np.linalg.eigvalsh(sx)[::-1]
    eta_rule = "0.9/(2 λmax)" if eta is None else "given"
    eta = 0.9 / (2 * lam[0]) if eta is None else float(eta)
    if steps is None:
        steps = int(np.ceil(2.5 * delta / np.log1p(eta * lam[r - 1])))
    grid = log_grid(steps, points)
    a = float(np.exp(-delta))
    target = B @ np.diag(FIG2_VARIANCES) @ B.T
    runs = {1: linear_gd(sx, sxy, a * np.eye(d), eta, steps, grid),
            2: two_layer_gd(sx, sxy, a * np.eye(d), a * np.eye(d), eta, steps, grid)}
    tn = {L: np.linalg.svd(run.products, compute_uv=False).sum(axis=1) for L, run in runs.items()}
    err = {L: np.linalg.norm(run.products - target, axis=(1, 2)) for L, run in runs.items()}
    params = {"init": "layer", "W0": "e^-delta I (every factor)", "noise": 1e-3,
              "variances": list(FIG2_VARIANCES), "Y": "X (autoencoder)", "centred": False,
              "eta_rule": eta_rule}
    resid = {L: np.eye(d) - run.products for L, run in runs.items()}
    recon = {L: np.einsum("mij,ik,mkj->m", R, sx, R) / np.trace(sx) for L, R in resid.items()}
    return Fig2Data(grid, tn, err, eta, float(delta), int(seed), lam, n, d, r, params, recon)


# ---------------------------------------------------------------- Table 1


@dataclass(frozen=True)
class Table1Row:
    """Δx and Δxy (each completion) for one data set under one centring choice."""

    dataset: str
    n: int
    d: int
    p: int
    centred: bool
    rank_xy: int
    delta_x: float
    delta_xy: dict[str, float]

    def orders_below(self, completion: str) -> float:
        """log10(Δx/Δxy): the paper claims about 2."""
        v = self.delta_xy[completion]
        return float(np.inf if v == 0 else np.log10(self.delta_x / v))


#: "about two orders of magnitude": at least 1.5 decades (within half a decade of 2, or more).
CLAIM_DECADES = 1.5


def table1_rows(datasets: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> list[Table1Row]:
    """Δx, Δxy for every data set (X, one-hot Y), centred and not, every completion (docs/conventions.md)."""
    rows = []
    for name, (X, Y) in datasets.items():
        for centred in (False, True):
            sx, sxy = moments(X, Y, center=centred)
            rank = int(np.linalg.matrix_rank(sxy))
            dxy = {c: delta_xy(sx, sxy, c) for c in COMPLETIONS}
            rows.append(Table1Row(name, X.shape[0], X.shape[1], Y.shape[1], centred, rank,
                                  delta_x(sx), dxy))
    return rows


def table1_claim(rows: list[Table1Row]) -> dict[tuple[bool, str], bool]:
    """For each (centred, completion): does Δxy sit ≥ 1.5 decades below Δx on every data set?"""
    out = {}
    for centred in (False, True):
        for c in COMPLETIONS:
            sel = [r for r in rows if r.centred == centred]
            out[(centred, c)] = bool(sel) and all(r.orders_below(c) >= CLAIM_DECADES for r in sel)
    return out


def one_hot(labels: np.ndarray) -> np.ndarray:
    """One-hot n × c matrix of integer class labels (classes in sorted order)."""
    labels = np.asarray(labels)
    classes, idx = np.unique(labels, return_inverse=True)
    Y = np.zeros((labels.size, classes.size))
    Y[np.arange(labels.size), idx] = 1.0
    return Y


def table1_json(rows: list[Table1Row], claim: dict[tuple[bool, str], bool]) -> dict:
    """Table 1 as JSON-ready data: the rows, the rule used, and the claim per choice."""
    return {
        "source": "scikit-learn bundled data sets (sklearn.datasets.load_*), Y one-hot",
        "claim_rule": f"log10(Delta_x/Delta_xy) >= {CLAIM_DECADES} on every data set",
        "rows": [{"dataset": r.dataset, "n": r.n, "d": r.d, "p": r.p, "centred": r.centred,
                  "rank_xy": r.rank_xy, "delta_x": r.delta_x, "delta_xy": r.delta_xy,
                  "decades_below": {c: r.orders_below(c) for c in COMPLETIONS}} for r in rows],
        "claim_survives": [{"centred": c, "completion": m, "survives": v}
                           for (c, m), v in claim.items()],
    }


def table1_text(rows: list[Table1Row], claim: dict[tuple[bool, str], bool]) -> str:
    """Table 1 as a fixed-width text table, then the claim per choice."""
    lines = ["Table 1 on scikit-learn's bundled data (Y one-hot); Delta_xy per completion of U",
             f"{'dataset':<14}{'n':>6}{'d':>4}{'p':>4} {'centred':<8}{'r_xy':>5}{'Delta_x':>10}"
             + "".join(f"{c:>12}" for c in COMPLETIONS) + "   log10(Dx/Dxy)"]
    for r in rows:
        lines.append(f"{r.dataset:<14}{r.n:>6}{r.d:>4}{r.p:>4} {'yes' if r.centred else 'no':<8}"
                     f"{r.rank_xy:>5}{r.delta_x:>10.3g}"
                     + "".join(f"{r.delta_xy[c]:>12.3g}" for c in COMPLETIONS)
                     + "   " + " ".join(f"{r.orders_below(c):.2f}" for c in COMPLETIONS))
    lines.append(f"paper's claim (Delta_xy >= {CLAIM_DECADES} decades below Delta_x on every data set):")
    for (centred, comp), ok in claim.items():
        lines.append(f"  {'centred' if centred else 'uncentred':<10} {comp:<11} "
                     f"{'survives' if ok else 'fails'}")
    return "\n".join(lines)


def depth_comparison_data(sigma: float, lam: float, delta: float, x, depths=(1, 2, 3, 4),
                          init: str = "layer") -> dict[int, dict[str, object]]:
    """Curves w/(σ/λ) against the normalised rescaled time x = τ/τ*_L, one per depth.

    L = 1, 2 use t = δτ (docs/conventions.md: L = 1 has no step, τ* := 1/σ for its axis; L = 2 jumps at
    τ* = 1/σ "layer", 1/(2σ) "product"); L >= 3 use t = e^{(L−2)δ}τ (escape_scale). Pure: returns,
    per depth, {"x", "w_rel", "scale" (str), "tau_star" (float)}.
    """
    sigma, lam, delta = float(sigma), float(lam), float(delta)
    x = np.asarray(x, dtype=float)
    out = {}
    for L in depths:
        lw0 = log_w0_of(L, delta, init)
        if L == 1:
            tau_star, scale = 1 / sigma, sp.Symbol("delta")
            t = delta * tau_star * x
            w = sigma / lam + (math.exp(lw0) - sigma / lam) * np.exp(-lam * t)
        elif L == 2:
            esc = escape_scale(2, init)
            tau_star, scale = float(esc.tau_star.subs(S.sigma, sigma)), esc.scale
            t = delta * tau_star * x
            w0 = math.exp(lw0)
            w = sigma * w0 / ((sigma - lam * w0) * np.exp(-2 * sigma * t) + lam * w0)
        else:
            esc = escape_scale(L, init)
            tau_star, scale = float(esc.tau_star.subs(S.sigma, sigma)), esc.scale
            w = depth_flow_rescaled_numpy(L, sigma, lam, x * tau_star, delta, init)
        out[L] = {"x": x, "w_rel": w / (sigma / lam), "scale": str(scale), "tau_star": tau_star}
    return out
