"""Figure builders (paper's Fig 1 and Fig 2, SPEC §4; fig3: GD step-size regimes, issue #9;
fig4: depths L = 1..4 on one rescaled axis, issue #10).

Data in, ``matplotlib.figure.Figure`` out.

No pyplot and no global state: each figure is a bare ``Figure`` (rendered by the Agg canvas when
saved), and no file is written here — :mod:`symdyn.cli.figures` does the I/O. Every figure has
labelled axes, a legend and a caption line with the parameters and the init convention.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import sympy as sp
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from symdyn.derive import regimes
from symdyn.matrix import experiments
from symdyn.matrix.experiments import Fig1Data, Fig2Data
from symdyn.model import symbols as S
from symdyn.numeric.depth import transition_x_float

_STYLES = {3.0: ":", 7.5: "--", 12.0: "-"}
_INIT_TEXT = {"layer": "layer init: every factor e^-δ (product e^-2δ)",
              "product": "product init: W1W2(0) = e^-δ (paper's Fig 1 caption)"}


def _new(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def fig1(data: Fig1Data) -> Figure:
    """Fig 1: ‖W(δτ)‖_F² (L = 1) and ‖W1W2(δτ)‖_F² (L = 2) against τ, one panel per init."""
    fig = _new(11, 4.4)
    axes = fig.subplots(1, len(data.inits), sharey=True, squeeze=False)[0]
    for ax, init in zip(axes, data.inits, strict=True):
        for delta in data.deltas:
            ls = _STYLES.get(delta, "-")
            ax.plot(data.tau, data.curves[(2, init, delta)], color="C0", ls=ls,
                    label=f"two-layer ‖W1W2‖², δ={delta:g}")
            ax.plot(data.tau, data.curves[(1, init, delta)], color="C1", ls=ls,
                    label=f"linear ‖W‖², δ={delta:g}")
        for j, tj in enumerate(data.jumps(init)):
            ax.axvline(tj, color="0.6", lw=0.8, label="δ→∞ jumps" if j == 0 else None)
        ax.axvline(1000, color="k", lw=0.6, ls="-.", label="paper's axis end τ=1000")
        ax.set_xscale("log")
        ax.set_xlabel("rescaled time τ = t/δ")
        ax.set_title(_INIT_TEXT[init], fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("squared Frobenius norm")
    axes[-1].legend(fontsize=7, loc="upper left")
    sig = ", ".join(f"{s:g}" for s in data.sigma)
    lam = ", ".join(f"{x:g}" for x in data.lam)
    fig.suptitle(f"Fig 1 (closed forms, gradient flow): Σxy = diag({sig}), Σx = diag({lam}); "
                 f"δ ∈ {{{', '.join(f'{d:g}' for d in data.deltas)}}}; "
                 "jumps at 1/σ (layer), 1/(2σ) (product)",
                 fontsize=9)
    return fig


def fig2(data: Fig2Data) -> Figure:
    """Fig 2: trace norms of W_k (L = 1) and W1W2 (L = 2) against k, and the literal eq (28) error."""
    fig = _new(11, 4.4)
    ax, ax_err = fig.subplots(1, 2)
    k = np.maximum(data.steps, 0.5)
    ax.plot(k, data.trace_norm[2], color="C0", label="two-layer W1W2 (L = 2)")
    ax.plot(k, data.trace_norm[1], color="C1", label="linear W (L = 1)")
    for i, kj in enumerate(data.predicted_jumps):
        ax.axvline(kj, color="0.6", lw=0.8, ls="--", label="δ/ln(1+ηλ_i)" if i == 0 else None)
    ax.set_xscale("log")
    ax.set_xlabel("GD step k")
    ax.set_ylabel("trace norm ‖·‖_*")
    ax.set_yticks(range(data.r + 1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("trace norm: staircase for L = 2, smooth for L = 1", fontsize=9)
    ax_err.plot(k, data.eq28_error[2], color="C0", label="two-layer")
    ax_err.plot(k, data.eq28_error[1], color="C1", ls="--", label="linear")
    ax_err.set_xscale("log")
    ax_err.set_xlabel("GD step k")
    ax_err.set_ylabel("‖W − B D Bᵀ‖_F (eq 28 as printed)")
    ax_err.set_title("eq (28) literal error: does not tend to 0 (SPEC E14)", fontsize=9)
    ax_err.grid(alpha=0.3)
    ax_err.legend(fontsize=8)
    fig.suptitle(f"Fig 2: linear autoencoder n={data.n}, d=p={data.d}, r={data.r}; "
                 f"η={data.eta:.4g} ({data.params.get('eta_rule', 'given')}), δ={data.delta:g}, "
                 "layer init W1(0)=W2(0)=e^-δ I, "
                 f"seed={data.seed}", fontsize=9)
    return fig


#: Regime thresholds in s = ησ (symdyn.regimes): monotone/oscillating, period doubling, 2-cycle unstable.
THRESHOLDS = ((0.5, "ησ = 1/2\nmonotone | oscillating"), (1.0, "ησ = 1\nperiod doubling"),
              (float(np.sqrt(5) - 1), "ησ = √5 − 1\n2-cycle unstable"))


def fig3(s: np.ndarray, x: np.ndarray, s_grid: np.ndarray, transient: int, keep: int) -> Figure:
    """Bifurcation diagram of the L = 2 GD map in x = λw/σ against s = ησ, thresholds marked.

    x⁺ = x(1 + s(1 − x))² (regimes.bifurcation_points); the period-2 orbit's closed form
    ((1+s) ± √((s−1)(s+3)))/(2s) (regimes.period_two_orbit, σ = λ = 1) is overlaid.
    """
    fig = _new(8.5, 5.0)
    ax = fig.subplots()
    ax.plot(s, x, ",", color="k", alpha=0.5, rasterized=True)
    ax.plot([], [], ".", color="k", ms=3, label=f"long-run iterates ({keep} after {transient} steps)")
    w_minus, w_plus = regimes.period_two_orbit().expr
    two = s_grid[(s_grid >= 1) & (s_grid <= THRESHOLDS[2][0])]
    for i, branch in enumerate((w_minus, w_plus)):
        fn = sp.lambdify(S.eta, branch.subs({S.sigma: 1, S.lam: 1}), "numpy")
        ax.plot(two, fn(two), color="C3", lw=1, ls="--", label="period-2 orbit (closed form)" if i == 0 else None)
    ax.plot([s_grid[0], 1], [1, 1], color="C0", lw=0.8, alpha=0.7, label="fixed point λw/σ = 1 (stable)")
    ax.plot([1, s_grid[-1]], [1, 1], color="C0", lw=0.8, ls=":", alpha=0.7, label="fixed point (unstable)")
    for st, text in THRESHOLDS:
        ax.axvline(st, color="C2", lw=0.9, ls=":")
        ax.annotate(text.replace("\n", ": "), (st, 0.98), xycoords=("data", "axes fraction"), fontsize=8,
                    xytext=(-2, 0), textcoords="offset points", color="C2", rotation=90, ha="right", va="top")
    ax.set_xlabel("ησ (step size × singular value)")
    ax.set_ylabel("long-run λw/σ")
    ax.set_xlim(s_grid[0], s_grid[-1])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.suptitle("Fig 3: step-size regimes of two-layer GD, w⁺ = w(1 + η(σ − λw))² "
                 "(x = λw/σ, s = ησ: x⁺ = x(1 + s(1 − x))²); start x0 = 0.1; float64", fontsize=9)
    return fig


#: fig4 parameters: one mode, the same for every depth (σ/λ = 1/2), δ = 8 (L = 4: t = e^{16} τ).
FIG4 = {"sigma": 1.0, "lam": 2.0, "delta": 8.0, "init": "layer"}
#: Half-width of the zoom around τ/τ* = 1 (L = 3 escapes within ~e^{−δ} = 3e-4 there; L = 4 within ~e^{−2δ}).
FIG4_ZOOM = 0.003


def fig4(data: dict, sigma: float, lam: float, delta: float, init: str) -> Figure:
    """w/(σ/λ) against τ/τ*_L for L = 1..4 (plot_depths), the limits' values at τ* marked."""
    fig = plot_depths(data)
    fig.set_size_inches(8.5, 4.8)
    fig.set_layout_engine("constrained")
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    for line, ls in zip(ax.lines, ("-", "-", "-", "--"), strict=False):
        line.set_linestyle(ls)
    zoom = ax.inset_axes([0.58, 0.12, 0.38, 0.5])
    for i, (_, d) in enumerate(sorted(data.items())):
        keep = np.abs(d["x"] - 1) <= FIG4_ZOOM
        zoom.plot(d["x"][keep], d["w_rel"][keep], color=f"C{i}", ls=ax.lines[i].get_linestyle())
    marks = [(2, lam / (sigma + lam))] + [(L, transition_x_float(L)) for L in data if L >= 3]
    for i, (L, y) in enumerate(marks):
        for a in (ax, zoom):
            a.plot([1.0], [y], "o", color=f"C{sorted(data).index(L)}", ms=5, mfc="none",
                   label="δ → ∞ value at τ* (L = 2: λ/(σ+λ); L ≥ 3: x_L)" if i == 0 and a is ax else None)
    zoom.set_xlim(1 - FIG4_ZOOM, 1 + FIG4_ZOOM)
    zoom.set_title(f"zoom: |τ/τ* − 1| ≤ {FIG4_ZOOM:g}", fontsize=8)
    zoom.tick_params(labelsize=7)
    zoom.grid(alpha=0.3)
    ax.set_xlabel("normalised rescaled time τ/τ*_L  (t = scale·τ; τ*_L = 1/σ for L ≤ 2, 1/((L−2)σ) for L ≥ 3)")
    ax.set_ylabel("w / (σ/λ)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(f"Fig 4: gradient flow at depths L = {', '.join(map(str, sorted(data)))} on one rescaled axis "
                 "(L ≥ 3: implicit closed form inverted)\n"
                 f"σ = {sigma:g}, λ = {lam:g}, δ = {delta:g}, {init} init (factors e^(−δ), w0 = e^(−Lδ)); "
                 "scales δ (L ≤ 2), e^((L−2)δ) (L ≥ 3)", fontsize=9)
    return fig


