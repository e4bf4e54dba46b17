"""Side-by-side cost per GD step: the plain mpmath loop a user writes vs symdyn's iteration.

All timings come from ONE run on the same steps (the machine is shared; compare ratios only):

* ``plain``: ``w = w*(1 + eta*(s - l*w))**2`` on ``mpf`` with the context at D digits;
* ``libmp``: the same map on raw mpmath tuples (``mpf_mul``/``mpf_sub`` at fixed precision);
* ``symdyn gmpy2`` / ``symdyn mpmath``: :func:`symdyn.precise.gd_iterate.gd_iterates` at D digits' bits
  (one uncertified run, the like-for-like comparison with the plain loop);
* ``symdyn certified``: :func:`symdyn.precise.gd_iterate.gd_values` (two runs: the rerun test).

The same measurement is repeated in a subprocess with ``MPMATH_NOGMPY=1`` (mpmath's pure-Python
backend) unless ``--no-subprocess``. Prints a table, then one JSON line with
``speedup_vs_naive_mpmath_loop`` per digit count.

    python benchmarks/bench_highprec.py [--steps 100000] [--digits 50 100 500]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mpmath  # noqa: E402
from mpmath.libmp import BACKEND, mpf_mul, mpf_sub, round_nearest  # noqa: E402

from symdyn.model.core import Model  # noqa: E402
from symdyn.precise.certified import GUARD_BITS, bits_for_digits  # noqa: E402
from symdyn.precise.gd_iterate import ENGINES, gd_iterates, gd_values  # noqa: E402

SIGMA, LAM, ETA, DELTA = "1/2", "2", "1/10", "300"


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def plain_loop(digits: int, steps: int) -> float:
    ctx = mpmath.MPContext()
    ctx.dps = digits
    s, l, eta = ctx.mpf(1) / 2, ctx.mpf(2), ctx.mpf(1) / 10
    w = ctx.exp(-600)

    def run():
        nonlocal w
        for _ in range(steps):
            w = w * (1 + eta * (s - l * w)) ** 2
    return _timed(run)


def libmp_loop(digits: int, steps: int) -> float:
    prec = bits_for_digits(digits) + GUARD_BITS
    ctx = mpmath.MPContext()
    ctx.prec = prec
    c, d, w = (ctx.mpf(21) / 20)._mpf_, (ctx.mpf(1) / 5)._mpf_, ctx.exp(-600)._mpf_
    rn = round_nearest

    def run():
        nonlocal w
        for _ in range(steps):
            m = mpf_sub(c, mpf_mul(d, w, prec, rn), prec, rn)
            w = mpf_mul(w, mpf_mul(m, m, prec, rn), prec, rn)
    return _timed(run)


def measure(digits_list: list[int], steps: int) -> dict:
    model = Model(depth=2, sigma=SIGMA, lam=LAM, eta=ETA, delta=DELTA)
    rows = {}
    for digits in digits_list:
        prec = bits_for_digits(digits) + GUARD_BITS
        row = {"plain": plain_loop(digits, steps), "libmp": libmp_loop(digits, steps)}
        for engine in ENGINES:
            row[f"symdyn_{engine}"] = _timed(lambda e=engine, p=prec: gd_iterates(model, [steps], p, engine=e))
        row["symdyn_certified"] = _timed(lambda d=digits: gd_values(model, [steps], d))
        rows[digits] = {k: 1e6 * v / steps for k, v in row.items()}  # µs per step
    return {"backend": BACKEND, "steps": steps, "us_per_step": rows}


def report(result: dict) -> None:
    print(f"mpmath backend: {result['backend']}   steps: {result['steps']}   (µs/step; ratio = plain / x)")
    for digits, row in result["us_per_step"].items():
        cells = "  ".join(f"{k} {v:7.2f} ({row['plain'] / v:5.1f}x)" for k, v in row.items())
        print(f"  {digits:>4} digits: {cells}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--digits", type=int, nargs="+", default=[50, 100, 500])
    ap.add_argument("--no-subprocess", action="store_true", help="skip the MPMATH_NOGMPY=1 rerun")
    ap.add_argument("--json-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    result = measure(args.digits, args.steps)
    if args.json_only:
        print(json.dumps(result))
        return
    report(result)
    summary = {"steps": args.steps, "mpmath_backend": result["backend"],
               "speedup_vs_naive_mpmath_loop": {
                   str(d): round(r["plain"] / r[f"symdyn_{ENGINES[0]}"], 2)
                   for d, r in result["us_per_step"].items()},
               "certified_speedup_vs_naive_mpmath_loop": {
                   str(d): round(r["plain"] / r["symdyn_certified"], 2)
                   for d, r in result["us_per_step"].items()}}
    if not args.no_subprocess:
        env = dict(os.environ, MPMATH_NOGMPY="1")
        out = subprocess.run([sys.executable, __file__, "--json-only", "--steps", str(args.steps),
                              "--digits", *map(str, args.digits)], env=env, capture_output=True,
                             text=True, check=True)
        pure = json.loads(out.stdout)
        report(pure)
        summary["pure_python_mpmath_backend"] = {
            "speedup_vs_naive_mpmath_loop": {
                d: round(r["plain"] / r["symdyn_gmpy2"], 2) for d, r in pure["us_per_step"].items()}}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
