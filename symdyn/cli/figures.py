"""``symdyn figures``: write Fig 1 and Fig 2 (PNG, PDF and the CSV data) atomically."""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from .. import experiments, figures

FIGURES = ("fig1", "fig2")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("figures", help="write the paper's Fig 1 and Fig 2 (PNG, PDF, CSV)",
                       description="Reproduce Fig 1 (closed forms, both inits) and Fig 2 (autoencoder GD) "
                                   "of the paper as PNG + PDF with the plotted data as CSV (SPEC §4).")
    p.add_argument("--out", default="figures", metavar="DIR", help="output directory (default: figures)")
    p.add_argument("--only", nargs="+", choices=FIGURES, default=list(FIGURES), metavar="FIG",
                   help="which figures: fig1 fig2 (default both)")
    p.add_argument("--seed", type=int, default=0, help="Fig 2 data seed (default 0)")
    p.set_defaults(run=run)


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
    return figures.fig1(data), _csv(header, [data.tau] + [data.curves[k] for k in keys])


def _fig2(seed: int):
    data = experiments.fig2_data(seed=seed)
    header = ["step", "trace_norm_L1", "trace_norm_L2", "eq28_error_L1", "eq28_error_L2"]
    comment = (f"# eta={data.eta:.10g} delta={data.delta:g} seed={data.seed} init=layer "
               f"predicted_jumps={' '.join(f'{k:.6g}' for k in data.predicted_jumps)}\n")
    cols = [data.steps, data.trace_norm[1], data.trace_norm[2], data.eq28_error[1], data.eq28_error[2]]
    return figures.fig2(data), comment + _csv(header, cols)


_BUILD = {"fig1": _fig1, "fig2": _fig2}


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".symdyn-figures-", dir=out))
    try:
        written = []
        for name in dict.fromkeys(args.only):
            fig, table = _BUILD[name](args.seed)
            fig.savefig(tmp / f"{name}.png", dpi=150)
            fig.savefig(tmp / f"{name}.pdf")
            (tmp / f"{name}.csv").write_text(table)
            written += [f"{name}.png", f"{name}.pdf", f"{name}.csv"]
        for fname in written:  # every file is complete before any is moved into place
            os.replace(tmp / fname, out / fname)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(str(out / f) for f in written))
    return 0