# ---------------------------------------------------------------- files, in memory


def _csv(header: list[str], columns: list) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in zip(*columns, strict=True):
        w.writerow([f"{x:.10g}" for x in row])
    return buf.getvalue()


def _fig1(seed: int):
    data = experiments.fig1_data()
    keys = sorted(data.curves, key=lambda k: (k[1], k[0], k[2]))
    header = ["tau"] + [f"L{L}_{init}_delta{d:g}" for (L, init, d) in keys]
    return fig1(data), _csv(header, [data.tau] + [data.curves[k] for k in keys])


def _fig2(seed: int):
    data = experiments.fig2_data(seed=seed)
    header = ["step", "trace_norm_L1", "trace_norm_L2", "eq28_error_L1", "eq28_error_L2"]
    comment = (f"# eta={data.eta:.10g} delta={data.delta:g} seed={data.seed} init=layer "
               f"predicted_jumps={' '.join(f'{k:.6g}' for k in data.predicted_jumps)}\n")
    cols = [data.steps, data.trace_norm[1], data.trace_norm[2], data.eq28_error[1], data.eq28_error[2]]
    return fig2(data), comment + _csv(header, cols)


def _fig3(seed: int):
    transient, keep = 2000, 64
    s_grid = np.linspace(0.02, 2.0, 991)
    s, x = regimes.bifurcation_points(s_grid, transient=transient, keep=keep)
    comment = (f"# x = lambda*w/sigma after {transient} steps from x0 = 0.1, last {keep} iterates; "
               "thresholds eta*sigma = 1/2, 1, sqrt(5)-1\n")
    return fig3(s, x, s_grid, transient, keep), comment + _csv(["eta_sigma", "lambda_w_over_sigma"], [s, x])


