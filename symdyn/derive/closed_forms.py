"""Closed forms of the balanced flow and of the linear model's GD (docs/conventions.md).

Each closed form is derived by sympy and checked by substitution (checkodesol
style): the residual of the ODE (or map) and of the initial condition are kept.

* L = 1 flow: ``dsolve`` of the linear ODE ẇ = σ − λw.
* L = 2 flow: the logistic ODE is Bernoulli; v = 1/w turns it into the linear ODE
  v̇ = 2λ − 2σv, which ``dsolve`` solves. ``dsolve`` on the logistic ODE directly
  returns σ/(λ(1 − e^{σ(C1 − 2t)})), whose constant is a log of a negative number for
  0 < w0 < σ/λ; symdyn returns the canonical σw0/((σ − λw0)e^{−2σt} + λw0) instead and
  proves it by substitution. The σ = 0 branch is w0/(1 + 2λw0 t) (and w0 when λ = 0 too).
* L >= 3: the implicit relation t = G(w) − G(w0), G(v) = ∫ dv / (L v^{2−2/L}(σ − λv)),
  given as a Gauss hypergeometric function (the integrand is v^{a−1}(1 − λv/σ)^{−1}/(Lσ)
  with a = 2/L − 1), checked by differentiation.
* L = 1 GD: ``rsolve`` of w_{k+1} = w_k + η(σ − λw_k).

>>> flow_closed_form(2).expr.args[0][0]
sigma*w0/(lambda*w0 + (-lambda*w0 + sigma)*exp(-2*sigma*t))
>>> flow_closed_form(2).verified
True
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import product_map, product_ode
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import chain, rel

_f = sp.Function("f")


def _dsolve_linear(rhs_in_f: sp.Expr, start: sp.Expr) -> sp.Expr:
    """Solve f' = rhs(f) with f(0) = start by ``dsolve`` (rhs linear in f)."""
    sol = sp.dsolve(sp.Eq(_f(S.t).diff(S.t), rhs_in_f), _f(S.t), ics={_f(0): start})
    return sol.rhs


def _around_fixed_point(expr: sp.Expr, decay: sp.Expr) -> sp.Expr:
    """Rewrite ``expr`` as σ/λ + c · decay, with c = (expr − σ/λ)/decay simplified.

    The form is checked by the caller's residuals; if the quotient does not simplify
    free of the decay factor, ``expr`` is returned unchanged.
    """
    fixed = S.sigma / S.lam
    c = sp.simplify(sp.powsimp(sp.expand((expr - fixed) / decay), force=True))
    if c.has(S.t) or c.has(S.k):
        return expr
    return fixed + sp.collect(sp.expand(c), S.w0) * decay


def _flow_checks(expr: sp.Expr, rhs: sp.Expr) -> dict[str, sp.Expr]:
    """Residuals of ẇ = rhs(w) and w(0) = w0 for the candidate ``expr``."""
    return {
        "ode": residual(sp.diff(expr, S.t) - rhs.subs(S.w, expr)),
        "initial": residual(expr.subs(S.t, 0) - S.w0),
    }


def _bernoulli_logistic(sigma: sp.Expr, lam: sp.Expr) -> sp.Expr:
    """Derive the L = 2 flow by v = 1/w: returns w(t) in canonical form."""
    rhs = product_ode(2).expr.subs({S.sigma: sigma, S.lam: lam})
    v = sp.Symbol("v", positive=True)
    # v = 1/w  =>  v' = -w'/w^2 = -rhs(1/v) v^2, linear in v
    v_rhs = sp.expand(-rhs.subs(S.w, 1 / v) * v**2)
    v_t = _dsolve_linear(v_rhs.subs(v, _f(S.t)), 1 / S.w0)
    # canonical form: multiply numerator and denominator by σ w0 (or by w0 when σ = 0)
    scale = S.w0 * (sigma if sigma != 0 else 1)
    den = sp.collect(sp.expand(scale * v_t), sp.exp(-2 * sigma * S.t), evaluate=True)
    return scale / den


