"""``symdyn figures``: write Fig 1 and Fig 2 (PNG, PDF and the CSV data) atomically."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from symdyn.output.figures import FIGURES, figure_files


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("figures",
                       help="write the paper's Fig 1 and Fig 2, and fig3 (GD regimes), fig4 (depths)",
                       description="Reproduce Fig 1 (closed forms, both inits) and Fig 2 (autoencoder GD) "
                                   "of the paper as PNG + PDF with the plotted data as CSV (SPEC §4).")
    p.add_argument("--out", default="figures", metavar="DIR", help="output directory (default: figures)")
    p.add_argument("--only", nargs="+", choices=FIGURES, default=list(FIGURES), metavar="FIG",
                   help=f"which figures: {' '.join(FIGURES)} (default all)")
    p.add_argument("--seed", type=int, default=0, help="Fig 2 data seed (default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".symdyn-figures-", dir=out))
    try:
        written = []
        for name in dict.fromkeys(args.only):
            for fname, content in figure_files(name, args.seed).items():
                (tmp / fname).write_bytes(content)
                written.append(fname)
        for fname in written:  # every file is complete before any is moved into place
            os.replace(tmp / fname, out / fname)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(str(out / f) for f in written))
    return 0
