"""The canonical sympy symbols of symdyn.

Every module builds its expressions from these symbols, so expressions from
different modules combine and compare structurally. The names are part of the
CLI contract (JSON ``srepr`` output): ``w, t, k, sigma, lambda, eta, delta, tau``.

Assumptions follow the mathematics (docs/conventions.md):

* ``sigma``, ``lambda`` (singular value of Σxy, curvature u_iᵀΣx u_i) are
  nonnegative: σ = 0 and λ = 0 are legitimate modes.
* ``eta`` (step size) is positive.
* ``delta`` (init scale, the start is e^{-δ}) is nonnegative.
* ``t`` (flow time) and ``tau`` (rescaled time) are nonnegative.
* ``k`` (GD step) is a nonnegative integer.
* ``w`` (product of the factors of a mode) and ``w0`` (its start) are positive:
  the balanced reduction takes the L-th root of w.
"""

from __future__ import annotations

import sympy as sp

w = sp.Symbol("w", positive=True)
w0 = sp.Symbol("w0", positive=True)
t = sp.Symbol("t", nonnegative=True)
tau = sp.Symbol("tau", nonnegative=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
sigma = sp.Symbol("sigma", nonnegative=True)
lam = sp.Symbol("lambda", nonnegative=True)
eta = sp.Symbol("eta", positive=True)
delta = sp.Symbol("delta", nonnegative=True)

#: Symbols by their CLI/JSON name.
BY_NAME: dict[str, sp.Symbol] = {
    s.name: s for s in (w, w0, t, tau, k, sigma, lam, eta, delta)
}


def factors(depth: int) -> tuple[sp.Symbol, ...]:
    """The factor values a_1..a_L of one mode (real, no sign assumed)."""
    return sp.symbols(f"a1:{depth + 1}", real=True)
