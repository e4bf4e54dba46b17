"""Independent integration of the balanced flow ODE by Taylor stepping (checks the closed forms).

The right-hand side is taken from the derivation, ẇ = F(w) = ``product_ode(L)`` with the
model's exact numbers, and must be a polynomial of degree <= 2 in w (L = 1: σ − λw; L = 2:
2σw − 2λw²). Writing F = c₀ + c₁w + c₂w², the Taylor coefficients of w(t₀ + s) obey

    w_{n+1} = (c₀[n = 0] + c₁ w_n + c₂ Σ_{i=0}^{n} w_i w_{n−i}) / (n + 1).

Order and step follow Jorba & Zou (Experimental Math. 14, 2005): with tolerance 2^{−p}
the order is N = ⌈p ln2 / 2⌉ + 1 and the step is h = ρ/e², ρ = min_{j∈{N−1,N}}
(s/|w_j|)^{1/j}, s = max(|w₀|, |w₁|), so the truncation error per step is about
e^{−2N} s <= 2^{−p} s — relative to w, which matters when w starts at e^{−2δ}. Output
times are hit exactly. mpmath's ``odefun`` was tried first: at δ = 300 and 50 digits it
had not reached the transition after 5 minutes, because its absolute error control
steps blindly through the e^{−600} phase.

Everything runs in one local ``MPContext``; the certified wrapper reruns it at a higher
precision (which also raises the order), so both rounding and truncation are certified.

>>> from symdyn.model.core import Model
>>> m = Model(depth=2, sigma="1/2", lam=2, delta=20)
>>> [str(v) for v in flow_values(m, [0, 40, 80], 15)]
['4.24835425529159e-18', '0.200000000000000', '0.250000000000000']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from symdyn.derive.dynamics import product_ode
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.model.exact import parse_number
from symdyn.precise.certified import Certified, Progress, certify, check_prec, local_context, run_progress
from symdyn.precise.evaluate import evaluate, exact_mpf
from symdyn.precise.gd_iterate import numeric_model


def check_times(times: Sequence[object]) -> list[sp.Rational]:
    """Parse output times exactly (each >= 0; a single time, a list or a numpy array); returns them in order."""
    if isinstance(times, (str, int, float, Fraction, sp.Basic)) or getattr(times, "ndim", None) == 0:
        times = [times]
    elif hasattr(times, "tolist"):  # a numpy array: its Python numbers (a float64 is read exactly)
        times = list(times.ravel().tolist())
    out = [parse_number(t, "time", 0) for t in times]
    if not out:
        raise ValueError("give at least one time")
    return out


def ode_coefficients(model: Model) -> tuple[sp.Rational, sp.Rational, sp.Rational]:
    """(c₀, c₁, c₂) of F(w) = c₀ + c₁w + c₂w², from the derived ODE with the model's numbers."""
    rhs = sp.expand(model.subs(product_ode(model.depth).expr))
    poly = sp.Poly(rhs, S.w) if rhs.is_polynomial(S.w) else None
    if poly is None or poly.degree() > 2 or poly.free_symbols - {S.w}:
        raise ValueError(f"Taylor stepping needs a polynomial ODE of degree <= 2 in w (depth 1 or 2); "
                         f"got dw/dt = {rhs} for depth {model.depth}")
    c = poly.all_coeffs()[::-1] + [sp.S.Zero] * 3
    return c[0], c[1], c[2]


def integrate(model: Model, times: Sequence[object], prec: int, *,
              progress: Progress | None = None) -> list:
    """w(t) at each time by Taylor stepping at ``prec`` bits (uncertified mpf values)."""
    numeric_model(model, ("sigma", "lam", "delta"))
    check_prec(prec)
    times = check_times(times)
    ctx = local_context(prec)
    c0, c1, c2 = (exact_mpf(ctx, c) for c in ode_coefficients(model))
    order = math.ceil(prec * math.log(2) / 2) + 1
    shrink = ctx.exp(-2)
    x = exact_mpf(ctx, evaluate(model.subs(model.w0), prec + 32))
    t = ctx.zero
    targets = sorted(set(times))
    end = exact_mpf(ctx, targets[-1]) if targets else ctx.zero
    found = {}
    for target in targets:
        goal = exact_mpf(ctx, target)
        while t < goal:
            coef = _taylor(ctx, x, order, c0, c1, c2)
            scale = max(abs(coef[0]), abs(coef[1]))
            rho = min((scale / abs(coef[j])) ** (ctx.one / j) if coef[j] else ctx.inf
                      for j in (order - 1, order))
            h = min(rho * shrink, goal - t)
            x = ctx.polyval(coef[::-1], h)
            t = goal if h == goal - t else t + h
            if not ctx.isfinite(x):
                raise ValueError(f"the flow left the floating-point range near t = {ctx.nstr(t, 8)}")
            if progress is not None:
                progress(int(100 * t / end) if end else 100, 100, f"flow ODE at {prec} bits")
        found[target] = x
    return [found[q] for q in times]


def _taylor(ctx, x, order: int, c0, c1, c2) -> list:
    """Taylor coefficients w_0..w_order of the solution of ẇ = c₀ + c₁w + c₂w² through x."""
    w = [x]
    for n in range(order):
        conv = ctx.fdot(w[: n + 1], w[n::-1]) if c2 else ctx.zero
        nxt = c1 * w[n] + c2 * conv
        if n == 0:
            nxt += c0
        w.append(nxt / (n + 1))
    return w


def certify_taylor(times: Sequence[sp.Rational], compute, digits: int, **kw: object) -> list[Certified]:
    """Certify Taylor-stepped values at ``times`` (``compute(prec) -> [mpf]``): agreed between reruns, whose
    higher precision also raises the order; the guard grows with the horizon (rounding adds up over the steps).
    ``kw`` goes to :func:`symdyn.precise.certified.certify`."""
    horizon = max(Fraction(int(t.p), int(t.q)) for t in times)
    return certify(compute, digits, guard_bits=int(horizon).bit_length() + 8, **kw)


def flow_values(model: Model, times: Sequence[object], digits: int, *, max_prec: int | None = None,
                start_prec: int | None = None, strict: bool = True,
                progress: Progress | None = None) -> list[Certified]:
    """w(t) by Taylor stepping, each value to ``digits`` certified significant digits (agreed)."""
    times = check_times(times)
    runs = run_progress(progress)
    return certify_taylor(times, lambda prec: integrate(model, times, prec, progress=runs), digits,
                          max_prec=max_prec, start_prec=start_prec, strict=strict, progress=runs)
