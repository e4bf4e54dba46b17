"""``symdyn latex``: the LaTeX of chosen results, for pasting into a paper."""

from __future__ import annotations

import argparse

from symdyn.output.sheet import build, render_body


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("latex", help="print the LaTeX of derived results",
                       description="Print the formula-sheet entries as LaTeX equations "
                                   "(labels match derivations/formulas.tex).")
    p.add_argument("--depth", type=int, default=None, metavar="L",
                   help="keep the results of depth L (and the depth-free ones)")
    p.add_argument("--only", nargs="+", default=(), metavar="NAME",
                   help="keep entries whose label starts with NAME (e.g. flow-L2 map)")
    p.add_argument("--model", metavar="FILE.toml", default=None,
                   help="the formula sheet of your own model (see examples/models/); --NAME VALUE sets a parameter")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.model is not None:
        from symdyn.cli.model import load
        from symdyn.output.model_sheet import model_sections

        print(render_body(model_sections(load(args))))
        return 0
    if args.depth is not None and args.depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {args.depth}")
    sections = build(tuple(args.only), args.depth)
    if not sections:
        raise ValueError(f"no result matches --only {' '.join(args.only)}; "
                         "labels are listed in derivations/formulas.md")
    print(render_body(sections))
    return 0