def _fig4(seed: int):
    # a uniform grid (contains τ/τ* = 1 exactly) refined around 1 for the zoom
    x = np.union1d(np.linspace(0.0, 2.0, 801), 1 + np.linspace(-FIG4_ZOOM, FIG4_ZOOM, 121))
    data = experiments.depth_comparison_data(FIG4["sigma"], FIG4["lam"], FIG4["delta"], x, init=FIG4["init"])
    comment = (f"# sigma={FIG4['sigma']:g} lambda={FIG4['lam']:g} delta={FIG4['delta']:g} init={FIG4['init']}; "
               "x = tau/tau*_L; w_rel = w/(sigma/lambda); "
               + " ".join(f"L{L}: t={d['scale']}*tau tau*={d['tau_star']:g}" for L, d in data.items()) + "\n")
    header = ["tau_over_tau_star"] + [f"w_rel_L{L}" for L in data]
    return fig4(data, **FIG4), comment + _csv(header, [x] + [data[L]["w_rel"] for L in data])


_BUILD = {"fig1": _fig1, "fig2": _fig2, "fig3": _fig3, "fig4": _fig4}
FIGURES = tuple(_BUILD)


def figure_files(name: str, seed: int = 0) -> dict[str, bytes]:
    """``{name}.png``, ``{name}.pdf`` and ``{name}.csv`` (the plotted data) as bytes, in memory."""
    if name not in _BUILD:
        raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")
    fig, table = _BUILD[name](seed)
    out = {}
    for ext, kw in (("png", {"dpi": 150}), ("pdf", {})):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, **kw)
        out[f"{name}.{ext}"] = buf.getvalue()
    out[f"{name}.csv"] = table.encode("utf-8")
    return out


def plot_depths(data: dict[int, dict[str, object]]):
    """A matplotlib Figure of :func:`depth_comparison_data` (needs matplotlib; no file I/O)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ValueError("plot_depths needs matplotlib: pip install matplotlib") from exc
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    for L, d in sorted(data.items()):
        ax.plot(d["x"], d["w_rel"], label=f"L = {L}  (t = {d['scale']}·τ)")
    ax.axvline(1.0, color="0.7", lw=0.8)
    ax.set_xlabel("τ / τ*_L")
    ax.set_ylabel("w / (σ/λ)")
    ax.legend(fontsize=8)
    return fig
