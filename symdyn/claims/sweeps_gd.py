"""Random sweeps for Thm 3 and the discrete transition (docs/conventions.md "Discrete bounds"; E7, E9).

GD runs are :func:`symdyn.precise.gd_iterate.gd_iterates` from an exact w0 (product map, L = 2) at a working
precision chosen for the run (:func:`run_precision`); bounds are the derived forms of
:mod:`symdyn.bounds` evaluated by :mod:`symdyn.mp_eval` (:func:`.gd_runs.margins`). A margin
counts only when it is larger than the run's resolution (:func:`resolution`); the smallest
resolved margin and every violation are then certified by a rerun at rising precision
(:func:`.gd_runs.certified_margins`), so no sign reported here is a rounding artefact.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from symdyn.asymptotics.limits import gd_transition, gd_transition_series
from symdyn.claims.gd_runs import certified_margins, certified_values, gd_model, margins
from symdyn.claims.sweep import Case, Cases, draw_log, draw_uniform, run_cases, sweep
from symdyn.derive.bounds import printed_forms, ratio_bracket, ratio_identity, sigma_zero_bound, thm3_bounds, y
from symdyn.derive.dynamics import product_map
from symdyn.derive.kernels import product2_constants, product2_steps
from symdyn.model import symbols as S

#: Grid points per GD run (geometric in k, so both the transient and the tail are seen).
GRID = 40


# ------------------------------------------------------------------ ratio identity (exact)
def _draw_ratio(rng: np.random.Generator) -> dict:
    """σ, λ ∈ [0.05, 3], ησ ∈ (0, 1/2], w0 = u·σ/λ with u ∈ [0.01, 0.99] (u is 0/0 at w = σ/λ);
    all rationals with denominator 100."""
    s, l = draw_uniform(rng, 0.05, 3, 100), draw_uniform(rng, 0.05, 3, 100)
    x = draw_uniform(rng, 0.01, 0.5, 100)
    return {"sigma": s, "lambda": l, "eta": x / s, "w0": draw_uniform(rng, 0.01, 0.99, 100) * s / l}


def _ratio_case(p: dict, steps: int = 2) -> Case:
    s, l, e, w = (sp.Rational(p[k]) for k in ("sigma", "lambda", "eta", "w0"))
    pt = {S.sigma: s, S.lam: l, S.eta: e}
    G, r = product_map(2).expr.subs(pt), ratio_identity().expr.subs(pt)
    lo, hi = (b.subs(pt) for b in (ratio_bracket().expr.start, ratio_bracket().expr.end))
    ok, ratios = True, []
    for _ in range(steps):  # exact rationals: denominators grow ~3x in digits per step
        nxt = G.subs(S.w, w)
        q = (1 / nxt - l / s) / (1 / w - l / s)
        ok &= bool(q == r.subs(y, e * (s - l * w)) and lo <= q <= hi)
        ratios.append(f"{sp.N(q, 15)}")
        w = nxt
    return Case(ok, {"ratios u_{k+1}/u_k": ratios, "bracket": [str(lo), str(hi)]})


@sweep("ratio-identity")
def sweep_ratio_identity(rng: np.random.Generator, n: int) -> Cases:
    """Exact rational GD steps: u_{k+1}/u_k equals the derived identity and lies in its bracket."""
    return run_cases(rng, n, _draw_ratio, _ratio_case)


# ------------------------------------------------------------------ Thm 3 bounds along GD runs
def _draw_thm3(rng: np.random.Generator, x_min: float = 0.01) -> dict:
    """σ, λ log-uniform in [0.1, 10], x = ησ ∈ [x_min, 1/2] (2ησ <= 1), w0 = (σ/λ)·10^{−u}, u ∈ [0.05, 8]."""
    s, l = draw_log(rng, 0.1, 10), draw_log(rng, 0.1, 10)
    x = draw_uniform(rng, x_min, 0.5)
    return {"sigma": s, "lambda": l, "eta": x / s, "w0": s / l * draw_log(rng, 1e-8, 0.9)}


def run_length(p: dict) -> int:
    """Steps that cover the transition k_T = ln(σ/(λw0))/ln(1+ησ) three times over plus 10/(ησ)²:
    long enough for GD to pass the printed upper bound of Thm 3 (its rate differs by ~(ησ)² per step)."""
    x = float(p["sigma"] * p["eta"])
    k_t = math.log(float(p["sigma"] / (p["lambda"] * p["w0"]))) / math.log1p(x)
    return math.ceil(3 * k_t + 10 / x**2) + 20


def run_precision(p: dict, kmax: int) -> int:
    """Bits that resolve margins down to the bounds' distance to σ/λ at kmax, ~e^{−(2ησ+η²σ²)k}·σ/λ."""
    x = float(p["sigma"] * p["eta"])
    scale = abs(math.log2(float(p["sigma"] / p["lambda"]))) + abs(math.log2(float(p["w0"])))
    return 192 + math.ceil(1.5 * (2 * x + x * x) * kmax / math.log(2) + scale)


