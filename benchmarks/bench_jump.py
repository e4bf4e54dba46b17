"""Jump-ahead vs plain iteration for the L = 2 GD trajectory, side by side in one run (issue #9).

All give w_k with the same certified digits. At k = 10^7 (default) the project's iteration
engine (``symdyn.precise.gd_iterate.gd_values``, gmpy2, the fastest reference) is timed directly;
the plain mpmath loop (``gd_values(..., engine="mpmath")``) is timed at 10^5 steps and extrapolated
linearly (constant cost per step at a fixed precision). The jump is timed cold (its chart
cache cleared: the map's coefficients for this model, the four chart series at each of the
two precisions and their disks are all computed inside the timing; only the model-independent
symbolic derivation of the map, done once per process, is not) and warm, each ``--repeat``
times (cold: the cache is cleared before every repeat); the ratios use the fastest repeat
(timeit's convention: the others measure the machine's load), the cold median is printed too.
Prints the ratios; the machine is shared, so compare ratios within one run only.

    python benchmarks/bench_jump.py [--digits 30] [--k 10000000] [--measure 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from symdyn.model.core import Model
from symdyn.precise.gd_iterate import gd_values
from symdyn.precise.jump import jump
from symdyn.precise.poincare import charts


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--digits", type=int, default=30)
    ap.add_argument("--k", type=int, default=10**7)
    ap.add_argument("--measure", type=int, default=10**5, help="steps of the mpmath loop actually iterated")
    ap.add_argument("--repeat", type=int, default=5, help="timings of the jump, cold and warm")
    a = ap.parse_args()
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=10**4)  # transition at k ≈ 104920
    # once per process, model-independent: imports and the symbolic map derivation (not timed)
    jump(Model(depth=2, sigma=2, lam=3, eta="0.05", delta=10), 10, a.digits)

    [ref_mp], t_mp = _timed(lambda: gd_values(m, [a.measure], a.digits, engine="mpmath"))
    small, _ = _timed(jump, m, a.measure, a.digits)
    print(f"k = {a.measure}: mpmath loop {t_mp:.2f} s ({t_mp / a.measure * 1e6:.1f} us/step); "
          f"jump agrees to {a.digits} certified digits: {small.text == ref_mp.text} ({small.text})")

    [ref], t_gmpy2 = _timed(gd_values, m, [a.k], a.digits)
    colds = []
    for _ in range(a.repeat):
        charts.cache_clear()
        cold, t = _timed(jump, m, a.k, a.digits)
        colds.append(t)
    warms = [_timed(jump, m, a.k, a.digits)[1] for _ in range(a.repeat)]
    warm = jump(m, a.k, a.digits)
    t_cold, t_warm = min(colds), min(warms)
    t_mp_big = t_mp * a.k / a.measure
    print(f"k = {a.k}: gd_values (gmpy2) {t_gmpy2:.2f} s MEASURED; mpmath loop {t_mp_big:.0f} s EXTRAPOLATED; "
          f"jump cold {t_cold * 1e3:.1f} ms (median {statistics.median(colds) * 1e3:.1f}), "
          f"warm {t_warm * 1e3:.1f} ms (best of {a.repeat}); "
          f"same {a.digits} certified digits: {ref.text == cold.text == warm.text} ({cold.text})")
    print(f"ratio at k = {a.k}: {t_gmpy2 / t_cold:.0f}x vs gmpy2 (jump cold; "
          f"{t_gmpy2 / statistics.median(colds):.0f}x for the median cold), {t_gmpy2 / t_warm:.0f}x (warm); "
          f"{t_mp_big / t_cold:.0f}x vs the mpmath loop (extrapolated)")


if __name__ == "__main__":
    main()
