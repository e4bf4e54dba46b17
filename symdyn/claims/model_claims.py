"""The derived statements of your own model, checked (``symdyn verify --model FILE``).

* ``residuals``: every residual of :func:`symdyn.derive.general.derive_model` is exactly 0;
* ``conserved``: each conserved quantity (and each exponential one, I(t) = I(0)e^{κt}) along the
  Taylor-integrated factor system (:mod:`symdyn.precise.factor_system`) at 30 digits' precision:
  drift below 10^{-25} relative to max(1, |I(0)|) (the integration's error is ~2^{-p} per step,
  p ≈ 130 bits, over far fewer than 10^10 steps);
* ``reduced``: the reduced ODE ẇ = R(w) against the factor flow on the same trajectory:
  |∇g·F(a(t)) − R(g(a(t)))| below the same bound;
* ``limit``: the δ → ∞ limit against certified trajectories at two δ (inside each piece and at
  each explicit jump value): the distance at the larger δ is below 10^{-3} and smaller than at
  the smaller δ (convergence, not a single agreement).

Symbolic parameters are checked at 1. A statement passed in by the caller (``conserved=``,
``limit=``) is checked the same way: that is the negative control of the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symdyn.asymptotics.engine import evaluate_at
from symdyn.asymptotics.general import model_limit
from symdyn.asymptotics.result import RescaledLimit
from symdyn.derive.general import derive_model, exponential_rate
from symdyn.model import symbols as S
from symdyn.model.factor_model import FactorModel
from symdyn.precise.certified import bits_for_digits
from symdyn.precise.evaluate import evaluate
from symdyn.precise.factor_system import integrate_factors, model_trajectory

HOLDS, FAILS, SKIPPED = "holds", "fails", "not checked"

#: Times (flow) at which conservation and the reduction are checked, and the start scale used.
TIMES = ("1/2", "1", "2")
CHECK_DELTA = 2
#: Bound on the drift of a conserved quantity, relative to max(1, |I(0)|) (see module docstring).
DRIFT = sp.Rational(1, 10**25)
#: Bound on |w - limit| at the larger delta.
LIMIT_TOL = sp.Rational(1, 10**3)


@dataclass(frozen=True)
class ModelCheck:
    name: str
    status: str
    evidence: dict = field(default_factory=dict)


def _numbers(model: FactorModel, delta: object) -> FactorModel:
    return model.with_values(**{s.name: 1 for s in model.symbolic}, delta=delta)


def _drift_check(model: FactorModel, quantities: list[tuple[str, sp.Expr, sp.Expr]]) -> ModelCheck:
    """quantities: (label, I, κ): |I(a(t)) − I(a0) e^{κt}| <= DRIFT · max(1, |I(a0)|)."""
    m = _numbers(model, CHECK_DELTA)
    prec = bits_for_digits(30) + 32
    states = integrate_factors(m, [0, *TIMES], prec)
    rows, ok = [], True
    for label, q, kappa in quantities:
        q, kappa = m.subs(q), m.subs(kappa)
        env0 = dict(zip(m.factors, states[0], strict=True))
        i0 = evaluate(q, prec, env0)
        for t, st in zip(TIMES, states[1:], strict=True):
            it = evaluate(q, prec, dict(zip(m.factors, st, strict=True)))
            expect = i0 * evaluate(sp.exp(kappa * sp.Rational(t)), prec)
            drift = abs(it - expect) / max(1, abs(i0))
            good = drift <= evaluate(DRIFT, prec)
            ok &= bool(good)
            rows.append({"quantity": label, "t": t, "drift": f"{float(drift):.3e}"})
    return ModelCheck("conserved", HOLDS if ok else FAILS, {"delta": CHECK_DELTA, "checks": rows})


def _reduced_check(model: FactorModel) -> ModelCheck:
    d = derive_model(model)
    if d.reduced is None:
        return ModelCheck("reduced", SKIPPED, {"why": "no reduced ODE"})
    m = _numbers(model, CHECK_DELTA)
    prec = bits_for_digits(30) + 32
    states = integrate_factors(m, TIMES, prec)
    g = m.subs(m.output)
    rate = sum(sp.diff(g, a) * f for a, f in zip(m.factors, m.subs(d.flow.expr), strict=True))
    R = m.subs(d.reduced.expr)
    rows, ok = [], True
    for t, st in zip(TIMES, states, strict=True):
        env = dict(zip(m.factors, st, strict=True))
        w = evaluate(g, prec, env)
        gap = abs(evaluate(rate, prec, env) - evaluate(R, prec, {d.w: w}))
        good = gap <= evaluate(DRIFT, prec) * max(1, abs(w))
        ok &= bool(good)
        rows.append({"t": t, "w": f"{float(w):.6g}", "gap": f"{float(gap):.3e}"})
    return ModelCheck("reduced", HOLDS if ok else FAILS, {"delta": CHECK_DELTA, "checks": rows})


def _limit_deltas(r: RescaledLimit) -> tuple[int, int]:
    return (10, 20) if r.scale in (S.delta, sp.S.One) else (4, 8)


def _limit_check(model: FactorModel, r: RescaledLimit, dynamics: str) -> ModelCheck:
    if r.expr is sp.nan or r.scale is sp.nan or r.constants and not r.transitions:
        return ModelCheck(f"limit ({dynamics})", SKIPPED, {"why": "no explicit limit", "undecided": list(r.undecided)})
    pts = list(r.transitions)
    taus = ([pts[0] / 2] + [(a + b) / 2 for a, b in zip(pts, pts[1:], strict=False)] + [pts[-1] * 2]) if pts \
        else [sp.Rational(1, 2), sp.S.One, sp.S(2)]
    taus += [p for p, b in zip(pts, r.boundary_values, strict=True)
             if b is not None and not _numbers(model, 1).subs(b).free_symbols]
    lo_d, hi_d = _limit_deltas(r)
    rows, ok = [], True
    for tau in taus:
        tau = _numbers(model, 1).subs(tau)
        target = evaluate_at(_numbers(model, 1).subs(r.expr), tau)
        errs = []
        for delta in (lo_d, hi_d):
            m = _numbers(model, delta)
            scale = m.subs(r.scale)
            if dynamics == "flow":
                at = [sp.Rational(scale * tau) if scale.is_Rational else sp.Rational(
                    str(sp.N(scale * tau, 40)))]
            else:
                m = m.with_values(eta=m.eta if m.eta != S.eta else sp.Rational(1, 10))
                at = [int(sp.floor(sp.N(scale * tau / m.eta, 40)))]
            [v] = model_trajectory(m, dynamics, at, digits=12).values
            errs.append(abs(sp.Rational(str(v.text)) - target))
        good = errs[1] <= LIMIT_TOL and errs[1] <= errs[0]
        ok &= bool(good)
        rows.append({"tau": str(tau), "limit": str(target), "error": [f"{float(e):.3e}" for e in errs],
                     "deltas": [lo_d, hi_d]})
    return ModelCheck(f"limit ({dynamics})", HOLDS if ok else FAILS, {"checks": rows})


def verify_model(model: FactorModel, *, conserved: list[sp.Expr] | None = None,
                 limit: RescaledLimit | None = None, dynamics: tuple[str, ...] = ("flow",)) -> list[ModelCheck]:
    """Check the derived statements of ``model`` (or the given ``conserved``/``limit`` instead)."""
    d = derive_model(model)
    bad = {k: str(v) for k, v in d.residuals.items() if v != 0}
    out = [ModelCheck("residuals", FAILS if bad else HOLDS, {"count": len(d.residuals), "nonzero": bad})]
    quantities = [(str(q), q, sp.S.Zero) for q in (conserved if conserved is not None else
                                                     [c.expr for c in d.conserved])]
    if conserved is None:
        quantities += [(str(c.expr), c.expr, exponential_rate(c)) for c in d.exponential]
    out.append(_drift_check(model, quantities) if quantities else ModelCheck("conserved", SKIPPED,
                                                                             {"why": "no conserved quantity"}))
    out.append(_reduced_check(model))
    for dyn in dynamics:
        r = limit if limit is not None else model_limit(model, dyn)
        out.append(_limit_check(model, r, dyn))
    return out