def resolution(p: dict, prec: int, kmax: int) -> float:
    """A margin is resolved when above 2^{−(prec − 64 − log2 kmax)}·max(1, σ/λ): the rounding of kmax
    steps at ``prec`` bits is far below it (64 guard bits), so its sign and >= 19 digits are right."""
    return 2.0 ** -(prec - 64 - kmax.bit_length()) * max(1.0, float(p["sigma"] / p["lambda"]))


def _grid(kmax: int) -> list[int]:
    return sorted({int(k) for k in np.geomspace(1, kmax, GRID).round()})


def bound_margins(p: dict, form: sp.Expr, side: int) -> dict:
    """side·(bound_k − w_k) on the grid: the smallest resolved margin (certified), the first resolved
    violation (certified) or None, and how many grid points were resolved."""
    m = gd_model(p["sigma"], p["lambda"], p["eta"])
    kmax = run_length(p)
    prec = run_precision(p, kmax)
    ks = _grid(kmax)
    ms = margins(m, p["w0"], form, side, ks, prec)
    res = resolution(p, prec, kmax)
    resolved = [(k, v) for k, v in zip(ks, ms, strict=True) if abs(v) > res]
    out = {"steps": f"1..{kmax} ({len(ks)} grid points)", "precision bits": prec,
           "resolved": f"{len(resolved)}/{len(ks)}", "violation": None, "smallest margin": None}
    neg = [k for k, v in resolved if v < 0]
    if neg:
        [c] = certified_margins(m, p["w0"], form, side, [neg[0]], 3)
        if c.fraction < 0:
            out["violation"] = {"k": neg[0], "margin": c.text}
    if resolved:
        k_min = min(resolved, key=lambda kv: kv[1])[0]
        [c] = certified_margins(m, p["w0"], form, side, [k_min], 2)
        out["smallest margin"] = {"k": k_min, "margin": c.text}
        out["holds"] = c.fraction >= 0 and out["violation"] is None
    else:
        out["holds"] = False  # nothing resolved: the run shows nothing, so it cannot count as a pass
    return out


def _printed_upper() -> sp.Expr:
    return next(f for f in printed_forms() if f.name == "printed Thm 3 upper bound").expr


@sweep("thm3-lower")
def sweep_thm3_lower(rng: np.random.Generator, n: int) -> Cases:
    """The corrected lower bound along a GD run from a random point of the region."""
    def check(p: dict) -> Case:
        ev = bound_margins(p, thm3_bounds()[0].expr, -1)
        return Case(ev["holds"], {"lower": ev})

    return run_cases(rng, n, lambda r: _draw_thm3(r, 0.05), check)


def _upper_case(p: dict) -> Case:
    corrected = bound_margins(p, thm3_bounds()[1].expr, 1)
    printed = bound_margins(p, _printed_upper(), 1)
    return Case(corrected["holds"], {"corrected upper": corrected, "printed upper": printed},
                printed_ok=printed["violation"] is None)


@sweep("thm3-upper", "E7")
def sweep_thm3_upper(rng: np.random.Generator, n: int) -> Cases:
    """The corrected upper bound (rate 1 − 2ησ) holds along random runs; the printed one is counted.

    ησ >= 0.1 keeps the run to the printed bound's failure (~10/(ησ)² steps past the transition) short.
    """
    return run_cases(rng, n, lambda r: _draw_thm3(r, 0.1), _upper_case)


