"""Monotone convergence of L = 2 GD from a start above σ/λ (issue #17; docs/conventions.md "Scalar GD maps").

The regime statement "ησ <= ½ gives monotone convergence" holds from 0 < w0 < σ/λ (Thm 3's
hypothesis), not from every start: with x = λw/σ, s = ησ the map is g(x) = x(1 + s(1 − x))² and
g(x) − 1 = (x − 1)·Q(x), Q(x) = s²x² − s(2+s)x + 1 (:func:`symdyn.derive.regimes.monotone_from_above`).
From x0 > 1, GD decreases monotonically to σ/λ iff x0 <= r− = ((2+s) − √(s(s+4)))/(2s); on (r−, r+)
the first step overshoots below σ/λ. The counterexample of the issue: σ = 0.152, λ = 0.475, ησ = 0.41,
w0 = 2σ/λ (w1 = 0.2228 < σ/λ = 0.32).

Evidence: the first step exactly (rational arithmetic, the kernel of :mod:`symdyn.derive.kernels` on
Fractions), and the next :data:`STEPS` steps at :data:`PREC` bits, a margin counting only above the run's
resolution (as the Thm 3 sweeps do).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from symdyn.claims.base import HOLDS_CORRECTED, Outcome, claim, printed_vs_corrected
from symdyn.claims.gd_runs import gd_model
from symdyn.claims.sweep import Case, SweepReport, as_text, draw_log, draw_uniform, run_cases, sweep
from symdyn.derive.kernels import product2_constants, product2_steps
from symdyn.derive.regimes import classify, monotone_from_above
from symdyn.precise.gd_iterate import gd_iterates

#: Steps checked after the first, and the working precision of that run (resolution ~2^-(PREC-64)).
STEPS, PREC = 40, 256

#: The counterexample of issue #17: ησ = 0.41 <= ½ and w0 = 2σ/λ.
ISSUE = {"sigma": Fraction("0.152"), "lambda": Fraction("0.475"), "eta": Fraction("0.41") / Fraction("0.152")}


def roots(sigma: Fraction, lam: Fraction, eta: Fraction) -> tuple[float, float]:
    """r∓·σ/λ: the starts where the first step lands exactly on σ/λ (floats, for drawing only)."""
    s = float(eta * sigma)
    root = math.sqrt(s * (s + 4))
    return tuple(((2 + s) + sign * root) / (2 * float(eta * lam)) for sign in (-1, 1))


def run_case(p: dict) -> dict:
    """The first step exactly; then whether the run stays in [σ/λ, w_k] (monotone) at the resolved steps."""
    sigma, lam, eta, w0 = p["sigma"], p["lambda"], p["eta"], p["w0"]
    target = sigma / lam
    w1 = product2_steps(w0, *product2_constants(sigma, lam, eta))
    ws = [float("nan")]
    resolved_ok, resolved = True, 0
    if w1 >= target:  # stayed above: follow the run (decreasing and above sigma/lambda at every resolved step)
        ws = gd_iterates(gd_model(sigma, lam, eta), list(range(STEPS + 1)), PREC, w0=w0)
        ctx = ws[0].context
        res = ctx.mpf(2) ** -(PREC - 64) * max(1, float(target))
        t = ctx.mpf(target.numerator) / target.denominator
        for a, b in zip(ws, ws[1:], strict=False):
            for margin in (a - b, b - t):
                if abs(margin) > res:
                    resolved += 1
                    resolved_ok &= margin > 0
    monotone = w1 >= target and resolved_ok and resolved > 0
    return {"w1 - sigma/lambda": f"{float(w1 - target):.6g}", "monotone": monotone,
            "resolved margins": resolved, "w_last": f"{float(ws[-1]):.12g}"}


def _predicted(p: dict) -> str:
    m = gd_model(p["sigma"], p["lambda"], p["eta"]).starting_at(p["w0"])
    return classify(m)


def _check(p: dict) -> Case:
    ev = run_case(p)
    predicted = _predicted(p)
    ev["classify"] = predicted
    ok = (predicted == "monotone") == ev["monotone"] and predicted in ("monotone", "overshoot")
    return Case(ok, ev, printed_ok=ev["monotone"])


def draw(rng: np.random.Generator) -> dict:
    """σ, λ log-uniform in [0.1, 10], ησ in [0.02, 0.45], w0 between σ/λ and 1.2·r−σ/λ or up to r+σ/λ
    (each half the time): both sides of the boundary r−σ/λ."""
    s, l = draw_log(rng, 0.1, 10), draw_log(rng, 0.1, 10)
    eta = draw_uniform(rng, 0.02, 0.45) / s
    lo, hi = roots(s, l, eta)
    top = min(1.2 * lo, hi) if rng.random() < 0.5 else hi
    u = draw_uniform(rng, 0.001, 0.999)
    w0 = Fraction(s / l) + Fraction(u) * (Fraction(top) - Fraction(s / l))
    return {"sigma": s, "lambda": l, "eta": eta, "w0": w0.limit_denominator(10**9)}


@claim("monotone-above", source="GD regimes, L = 2, start above sigma/lambda (derived, issue #17)",
       printed="eta*sigma <= 1/2 gives monotone convergence to sigma/lambda, from any start",
       corrected="from w0 > sigma/lambda only when w0 <= ((2 + eta sigma) - sqrt(eta sigma (eta sigma + 4)))/"
                 "(2 eta lambda); up to the other root the first step overshoots below sigma/lambda",
       hypotheses="0 < eta*sigma <= 1/2, sigma, lambda > 0", region="w0 in (sigma/lambda, r+ sigma/lambda)",
       method="gd-run", expected=HOLDS_CORRECTED)
def _monotone_above(quick: bool) -> Outcome:
    d = monotone_from_above()
    bound = d.expr.rhs
    issue = {**ISSUE, "w0": 2 * ISSUE["sigma"] / ISSUE["lambda"]}
    r_lo, _ = roots(ISSUE["sigma"], ISSUE["lambda"], ISSUE["eta"])
    below = {**ISSUE, "w0": Fraction(r_lo * 0.999).limit_denominator(10**9)}  # just inside the corrected region
    cases = {"issue counterexample (w0 = 2 sigma/lambda)": issue, "w0 = 0.999 r- sigma/lambda": below}
    ev = {"derivation verified": d.verified, "bound": sp.sstr(bound)}
    corrected_ok = d.verified
    printed_ok = True
    for name, p in cases.items():
        c = _check(p)
        ev[name] = {"params": as_text(p), **c.measured}
        corrected_ok &= c.ok
        printed_ok &= bool(c.printed_ok)
    return printed_vs_corrected(printed_ok, corrected_ok, ev)


@sweep("monotone-above")
def sweep_monotone_above(rng: np.random.Generator, n: int) -> SweepReport:
    """Random starts on both sides of r−σ/λ: monotone exactly where the derived bound says (printed: always)."""
    return run_cases(rng, n, draw, _check)
