"""Sample points of the documented numeric domain (corners, transitions, random), shared by
the accuracy tests and ``benchmarks/bench_numeric.py``."""

from __future__ import annotations

import itertools

import numpy as np

SIGMAS = (0.0, 1e-8, 1e-3, 1.0, 7.3, 1e8)
LAMBDAS = (1e-8, 0.37, 1.0, 1e8)
DELTAS = (0.0, 1e-3, 1.0, 20.0, 400.0, 1e4)


def flow_points(c: int, n_random: int = 300, seed: int = 0) -> np.ndarray:
    """Rows (t, sigma, lambda, delta): grid corners, t at/near the transition cδ/(2σ) and at
    the edge of w ≈ 1e-300, plus log-uniform random points. ``c`` is the init exponent."""
    rows = []
    for s, l, d in itertools.product(SIGMAS, LAMBDAS, DELTAS):
        ts = [0.0, 1e-300, 1e-6, 1.0, 1e15]
        if s > 0:
            star = c * d / (2 * s)
            ts += [star * f for f in (1 - 1e-3, 1 - 1e-9, 1.0, 1 + 1e-9, 1 + 1e-3)]
            ts += [max(star - 345.0 / s, 0.0), star + 345.0 / s]
        rows += [(t, s, l, d) for t in ts if t <= 1e15]
    rng = np.random.default_rng(seed)
    s = 10 ** rng.uniform(-8, 8, n_random)
    l = 10 ** rng.uniform(-8, 8, n_random)
    d = 10 ** rng.uniform(-3, 4, n_random)
    t_rand = np.minimum(10 ** rng.uniform(-10, 15, n_random), 1e15)
    t_near = np.minimum(c * d / (2 * s) * (1 + rng.normal(0, 1e-2, n_random)), 1e15)
    rows += list(zip(t_rand, s, l, d, strict=True)) + list(zip(np.abs(t_near), s, l, d, strict=True))
    return np.array(rows, dtype=np.float64)


def gd_points(n_random: int = 300, seed: int = 1, max_rate: float = 2.0) -> np.ndarray:
    """Rows (k, sigma, lambda, eta, delta) with 0 < eta*lambda < max_rate."""
    rows = []
    for s, l, d in itertools.product(SIGMAS, LAMBDAS, DELTAS):
        for r in (1e-12, 1e-3, 0.5, 1.0, 1.5, 2 - 1e-9):
            if r >= max_rate and not (r == 1.0 and max_rate > 1.0):
                continue
            if r > max_rate:
                continue
            eta = r / l
            ks = [0.0, 1.0, 2.0, 7.0, 1e15]
            ks += [np.floor(d / r), np.floor(700 / r), np.floor((d + 345) / r)]
            rows += [(k, s, l, eta, d) for k in ks if k <= 1e15]
    rng = np.random.default_rng(seed)
    s = 10 ** rng.uniform(-8, 8, n_random)
    l = 10 ** rng.uniform(-8, 8, n_random)
    r = rng.uniform(0, max_rate, n_random) * (1 - 1e-12) + 1e-15
    d = 10 ** rng.uniform(-3, 4, n_random)
    k = np.floor(np.minimum(10 ** rng.uniform(0, 15, n_random), 1e15))
    rows += list(zip(k, s, l, r / l, d, strict=True))
    return np.array(rows, dtype=np.float64)
