"""``symdyn latex``: the LaTeX of chosen results, for pasting into a paper."""

from __future__ import annotations

import argparse

HELP = "print the LaTeX of derived results"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("latex", help=HELP,
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
    p.add_argument("--format", choices=("latex", "json"), default="latex",
                   help="latex: the equations (default); json: each entry's label, title, hypotheses and LaTeX")
    p.set_defaults(run=run)


def _entries_json(sections: list) -> list[dict]:
    return [{"section": sec.key, "label": e.label, "title": e.title, "hypotheses": [str(h) for h in e.hypotheses],
             "claim": e.claim, "latex": e.latex()} for sec in sections for e in sec.entries]


def run(args: argparse.Namespace) -> int:
    from symdyn.cli.common import emit_json
    from symdyn.output.sheet import build, labels, render_body

    if args.model is not None:
        from symdyn.cli.model import load
        from symdyn.output.model_sheet import model_sections

        sections = model_sections(load(args))
        if args.format == "json":
            emit_json({"model": args.model, "entries": _entries_json(sections)})
        else:
            print(render_body(sections))
        return 0
    if args.depth is not None and args.depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {args.depth}")
    found = labels(tuple(args.only), args.depth)
    if not found:
        raise ValueError(f"no result matches --only {' '.join(args.only)}; `symdyn latex --list` lists the labels")
    if args.list:
        if args.format == "json":
            emit_json([{"section": key, "label": label} for key, label in found])
        else:
            print("\n".join(f"{key:<14} {label}" for key, label in found))
        return 0
    sections = build(tuple(args.only), args.depth)
    if args.format == "json":
        emit_json({"depth": args.depth, "only": list(args.only), "entries": _entries_json(sections)})
    else:
        print(render_body(sections))
    return 0
