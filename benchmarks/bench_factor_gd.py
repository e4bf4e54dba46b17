"""Side-by-side cost of the factor GD loop of any model (10^5 steps at 30 digits) vs hand-written loops.

symdyn iterates a model's factor map with :func:`symdyn.precise.factor_system.step_loop`, which reads
the map's monomial chains as data (no code is generated or run from text). The baselines, timed in
the same run on the same gmpy2 numbers (the machine is shared: compare ratios only, CPU time, best
of ``--repeat``):

* ``same_ops``: the straight-line loop a person would type for the paper's two-layer mode
  (factors a1, a2) in the same polynomial form, the same operations in the same order; it must
  give the same bits as symdyn's loop (checked). This is the kernel the generated code used to be.
* ``factored``: the loop an expert writes from the formula, p = a1 a2, r = eta (sigma - lambda p),
  a1 += r a2, a2 += r a1 (three fewer products; not the same bits, so the values are compared to 25 digits).

Prints a table, then one JSON line of ratios (symdyn / baseline; > 1 means symdyn is slower).

    python benchmarks/bench_factor_gd.py [--steps 100000] [--digits 30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gmpy2  # noqa: E402
import sympy as sp  # noqa: E402

from symdyn.model.core import Model  # noqa: E402
from symdyn.precise.certified import GUARD_BITS, bits_for_digits  # noqa: E402
from symdyn.precise.factor_system import model_gd_values, polynomials, step_loop  # noqa: E402

SIGMA, LAM, ETA, DELTA = sp.Rational(1, 2), sp.Integer(2), sp.Rational(1, 10), 3


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--digits", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()

    model = Model(depth=2, sigma=SIGMA, lam=LAM, eta=ETA, delta=DELTA).general()
    ell = model.subs(model.loss)
    step = polynomials([f - model.eta * sp.diff(ell, f) for f in model.factors], model.factors)
    # the paper's mode: a1+ = a1 - eta*lambda*a1*a2^2 + eta*sigma*a2 (a2 the same with a1 and a2 swapped)
    assert step.nodes == ((0, -1), (1, 0), (1, 1), (1, -1), (0, 0), (1, 4)), step.nodes
    prec = bits_for_digits(a.digits) + GUARD_BITS
    n = a.steps
    with gmpy2.context(precision=prec):
        flat = [gmpy2.mpfr(gmpy2.mpq(int(c.p), int(c.q))) for ts in step.terms for c, _ in ts]
        start = [gmpy2.exp(gmpy2.mpfr(-DELTA))] * 2
        loop = step_loop(step)
        c0, _, c2, c3, c4, _ = flat          # the two coefficients 1 are not multiplied (exact)

        def same_ops():
            a1, a2 = start
            for _ in range(n):
                m1 = a2 * a1
                m2 = a2 * m1
                m4 = a1 * a1
                m5 = a2 * m4
                a1, a2 = c0 * m2 + a1 + c2 * a2, c3 * m5 + c4 * a1 + a2
            return [a1, a2]

        eta, sigma, lam = (gmpy2.mpfr(gmpy2.mpq(int(q.p), int(q.q))) for q in (ETA, SIGMA, LAM))

        def factored():
            a1, a2 = start
            for _ in range(n):
                r = eta * (sigma - lam * (a1 * a2))
                a1, a2 = a1 + r * a2, a2 + r * a1
            return [a1, a2]

        t_symdyn, x_symdyn = _best(lambda: loop(start, n, flat), a.repeat)
        t_same, x_same = _best(same_ops, a.repeat)
        t_fact, x_fact = _best(factored, a.repeat)
    assert x_symdyn == x_same, "the data-driven loop must give the same bits as the straight-line one"
    assert all(abs(u / v - 1) < gmpy2.mpfr(10) ** (5 - a.digits) for u, v in zip(x_symdyn, x_fact, strict=True))
    t_certified, _ = _best(lambda: model_gd_values(model, [n], a.digits), max(1, a.repeat // 2))

    print(f"factor GD, paper mode L = 2, {n} steps at {a.digits} digits ({prec} bits), CPU seconds (best of "
          f"{a.repeat}):")
    for label, t in (("symdyn step_loop", t_symdyn), ("hand-written, same operations", t_same),
                     ("hand-written, factored", t_fact), ("symdyn certified (two runs)", t_certified)):
        print(f"  {label:<32} {t:8.3f}")
    print(json.dumps({"steps": n, "digits": a.digits,
                      "symdyn_over_same_ops": round(t_symdyn / t_same, 3),
                      "symdyn_over_factored": round(t_symdyn / t_fact, 3),
                      "certified_over_same_ops": round(t_certified / t_same, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
