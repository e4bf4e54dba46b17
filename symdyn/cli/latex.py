"""``symdyn latex``: the LaTeX of chosen results, for pasting into a paper."""

from __future__ import annotations

import argparse

from symdyn.output.sheet import build, labels, render_body


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("latex", help="print the LaTeX of derived results",
                       description="Print the formula-sheet entries as LaTeX equations "
                                   "(labels match derivations/formulas.tex). Only the entries asked for "
                                   "are derived.")
    p.add_argument("--depth", type=int, default=None, metavar="L",
                   help="keep the results of depth L (and the depth-free ones)")
    p.add_argument("--only", nargs="+", default=(), metavar="NAME",
                   help="keep entries whose label starts with NAME (e.g. flow-L2 map)")
    p.add_argument("--model", metavar="FILE.toml", default=None,
                   help="the formula sheet of your own model (see examples/models/); --NAME VALUE sets a parameter")
    p.add_argument("--list", action="store_true", help="list the labels (section and label), derive nothing")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.model is not None:
        from symdyn.cli.model import load
        from symdyn.output.model_sheet import model_sections

        print(render_body(model_sections(load(args))))
        return 0
    if args.depth is not None and args.depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {args.depth}")
    found = labels(tuple(args.only), args.depth)
    if not found:
        raise ValueError(f"no result matches --only {' '.join(args.only)}; `symdyn latex --list` lists the labels")
    if args.list:
        print("\n".join(f"{key:<14} {label}" for key, label in found))
        return 0
    print(render_body(build(tuple(args.only), args.depth)))
    return 0
