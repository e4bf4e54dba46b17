"""The ``symdyn`` command line: a thin layer over the pure core.

Each subcommand lives in its own module with ``register(subparsers)`` and
``run(args) -> int``. Errors in the user's input end with one line on stderr and
exit status 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand modules, in the order ``symdyn --help`` lists them.
COMMANDS = ("reproduce", "derive", "limit", "latex", "verify", "trajectory", "figures", "table1", "simulate",
            "sweep")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (exit 2), not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(commands: tuple[str, ...] = COMMANDS, brief: bool = False) -> argparse.ArgumentParser:
    """The parser with the subcommands ``commands`` (default all; each imports only what it uses).

    ``brief``: each subcommand only listed with its ``HELP`` line (``symdyn --help`` loads no subcommand's
    dependencies)."""
    from symdyn import __version__

    parser = _Parser(prog="symdyn", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"symdyn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in commands:
        module = importlib.import_module(f"{__name__}.{name}")
        if brief:
            sub.add_parser(name, help=module.HELP)
        else:
            module.register(sub)
    return parser


def _parameter_pairs(parser: argparse.ArgumentParser, extra: list[str]) -> dict[str, str]:
    """``--beta 3/2`` or ``--beta=3/2`` pairs (values stay text; the model parses them exactly)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(extra):
        flag = extra[i]
        if not flag.startswith("--") or len(flag) < 3:
            parser.error(f"unrecognized argument {flag!r} (parameters of a model are given as --name value)")
        name, eq, value = flag[2:].partition("=")
        if not eq:
            if i + 1 >= len(extra):
                parser.error(f"--{name} needs a value")
            value, i = extra[i + 1], i + 1
        out[name] = value
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    # only the command being run is imported (`symdyn latex --list` need not load matplotlib or scipy)
    parser = build_parser((first,)) if first in COMMANDS else build_parser(brief=True)
    args, extra = parser.parse_known_args(argv)
    if extra:  # `--name value` pairs set the parameters of a --model file; anything else is an error
        if getattr(args, "model", None) is None:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.model_params = _parameter_pairs(parser, extra)
    try:
        return int(args.run(args) or 0)
    except ValueError as exc:
        from symdyn.cli.common import cli_message

        print(f"symdyn {args.command}: error: {cli_message(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `symdyn derive | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a path the user gave cannot be written or read
        print(f"symdyn {args.command}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except MemoryError:
        print(f"symdyn {args.command}: error: out of memory; ask for fewer steps or points", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symdyn: interrupted", file=sys.stderr)
        return 130
