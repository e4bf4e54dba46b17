"""Figure builders: the paper's Fig 1 and Fig 2, fig3 (GD step-size regimes), fig4 (depths L = 1..4 on
one rescaled axis), and e14 (the diagnostic of erratum E14, eq (28), in a figure of its own).

Data in, ``matplotlib.figure.Figure`` out; no pyplot and no global state. Each figure is built and
saved inside ``matplotlib.rc_context(style_rc(style))``, so the style never leaks into the caller's
matplotlib. Style ``paper`` (the default) sizes each figure to a journal column, single (3.25 in)
or double (6.75 in), with 8 pt text at the printed size, mathtext labels, the Okabe–Ito
colour-blind-safe palette, one legend per figure, and TrueType (Type 42) fonts in the PDF.
Style ``screen`` draws the same figures 1.5 times larger (the report's PNGs). No file is
written here: :mod:`symdyn.cli.figures` and ``symdyn reproduce`` do the I/O.

Conventions (init, rescalings, errata) are in ``docs/conventions.md``.
"""

from __future__ import annotations

import csv
import io
import textwrap

import numpy as np

#: Okabe & Ito (2008), "Color universal design": distinguishable under the common colour-vision deficiencies.
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, BLACK = (OKABE_ITO[4], OKABE_ITO[1], OKABE_ITO[3], OKABE_ITO[5],
                                                       OKABE_ITO[2], OKABE_ITO[6], OKABE_ITO[0])
#: Column widths in inches (two-column journal layout, e.g. NeurIPS/ICML/IEEE).
SINGLE, DOUBLE = 3.25, 6.75
#: Smallest text size at the printed size, in points.
TEXT_PT = 8.0
STYLES = {"paper": 1.0, "screen": 1.5}  # canvas scale; the text stays TEXT_PT


def style_rc(style: str = "paper") -> dict:
    """The rcParams of ``style`` (used in a local ``rc_context`` only)."""
    if style not in STYLES:
        raise ValueError(f"unknown figure style {style!r}; choose from {', '.join(STYLES)}")
    from cycler import cycler

    return {
        "font.size": TEXT_PT, "axes.titlesize": TEXT_PT, "axes.labelsize": TEXT_PT, "xtick.labelsize": TEXT_PT,
        "ytick.labelsize": TEXT_PT, "legend.fontsize": TEXT_PT, "figure.titlesize": TEXT_PT,
        "legend.title_fontsize": TEXT_PT, "mathtext.fontset": "dejavusans",
        "axes.prop_cycle": cycler(color=list(OKABE_ITO)), "lines.linewidth": 1.2, "axes.linewidth": 0.6,
        "grid.linewidth": 0.4, "grid.alpha": 0.4, "legend.frameon": False, "legend.handlelength": 1.8,
        "pdf.fonttype": 42, "ps.fonttype": 42,  # TrueType in the PDF, never Type 3
        "svg.fonttype": "none", "savefig.dpi": 300,
    }


