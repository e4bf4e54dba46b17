"""The ``symdyn`` command line: a thin layer over the pure core.

Each subcommand lives in its own module with ``register(subparsers)`` and
``run(args) -> int``. Errors in the user's input end with one line on stderr and
exit status 2; nothing prints a traceback. SIGINT, SIGTERM and SIGHUP unwind the run
(temporary output is removed on the way out) and exit 130, 143 and 129.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from dataclasses import fields

from symdyn.model.checks import LIMIT_HELP, LimitError, Limits, raised_limits

#: Subcommand modules, in the order ``symdyn --help`` lists them.
COMMANDS = ("reproduce", "derive", "limit", "latex", "verify", "trajectory", "figures", "table1", "simulate",
            "sweep")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (exit 2), not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


#: The exit status of each signal that ends a run: 128 + the signal number.
SIGNALS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class Stopped(KeyboardInterrupt):
    """A terminating signal arrived: unwinds as a KeyboardInterrupt, so every ``finally`` and every
    handler of an interrupt cleans up the same way for SIGINT, SIGTERM and SIGHUP."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    for s in SIGNALS:  # the cleanup on the way out is not interrupted by a second signal
        signal.signal(s, signal.SIG_IGN)
    raise Stopped(signum)


def _integer(text: str) -> int:
    """An int from ASCII digits only (``int()`` also reads ``١٢``, ``１`` and ``1_0``)."""
    from symdyn.model.exact import parse_integer

    try:
        return parse_integer(text, "the value")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _real(text: str) -> float:
    """A finite float from an exact decimal or fraction (no ``nan``, ``inf``, ``1_0`` or non-ASCII digits)."""
    from symdyn.model.exact import parse_number

    try:
        return float(parse_number(text, "the value"))
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limit(text: str) -> tuple[str, int]:
    name, eq, value = text.partition("=")
    if not eq or name not in LIMIT_HELP:
        raise argparse.ArgumentTypeError(f"expected NAME=N with NAME one of {', '.join(LIMIT_HELP)}, got {text!r}")
    n = _integer(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"limit {name} must be >= 1, got {n}")
    return name, n


def _limits_help() -> str:
    default = Limits()
    return "raise a size limit on purpose (repeatable): " + "; ".join(
        f"{f.name}={getattr(default, f.name)}: {LIMIT_HELP[f.name]}" for f in fields(Limits))


def _harden(p: argparse.ArgumentParser) -> None:
    """Every number flag reads ASCII digits only, and every subcommand takes --limit NAME=N."""
    for action in p._actions:
        if action.type is int:
            action.type = _integer
        elif action.type is float:
            action.type = _real
    p.add_argument("--limit", action="append", type=_limit, default=[], metavar="NAME=N", help=_limits_help())


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
    for p in dict.fromkeys(sub.choices.values()):
        _harden(p)
    return parser


def _early_limits(argv: list[str]) -> dict[str, int]:
    """The --limit values, read before the other flags (their types check numbers against the limits)."""
    out: dict[str, int] = {}
    for i, a in enumerate(argv):
        text = argv[i + 1] if a == "--limit" and i + 1 < len(argv) else a[8:] if a.startswith("--limit=") else None
        if text is not None:
            try:
                name, n = _limit(text)
            except argparse.ArgumentTypeError:
                continue  # the parser reports it in its own words
            out[name] = n
    return out


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
    """Run the CLI; returns the exit status (SIGTERM and SIGHUP are handled while it runs)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    in_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, _stop) for s in SIGNALS} if in_main else {}
    try:
        with raised_limits(**_early_limits(argv)):
            return _main(argv)
    except Stopped as exc:
        print(f"symdyn: stopped by {signal.Signals(exc.signum).name}", file=sys.stderr)
        return SIGNALS[exc.signum]
    except KeyboardInterrupt:
        print("symdyn: interrupted", file=sys.stderr)
        return 130
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _main(argv: list[str]) -> int:
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
    except LimitError as exc:
        print(f"symdyn {args.command}: error: {exc} (raise it on purpose with --limit {exc.name}=N)",
              file=sys.stderr)
        return 2
    except (ValueError, TypeError) as exc:
        from symdyn.cli.common import cli_message

        print(f"symdyn {args.command}: error: {cli_message(_one_line(exc))}", file=sys.stderr)
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
    except RecursionError:
        print(f"symdyn {args.command}: error: the input is nested too deeply", file=sys.stderr)
        return 2
    except Exception as exc:  # a defect of symdyn, not of the input: one line, and the traceback on request
        if os.environ.get("SYMDYN_TRACEBACK"):
            raise
        print(f"symdyn {args.command}: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(set SYMDYN_TRACEBACK=1 to see where; please report it)", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 500 else text[:497] + "..."
