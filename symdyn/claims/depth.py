"""Claims about depth L >= 3 (issue #10): escape scale, value at the transition, GD against the flow.

Not in the paper; the escape time of order e^{(L−2)δ} is Arora et al. (2019) and Gissin et al.
(2020). Each check reads the engine's limit (:func:`symdyn.depth.depth_rescaled_limit`) and then
evaluates the flow with certified digits (:func:`symdyn.precise.depth_flow.certified_depth_flow`: the implicit
closed form inverted, the bracket proven in ball arithmetic) or iterates GD with proven digits
(:mod:`symdyn.precise.gd_iterate`); the evidence records ``"proof"``. Ids end in ``-L3``/``-L4``
(``verify --depth`` filters on that suffix).
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from symdyn.asymptotics.depth import depth_rescaled_limit, transition_symbol
from symdyn.claims.base import FAILS, HOLDS, Outcome, claim
from symdyn.claims.gd_runs import proof_label
from symdyn.derive.depth import elementary_relation, escape_scale
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise.constants import certified_transition_constant, transition_constant
from symdyn.precise.depth_flow import certified_depth_flow
from symdyn.precise.evaluate import certified_evaluate, local_context
from symdyn.precise.gd_iterate import gd_values

SOURCE = "beyond the paper (Arora et al. 2019; Gissin et al. 2020), docs/conventions.md, rescalings at depth L"

#: One mode for every depth claim: σ/λ = 1/3, so no value is accidentally 1.
SIGMA, LAM = sp.Rational(1, 2), sp.Rational(3, 2)

#: δ per depth for the escape probes (scale e^{(L−2)δ}: L = 4 reaches the same scale at half the δ).
ESCAPE_DELTAS = {3: ((10, 20), (10, 20, 40)), 4: ((5, 10), (5, 10, 20))}

#: δ for the transition value: the error w(τ*·scale) − w* ~ e^{−2δ} stays far above 30 digits here.
TRANSITION_DELTAS = ((4, 6, 8), (4, 8, 12, 16))

#: At τ = (1 ± 1/10)τ* the distance to the limit is ~10^{L/(L−2)} e^{−Lδ} (below) and doubly
#: exponentially small (above): 1e-6 is far above both at the largest δ and far below σ/λ = 1/3.
TOL = Fraction(1, 10**6)


def _frac(x: sp.Expr) -> Fraction:
    q = sp.Rational(x)
    return Fraction(int(q.p), int(q.q))


def _escape(depth: int, quick: bool) -> Outcome:
    esc = escape_scale(depth)
    tau_star = esc.tau_star.subs(S.sigma, SIGMA)
    ratio = _frac(SIGMA / LAM)
    sym_ok = esc.scale == sp.exp((depth - 2) * S.delta) and esc.tau_star == 1 / ((depth - 2) * S.sigma)
    taus = [tau_star * sp.Rational(9, 10), tau_star * sp.Rational(11, 10)]
    rows, dist = {}, []
    for d in ESCAPE_DELTAS[depth][0 if quick else 1]:
        below, above = certified_depth_flow(depth, SIGMA, LAM, taus, delta=d, rescaled=True, digits=15)
        dist.append((below.fraction, abs(ratio - above.fraction)))
        rows[f"delta={d}"] = {"w at 0.9 tau* (limit 0)": below.text, "w at 1.1 tau* (limit sigma/lambda)": above.text,
                              "proof": proof_label([below, above])}
    shrink = all(b[0] < a[0] and b[1] <= a[1] for a, b in zip(dist, dist[1:], strict=False))
    num_ok = shrink and dist[-1][0] < TOL and dist[-1][1] <= TOL
    # negative control: the L = 2 clock t = δτ at twice τ* has not escaped at all (w still ~ w0)
    d_max = ESCAPE_DELTAS[depth][0][-1]
    [wrong] = certified_depth_flow(depth, SIGMA, LAM, [2 * tau_star * d_max], delta=d_max, digits=15)
    control_ok = wrong.fraction < TOL
    return Outcome(HOLDS if sym_ok and num_ok and control_ok else FAILS, {
        "scale (derived from the small-w ODE)": sp.sstr(esc.scale), "tau*": sp.sstr(esc.tau_star),
        "sigma": str(SIGMA), "lambda": str(LAM), "certified values (15 digits)": rows,
        "control: w(delta * 2 tau*) on the L = 2 clock": {"delta": d_max, "w": wrong.text,
                                                           "proof": proof_label([wrong])}})


for _L in (3, 4):
    claim(f"escape-L{_L}", source=SOURCE,
          printed=f"depth {_L}, init layer: the flow escapes 0 on the clock t = e^{{{_L - 2}delta}} tau: "
                  f"w(scale tau) -> 0 for tau < tau* = 1/({_L - 2} sigma) and -> sigma/lambda for tau > tau*",
          hypotheses="balanced factors e^{-delta}, w0 = e^{-L delta}, sigma, lambda > 0",
          region=f"sigma = {SIGMA}, lambda = {LAM}, tau = (1 -+ 1/10) tau*, delta in {ESCAPE_DELTAS[_L][1]}",
          method="high-precision")(lambda quick, _L=_L: _escape(_L, quick))


def _transition_value(depth: int, quick: bool) -> Outcome:
    lim = depth_rescaled_limit(depth)
    # first use of x_L per process: ~1 s (hypergeometric series), cached
    x = transition_constant(depth)
    w_star = sp.Rational(str(x)) * SIGMA / LAM
    x_sym = transition_symbol(depth)
    sym_ok = sp.simplify(lim.boundary_values[0] - x_sym * S.sigma / S.lam) == 0 and x_sym in lim.constants
    # x must solve its defining equation 2F1(1, a; a+1; x) = 0: |F(x)| <= |F'| * 1e-29 (30 digits, F' ~ -10)
    ctx = local_context(160)
    a = ctx.mpf(2) / depth - 1
    eq_residual = abs(ctx.hyp2f1(1, a, a + 1, ctx.mpf(str(x))))
    sym_ok = sym_ok and eq_residual < ctx.mpf(10) ** -27
    tau_star = escape_scale(depth).tau_star.subs(S.sigma, SIGMA)
    deltas = TRANSITION_DELTAS[0 if quick else 1]
    errs, rows = [], {}
    for d in deltas:
        [v] = certified_depth_flow(depth, SIGMA, LAM, [tau_star], delta=d, rescaled=True, digits=30)
        errs.append(v.fraction - _frac(w_star))
        rows[f"delta={d}"] = {"w(tau* scale)": v.text, "w - w*": f"{float(errs[-1]):.6e}", "proof": proof_label([v])}
    # at τ* exactly G(w) = H(w0) ~ κ z0²/2 ∝ e^{−2δ} > 0, so w − w* > 0 and shrinks like e^{−2δ}
    rates = [math.log(a / b) / (d2 - d1) for a, b, d1, d2 in zip(errs, errs[1:], deltas, deltas[1:], strict=False)]
    # relative corrections are O(e^{−2δ}) at the smallest δ = 4 (3e-4): 0.01 on the rate is ample
    num_ok = all(e > 0 for e in errs) and all(abs(r - 2) < 0.01 for r in rates)
    return Outcome(HOLDS if sym_ok and num_ok else FAILS, {
        "w* = x_L sigma/lambda": str(x * SIGMA / LAM), f"x_{depth} (30 certified digits)": str(x),
        f"x_{depth} proof": proof_label([certified_transition_constant(depth)]),
        "|2F1(1, a; a+1; x_L)|": ctx.nstr(eq_residual, 3),
        "sigma": str(SIGMA), "lambda": str(LAM), "certified w at tau* (30 digits)": rows,
        "measured rate -d ln(w - w*)/d delta (predicted 2)": [f"{r:.6f}" for r in rates]})


for _L in (3, 4):
    claim(f"transition-value-L{_L}", source=SOURCE,
          printed=f"depth {_L}: w(tau* scale) -> w* = x_{_L} sigma/lambda, x_{_L} the root of 2F1(1, a; a+1; x) = 0 "
                  f"(a = 2/{_L} - 1), with error ~ e^(-2 delta)",
          hypotheses="init layer, sigma, lambda > 0", region=f"sigma = {SIGMA}, lambda = {LAM}, "
          f"delta in {TRANSITION_DELTAS[1]}", method="high-precision")(
        lambda quick, _L=_L: _transition_value(_L, quick))


#: GD against the flow at a fixed flow time T (σ = λ = 1: w ≈ 0.36, mid-escape) with k = T/η steps.
GD_DELTA, GD_TIME = 3, 19
GD_ETAS = (("1/25", "1/50", "1/100"), ("1/25", "1/50", "1/100", "1/200", "1/400"))


@claim("gd-vs-flow-L3", source=SOURCE,
       printed="depth 3: GD tends to the flow as eta -> 0: the lag T - t_flow(w_k) at eta k = T is O(eta), "
               "lag/eta converges (first order)",
       hypotheses="sigma = lambda = 1, init layer, delta = 3 (w0 = e^{-9}), T = 19 (mid-escape)",
       region=f"eta in {GD_ETAS[1]}", method="high-precision")
def _gd_vs_flow(quick: bool) -> Outcome:
    L = 3
    rel = elementary_relation(L).expr.rhs.subs({S.sigma: 1, S.lam: 1, S.w0: sp.exp(-L * GD_DELTA)})
    rows, ratios = {}, []
    for eta in GD_ETAS[0 if quick else 1]:
        e = sp.Rational(eta)
        k = int(GD_TIME / e)
        [wk] = gd_values(Model(depth=L, sigma=1, lam=1, eta=eta, delta=GD_DELTA), [k], 25)
        # the flow time at which the flow reaches w_k: t = G(w_k) − G(w0) (depth.elementary_relation)
        t_flow = certified_evaluate(rel.subs(S.w, sp.Rational(wk.fraction)), 20)
        lag = Fraction(GD_TIME) - t_flow.fraction
        ratios.append(lag / _frac(e))
        rows[f"eta={eta}"] = {"k": k, "w_k (25 digits)": wk.text, "t_flow(w_k)": t_flow.text,
                              "lag/eta": f"{float(ratios[-1]):.8f}", "proof": proof_label([wk, t_flow])}
    diffs = [b - a for a, b in zip(ratios, ratios[1:], strict=False)]
    # first-order convergence: each halving of eta roughly halves the change of lag/eta (1.5..3.5)
    shrink = [float(a / b) for a, b in zip(diffs, diffs[1:], strict=False)]
    ok = all(r > 0 for r in ratios) and all(1.5 < s < 3.5 for s in shrink)
    return Outcome(HOLDS if ok else FAILS, {
        "T": GD_TIME, "delta": GD_DELTA, "runs": rows,
        "successive changes of lag/eta": [f"{float(d):.3e}" for d in diffs],
        "their ratios (first order: ~2)": [f"{s:.3f}" for s in shrink],
        "Richardson limit of lag/eta": f"{float(2 * ratios[-1] - ratios[-2]):.6f}"})
