"""Flags shared by every subcommand, and output helpers.

The parameter flags are the same everywhere: ``--depth``, ``--sigma``, ``--lambda``,
``--eta``, ``--delta``, ``--init``, ``--format``. Numbers are parsed exactly
(:mod:`symdyn.exact`); they reach floats only at the numeric boundary.
"""

from __future__ import annotations

import argparse
import json
import sys

from symdyn.model import INITS, Model
from symdyn.model.exact import parse_integer, parse_number


def _depth(text: str) -> int:
    try:
        value = parse_integer(text, "depth")
    except ValueError:
        raise argparse.ArgumentTypeError(f"depth must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"depth must be an integer >= 1, got {value}")
    return value


def _exact(name: str, minimum: int | None = 0, strict: bool = False):
    def parse(text: str):
        try:
            return parse_number(text, name, minimum, strict)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = name
    return parse


def add_model_args(p: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "latex", "json"),
                   depth_default: int = 2) -> None:
    """Add the shared parameter flags to ``p``."""
    p.add_argument("--depth", type=_depth, default=depth_default, metavar="L",
                   help=f"network depth L >= 1 (default {depth_default})")
    p.add_argument("--sigma", type=_exact("sigma"), help="singular value sigma >= 0 (exact: 0.1, 1/3)")
    p.add_argument("--lambda", dest="lam", type=_exact("lambda"), help="curvature lambda >= 0")
    p.add_argument("--eta", type=_exact("eta", 0, True), help="step size eta > 0")
    p.add_argument("--delta", type=_exact("delta"), help="init scale delta >= 0 (start e^-delta)")
    p.add_argument("--init", choices=INITS, default="layer",
                   help="layer: every factor starts at e^-delta (default); product: w0 = e^-delta")
    p.add_argument("--format", choices=formats, default=formats[0], help="output format")
    p.add_argument("--model", metavar="FILE.toml", default=None,
                   help="your own model from a TOML file (see examples/models/); --NAME VALUE sets a "
                        "parameter it declares; --depth and --init do not apply")


def model_from_args(args: argparse.Namespace) -> Model:
    """The :class:`Model` the flags describe (unset parameters stay symbolic)."""
    kw = {name: getattr(args, name) for name in ("sigma", "lam", "eta", "delta")
          if getattr(args, name, None) is not None}
    return Model(depth=args.depth, init=args.init, **kw)


def emit_json(payload: object) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def output_key(args: argparse.Namespace, out: dict) -> str | None:
    """Print ``out`` as JSON and return None for ``--format json``; else the payload key to print ("text"/"latex")."""
    if args.format == "json":
        emit_json(out)
        return None
    return "latex" if args.format == "latex" else "text"
