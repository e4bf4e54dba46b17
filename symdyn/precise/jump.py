"""Jump-ahead evaluation of the L = 2 GD trajectory: w_k for any k in time independent of k.

The GD iterate w_k = f^k(w0), f(w) = w(1 + η(σ − λw))² (docs/conventions.md), is read through the
two linearising charts of :mod:`symdyn.precise.charts`:

    w_k = Ψ(μ^k Φ₀(w0))                      while μ^k Φ₀(w0) is in the 0-chart's disk,
    w_k = σ/λ + P₁(ν^{k−j} Φ₁(w_j − σ/λ))     once w_j is in the disk at σ/λ,

with μ = (1+ησ)², ν = 1 − 2ησ (0 < ησ < 1, ησ ≠ ½). Between the two disks a bounded
number of plain steps (the transient, independent of k and δ) is taken. Both are exact
identities, so the result is the true iterate, not the approximation Ψ(μ^k w0).
Digits are certified by :func:`symdyn.precise.certified.certify` with ``vary=True``: consecutive
runs differ in precision AND chart configuration (series order and disk size). The plain-iteration
reference is :func:`symdyn.precise.gd_iterate.gd_values` (any start ``w0``, engine "gmpy2" or "mpmath").

>>> from symdyn.precise.gd_iterate import gd_values
>>> m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=10)
>>> jump(m, 100, digits=15).text == gd_values(m, [100], 15, engine="mpmath")[0].text
True
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symdyn.model.core import Model
from symdyn.precise.certified import Certified, Progress
from symdyn.precise.charts import require_numeric
from symdyn.precise.gd_iterate import check_steps
from symdyn.precise.poincare import certify_charts


def _start(model: Model, w0: object | None) -> sp.Expr:
    start = model.subs((model if w0 is None else model.starting_at(w0)).w0)
    if not start.is_number:
        raise ValueError("delta must be given as a number (or Model(w0=...)) to evaluate the trajectory")
    if not (start.is_positive or start > 0):  # is_positive decides e^{−Lδ} without evalf
        raise ValueError(f"the start w0 must be > 0, got {start}")
    return start


def jump_values(model: Model, steps: Sequence[int], digits: int = 30, *, w0: object | None = None,
                progress: Progress | None = None, **options: object) -> list[Certified]:
    """[w_k for k in steps] of the L = 2 GD map, certified, in time independent of k.

    ``w0`` defaults to the model's start (init "layer": e^{−2δ}; "product": e^{−δ}).
    ``options`` go to :func:`symdyn.precise.certified.certify` (``max_prec``, ``start_prec``, ``strict``).
    """
    steps, start = check_steps(steps), _start(model, w0)
    sigma, _, eta = require_numeric(model)
    if not 0 < eta * sigma < 1:
        raise ValueError(f"jump needs a stable fixed point, 0 < eta*sigma < 1 (got {eta * sigma}); "
                         'use method="iterate"')

    def evaluate(c) -> list:
        return [c.orbit(c.exact(start), k) for k in steps]

    # μ^k and ν^k carry k times the rounding of μ, ν: guard log₂ k bits (as gd_iterate)
    return certify_charts(model, evaluate, digits, guard_bits=max(steps).bit_length(),
                          progress=progress, **options)


def jump(model: Model, k: int, digits: int = 30, w0: object | None = None) -> Certified:
    """w_k of the L = 2 GD map with ``digits`` certified digits, in time independent of k."""
    [out] = jump_values(model, [k], digits, w0=w0)
    return out
