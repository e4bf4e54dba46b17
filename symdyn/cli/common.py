"""Flags shared by every subcommand, and output helpers.

The parameter flags are the same everywhere: ``--depth``, ``--sigma``, ``--lambda``,
``--eta``, ``--delta``, ``--init``, ``--format``. Numbers are parsed exactly
(:mod:`symdyn.exact`); they reach floats only at the numeric boundary.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from symdyn.model.checks import INITS

if TYPE_CHECKING:
    from symdyn.precise.certified import Certified

#: Appended to a text row whose digits are only agreed between reruns (not proven by an enclosure).
AGREED_MARK = "agreed"


def _depth(text: str) -> int:
    from symdyn.model.exact import parse_integer

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
            from symdyn.model.exact import parse_number

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
    p.add_argument("--w0", type=_exact("w0", 0, True), default=None,
                   help="your own start of the product, w0 > 0 (exact), instead of --delta and --init")
    p.add_argument("--format", choices=formats, default=formats[0], help="output format")
    p.add_argument("--model", metavar="FILE.toml", default=None,
                   help="your own model from a TOML file (see examples/models/); --NAME VALUE sets a "
                        "parameter it declares; --depth and --init do not apply")


def model_from_args(args: argparse.Namespace):
    """The :class:`~symdyn.model.core.Model` the flags describe (unset parameters stay symbolic)."""
    from symdyn.model.core import Model

    kw = {name: getattr(args, name) for name in ("sigma", "lam", "eta", "delta", "w0")
          if getattr(args, name, None) is not None}
    return Model(depth=args.depth, init=args.init, **kw)


#: Library words (API terms) -> the flag a CLI user types: (pattern, replacement).
_FLAGS = [
    (re.compile(r"(?:Model|starting_at)\((?:\.\.\., )?(\w+)=\.\.\.\)"), lambda m: _flag(m.group(1))),
    (re.compile(r"model\.with_values\((\w+)=\.\.\.\)"), lambda m: _flag(m.group(1))),
    (re.compile(r"\b(method|map|engine|backend)=['\"](\w+)['\"]"), lambda m: f"--{m.group(1)} {m.group(2)}"),
    (re.compile(r"\b(max_prec|start_prec|digits|thin|tau|w0|delta)="), lambda m: _flag(m.group(1)) + " "),
    (re.compile(r"\b(max_prec|start_prec)\b"), lambda m: _flag(m.group(1))),
]


def _flag(name: str) -> str:
    return "--lambda" if name in ("lam", "lambda") else "--" + name.replace("_", "-")


def cli_message(text: str) -> str:
    """A library message with its API terms (``Model(delta=...)``, ``method='jump'``, ``max_prec=``) as the
    flags of the command line (``--delta``, ``--method jump``, ``--max-prec``): the one place they are translated.

    >>> cli_message("give Model(eta=...) or use method='iterate'")
    'give --eta or use --method iterate'
    """
    for pattern, repl in _FLAGS:
        text = pattern.sub(repl, text)
    return text


def emit_json(payload: object) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def output_key(args: argparse.Namespace, out: dict) -> str | None:
    """Print ``out`` as JSON and return None for ``--format json``; else the payload key to print ("text"/"latex")."""
    if args.format == "json":
        emit_json(out)
        return None
    return "latex" if args.format == "latex" else "text"


def certified_fields(values: Sequence[Certified]) -> dict:
    """The JSON columns of certified values (one entry per value): ``values`` (the digits),
    ``digits``, ``prec_bits``, ``enclosure`` ([lo, hi] decimal strings rounded outward, null when
    nothing is known) and ``proof`` ("ball": proven by the enclosure; "agreement": agreed between reruns)."""
    return {"values": [v.text for v in values], "digits": [v.digits for v in values],
            "prec_bits": [v.prec for v in values],
            "enclosure": [list(v.enclosure) if v.enclosure else None for v in values],
            "proof": [v.proof for v in values]}


def certified_rows(variable: str, at: Sequence[object], values: Sequence[Certified], width: int) -> list[str]:
    """The text table of certified values: point, digits, certified digits, working bits, and
    :data:`AGREED_MARK` on a value that is only agreed."""
    rows = [f"{variable:>12}  {'w':<{width}}  digits  bits"]
    for p, v in zip(at, values, strict=True):
        mark = "" if v.proven else f"  {AGREED_MARK}"
        rows.append(f"{p!s:>12}  {v.text:<{width}}  {v.digits:>6}  {v.prec:>4}{mark}")
    return rows