@cache
def flow_closed_form(depth: int) -> Derived:
    """The flow w(t) from w(0) = w0 as a Piecewise over the parameter cases (L = 1, 2).

    For L >= 3 use :func:`implicit_relation`.
    """
    check_depth(depth)
    if depth == 1:
        rhs = product_ode(1).expr
        main = _around_fixed_point(_dsolve_linear(rhs.subs(S.w, _f(S.t)), S.w0), sp.exp(-S.lam * S.t))
        lam0 = _dsolve_linear(rhs.subs({S.lam: 0, S.w: _f(S.t)}), S.w0)
        checks = {f"lambda>0: {k}": v for k, v in _flow_checks(main, rhs).items()}
        checks.update({f"lambda=0: {k}": v for k, v in _flow_checks(lam0, rhs.subs(S.lam, 0)).items()})
        expr = sp.Piecewise((main, S.lam > 0), (lam0, True))
        return Derived("flow closed form", expr, checks, (rel(sp.Function("w")(0), "==", S.w0),))
    if depth == 2:
        rhs = product_ode(2).expr
        main = _bernoulli_logistic(S.sigma, S.lam)
        sig0 = _bernoulli_logistic(sp.S.Zero, S.lam)
        checks = {f"sigma>0: {k}": v for k, v in _flow_checks(main, rhs).items()}
        checks.update({f"sigma=0: {k}": v for k, v in _flow_checks(sig0, rhs.subs(S.sigma, 0)).items()})
        const = sig0.subs(S.lam, 0)
        checks.update({f"sigma=lambda=0: {k}": v
                       for k, v in _flow_checks(const, rhs.subs({S.sigma: 0, S.lam: 0})).items()})
        expr = sp.Piecewise((main, S.sigma > 0), (sig0, True))
        return Derived("flow closed form", expr, checks,
                       (chain(sp.Function("w")(0), "==", S.w0, ">", 0), "balanced factors"))
    raise ValueError(f"no explicit closed form for depth {depth}; use implicit_relation({depth})")


@cache
def implicit_relation(depth: int) -> Derived:
    """The implicit solution t = G(w) − G(w0) of ẇ = L w^{2−2/L}(σ − λw) for L >= 3.

    G(v) = v^a / (a L σ) · ₂F₁(1, a; a + 1; λv/σ) with a = 2/L − 1, valid for σ > 0 and
    0 < v < σ/λ. The residual is dG/dw − 1/F(w), reduced by ``hyperexpand``.
    """
    if not isinstance(depth, int) or depth < 3:
        raise ValueError(f"implicit_relation needs depth >= 3, got {depth!r}")
    rhs = product_ode(depth).expr
    a = sp.Rational(2, depth) - 1
    v = sp.Symbol("v", positive=True)
    G = v**a / (a * depth * S.sigma) * sp.hyper([1, a], [a + 1], S.lam * v / S.sigma)
    dG = sp.diff(G, v)
    res = residual(sp.hyperexpand(dG - 1 / rhs.subs(S.w, v)))
    t_of_w = sp.Eq(S.t, G.subs(v, S.w) - G.subs(v, S.w0))
    return Derived("implicit flow relation", t_of_w, {"dt/dw": res, "initial": residual(
        t_of_w.rhs.subs(S.w, S.w0))}, (rel(S.sigma, ">", 0), H(chain(0, "<", S.w0, "<", S.sigma / S.lam), ", ",
                                          chain(0, "<", S.w, "<", S.sigma / S.lam))))


@cache
def gd_closed_form(depth: int = 1) -> Derived:
    """The linear model's GD iterates w_k from w_0 = w0, by ``rsolve`` (L = 1 only)."""
    if depth != 1:
        raise ValueError(f"GD has a closed form only for depth 1, got {depth}")
    step = product_map(1).expr
    y = sp.Function("y")
    main = sp.rsolve(y(S.k + 1) - step.subs(S.w, y(S.k)), y(S.k), {y(0): S.w0})
    main = _around_fixed_point(main, (1 - S.eta * S.lam) ** S.k)
    lam0 = sp.rsolve(y(S.k + 1) - step.subs({S.lam: 0, S.w: y(S.k)}), y(S.k), {y(0): S.w0})
    checks = {}
    for tag, expr, st in (("lambda>0", main, step), ("lambda=0", lam0, step.subs(S.lam, 0))):
        checks[f"{tag}: map"] = residual(sp.expand_power_base(
            sp.powsimp(expr.subs(S.k, S.k + 1) - st.subs(S.w, expr), force=True), force=True))
        checks[f"{tag}: initial"] = residual(expr.subs(S.k, 0) - S.w0)
    return Derived("GD closed form", sp.Piecewise((main, S.lam > 0), (lam0, True)), checks,
                   (H("start ", rel(sp.Symbol("w_k"), "==", S.w0), " at ", rel(S.k, "==", 0)),))