def _new(width: float, height: float, style: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scale = STYLES[style]
    fig = Figure(figsize=(width * scale, height * scale), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _caption(fig, text: str) -> None:
    """A caption line (parameters, init convention) under the title area, wrapped to the figure's width."""
    width_chars = int(fig.get_figwidth() * 72 / (0.6 * TEXT_PT))  # about 0.6 em per character
    pieces = text.split("$")  # odd pieces are math: never broken across lines (a lone $ breaks mathtext)
    glued = "$".join(p.replace(" ", "\u00a0") if i % 2 else p for i, p in enumerate(pieces))
    lines = textwrap.wrap(glued, width_chars, break_on_hyphens=False)
    fig.suptitle("\n".join(lines).replace("\u00a0", " "), fontsize=TEXT_PT)


_DASHES = {3.0: ":", 7.5: "--", 12.0: "-"}
_INIT_TEXT = {"layer": r"layer init: factors $e^{-\delta}$, $w_0 = e^{-2\delta}$",
              "product": r"product init: $W_1W_2(0) = e^{-\delta}$ (the paper's caption)"}


def fig1(data, style: str = "paper"):
    """Fig 1: ‖W(δτ)‖_F² (L = 1) and ‖W1W2(δτ)‖_F² (L = 2) against τ, one panel per init, one legend."""
    fig = _new(DOUBLE, 2.9, style)
    axes = fig.subplots(1, len(data.inits), sharey=True, squeeze=False)[0]
    for ax, init in zip(axes, data.inits, strict=True):
        for delta in data.deltas:
            ls = _DASHES.get(delta, "-")
            ax.plot(data.tau, data.curves[(2, init, delta)], color=BLUE, ls=ls)
            ax.plot(data.tau, data.curves[(1, init, delta)], color=ORANGE, ls=ls)
        for tj in data.jumps(init):
            ax.axvline(tj, color="0.6", lw=0.6)
        ax.axvline(1000, color=BLACK, lw=0.5, ls="-.")
        ax.set_xscale("log")
        ax.set_xlabel(r"rescaled time $\tau = t/\delta$")
        ax.set_title(_INIT_TEXT[init])
        ax.grid(True)
    axes[0].set_ylabel(r"squared Frobenius norm")
    handles = ([_line(BLUE, "-", r"two-layer $\|W_1W_2\|_F^2$"), _line(ORANGE, "-", r"linear $\|W\|_F^2$")]
               + [_line("0.3", _DASHES.get(d, "-"), rf"$\delta = {d:g}$") for d in data.deltas]
               + [_line("0.6", "-", r"$\delta \to \infty$ jumps"),
                  _line(BLACK, "-.", r"paper's axis end $\tau = 1000$")])
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    sig = ", ".join(f"{s:g}" for s in data.sigma)
    lam = ", ".join(f"{x:g}" for x in data.lam)
    _caption(fig, rf"Fig 1 (gradient flow, closed forms): $\Sigma_{{xy}}$ = diag({sig}), $\Sigma_x$ = diag({lam}); "
                  r"jumps at $1/\sigma_i$ (layer init) and $1/(2\sigma_i)$ (product init)")
    return fig


def _line(color: str, ls: str, label: str):
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, ls=ls, label=label)


def _step_axis(ax) -> None:
    """GD steps on a symmetric-log axis: linear on [0, 1], so k = 0 is drawn at 0, not moved."""
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.6)
    ax.set_xlim(left=0)
    top = int(np.ceil(np.log10(max(ax.get_xlim()[1], 10))))
    ax.set_xticks([0, *(10.0**i for i in range(top + 1))],
                  ["0", "1", "10", *(f"$10^{{{i}}}$" for i in range(2, top + 1))])
    ax.set_xlabel(r"GD step $k$ (log axis, linear on $[0, 1]$)")


