"""``symdyn trajectory``: certified GD iterates or flow values of one mode at chosen points."""

from __future__ import annotations

import argparse
import sys
import time

from symdyn.cli.common import add_model_args, emit_json, model_from_args
from symdyn.model.checks import check_trajectory_size
from symdyn.model.exact import parse_number
from symdyn.numeric.trajectory import numpy_trajectory
from symdyn.precise.gd_iterate import DEFAULT_ENGINE, ENGINES, MAPS
from symdyn.precise.trajectory import DEFAULT_METHOD, DYNAMICS, METHODS, Trajectory, thin_points, trajectory

BACKENDS = ("mpmath", "numpy")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trajectory", help="certified high-precision GD iterates or flow values",
                       description="Iterate GD (or evaluate the flow) of one mode at arbitrary precision "
                                   "and print each value with its certified significant digits "
                                   "(digits that survive a rerun at higher precision).")
    p.add_argument("--dynamics", choices=DYNAMICS, required=True, help="gd (steps k) or flow (times t)")
    p.add_argument("--backend", choices=BACKENDS, default="mpmath", help="mpmath: certified digits (default); "
                   "numpy: float64 w and ln w, fast, not certified")
    methods = sorted({m for _, m in METHODS})
    p.add_argument("--method", choices=methods, default=None,
                   help="; ".join(f"{d}: {', '.join(m for dd, m in METHODS if dd == d)} "
                                  f"(default {DEFAULT_METHOD[d]})" for d in DYNAMICS))
    p.add_argument("--at", "--steps", "--times", dest="at", nargs="+", required=True, metavar="X",
                   help="GD steps k (integers) or flow times t (exact: 600, 1/3, 2.5)")
    p.add_argument("--log", action="store_true",
                   help="numpy backend: report ln w (finite where w underflows) instead of w")
    p.add_argument("--thin", type=int, default=None, metavar="N",
                   help="also record the whole path thinned to N evenly spaced points on [0, max X]")
    p.add_argument("--digits", "--dps", dest="digits", type=int, default=30, metavar="D",
                   help="significant digits to certify (default 30)")
    p.add_argument("--max-prec", type=int, default=None, metavar="BITS",
                   help="precision cap in bits (default 8x the starting precision)")
    p.add_argument("--map", choices=MAPS, default="product",
                   help="GD: iterate the product map or the per-factor map (default product)")
    p.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                   help=f"GD iterate arithmetic: gmpy2 mpfr (fast) or mpmath mpf (default {DEFAULT_ENGINE}; "
                   "unused by --method jump)")
    add_model_args(p, formats=("text", "json"))
    p.set_defaults(run=run)


def _point(text: str, dynamics: str) -> object:
    q = parse_number(text, "step" if dynamics == "gd" else "time", 0)
    if dynamics == "gd":
        if q.q != 1:
            raise ValueError(f"GD steps must be integers, got {text!r}")
        return int(q)
    return q


class ProgressBar:
    """A one-line bar on stderr that appears only after ``delay`` seconds, and only on a TTY."""

    def __init__(self, enabled: bool, delay: float = 2.0, stream=None):
        stream = stream or sys.stderr
        self.enabled = enabled and stream.isatty()
        self.delay, self.stream = delay, stream
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        frac = done / total if total else 1.0
        bar = "#" * int(30 * frac)
        self.stream.write(f"\r{stage[:40]:<40} [{bar:<30}] {100 * frac:5.1f}%")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def payload(tr: Trajectory, backend: str) -> dict:
    m = tr.model
    return {
        "dynamics": tr.dynamics,
        "method": tr.method,
        "backend": backend,
        "depth": m.depth,
        "init": m.init,
        "parameters": {s.name: str(v) for s, v in m.values.items()},
        "w0": str(m.subs(m.w0)),
        **{k: v for k, v in tr.options.items()},
        "digits_requested": tr.digits,
        "variable": tr.variable,
        "at": [p if isinstance(p, int) else str(p) for p in tr.at],
        "values": [v.text for v in tr.values],
        "digits": [v.digits for v in tr.values],
        "prec_bits": [v.prec for v in tr.values],
    }


def _run_numpy(args: argparse.Namespace, model, points: list) -> int:
    if args.thin is not None:
        check_trajectory_size(args.dynamics, "iterate", points, thin=args.thin)
        points = sorted(set(points) | set(thin_points(max(points), args.thin, args.dynamics == "gd")))
    r = numpy_trajectory(model, args.dynamics, points)
    var = "k" if args.dynamics == "gd" else "t"
    if args.format == "json":
        emit_json({"dynamics": args.dynamics, "backend": "numpy", "depth": model.depth, "init": model.init,
                   "parameters": {s.name: str(v) for s, v in model.values.items()}, "variable": var,
                   "certified": False, "log": args.log,
                   "at": [p if isinstance(p, int) else str(p) for p in points],
                   "values": [float(v) for v in (r["ln_w"] if args.log else r["w"])]})
        return 0
    print(f"{args.dynamics} (numpy float64, not certified), depth L = {model.depth}, init = {model.init}")
    print(f"{var:>12}  {'w':<24}  ln w")
    for p, w, lw in zip(points, r["w"], r["ln_w"], strict=True):
        print(f"{p!s:>12}  {float(w)!r:<24}  {float(lw)!r}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.model is not None:
        from symdyn.cli.model import run_trajectory

        return run_trajectory(args, [_point(x, args.dynamics) for x in args.at], ProgressBar(args.format != "json"))
    model = model_from_args(args)
    points = [_point(x, args.dynamics) for x in args.at]
    if args.backend == "numpy":
        return _run_numpy(args, model, points)
    if args.log:
        raise ValueError("--log belongs to the numpy backend; the mpmath backend prints w with certified digits")
    bar = ProgressBar(args.format != "json")
    options = {"max_prec": args.max_prec, "progress": bar}
    if args.dynamics == "gd":
        options.update(map=args.map)
        if args.method != "jump":  # the jump evaluates charts in mpmath: no iteration engine
            options.update(engine=args.engine)
    try:
        tr = trajectory(model, args.dynamics, points, digits=args.digits, method=args.method,
                        thin=args.thin, **options)
    finally:
        bar.close()
    out = payload(tr, args.backend)
    if args.format == "json":
        emit_json(out)
        return 0
    params = ", ".join(f"{k}={v}" for k, v in out["parameters"].items())
    print(f"{tr.dynamics} ({tr.method}), depth L = {model.depth}, init = {model.init}, w0 = {out['w0']}, "
          f"{params}")
    print(f"{tr.variable:>12}  {'w':<{tr.digits + 8}}  digits  bits")
    for p, v in zip(out["at"], tr.values, strict=True):
        print(f"{p!s:>12}  {v.text:<{tr.digits + 8}}  {v.digits:>6}  {v.prec:>4}")
    return 0
