"""Claims about the derived dynamics and closed forms (Thm 1 per mode, eq 16, eq 22; E3, E6).

Checks are symbolic (residuals simplified to 0) with an exact numeric witness where
a printed form fails: the residual evaluated at a rational parameter point to 30
digits by sympy's ``evalf`` (its own mpmath context; the global one is untouched).
"""

from __future__ import annotations

import sympy as sp

from symdyn.claims.base import FAILS, HOLDS, HOLDS_CORRECTED, Outcome, claim, printed_vs_corrected
from symdyn.derive.closed_forms import flow_closed_form
from symdyn.derive.derived import residual
from symdyn.derive.dynamics import balanced_factor_map, conserved_quantities, product_map, product_ode
from symdyn.model import symbols as S
from symdyn.model.serialize import parse

#: An exact witness point for numeric evidence: δ = 1, σ = 1/2, λ = 1, η = 1/10, t = 1.
WITNESS = {S.delta: 1, S.sigma: sp.Rational(1, 2), S.lam: 1, S.eta: sp.Rational(1, 10), S.t: 1}


def _num(expr: sp.Expr, point: dict = WITNESS) -> str:
    return str(sp.N(sp.S(expr).subs(point), 30))


def _same(derived: sp.Expr, printed: str) -> Outcome:
    res = residual(derived - parse(printed))
    return Outcome(HOLDS if res == 0 else FAILS,
                   {"derived": sp.sstr(derived), "printed": printed, "residual": sp.sstr(res)})


@claim("ode-L2", source="Thm 1 / eq (12): per-mode flow", printed="dw/dt = 2 w (sigma - lambda w)",
       hypotheses="epsilon = 0, balanced factors", region="all sigma, lambda >= 0")
def _ode_l2(quick: bool) -> Outcome:
    return _same(product_ode(2).expr, "2*w*(sigma - lambda*w)")


@claim("ode-L1", source="Prop 1 (per mode)", printed="dw/dt = sigma - lambda w",
       hypotheses="linear model", region="all sigma, lambda >= 0")
def _ode_l1(quick: bool) -> Outcome:
    return _same(product_ode(1).expr, "sigma - lambda*w")


@claim("map-L2", source="§4: GD on (W1, W2), per mode", printed="w+ = w (1 + eta (sigma - lambda w))^2",
       hypotheses="epsilon = 0, balanced factors, orthogonal Q", region="all sigma, lambda >= 0, eta > 0")
def _map_l2(quick: bool) -> Outcome:
    return _same(product_map(2).expr, "w*(1 + eta*(sigma - lambda*w))**2")


@claim("map-L1", source="eq (20): linear-model GD, per mode", printed="w+ = w + eta (sigma - lambda w)",
       hypotheses="linear model", region="all sigma, lambda >= 0, eta > 0")
def _map_l1(quick: bool) -> Outcome:
    return _same(product_map(1).expr, "w + eta*(sigma - lambda*w)")


@claim("conserved-L2", source="§3: a^2 - b^2 conserved by the flow", printed="d/dt (a^2 - b^2) = 0",
       hypotheses="gradient flow on the factors", region="all")
def _conserved(quick: bool) -> Outcome:
    (q,) = conserved_quantities(2)
    return Outcome(HOLDS if q.verified else FAILS, {"quantity": sp.sstr(q.expr),
                                                     "d/dt": sp.sstr(q.residuals["d/dt"])})


#: Eq (16)'s σ = 0 branch as printed (erratum E3).
PRINTED_EQ16_SIGMA0 = sp.exp(-2 * S.delta) / (1 + 2 * sp.exp(-S.delta) * S.lam * S.t)


