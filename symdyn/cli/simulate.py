"""``symdyn simulate``: matrix GD on user data (.npz with X, Y) against the per-mode scalar theory."""

from __future__ import annotations

import argparse
import math
import sys
import warnings

from symdyn.cli.common import emit_json
from symdyn.model.checks import INITS, check_limit

HELP = "run matrix GD on data from an .npz file (arrays X, Y)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help=HELP,
                       description="Run GD for the linear model (depth 1) or the two-layer network "
                                   "(depth 2) from Thm 1's spectral init on (X, Y), and compare each mode "
                                   "with the scalar GD map. Warns when the data are far from Assumption 1.")
    p.add_argument("file", help=".npz with X (n x d) and Y (n x p, or n integer labels)")
    p.add_argument("--depth", type=int, choices=(1, 2), default=2, help="1 (W) or 2 (W1 W2; default)")
    p.add_argument("--eta", type=float, help="step size (default 0.9/(2 max(lambda_max, sigma_max)))")
    p.add_argument("--delta", type=float, default=4.0, help="init scale delta >= 0 (default 4)")
    p.add_argument("--steps", type=int, default=1000, help="GD steps (default 1000; at most the limit steps)")
    p.add_argument("--record", type=int, default=1001, metavar="N",
                   help="compare with the scalar map at N evenly spaced steps, the last included (default 1001; "
                        "at most the limit points)")
    p.add_argument("--init", choices=INITS, default="layer", help="init convention (default layer)")
    p.add_argument("--center", action="store_true", help="centre X and Y before the moments")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from symdyn.matrix.data import load_npz
    from symdyn.matrix.diagnostics import check_assumption1, delta_x, moments
    from symdyn.matrix.dynamics import linear_gd, loss, per_mode_check, spectral_init, two_layer_gd

    if args.steps < 0:
        raise ValueError(f"--steps must be >= 0, got {args.steps}")
    check_limit("steps", args.steps, "--steps")
    if args.record < 2:
        raise ValueError(f"--record must be >= 2 (the first and the last step), got {args.record}")
    check_limit("points", args.record, "--record")
    if not np.isfinite(args.delta) or args.delta < 0:
        raise ValueError(f"--delta must be a finite number >= 0, got {args.delta}")
    if args.depth * args.delta > 600:
        raise ValueError(f"--delta {args.delta} makes the float64 start e^(-{args.depth}*delta) underflow; "
                         "use delta <= 600/depth here, or `symdyn trajectory` (any delta) per mode")
    if args.eta is not None and (not np.isfinite(args.eta) or args.eta <= 0):
        raise ValueError(f"--eta must be a finite number > 0, got {args.eta}")
    X, Y = load_npz(args.file)
    sx, sxy = moments(X, Y, center=args.center)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dxy = check_assumption1(sx, sxy)
    warned = [str(w.message) for w in caught]
    for w in warned:  # on stderr in every format (JSON carries them in "warnings" too)
        print(f"symdyn simulate: warning: {w}", file=sys.stderr)
    factors, basis = spectral_init(sx, sxy, args.delta, args.init, depth=args.depth)
    scale = max(np.linalg.eigvalsh(sx)[-1], basis.sigma[0] if basis.sigma.size else 0.0)
    if scale <= 0:
        raise ValueError("X has no variance: Sigma_x is zero")
    eta = 0.9 / (2 * scale) if args.eta is None else args.eta
    from symdyn.precise.trajectory import thin_points

    record = thin_points(args.steps, min(args.record, args.steps + 1), True) if args.steps else [0]
    # the recorded products, their rotation and singular values: about three arrays of records x d x p doubles
    check_limit("memory_mb", math.ceil(3 * len(record) * X.shape[1] * Y.shape[1] * 8 / 2**20),
                "MB for the recorded iterates (lower --record)")
    if args.depth == 1:
        run_ = linear_gd(sx, sxy, factors[0], eta, args.steps, record=record)
    else:
        run_ = two_layer_gd(sx, sxy, *factors, eta, args.steps, record=record, init=args.init)
    chk = per_mode_check(sx, sxy, run_, args.delta, basis)
    W = run_.products[-1]
    out = {"file": str(args.file), "n": X.shape[0], "d": X.shape[1], "p": Y.shape[1],
           "centred": args.center, "depth": args.depth, "init": args.init, "eta": eta,
           "delta": args.delta, "steps": args.steps, "recorded_steps": len(record),
           "delta_x": delta_x(sx), "delta_xy": dxy,
           "final_loss": loss(sx, sxy, W),
           "final_trace_norm": float(np.linalg.svd(W, compute_uv=False).sum()),
           "max_mode_error": chk.max_error, "max_offdiag_mass": chk.max_offdiag,
           "final_modes_matrix": chk.diagonal[-1].tolist(), "final_modes_scalar": chk.scalar[-1].tolist()}
    if args.format == "json":
        out["warnings"] = warned
    if args.format == "json":
        emit_json(out)
        return 0
    for key, value in out.items():
        shown = ", ".join(f"{v:.6g}" for v in value) if isinstance(value, list) else (
            f"{value:.6g}" if isinstance(value, float) else value)
        print(f"{key:<20} {shown}")
    return 0
