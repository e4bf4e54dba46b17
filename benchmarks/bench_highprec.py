"""Side-by-side cost per GD step: plain loops a user writes vs symdyn's iteration, with and without proof.

All timings come from ONE run on the same steps (the machine is shared; compare ratios only):

* ``raw_gmpy2``: the floor an expert writes, ``m = c - d*w; w = w*(m*m)`` on gmpy2 ``mpfr`` at D digits'
  bits (c = 1 + ησ, d = ηλ precomputed): the baseline of the proof's cost;
* ``plain``: ``w = w*(1 + eta*(s - l*w))**2`` on ``mpf`` with the context at D digits;
* ``libmp``: the same map on raw mpmath tuples (``mpf_mul``/``mpf_sub`` at fixed precision);
* ``naive_arb``: the plain map on python-flint ``arb`` balls (proof by ball arithmetic, naively: its
  radius blows up through the dependency effect, see the JSON's ``naive_arb_radius``);
* ``symdyn gmpy2`` / ``symdyn mpmath``: :func:`symdyn.precise.gd_iterate.gd_iterates` at D digits' bits
  (one uncertified run, the like-for-like comparison with the plain loops);
* ``symdyn_proven``: :func:`symdyn.precise.gd_iterate.gd_values`, D digits proven by the rigorous error
  bound carried beside the iteration (everything included: start ball, bound, digits).

The same measurement is repeated in a subprocess with ``MPMATH_NOGMPY=1`` (mpmath's pure-Python
backend) unless ``--no-subprocess``. Prints a table, then one JSON line with, per digit count,
``proven_over_raw_gmpy2`` (goal <= 2 at 50 digits), ``naive_arb_over_proven`` (goal >= 10) and
``speedup_vs_naive_mpmath_loop``.

    python benchmarks/bench_highprec.py [--steps 100000] [--digits 50 100 500]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flint  # noqa: E402
import gmpy2  # noqa: E402
import mpmath  # noqa: E402
from mpmath.libmp import BACKEND, mpf_mul, mpf_sub, round_nearest  # noqa: E402

from symdyn.model.core import Model  # noqa: E402
from symdyn.precise.certified import GUARD_BITS, bits_for_digits  # noqa: E402
from symdyn.precise.gd_iterate import ENGINES, gd_iterates, gd_values  # noqa: E402

SIGMA, LAM, ETA, DELTA = "1/2", "2", "1/10", "300"


#: Each row is timed this many times, interleaved with the others, and the fastest run kept (shared machine).
REPEATS = 3


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _magnitude(r) -> str:
    """A ball radius as text, 10^(10^x) once its decimal exponent has more than 6 digits."""
    man, exp = (int(v) for v in r.mid().man_exp())
    e2 = exp + man.bit_length()
    if abs(e2) < 10**6:
        return r.str(3, radius=False)
    drop = max(0, abs(e2).bit_length() - 60)  # log10 of an integer of any size: its top 60 bits and a shift
    log10_e2 = math.log10(abs(e2) >> drop) + drop * math.log10(2)
    return f"10^(10^{log10_e2 + math.log10(math.log10(2)):.1f})"


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


def raw_gmpy2_loop(digits: int, steps: int) -> float:
    prec = bits_for_digits(digits) + GUARD_BITS
    with gmpy2.context(precision=prec):
        c, d = gmpy2.mpfr(21) / 20, gmpy2.mpfr(1) / 5  # 1 + ησ, ηλ
        w = gmpy2.exp(gmpy2.mpfr(-600))

        def run():
            nonlocal w
            for _ in range(steps):
                m = c - d * w
                w = w * (m * m)
        return _timed(run)


def naive_arb_loop(digits: int, steps: int) -> tuple[float, str]:
    """Seconds, and the final ball's radius (as text)."""
    saved = flint.ctx.prec
    flint.ctx.prec = bits_for_digits(digits) + GUARD_BITS
    try:
        s, l, eta = flint.arb(1) / 2, flint.arb(2), flint.arb(1) / 10
        w = flint.arb(-600).exp()

        def run():
            nonlocal w
            for _ in range(steps):
                w = w * (1 + eta * (s - l * w)) ** 2
        seconds = _timed(run)
        return seconds, _magnitude(w.rad())
    finally:
        flint.ctx.prec = saved


def measure(digits_list: list[int], steps: int) -> dict:
    model = Model(depth=2, sigma=SIGMA, lam=LAM, eta=ETA, delta=DELTA)
    rows, radii = {}, {}
    for digits in digits_list:
        prec = bits_for_digits(digits) + GUARD_BITS
        row: dict[str, float] = {}
        for _ in range(REPEATS):
            times = {"raw_gmpy2": raw_gmpy2_loop(digits, steps), "plain": plain_loop(digits, steps),
                     "libmp": libmp_loop(digits, steps)}
            times["naive_arb"], radii[digits] = naive_arb_loop(digits, steps)
            for engine in ENGINES:
                times[f"symdyn_{engine}"] = _timed(lambda e=engine, p=prec: gd_iterates(model, [steps], p, engine=e))
            times["symdyn_proven"] = _timed(lambda d=digits: gd_values(model, [steps], d))
            row = {k: min(v, row.get(k, math.inf)) for k, v in times.items()}
        rows[digits] = {k: 1e6 * v / steps for k, v in row.items()}  # µs per step
    return {"backend": BACKEND, "steps": steps, "us_per_step": rows, "naive_arb_radius": radii}


def report(result: dict) -> None:
    print(f"mpmath backend: {result['backend']}   steps: {result['steps']}   (µs/step; ratio = plain / x)")
    print(f"  naive arb radius after the run: {result['naive_arb_radius']}")
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
    rows = result["us_per_step"].items()
    summary = {"steps": args.steps, "mpmath_backend": result["backend"],
               "proven_over_raw_gmpy2": {str(d): round(r["symdyn_proven"] / r["raw_gmpy2"], 2) for d, r in rows},
               "naive_arb_over_proven": {str(d): round(r["naive_arb"] / r["symdyn_proven"], 2) for d, r in rows},
               "naive_arb_radius": {str(d): r for d, r in result["naive_arb_radius"].items()},
               "speedup_vs_naive_mpmath_loop": {
                   str(d): round(r["plain"] / r[f"symdyn_{ENGINES[0]}"], 2) for d, r in rows},
               "proven_speedup_vs_naive_mpmath_loop": {
                   str(d): round(r["plain"] / r["symdyn_proven"], 2) for d, r in rows}}
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
