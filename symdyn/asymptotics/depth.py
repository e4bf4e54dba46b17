"""The δ → ∞ limit of the depth-L trajectory (L >= 3), under the escape scale e^{(L−2)δ}.

The value at the jump is x_L σ/λ, with x_L a named constant: the root in (0, 1) of the transition
equation ₂F₁(1, a; a+1; x) = 0, a = 2/L − 1 (:func:`symdyn.derive.depth.transition_equation`).
The limit keeps x_L as a symbol with its defining equation in ``constants``; its certified digits
come from :func:`symdyn.precise.constants.transition_constant`.
"""

from __future__ import annotations

import sympy as sp

from symdyn.asymptotics.result import RescaledLimit
from symdyn.derive.depth import escape_scale, transition_equation
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import chain, rel


def transition_symbol(depth: int) -> sp.Symbol:
    """The named constant x_L (positive, below 1)."""
    return sp.Symbol(f"x_{check_depth(depth, 3)}", positive=True)


def depth_rescaled_limit(depth: int, dynamics: str = "flow", init: str = "layer") -> RescaledLimit:
    """The δ → ∞ limit of the depth-L trajectory (L >= 3) in τ = t/scale (flow) or ηk/scale (GD).

    Flow: 0 for τ < τ*, x_L σ/λ at τ* (x_L a named constant), σ/λ after. GD (fixed admissible
    η): the same jump at the same τ*, but the value at τ* is 0 (GD lags by O(δ), see
    :func:`symdyn.derive.depth.gd_escape_expansion`).
    """
    L = check_depth(depth, 3)
    if dynamics not in ("flow", "gd"):
        raise ValueError(f"dynamics must be 'flow' or 'gd', got {dynamics!r}")
    esc = escape_scale(L, init)
    ts = esc.tau_star
    x_L = transition_symbol(L)
    at = x_L * S.sigma / S.lam if dynamics == "flow" else sp.S.Zero
    expr = sp.Piecewise((0, S.tau < ts), (at, sp.Eq(S.tau, ts)), (S.sigma / S.lam, True))
    defining = transition_equation(L).expr.subs(sp.Symbol("x", positive=True), x_L)
    tau_star = sp.Symbol("tau^*")
    assumptions = [
        H(rel(S.sigma, ">", 0), ", ", rel(S.lam, ">", 0), " (", rel(S.sigma, "==", 0), ": ", S.w,
          " tends to 0 for all ", S.tau, "; ", rel(S.lam, "==", 0), ": ", S.w, " blows up at ", tau_star, ")"),
        H(chain(0, "<", S.w0, "<", S.sigma / S.lam), "; balanced factors"),
        H(x_L, " is the root in (0, 1) of ", defining),
    ]
    if dynamics == "gd":
        assumptions.append(H("eta fixed, admissible: ",
                             rel(L * S.eta * S.lam * (S.sigma / S.lam) ** (2 - sp.Rational(2, L)), "<", 2), "; ",
                             rel(S.tau, "==", S.eta * S.k / esc.scale)))
    return RescaledLimit(expr=expr, scale=esc.scale, transitions=(ts,), boundary_values=(at,),
                         assumptions=tuple(assumptions), dynamics=dynamics, depth=L, init=init,
                         constants={x_L: defining})
