"""Benchmark: symdyn's numpy boundary vs naive ``sympy.lambdify``, side by side in one run.

Times the L = 2 flow (init "layer") on the same 10^6 random points for both evaluators:
(a) in a region where the naive form still works (δ <= 5, σt <= 20), and (b) on the full
documented domain. Accuracy is measured on a 2000-point subsample against the certified
mpmath reference (symdyn.numeric.reference). Also times the closed form against scipy
``solve_ivp`` (RK45, rtol 1e-10) on the same 20 trajectories. Prints one JSON line.

    python benchmarks/bench_numeric.py [--n 1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symdyn import symbols as S  # noqa: E402
from symdyn.numeric import flow_numpy  # noqa: E402
from symdyn.numeric.forms import flow_expr  # noqa: E402
from symdyn.numeric.reference import reference  # noqa: E402

ARGS = [S.t, S.sigma, S.lam, S.delta]


def _best(f, reps=3):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def _max_rel(ref, out):
    errs = [float(abs((o - r) / r)) if np.isfinite(o) else np.inf
            for r, o in zip(ref, out, strict=True) if r > mpmath.mpf("1e-300")]
    return max(errs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    ours = flow_numpy(2)
    naive = sp.lambdify(ARGS, flow_expr(2), "numpy")
    n = a.n
    easy = (rng.uniform(0, 20, n), 10 ** rng.uniform(-2, 2, n), 10 ** rng.uniform(-2, 2, n),
            rng.uniform(0, 5, n))
    easy = (easy[0] / easy[1], *easy[1:])  # sigma*t in [0, 20]
    full = (10 ** rng.uniform(-6, 15, n), 10 ** rng.uniform(-8, 8, n), 10 ** rng.uniform(-8, 8, n),
            10 ** rng.uniform(-3, 4, n))
    result = {"n_points": n}
    with np.errstate(all="ignore"):
        t_naive, w_naive = _best(lambda: naive(*easy))
        t_full_naive, w_full_naive = _best(lambda: naive(*full), reps=1)
    t_ours, w_ours = _best(lambda: ours(*easy))
    t_full_ours, w_full_ours = _best(lambda: ours(*full), reps=1)
    result["speed_ratio_vs_naive_lambdify"] = round(t_naive / t_ours, 3)
    result["naive_seconds"], result["ours_seconds"] = round(t_naive, 4), round(t_ours, 4)
    result["speed_ratio_vs_naive_lambdify_full_domain"] = round(t_full_naive / t_full_ours, 3)
    result["naive_nonfinite_fraction"] = float(np.mean(~np.isfinite(w_full_naive)))
    result["ours_nonfinite_fraction"] = float(np.mean(~np.isfinite(w_full_ours)))
    idx = rng.choice(n, 2000, replace=False)
    for name, pts, wn, wo in (("easy", easy, w_naive, w_ours), ("full", full, w_full_naive, w_full_ours)):
        sub = np.stack([p[idx] for p in pts], axis=1)
        ref = reference(flow_expr(2), ARGS, sub)
        result[f"naive_max_rel_error_{name}"] = _max_rel(ref, wn[idx])
        result[f"ours_max_rel_error_{name}"] = _max_rel(ref, wo[idx])
    # closed form vs solve_ivp on the same 20 trajectories (w' = 2w(σ − λw), SPEC §2)
    params = list(zip(10 ** rng.uniform(-1, 1, 20), 10 ** rng.uniform(-1, 1, 20), rng.uniform(0, 5, 20),
                      strict=True))
    grid = np.linspace(0, 20, 200)

    def by_ivp():
        return [solve_ivp(lambda t, w, s=s, l=l: 2 * w * (s - l * w), (0, 20), [np.exp(-2 * d)],
                          t_eval=grid, rtol=1e-10, atol=1e-300).y[0] for s, l, d in params]

    def by_closed_form():
        return [ours(grid, s, l, d) for s, l, d in params]

    t_ivp, y_ivp = _best(by_ivp, reps=1)
    t_cf, y_cf = _best(by_closed_form)
    result["speed_ratio_vs_solve_ivp"] = round(t_ivp / t_cf, 1)
    result["solve_ivp_max_rel_diff"] = float(max(np.max(np.abs(a - b) / b) for a, b in zip(y_ivp, y_cf,
                                                                                         strict=True)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
