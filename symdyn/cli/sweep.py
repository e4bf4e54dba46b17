"""``symdyn sweep``: parameter studies on Dask (a measure over a grid, or the claims' random sweeps)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from symdyn.cli.common import emit_json
from symdyn.model.checks import MAX_CELLS

EXIT_INTERRUPTED = 130

HELP = "parameter studies on Dask: a measure over a grid, or the claims' sweeps"


def register(sub: argparse._SubParsersAction) -> None:
    from symdyn.numeric.measures import DYNAMICS, MEASURES

    p = sub.add_parser("sweep", help=HELP,
                       description="Evaluate a measure over a grid of exact parameters, or run the claims' random "
                                   "sweeps, as Dask tasks (an embedded LocalCluster by default). Finished chunks "
                                   "are kept as Parquet fragments and joined atomically into one table.")
    ss = p.add_subparsers(dest="sweep_command", metavar="{grid,claims}")
    ss.required = True
    g = ss.add_parser("grid", help="one measure over a grid of parameters, one Parquet row per cell",
                      description="One measure over the product of --param axes, at --fixed values; one Parquet row "
                                  "per cell (parameters exact and as floats, the measure with its certified digits, "
                                  "digits, error, seconds, worker).")
    g.add_argument("--dynamics", choices=DYNAMICS, required=True, help="gd (steps k) or flow (times t)")
    g.add_argument("--param", action="append", required=True, metavar="NAME=START:STOP:NUM|NAME=a,b,c",
                   help="an axis: NUM exact values from START to STOP inclusive, or a list (repeat for more axes)")
    g.add_argument("--fixed", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter held at one exact value (repeat)")
    g.add_argument("--measure", required=True, metavar="|".join(MEASURES),
                   help="transition (k_half or t_half, and tau_half, at half the limit), value (the output at --at), "
                        "regime (GD regime and multiplier at sigma/lambda), oscillation ([Psi(1/mu), Psi(1)] at "
                        "T^eta)")
    g.add_argument("--at", nargs="+", default=[], metavar="X", help="measure value: GD steps or flow times")
    g.add_argument("--digits", type=int, default=20, metavar="D", help="certified digits of each value (default 20)")
    g.add_argument("--max-steps", type=int, default=None, metavar="N",
                   help="measure transition, GD: steps to scan before giving up (default 10^7)")
    g.add_argument("--depth", type=int, default=2, metavar="L", help="the paper's mode of depth L (default 2)")
    g.add_argument("--init", choices=("layer", "product"), default="layer", help="the paper's init convention")
    g.add_argument("--model", metavar="FILE.toml", default=None,
                   help="your own model (see examples/models/); --NAME VALUE or --fixed NAME=VALUE set parameters")
    g.add_argument("--plot", action="store_true", help="also write a heatmap PNG beside --out (a 2-D grid)")
    g.add_argument("--yes", action="store_true", help=f"run a grid of more than {MAX_CELLS} cells")
    g.add_argument("--out", default="sweep.parquet", metavar="FILE.parquet", help="the table (default sweep.parquet)")
    _engine_args(g)
    g.set_defaults(run=run_grid)

    c = ss.add_parser("claims", help="symdyn verify's random claim sweeps as tasks, one Parquet row per case",
                      description="The cases and verdicts of `symdyn verify --seed S --cases N`, each case a task; "
                                  "one Parquet row per case (case 0: the claim's fixed check).")
    c.add_argument("--cases", type=int, required=True, metavar="N", help="random cases per claim")
    c.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the cases (default 0)")
    c.add_argument("--only", nargs="+", metavar="ID", help="only these claim ids")
    c.add_argument("--quick", action="store_true", help="the fixed checks' cheaper parameter sets, as verify --quick")
    c.add_argument("--out", default="claims.parquet", metavar="FILE.parquet", help="the table (default claims.parquet)")
    _engine_args(c)
    c.set_defaults(run=run_claims)


def _engine_args(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                       help="run on this Dask scheduler (default: an embedded LocalCluster, one process per core)")
    where.add_argument("--serial", action="store_true", help="run in this process, without Dask (the reference)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="LocalCluster processes (default: cores)")
    p.add_argument("--chunk", type=int, default=None, metavar="CELLS",
                   help="cells per task (default: ~64 tasks, at most 256 cells each)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run: skip the chunks already written")
    p.add_argument("--connect-timeout", type=float, default=5.0, metavar="S",
                   help="seconds to wait for --scheduler (default 5)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format of the summary")


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"{flag} takes NAME=VALUE, got {item!r}")
        if name.strip() in out:
            raise ValueError(f"{flag} {name.strip()} is given twice")
        out[name.strip()] = value
    return out


#: The options that shape a table, in the order the recorded command lists them.
SHAPING = {"grid": ("model", "depth", "init", "dynamics", "param", "fixed", "measure", "at", "digits", "max_steps",
                    "chunk"),
           "claims": ("only", "cases", "seed", "quick", "chunk")}


def _command(args: argparse.Namespace) -> str:
    """The command as recorded in the table: every option that shapes the table, canonical."""
    words = ["symdyn", "sweep", args.sweep_command]
    for key in SHAPING[args.sweep_command]:
        value, flag = getattr(args, key), "--" + key.replace("_", "-")
        if value is None or value is False or value == []:
            continue
        if value is True:
            words.append(flag)
        elif key in ("param", "fixed"):
            for v in value:
                words += [flag, v]
        else:
            words += [flag, *map(str, value if isinstance(value, list) else [value])]
    for name, v in sorted((getattr(args, "model_params", None) or {}).items()):
        words += [f"--{name}", v]
    return shlex.join(words)


def _metadata(args: argparse.Namespace, seed: int | None) -> dict:
    import symdyn

    return {"command": _command(args), "symdyn_version": symdyn.__version__, "seed": seed}


class _Bar:
    """tqdm on stderr (cells, rate, ETA), shown only on a terminal and never with --format json."""

    def __init__(self, args: argparse.Namespace, total: int):
        self.enabled = args.format != "json" and sys.stderr.isatty()
        self.total, self.bar = total, None

    def start(self, done: int, workers: int) -> None:
        if workers == 0:
            print("symdyn sweep: the scheduler has no workers yet; the tasks wait for them (Ctrl-C stops, "
                  "--resume continues later)", file=sys.stderr)
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=done, unit="cell", desc=f"sweep on {workers} worker(s)",
                            file=sys.stderr, dynamic_ncols=True, smoothing=0.1)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run(job, args: argparse.Namespace):
    """Run ``job`` as the flags say; an interrupt leaves the finished fragments and says how to resume."""
    import logging

    from symdyn.output.sweep.engine import UnfinishedSweep, parts_folder, run_job

    logging.getLogger("distributed").setLevel(logging.ERROR)  # the CLI's stderr: the bar and one-line errors only
    bar = _Bar(args, job.cells)
    scheduler = "serial" if args.serial else args.scheduler
    try:
        return run_job(job, args.out, scheduler=scheduler, workers=args.workers, resume=args.resume,
                       connect_timeout=args.connect_timeout, progress=bar.update, on_start=bar.start)
    except UnfinishedSweep as exc:
        raise ValueError(f"{exc} (--resume continues it)") from None
    except KeyboardInterrupt:
        bar.close()
        print(f"symdyn sweep: interrupted; the finished chunks are in {parts_folder(Path(args.out))}, "
              "rerun the same command with --resume to continue", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        bar.close()


def _summary(s, extra: dict | None = None) -> dict:
    return {"out": str(s.out), "cells": s.cells, "errors": s.errors, "chunks": s.chunks, "resumed_chunks": s.resumed,
            "where": s.where, "workers": s.workers, "wall_seconds": round(s.wall_seconds, 3),
            "startup_seconds": round(s.startup_seconds, 3), "computed_cells": s.computed_cells,
            "cell_seconds": round(s.cell_seconds, 3), "overhead_ms_per_cell": round(s.overhead_ms_per_cell, 3),
            **(extra or {})}


def _print_summary(out: dict) -> None:
    print(f"wrote {out['out']}: {out['cells']} cells ({out['errors']} with an error) in {out['wall_seconds']:.1f} s "
          f"on {out['where']} (start-up {out['startup_seconds']:.1f} s); {out['chunks']} chunks "
          f"({out['resumed_chunks']} resumed); the {out['computed_cells']} cells computed took "
          f"{out['cell_seconds']:.1f} s, overhead {out['overhead_ms_per_cell']:.1f} ms per cell")
    if out.get("plot"):
        print(f"heatmap: {out['plot']}")


def run_grid(args: argparse.Namespace) -> int:
    from symdyn.numeric.measures import Subject
    from symdyn.output.sweep.grid import grid_job, grid_spec, parse_axis, plot_path, write_heatmap
    from symdyn.precise.crossing import MAX_STEPS

    fixed = _pairs(args.fixed, "--fixed")
    extra = getattr(args, "model_params", None) or {}
    for name, value in extra.items():
        if name in fixed:
            raise ValueError(f"--{name} and --fixed {name}=... both set {name}")
        fixed[name] = value
    if args.model is not None:
        subject = Subject(toml=_read_model(args.model))
    else:
        subject = Subject(depth=args.depth, init=args.init)
    axes = [parse_axis(text) for text in args.param]
    try:
        spec = grid_spec(subject, args.dynamics, args.measure, axes, fixed, digits=args.digits, at=args.at,
                         max_steps=args.max_steps or MAX_STEPS, max_cells=None if args.yes else MAX_CELLS)
    except ValueError as exc:
        if "more than the limit" in str(exc):
            raise ValueError(f"{exc}; pass --yes to run it anyway") from None
        raise
    if args.plot and len(spec.axes) != 2:
        raise ValueError(f"--plot draws a heatmap of a grid of two parameters; this grid has {len(spec.axes)}")
    png = plot_path(Path(args.out)) if args.plot else None
    job = grid_job(spec, chunk=args.chunk, metadata=_metadata(args, None))
    s = _run(job, args)
    if png is not None:
        write_heatmap(spec, s.out, png)
    out = _summary(s, {"plot": None if png is None else str(png), "command": job.metadata["command"]})
    if args.format == "json":
        emit_json(out)
    else:
        _print_summary(out)
    return 0


def _read_model(path: str) -> str:
    from symdyn.model.factor_model import from_toml

    text = Path(path).read_text(encoding="utf-8")
    try:
        from_toml(text)
    except ValueError as exc:
        raise ValueError(f"{Path(path).name}: {exc}") from None
    return text


def run_claims(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from symdyn.cli.verify import print_results
    from symdyn.output.sweep.claims import claims_job, verdicts

    job = claims_job(args.only, args.seed, args.cases, args.quick, chunk=args.chunk,
                     metadata=_metadata(args, args.seed))
    s = _run(job, args)
    results = verdicts(pq.read_table(s.out), args.seed)
    if args.format == "json":
        emit_json({**_summary(s, {"command": job.metadata["command"]}), "claims": [r.json() for r in results]})
        return 0 if all(r.as_expected for r in results) else 1
    status = print_results(results, args.seed, args.cases, "text")
    _print_summary(_summary(s))
    return status
