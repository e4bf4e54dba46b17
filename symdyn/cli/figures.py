"""``symdyn figures``: write Fig 1 and Fig 2 (PNG, PDF and the CSV data) atomically."""

from __future__ import annotations

import argparse

from symdyn.output.figures import FIGURES, figure_files
from symdyn.output.files import add_files


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
    files: dict[str, bytes] = {}
    for name in dict.fromkeys(args.only):
        files.update(figure_files(name, args.seed))
    written = add_files(args.out, files, writer="symdyn figures")
    print("\n".join(str(p) for p in written))
    return 0
