"""``symdyn trajectory``: certified GD iterates or flow values of one mode at chosen points."""

from __future__ import annotations

import argparse

from symdyn.cli.common import add_model_args, certified_fields, certified_rows, emit_json, model_from_args

HELP = "certified high-precision GD iterates or flow values"


def progress_bar(args: argparse.Namespace):
    """The tqdm bar of a run (silent with --format json and when stderr is not a terminal)."""
    from symdyn.precise.progress import ProgressBar

    return ProgressBar(enabled=False if args.format == "json" else None, delay=2.0)


def register(sub: argparse._SubParsersAction) -> None:
    from symdyn.precise.gd_iterate import DEFAULT_ENGINE, ENGINES, MAPS
    from symdyn.precise.trajectory import BACKENDS, DEFAULT_METHOD, DYNAMICS, METHODS

    p = sub.add_parser("trajectory", help=HELP,
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
    points = p.add_mutually_exclusive_group(required=True)
    points.add_argument("--at", "--steps", "--times", dest="at", nargs="+", metavar="X",
                        help="GD steps k (integers) or flow times t (exact: 600, 1/3, 2.5)")
    points.add_argument("--tau", nargs="+", metavar="TAU",
                        help="rescaled times instead (needs --delta): t = scale*tau, k = floor(scale*tau/eta), "
                             "the scale of the delta -> infinity limit (delta for L <= 2, e^((L-2) delta) for L >= 3)")
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


def payload(tr, backend: str) -> dict:
    m = tr.model
    out = {
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
        **certified_fields(tr.values),
    }
    if tr.tau is not None:
        out["tau"] = [str(x) for x in tr.tau]
    return out


def _run_numpy(args: argparse.Namespace, model, points: list | None) -> int:
    from symdyn.model.checks import check_trajectory_size
    from symdyn.numeric.trajectory import float_trajectory

    check_trajectory_size(args.dynamics, "iterate", list(points or []), thin=args.thin)  # before any work
    r = float_trajectory(model, args.dynamics, points, tau=args.tau, thin=args.thin)
    var = r.variable
    at = [int(p) if args.dynamics == "gd" else float(p) for p in r.at]
    if args.format == "json":
        emit_json({"dynamics": args.dynamics, "backend": "numpy", "depth": model.depth, "init": model.init,
                   "parameters": {s.name: str(v) for s, v in model.values.items()}, "w0": str(model.subs(model.w0)),
                   "variable": var, "certified": False, "log": args.log, "at": at,
                   **({"tau": [float(x) for x in r.tau]} if r.tau is not None else {}),
                   "values": [float(v) for v in (r.ln_w if args.log else r.w)]})
        return 0
    print(f"{args.dynamics} (numpy float64, not certified), depth L = {model.depth}, init = {model.init}")
    print(f"{var:>12}  {'w':<24}  ln w")
    for p, w, lw in zip(at, r.w, r.ln_w, strict=True):
        print(f"{p!s:>12}  {float(w)!r:<24}  {float(lw)!r}")
    return 0


def run(args: argparse.Namespace) -> int:
    from symdyn.numeric.measures import parse_point as _point
    from symdyn.precise.trajectory import trajectory


    if args.model is not None:
        if args.tau is not None:
            raise ValueError("--tau (rescaled time) is for the paper's mode; give your own model's points as --at")
        from symdyn.cli.model import run_trajectory

        return run_trajectory(args, [_point(x, args.dynamics) for x in args.at], progress_bar(args))
    model = model_from_args(args)
    points = None if args.at is None else [_point(x, args.dynamics) for x in args.at]
    if args.backend == "numpy":
        return _run_numpy(args, model, points)
    if args.log:
        raise ValueError("--log belongs to the numpy backend; the mpmath backend prints w with certified digits")
    bar = progress_bar(args)
    options = {"max_prec": args.max_prec, "progress": bar}
    if args.dynamics == "gd":
        options.update(map=args.map)
        if args.method != "jump":  # the jump evaluates charts in mpmath: no iteration engine
            options.update(engine=args.engine)
    try:
        tr = trajectory(model, args.dynamics, points, digits=args.digits, method=args.method,
                        thin=args.thin, tau=args.tau, **options)
    finally:
        bar.close()
    out = payload(tr, args.backend)
    if args.format == "json":
        emit_json(out)
        return 0
    params = ", ".join(f"{k}={v}" for k, v in out["parameters"].items())
    print(f"{tr.dynamics} ({tr.method}), depth L = {model.depth}, init = {model.init}, w0 = {out['w0']}, "
          f"{params}")
    print("\n".join(certified_rows(tr.variable, out["at"], tr.values, tr.digits + 8)))
    return 0
