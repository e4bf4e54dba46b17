"""``symdyn table1``: Δx and Δxy on bundled real classification data (SPEC §4 Table 1)."""

from __future__ import annotations

import argparse

from ..data import BUNDLED, load_classification
from ..diagnostics import COMPLETIONS
from ..experiments import CLAIM_DECADES, table1_claim, table1_rows
from .common import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("table1", help="Table 1: Assumption-1 diagnostics on real data",
                       description="Compute Delta_x and Delta_xy on scikit-learn's bundled iris, wine, "
                                   "breast_cancer and digits (Y one-hot), centred and not, under each "
                                   "completion of U, and check the paper's claim that Delta_xy is about "
                                   "two orders of magnitude below Delta_x.")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--datasets", nargs="+", choices=BUNDLED, default=list(BUNDLED), metavar="NAME",
                   help=f"data sets (default all: {' '.join(BUNDLED)})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = table1_rows({name: load_classification(name) for name in dict.fromkeys(args.datasets)})
    claim = table1_claim(rows)
    if args.format == "json":
        emit_json({
            "source": "scikit-learn bundled data sets (sklearn.datasets.load_*), Y one-hot",
            "claim_rule": f"log10(Delta_x/Delta_xy) >= {CLAIM_DECADES} on every data set",
            "rows": [{"dataset": r.dataset, "n": r.n, "d": r.d, "p": r.p, "centred": r.centred,
                      "rank_xy": r.rank_xy, "delta_x": r.delta_x, "delta_xy": r.delta_xy,
                      "decades_below": {c: r.orders_below(c) for c in COMPLETIONS}} for r in rows],
            "claim_survives": [{"centred": c, "completion": m, "survives": v}
                               for (c, m), v in claim.items()],
        })
        return 0
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
    print("\n".join(lines))
    return 0
