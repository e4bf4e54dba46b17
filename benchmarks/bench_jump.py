"""Jump-ahead vs plain iteration for the L = 2 GD trajectory, side by side in one run (issue #9).

Both give w_k with the same certified digits. The iteration is timed at 10^5 steps and
extrapolated linearly to k = 10^7 (its cost per step is constant: one map evaluation at a
fixed precision); the jump is timed at k = 10^7 directly. Prints the ratio.

    python benchmarks/bench_jump.py [--digits 30] [--k 10000000] [--measure 100000]
"""

from __future__ import annotations

import argparse
import time

from symdyn.jump import iterate, jump
from symdyn.model import Model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--digits", type=int, default=30)
    ap.add_argument("--k", type=int, default=10**7)
    ap.add_argument("--measure", type=int, default=10**5, help="steps actually iterated")
    a = ap.parse_args()
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=10**4)  # transition at k ≈ 104920
    jump(m, 10, a.digits)  # build and cache the exact chart series once (not part of either timing)

    t0 = time.perf_counter()
    ref = iterate(m, a.measure, a.digits)
    t_iter = time.perf_counter() - t0
    t0 = time.perf_counter()
    j = jump(m, a.measure, a.digits)
    t_jump_small = time.perf_counter() - t0
    agree = j.text == ref.text
    print(f"k = {a.measure}: iterate {t_iter:.2f} s, jump {t_jump_small * 1e3:.1f} ms, "
          f"same {a.digits} certified digits: {agree} ({j.text})")

    t0 = time.perf_counter()
    big = jump(m, a.k, a.digits)
    t_jump = time.perf_counter() - t0
    t_iter_big = t_iter * a.k / a.measure
    print(f"k = {a.k}: jump {t_jump * 1e3:.1f} ms (w_k = {big.text}); "
          f"iterate EXTRAPOLATED {t_iter_big:.0f} s from {t_iter / a.measure * 1e6:.1f} us/step")
    print(f"ratio at k = {a.measure} (measured): {t_iter / t_jump_small:.0f}x")
    print(f"ratio at k = {a.k} (iterate extrapolated): {t_iter_big / t_jump:.0f}x")


if __name__ == "__main__":
    main()
