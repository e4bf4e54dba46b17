"""The value every δ → ∞ limit computation returns (flow or GD, any depth).

A rescaled limit is a Piecewise in the rescaled time τ, together with the scale that
defines τ, the transition points, the exact value at each transition (``None`` where
the limit does not exist there), and the assumptions that the answer used. Pieces
that could not be decided symbolically are listed in ``undecided``; symdyn never
guesses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symdyn.model import symbols as S


@dataclass(frozen=True)
class RescaledLimit:
    """lim_{δ→∞} of a trajectory at rescaled time τ.

    * ``expr``: the limit as a function of ``S.tau`` (usually a ``Piecewise``).
    * ``scale``: flow time t = scale · τ (δ for L <= 2; e^{(L−2)δ} for L >= 3);
      for GD, η k = scale · τ.
    * ``transitions``: the τ at which the limit jumps, in increasing order.
    * ``boundary_values``: the limit exactly at each transition (``None``: no limit).
    * ``assumptions``: the hypotheses used, in words or as sympy relations.
    * ``undecided``: pieces the engine could not decide symbolically.
    * ``constants``: named constants in ``expr`` (e.g. x_L), each with its defining equation.
    """

    expr: sp.Expr
    scale: sp.Expr
    transitions: tuple[sp.Expr, ...] = ()
    boundary_values: tuple[sp.Expr | None, ...] = ()
    assumptions: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()
    dynamics: str = "flow"
    depth: int = 2
    init: str = "layer"
    variable: sp.Symbol = S.tau
    constants: dict = field(default_factory=dict)
