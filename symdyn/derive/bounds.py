"""Theorem 3 of Gidel et al. (2019), corrected: bounds on the L = 2 GD iterates (docs/conventions.md).

Proof device, derived here from :func:`symdyn.derive.dynamics.product_map` and proven by
residuals: u_k = 1/w_k − λ/σ obeys the exact ratio identity

    u_{k+1} / u_k = 1 − ησ(2 + y)/(1 + y)²,   y = η(σ − λ w_k),

whose right side increases in y (derivative ησ(y + 3)/(1 + y)³) and so lies in
[1 − 2ησ, (1 + ησ)^{−2}] for y ∈ [0, ησ], i.e. for 0 < w_k ≤ σ/λ. With 2ησ ≤ 1 the ratio
is in [0, 1): u stays positive (0 < w_k < σ/λ for every k) and
u0 (1 − 2ησ)^k ≤ u_k ≤ u0 (1 + ησ)^{−2k}, which gives

    σw0/((σ − λw0)(1+ησ)^{−2k} + λw0) ≤ w_k ≤ σw0/((σ − λw0)(1 − 2ησ)^k + λw0).

σ = 0 modes: 1/w_{k+1} − 1/w_k − 2ηλ = η²λ²w (3 − 2ηλw)/(1 − ηλw)² ≥ 0 when ηλw ≤ 3/2
(an invariant range), so w_k ≤ w0/(1 + 2ηλw0 k).

The printed forms (the upper bound with rate e^{(−2ησ−η²σ²)k}, the hypothesis w0 < 1, the
σ = 0 part without its condition) are kept apart as :class:`PrintedForm` claims
(errata E7, E8, E9); they are not derived and carry no residuals.

>>> ratio_identity().verified, ratio_identity().expr
(True, -eta*sigma*(y + 2)/(y + 1)**2 + 1)
>>> thm3_bounds()[0].expr
sigma*w0/(lambda*w0 + (-lambda*w0 + sigma)/(eta*sigma + 1)**(2*k))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import product_map
from symdyn.model import symbols as S
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import as_hypotheses, chain, rel

#: The auxiliary variable y = η(σ − λ w_k) of the ratio identity.
y = sp.Symbol("y", real=True)
_W_K = sp.Symbol("w_k", positive=True)

HYPOTHESES = (chain(0, "<", S.w0, "<", S.sigma / S.lam), rel(2 * S.eta * S.sigma, "<=", 1), rel(S.sigma, ">", 0),
              rel(S.lam, ">", 0))
#: k is a GD step count.
K_INTEGER = H(rel(S.k, ">=", 0), " integer")


@dataclass(frozen=True)
class PrintedForm:
    """A formula as printed in the paper: a claim to be checked, not a derived result."""

    name: str
    expr: sp.Basic
    hypotheses: tuple[str, ...]
    source: str
    erratum: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "hypotheses", as_hypotheses(self.hypotheses))


def _u(w: sp.Expr) -> sp.Expr:
    """u = 1/w − λ/σ, the linearising variable (zero at the fixed point σ/λ)."""
    return 1 / w - S.lam / S.sigma


@cache
def ratio_identity() -> Derived:
    """u_{k+1}/u_k as a function of y = η(σ − λw_k), derived from the GD map w⁺ = G(w)."""
    G = product_map(2).expr
    ratio = sp.cancel(_u(G) / _u(S.w))
    w_of_y = (S.eta * S.sigma - y) / (S.eta * S.lam)  # inverse of y = η(σ − λw)
    in_y = sp.factor(ratio.subs(S.w, w_of_y))
    form = 1 - sp.factor(1 - in_y)  # the 1 − ησ(2+y)/(1+y)² shape
    back = form.subs(y, S.eta * (S.sigma - S.lam * S.w))
    slope = sp.factor(sp.diff(form, y))
    return Derived("u ratio identity", form, {
        "identity u(G(w))/u(w)": residual(ratio - back),
        "slope eta*sigma*(y+3)/(1+y)^3": residual(slope - S.eta * S.sigma * (y + 3) / (1 + y) ** 3),
    }, (rel(S.sigma, ">", 0), rel(S.w, "!=", S.sigma / S.lam), rel(y, "==", S.eta * (S.sigma - S.lam * _W_K))))


@cache
def ratio_bracket() -> Derived:
    """The range [1 − 2ησ, (1+ησ)^{−2}] of the ratio for y ∈ [0, ησ] (0 < w ≤ σ/λ).

    The ratio increases in y (slope ησ(y+3)/(1+y)³ > 0 for y > −1), so its range over the
    interval is given by the end values, each checked by a residual.
    """
    r = ratio_identity().expr
    lo, hi = 1 - 2 * S.eta * S.sigma, (1 + S.eta * S.sigma) ** -2
    return Derived("u ratio bracket", sp.Interval(lo, hi), {
        "ratio(y=0) - (1 - 2 eta sigma)": residual(r.subs(y, 0) - lo),
        "ratio(y=eta sigma) - (1+eta sigma)^-2": residual(r.subs(y, S.eta * S.sigma) - hi),
        **{f"identity: {k}": v for k, v in ratio_identity().residuals.items()},
    }, (H(chain(0, "<=", y, "<=", S.eta * S.sigma), ", i.e. ", chain(0, "<", _W_K, "<=", S.sigma / S.lam)),))


def _w_from_u(q: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """w_k from u_k = u0 q^k: (as derived, canonical σw0/((σ − λw0)q^k + λw0))."""
    derived = 1 / (_u(S.w0) * q**S.k + S.lam / S.sigma)
    canonical = S.sigma * S.w0 / ((S.sigma - S.lam * S.w0) * q**S.k + S.lam * S.w0)
    return derived, canonical


@cache
def thm3_bounds() -> tuple[Derived, Derived]:
    """(lower, upper) bounds on w_k, corrected Thm 3, from the ratio bracket."""
    out = []
    bracket = ratio_bracket()
    for name, q in (("Thm 3 lower bound", (1 + S.eta * S.sigma) ** -2),
                    ("Thm 3 upper bound", 1 - 2 * S.eta * S.sigma)):
        derived, canonical = _w_from_u(q)
        checks = {"1/(u0 q^k + lambda/sigma) - bound": residual(derived - canonical)}
        checks.update({f"bracket: {k}": v for k, v in bracket.residuals.items()})
        out.append(Derived(name, canonical, checks, HYPOTHESES + (K_INTEGER,)))
    return out[0], out[1]


@cache
def sigma_zero_bound() -> Derived:
    """σ = 0 modes: w_k ≤ w0/(1 + 2ηλw0 k) when ηλw0 ≤ 3/2 (docs/conventions.md; erratum E9).

    Residuals: the increment 1/w⁺ − 1/w − 2ηλ equals η²λ²w(3 − 2ηλw)/(1 − ηλw)² (≥ 0 for
    ηλw ≤ 3/2), and x = ηλw maps to x(1 − x)², which stays ≤ 3/2 on [0, 3/2] (its maximum
    there is 3/8 at x = 3/2: the derivative (1 − x)(1 − 3x) vanishes only at 1/3 and 1).
    """
    G0 = product_map(2).expr.subs(S.sigma, 0)
    x = sp.Symbol("x", nonnegative=True)
    increment = 1 / G0 - 1 / S.w - 2 * S.eta * S.lam
    claimed = S.eta**2 * S.lam**2 * S.w * (3 - 2 * S.eta * S.lam * S.w) / (1 - S.eta * S.lam * S.w) ** 2
    step_x = sp.expand(G0.subs(S.w, x / (S.eta * S.lam)) * S.eta * S.lam)
    crit = sp.solve(sp.diff(step_x, x), x)
    on_range = [step_x.subs(x, c) for c in [sp.S.Zero, sp.Rational(3, 2), *crit]]
    bound = S.w0 / (1 + 2 * S.eta * S.lam * S.w0 * S.k)
    return Derived("sigma = 0 bound", bound, {
        "increment of 1/w": residual(increment - claimed),
        "invariant x(1-x)^2 <= 3/2 on [0, 3/2]": sp.Max(*on_range) - sp.Rational(3, 8),
    }, (rel(S.sigma, "==", 0), rel(S.lam, ">=", 0), chain(0, "<", S.eta * S.lam * S.w0, "<=", sp.Rational(3, 2)),
       K_INTEGER))


def printed_forms() -> tuple[PrintedForm, ...]:
    """The paper's printed Thm 3 pieces that differ from the corrected ones (claims to check)."""
    rate = sp.exp((-2 * S.eta * S.sigma - S.eta**2 * S.sigma**2) * S.k)
    upper = S.sigma * S.w0 / ((S.sigma - S.lam * S.w0) * rate + S.lam * S.w0)
    return (
        PrintedForm("printed Thm 3 upper bound", upper, (rel(S.w0, "<", 1),), "Gidel et al. 2019, Thm 3",
                    "E7: 1 - 2 eta sigma < exp(-2 eta sigma - eta^2 sigma^2), so every run from "
                    "0 < w0 < sigma/lambda eventually exceeds it; corrected rate (1 - 2 eta sigma)^k"),
        PrintedForm("printed Thm 3 hypothesis", sp.StrictLessThan(S.w0, 1), (rel(S.w0, "<", 1),),
                    "Gidel et al. 2019, Thm 3",
                    "E8: must be 0 < w0 < sigma/lambda; with w0 < 1 only, the bounds swap and "
                    "the iteration can diverge (sigma=.1, lambda=5, eta=4.9, w0=.95)"),
        PrintedForm("printed Thm 3 sigma = 0 part", sigma_zero_bound().expr, (H("none on ", S.eta * S.lam * S.w0),),
                    "Gidel et al. 2019, Thm 3",
                    "E9: needs eta*lambda*w0 <= 3/2 and applies to the indices r_xy < i"),
    )