def fig2(data, style: str = "paper"):
    """Fig 2 (the paper's): trace norm and relative reconstruction error of W_k (L = 1) and W1W2 (L = 2)."""
    fig = _new(DOUBLE, 2.7, style)
    ax, ax_err = fig.subplots(1, 2)
    for a, values, ylabel in ((ax, data.trace_norm, r"trace norm $\|W\|_*$"),
                              (ax_err, data.reconstruction, r"$\|X - XW\|_F^2 \,/\, \|X\|_F^2$")):
        a.plot(data.steps, values[2], color=BLUE)
        a.plot(data.steps, values[1], color=ORANGE, ls="--")
        for kj in data.predicted_jumps:
            a.axvline(kj, color="0.6", lw=0.6, ls=":")
        _step_axis(a)
        a.set_ylabel(ylabel)
        a.grid(True)
    ax.set_yticks(range(data.r + 1))
    ax_err.set_yscale("log")
    handles = [_line(BLUE, "-", r"two-layer $W_1W_2$ ($L = 2$)"), _line(ORANGE, "--", r"linear $W$ ($L = 1$)"),
               _line("0.6", ":", r"predicted jumps $\delta/\ln(1 + \eta\lambda_i)$")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    _caption(fig, rf"Fig 2 (linear autoencoder, GD): $n = {data.n}$, $d = p = {data.d}$, $r = {data.r}$; "
                  rf"$\eta = {data.eta:.4g}$, $\delta = {data.delta:g}$, "
                  rf"layer init $W_1(0) = W_2(0) = e^{{-\delta}} I$, seed {data.seed}")
    return fig


def fig_e14(data, style: str = "paper"):
    """Erratum E14: the literal eq (28) error ‖W − BDBᵀ‖_F does not tend to 0 (docs/conventions.md, errata)."""
    fig = _new(SINGLE, 2.6, style)
    ax = fig.subplots()
    ax.plot(data.steps, data.eq28_error[2], color=BLUE, label=r"two-layer ($L = 2$)")
    ax.plot(data.steps, data.eq28_error[1], color=ORANGE, ls="--", label=r"linear ($L = 1$)")
    _step_axis(ax)
    ax.set_ylabel(r"$\|W_k - BDB^\top\|_F$")
    ax.grid(True)
    ax.legend(loc="center left")
    _caption(fig, "Erratum E14: eq (28) as printed; the error stays away from 0 (same runs as Fig 2)")
    return fig


#: Regime thresholds in s = ησ (symdyn.derive.regimes): monotone/oscillating, period doubling, 2-cycle unstable.
THRESHOLDS = ((0.5, r"$\eta\sigma = 1/2$"), (1.0, r"$\eta\sigma = 1$"),
              (float(np.sqrt(5) - 1), r"$\eta\sigma = \sqrt{5} - 1$"))


def fig3(s: np.ndarray, x: np.ndarray, s_grid: np.ndarray, transient: int, keep: int, style: str = "paper"):
    """Bifurcation diagram of the L = 2 GD map in x = λw/σ against s = ησ, thresholds marked.

    x⁺ = x(1 + s(1 − x))² (regimes.bifurcation_points); the period-2 orbit's closed form
    ((1+s) ± √((s−1)(s+3)))/(2s) (regimes.period_two_orbit, σ = λ = 1) is overlaid.
    """
    import sympy as sp

    from symdyn.derive import regimes
    from symdyn.model import symbols as S

    fig = _new(SINGLE, 3.0, style)
    ax = fig.subplots()
    ax.plot(s, x, ",", color=BLACK, alpha=0.5, rasterized=True)
    ax.plot([], [], ".", color=BLACK, ms=3, label=f"long-run iterates (last {keep})")
    two = s_grid[(s_grid >= 1) & (s_grid <= THRESHOLDS[2][0])]
    for i, branch in enumerate(regimes.period_two_orbit().expr):
        fn = sp.lambdify(S.eta, branch.subs({S.sigma: 1, S.lam: 1}), "numpy")
        ax.plot(two, fn(two), color=VERMILLION, lw=1, ls="--", label="period-2 orbit" if i == 0 else None)
    ax.plot([s_grid[0], 1], [1, 1], color=BLUE, lw=0.8, label=r"fixed point $\lambda w/\sigma = 1$")
    ax.plot([1, s_grid[-1]], [1, 1], color=BLUE, lw=0.8, ls=":", label="(unstable)")
    for st, text in THRESHOLDS:
        ax.axvline(st, color=GREEN, lw=0.8, ls=":")
        ax.annotate(text, (st, 0.98), xycoords=("data", "axes fraction"), xytext=(-2, 0), textcoords="offset points",
                    color=GREEN, rotation=90, ha="right", va="top")
    ax.set_xlabel(r"$\eta\sigma$")
    ax.set_ylabel(r"long-run $\lambda w/\sigma$")
    ax.set_xlim(s_grid[0], s_grid[-1])
    ax.grid(True)
    ax.legend(loc="lower left")
    _caption(fig, rf"fig3: two-layer GD $w^+ = w(1 + \eta(\sigma - \lambda w))^2$ from $\lambda w_0/\sigma = 0.1$, "
                  f"{transient} steps (float64)")
    return fig


#: fig4 parameters: one mode, the same for every depth (σ/λ = 1/2), δ = 8 (L = 4: t = e^{16} τ).
FIG4 = {"sigma": 1.0, "lam": 2.0, "delta": 8.0, "init": "layer"}
#: Half-width of the zoom around τ/τ* = 1 (L = 3 escapes within ~e^{−δ} = 3e-4 there; L = 4 within ~e^{−2δ}).
FIG4_ZOOM = 0.003
_DEPTH_COLOUR = {1: ORANGE, 2: BLUE, 3: GREEN, 4: VERMILLION}
_DEPTH_STYLE = {1: "-", 2: "-", 3: "-", 4: "--"}
_SCALE_TEX = {1: r"\delta", 2: r"\delta", 3: r"e^{\delta}", 4: r"e^{2\delta}"}


def fig4(data: dict, sigma: float, lam: float, delta: float, init: str, style: str = "paper"):
    """w/(σ/λ) against τ/τ*_L for L = 1..4, one colour per depth, the limits' values at τ* marked."""
    from symdyn.numeric.depth import transition_x_float

    fig = _new(DOUBLE, 3.0, style)
    ax = fig.subplots()
    zoom = ax.inset_axes([0.60, 0.10, 0.36, 0.5])
    for L, d in sorted(data.items()):
        colour, ls = _DEPTH_COLOUR.get(L, BLACK), _DEPTH_STYLE.get(L, "-")
        scale = _SCALE_TEX.get(L, f"e^{{{L - 2}\\delta}}")
        ax.plot(d["x"], d["w_rel"], color=colour, ls=ls, label=rf"$L = {L}$: $t = {scale}\,\tau$")
        keep = np.abs(d["x"] - 1) <= FIG4_ZOOM
        zoom.plot(d["x"][keep], d["w_rel"][keep], color=colour, ls=ls)
    marks = [(2, lam / (sigma + lam))] + [(L, transition_x_float(L)) for L in sorted(data) if L >= 3]
    for i, (L, y) in enumerate(marks):
        for a in (ax, zoom):
            a.plot([1.0], [y], "o", color=_DEPTH_COLOUR.get(L, BLACK), ms=4, mfc="none",
                   label=r"$\delta \to \infty$ value at $\tau^*$" if i == 0 and a is ax else None)
    ax.axvline(1.0, color="0.7", lw=0.6)
    zoom.set_xlim(1 - FIG4_ZOOM, 1 + FIG4_ZOOM)
    zoom.set_xticks([1 - FIG4_ZOOM, 1.0, 1 + FIG4_ZOOM])
    zoom.set_title(rf"zoom: $|\tau/\tau^* - 1| \leq {FIG4_ZOOM:g}$")
    zoom.grid(True)
    ax.set_xlabel(r"$\tau/\tau^*_L$  ($\tau^*_L = 1/\sigma$ for $L \leq 2$, $1/((L-2)\sigma)$ for $L \geq 3$)")
    ax.set_ylabel(r"$w/(\sigma/\lambda)$")
    ax.grid(True)
    ax.legend(loc="upper left")
    _caption(fig, rf"fig4: gradient flow at depths $L$ = {', '.join(map(str, sorted(data)))} on one rescaled axis; "
                  rf"$\sigma = {sigma:g}$, $\lambda = {lam:g}$, $\delta = {delta:g}$, {init} init "
                  rf"(factors $e^{{-\delta}}$, $w_0 = e^{{-L\delta}}$); $L \geq 3$: implicit closed form inverted")
    return fig


# ---------------------------------------------------------------- files, in memory


def _csv(header: list[str], columns: list) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in zip(*columns, strict=True):
        w.writerow([f"{x:.10g}" for x in row])
    return buf.getvalue()


def _fig1(seed: int, style: str):
    from symdyn.matrix import experiments

    data = experiments.fig1_data()
    keys = sorted(data.curves, key=lambda k: (k[1], k[0], k[2]))
    header = ["tau"] + [f"L{L}_{init}_delta{d:g}" for (L, init, d) in keys]
    return fig1(data, style), _csv(header, [data.tau] + [data.curves[k] for k in keys])


def _fig2_data(seed: int):
    from symdyn.matrix import experiments

    return experiments.fig2_data(seed=seed)


def _fig2(seed: int, style: str):
    data = _fig2_data(seed)
    header = ["step", "trace_norm_L1", "trace_norm_L2", "reconstruction_L1", "reconstruction_L2"]
    comment = (f"# eta={data.eta:.10g} delta={data.delta:g} seed={data.seed} init=layer "
               f"predicted_jumps={' '.join(f'{k:.6g}' for k in data.predicted_jumps)}; "
               "reconstruction = ||X - XW||_F^2/||X||_F^2\n")
    cols = [data.steps, data.trace_norm[1], data.trace_norm[2], data.reconstruction[1], data.reconstruction[2]]
    return fig2(data, style), comment + _csv(header, cols)


def _e14(seed: int, style: str):
    data = _fig2_data(seed)
    comment = f"# eq (28) as printed: ||W_k - B D B^T||_F; eta={data.eta:.10g} delta={data.delta:g} seed={data.seed}\n"
    return fig_e14(data, style), comment + _csv(["step", "eq28_error_L1", "eq28_error_L2"],
                                                [data.steps, data.eq28_error[1], data.eq28_error[2]])


def _fig3(seed: int, style: str):
    from symdyn.derive import regimes

    transient, keep = 2000, 64
    s_grid = np.linspace(0.02, 2.0, 991)
    s, x = regimes.bifurcation_points(s_grid, transient=transient, keep=keep)
    comment = (f"# x = lambda*w/sigma after {transient} steps from x0 = 0.1, last {keep} iterates; "
               "thresholds eta*sigma = 1/2, 1, sqrt(5)-1\n")
    return fig3(s, x, s_grid, transient, keep, style), comment + _csv(["eta_sigma", "lambda_w_over_sigma"], [s, x])


def _fig4(seed: int, style: str):
    from symdyn.matrix import experiments

    # a uniform grid (contains τ/τ* = 1 exactly) refined around 1 for the zoom
    x = np.union1d(np.linspace(0.0, 2.0, 801), 1 + np.linspace(-FIG4_ZOOM, FIG4_ZOOM, 121))
    data = experiments.depth_comparison_data(FIG4["sigma"], FIG4["lam"], FIG4["delta"], x, init=FIG4["init"])
    comment = (f"# sigma={FIG4['sigma']:g} lambda={FIG4['lam']:g} delta={FIG4['delta']:g} init={FIG4['init']}; "
               "x = tau/tau*_L; w_rel = w/(sigma/lambda); "
               + " ".join(f"L{L}: t={d['scale']}*tau tau*={d['tau_star']:g}" for L, d in data.items()) + "\n")
    header = ["tau_over_tau_star"] + [f"w_rel_L{L}" for L in data]
    return fig4(data, **FIG4, style=style), comment + _csv(header, [x] + [data[L]["w_rel"] for L in data])


_BUILD = {"fig1": _fig1, "fig2": _fig2, "fig3": _fig3, "fig4": _fig4, "e14": _e14}
FIGURES = tuple(_BUILD)
#: What each figure shows, for listings and the report.
CAPTIONS = {
    "fig1": "the paper's Fig 1: closed-form gradient flow, both inits (one legend for both panels)",
    "fig2": "the paper's Fig 2: trace norm and reconstruction error of autoencoder GD, L = 1 and L = 2",
    "fig3": "GD step-size regimes of the L = 2 map (bifurcation diagram, thresholds 1/2, 1, sqrt(5) - 1)",
    "fig4": "the flow at depths L = 1..4 on one rescaled axis, zoom at the transition",
    "e14": "erratum E14: the literal eq (28) error does not tend to 0",
}


def file_names(name: str) -> tuple[str, ...]:
    """The files :func:`figure_files` writes for the figure ``name`` (known before drawing it)."""
    return (f"{name}.png", f"{name}.pdf", f"{name}.csv")


def figure_files(name: str, seed: int = 0, style: str = "paper") -> dict[str, bytes]:
    """``{name}.png``, ``{name}.pdf`` and ``{name}.csv`` (the plotted data) as bytes, in memory."""
    import matplotlib

    if name not in _BUILD:
        raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    with matplotlib.rc_context(style_rc(style)):
        fig, table = _BUILD[name](seed, style)
        png, pdf, csv = file_names(name)
        out = {}
        for fname, ext in ((png, "png"), (pdf, "pdf")):
            buf = io.BytesIO()
            fig.savefig(buf, format=ext)
            out[fname] = buf.getvalue()
    out[csv] = table.encode("utf-8")
    return out