def _eq16_sigma0() -> tuple[bool, bool, dict]:
    """Printed σ = 0 branch e^{-2δ}/(1 + 2e^{-δ}λt) vs the derived e^{-2δ}/(1 + 2e^{-2δ}λt)."""
    rhs0 = product_ode(2).expr.subs(S.sigma, 0)
    printed = PRINTED_EQ16_SIGMA0
    corrected = flow_closed_form(2).expr.args[1][0].subs(S.w0, sp.exp(-2 * S.delta))
    r_p = residual(sp.diff(printed, S.t) - rhs0.subs(S.w, printed))
    r_c = residual(sp.diff(corrected, S.t) - rhs0.subs(S.w, corrected))
    ev = {"printed": sp.sstr(printed), "corrected": sp.sstr(corrected),
          "printed ODE residual": sp.sstr(sp.factor(r_p)), "corrected ODE residual": sp.sstr(r_c),
          "witness": {k.name: str(v) for k, v in WITNESS.items() if k != S.sigma},
          "printed residual at witness": _num(r_p)}
    return r_p == 0, r_c == 0, ev


@claim("eq16", source="eq (16)", printed="w(t) = sigma e^{-2delta} / ((sigma - lambda e^{-2delta}) e^{-2 sigma t}"
       " + lambda e^{-2delta}) for sigma > 0; e^{-2delta}/(1 + 2 e^{-delta} lambda t) for sigma = 0",
       corrected="sigma = 0 branch: e^{-2delta}/(1 + 2 e^{-2delta} lambda t)",
       hypotheses="epsilon = 0, init 'layer' (factors e^{-delta})", region="sigma >= 0, lambda >= 0",
       expected=HOLDS_CORRECTED)
def _eq16(quick: bool) -> Outcome:
    main = flow_closed_form(2)
    main_ok = all(v == 0 for k, v in main.residuals.items() if k.startswith("sigma>0"))
    p_ok, c_ok, ev = _eq16_sigma0()
    ev = {"sigma>0 branch residuals": {k: sp.sstr(v) for k, v in main.residuals.items()
                                       if k.startswith("sigma>0")}, **ev}
    return printed_vs_corrected(main_ok and p_ok, main_ok and c_ok, ev)


@claim("E3", source="eq (16), sigma = 0 branch (erratum E3)",
       printed="e^{-2delta}/(1 + 2 e^{-delta} lambda t) solves dw/dt = -2 lambda w^2",
       corrected="e^{-2delta}/(1 + 2 e^{-2delta} lambda t)", hypotheses="sigma = 0",
       region="lambda > 0, delta > 0", expected=HOLDS_CORRECTED)
def _e3(quick: bool) -> Outcome:
    p_ok, c_ok, ev = _eq16_sigma0()
    return printed_vs_corrected(p_ok, c_ok, ev)


def _eq22_as_product() -> tuple[sp.Expr, sp.Expr]:
    """Eq (22) applied to the product w, against the derived product map."""
    a = sp.Symbol("a", positive=True)
    eq22 = balanced_factor_map(2).expr.subs(a, S.w)
    return eq22, product_map(2).expr


@claim("eq22", source="eq (22)", printed="a+ = a + eta a (sigma - lambda a^2)",
       hypotheses="balanced factors, epsilon = 0", region="all", expected=HOLDS)
def _eq22(quick: bool) -> Outcome:
    a = sp.Symbol("a", positive=True)
    return _same(balanced_factor_map(2).expr.subs(a, S.w), "w + eta*w*(sigma - lambda*w**2)")


@claim("E6", source="eq (22) (erratum E6)", printed="eq (22) iterated on the product w = ab",
       corrected="eq (22) is the per-factor recursion; the product follows w+ = w(1 + eta(sigma - lambda w))^2",
       hypotheses="balanced factors", region="eta > 0, sigma > 0", expected=HOLDS_CORRECTED)
def _e6(quick: bool) -> Outcome:
    eq22_w, prod = _eq22_as_product()
    diff = residual(eq22_w - prod)
    a = sp.Symbol("a", positive=True)
    per_factor = residual(balanced_factor_map(2).expr.subs(a, sp.sqrt(S.w)) ** 2 - prod)
    point = {**WITNESS, S.w: sp.Rational(1, 4)}
    ev = {"eq22 on w": sp.sstr(eq22_w), "product map": sp.sstr(prod),
          "difference": sp.sstr(sp.factor(diff)), "difference at w=1/4": _num(diff, point),
          "(eq22 at a = sqrt(w))^2 - product map": sp.sstr(per_factor)}
    return printed_vs_corrected(diff == 0, per_factor == 0, ev)
