"""``symdyn figures``: write the figures (PNG, PDF and the CSV data) atomically."""

from __future__ import annotations

import argparse

HELP = "write the paper's Fig 1 and Fig 2, fig3 (GD regimes), fig4 (depths), e14 (erratum E14)"


def register(sub: argparse._SubParsersAction) -> None:
    from symdyn.output.figures import FIGURES, STYLES  # matplotlib is imported only when a figure is drawn

    p = sub.add_parser("figures", help=HELP,
                       description="Reproduce Fig 1 (closed forms, both inits) and Fig 2 (autoencoder GD: trace norm "
                                   "and reconstruction error) of the paper, fig3, fig4 and e14 (the eq (28) "
                                   "diagnostic), as PNG + PDF with the plotted data as CSV.")
    p.add_argument("--out", default="figures", metavar="DIR", help="output directory (default: figures)")
    p.add_argument("--only", nargs="+", choices=FIGURES, default=list(FIGURES), metavar="FIG",
                   help=f"which figures: {' '.join(FIGURES)} (default all)")
    p.add_argument("--seed", type=int, default=0, help="Fig 2 data seed (default 0)")
    p.add_argument("--style", choices=tuple(STYLES), default="paper",
                   help="paper: journal column widths (3.25 in, 6.75 in), 8 pt text, Type 42 fonts (default); "
                        "screen: the same 1.5 times larger")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: the paths written, one a line (default); json: the paths and figures as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symdyn.output.figures import figure_files, file_names
    from symdyn.output.files import add_files, check_addable

    names = list(dict.fromkeys(args.only))
    check_addable(args.out, [f for n in names for f in file_names(n)])  # refused before any figure is drawn
    files: dict[str, bytes] = {}
    for name in names:
        files.update(figure_files(name, args.seed, args.style))
    written = add_files(args.out, files, writer="symdyn figures")
    if args.format == "json":
        from symdyn.cli.common import emit_json

        emit_json({"out": str(args.out), "figures": list(dict.fromkeys(args.only)), "style": args.style,
                   "seed": args.seed, "written": [str(p) for p in written]})
        return 0
    print("\n".join(str(p) for p in written))
    return 0
