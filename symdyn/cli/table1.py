"""``symdyn table1``: Δx and Δxy on bundled real classification data (docs/conventions.md Table 1)."""

from __future__ import annotations

import argparse

from symdyn.cli.common import emit_json

HELP = "Table 1: Assumption-1 diagnostics on real data"


def register(sub: argparse._SubParsersAction) -> None:
    from symdyn.matrix.data import BUNDLED

    p = sub.add_parser("table1", help=HELP,
                       description="Compute Delta_x and Delta_xy on scikit-learn's bundled iris, wine, "
                                   "breast_cancer and digits (Y one-hot), centred and not, under each "
                                   "completion of U, and check the paper's claim that Delta_xy is about "
                                   "two orders of magnitude below Delta_x.")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--datasets", nargs="+", choices=BUNDLED, default=list(BUNDLED), metavar="NAME",
                   help=f"data sets (default all: {' '.join(BUNDLED)})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symdyn.matrix.data import load_classification
    from symdyn.matrix.experiments import table1_claim, table1_json, table1_rows, table1_text

    rows = table1_rows({name: load_classification(name) for name in dict.fromkeys(args.datasets)})
    claim = table1_claim(rows)
    if args.format == "json":
        emit_json(table1_json(rows, claim))
    else:
        print(table1_text(rows, claim))
    return 0