# ------------------------------------------------------------------ σ = 0 part / E9
def _draw_sigma0(rng: np.random.Generator) -> dict:
    """λ log-uniform in [0.1, 5], η in [0.01, 1], x = ηλw0 uniform in [0.01, 2] (both sides of 3/2)."""
    l, e, x = draw_log(rng, 0.1, 5), draw_log(rng, 0.01, 1), draw_uniform(rng, 0.01, 2)
    return {"sigma": Fraction(0), "lambda": l, "eta": e, "w0": x / (e * l), "x = eta lambda w0": x}


def _sigma0_case(p: dict) -> Case:
    x = p["x = eta lambda w0"]
    bound = sigma_zero_bound().expr
    # k = 1 exactly (the kernel in Fractions): w_1 = w0(1 − x)² against w0/(1 + 2x)
    w1 = product2_steps(p["w0"], *product2_constants(p["sigma"], p["lambda"], p["eta"]))
    b1 = p["w0"] / (1 + 2 * x)
    at_1 = w1 <= b1
    m = gd_model(0, p["lambda"], p["eta"])
    ks = _grid(2000)
    prec = 256
    ms = margins(m, p["w0"], bound, 1, ks, prec)
    res = 2.0 ** -(prec - 64) * float(p["w0"])
    run_ok = all(v >= 0 for v in ms if abs(v) > res) and sum(abs(v) > res for v in ms) > len(ks) // 2
    ev = {"k=1: w_1 <= bound": at_1, "run 1..2000 within the bound (resolved margins)": run_ok}
    # corrected statement: holds when x <= 3/2; fails at k = 1 exactly when x > 3/2 (sharpness)
    ok = (run_ok and at_1) if x <= Fraction(3, 2) else not at_1
    return Case(ok, ev, printed_ok=run_ok and at_1)


@sweep("thm3-sigma0", "E9")
def sweep_sigma0(rng: np.random.Generator, n: int) -> Cases:
    """σ = 0 modes: the bound holds for ηλw0 <= 3/2 and fails at k = 1 above; printed failures counted."""
    return run_cases(rng, n, _draw_sigma0, _sigma0_case)


# ------------------------------------------------------------------ discrete transition
def _draw_transition(rng: np.random.Generator) -> dict:
    """σ1 < σ2 log-uniform in [0.05, 5], η with 2ησ2 <= 1."""
    a, b = sorted((draw_log(rng, 0.05, 5), draw_log(rng, 0.05, 5)))
    if a == b:
        b = a * Fraction(11, 10)
    return {"sigma1": a, "sigma2": b, "eta": draw_uniform(rng, 0.01, 0.5) / b}


def _transition_case(p: dict) -> Case:
    T, ser = gd_transition().expr, gd_transition_series(3).expr
    e = sp.Rational(p["eta"])
    s1, s2 = sp.Rational(p["sigma1"]), sp.Rational(p["sigma2"])
    t1, t2, r1, r2 = certified_values([T.subs(S.sigma, s1), T.subs(S.sigma, s2), (T - ser).subs(S.sigma, s1),
                                       (T - ser).subs(S.sigma, s2)], {S.eta: e}, 12)
    # T^η = (1/σ)·x/ln(1+x), x = ησ; x/ln(1+x) = 1 + x/2 − x²/12 + x³/24 − … has alternating Gregory
    # coefficients of decreasing size, so for 0 < x <= 1 the remainder after x² is at most x³/24:
    # |T^η − series| <= σ²η³/24 (the C·η³ of the claim, with C = σ²/24)
    bounds = [Fraction(p[s]) ** 2 * Fraction(p["eta"]) ** 3 / 24 for s in ("sigma1", "sigma2")]
    monotone = t1.fraction > t2.fraction
    series_ok = all(abs(r.fraction) <= b * (1 + Fraction(1, 10**10)) for r, b in zip((r1, r2), bounds, strict=True))
    return Case(monotone and series_ok, {"T^eta(sigma1)": t1.text, "T^eta(sigma2)": t2.text,
                                         "series errors": [r1.text, r2.text],
                                         "sigma^2 eta^3/24": [f"{float(b):.4g}" for b in bounds]})


@sweep("gd-transition")
def sweep_gd_transition(rng: np.random.Generator, n: int) -> Cases:
    """T^η decreases in σ and its series 1/σ + η/2 − η²σ/12 errs by at most σ²η³/24 (certified)."""
    return run_cases(rng, n, _draw_transition, _transition_case)
