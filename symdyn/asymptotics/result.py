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
from symdyn.model.printing import as_hypotheses, hypotheses_latex, latex, limit_lhs_latex, math_display, words_latex


@dataclass(frozen=True)
class RescaledLimit:
    """lim_{δ→∞} of a trajectory at rescaled time τ.

    * ``expr``: the limit as a function of ``S.tau`` (usually a ``Piecewise``).
    * ``scale``: flow time t = scale · τ (δ for L <= 2; e^{(L−2)δ} for L >= 3);
      for GD, η k = scale · τ.
    * ``transitions``: the τ at which the limit jumps, in increasing order.
    * ``boundary_values``: the limit exactly at each transition (``None``: no limit).
    * ``assumptions``: the hypotheses used, in words and sympy relations
      (:class:`symdyn.model.printing.Hypothesis`).
    * ``undecided``: pieces the engine could not decide symbolically.
    * ``constants``: named constants in ``expr`` (e.g. x_L), each with its defining equation.

    :meth:`latex` typesets it with the time scaling in the limit, e.g. for L = 3
    ``\\lim_{\\delta \\to \\infty} w\\left(\\tau e^{\\delta}\\right) = \\begin{cases} …``, followed by
    each constant's defining equation; a notebook displays it (``_repr_latex_``).
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "assumptions", as_hypotheses(self.assumptions))

    def lhs_latex(self) -> str:
        """``\\lim_{δ→∞} w(scale·τ)`` (flow) or ``\\lim_{δ→∞} w_{⌊scale·τ/η⌋}`` (GD)."""
        return limit_lhs_latex(self.scale, self.dynamics, self.variable)

    def latex(self) -> str:
        """The limit as an equation, then the defining equation of each named constant (math mode)."""
        out = self.lhs_latex() + " = " + latex(self.expr)
        for c, eq in self.constants.items():
            out += (r",\quad " + words_latex("where ") + latex(c) + words_latex(" is the root in ")
                    + latex(sp.Interval.open(0, 1)) + words_latex(" of ") + latex(eq))
        return out

    def to_json(self) -> str:
        """The limit as JSON text: every expression as srepr, the assumptions as words and relations."""
        from symdyn.model.serialize import dumps, expr_out, hypotheses_out, srepr

        return dumps("RescaledLimit", {
            "expr": srepr(self.expr), "scale": srepr(self.scale),
            "transitions": [srepr(t) for t in self.transitions],
            "boundary_values": [expr_out(b) for b in self.boundary_values],
            "assumptions": hypotheses_out(self.assumptions), "undecided": list(self.undecided),
            "dynamics": self.dynamics, "depth": self.depth, "init": self.init, "variable": srepr(self.variable),
            "constants": [[srepr(k), srepr(v)] for k, v in self.constants.items()]})

    @staticmethod
    def from_json(text: str | dict) -> RescaledLimit:
        """Inverse of :meth:`to_json` (srepr read without evaluating Python)."""
        from symdyn.model.serialize import expr_in, hypotheses_in, loads, read_srepr

        d = loads("RescaledLimit", text)
        try:
            return RescaledLimit(
                read_srepr(d["expr"]), read_srepr(d["scale"]), tuple(read_srepr(t) for t in d["transitions"]),
                tuple(expr_in(b) for b in d["boundary_values"]), hypotheses_in(d["assumptions"]),
                tuple(str(u) for u in d["undecided"]), str(d["dynamics"]), int(d["depth"]), str(d["init"]),
                read_srepr(d["variable"]), {read_srepr(k): read_srepr(v) for k, v in d["constants"]})
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a RescaledLimit in JSON lacks or misshapes {exc}") from None

    def _repr_latex_(self) -> str:
        body = r"\begin{gathered}" + self.latex()
        if self.assumptions:
            body += r" \\ " + words_latex("assuming ") + hypotheses_latex(self.assumptions, math_mode=True)
        if self.undecided:
            body += r" \\ " + words_latex("undecided: " + "; ".join(self.undecided))
        return math_display(body + r"\end{gathered}")
