"""A derived result together with the checks that prove it (checkodesol style).

Every derivation in symdyn returns a :class:`Derived`: the expression, and a mapping
of named residuals that simplify to 0 when the result is right. Keeping the
residuals (rather than asserting inside) lets the CLI print them and the tests
assert on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symdyn.model.printing import as_hypotheses, hypotheses_latex, latex, math_display, words_latex


@dataclass(frozen=True)
class Derived:
    """A derived expression with its verification residuals.

    ``expr`` is the result; ``residuals`` maps a check's name to its simplified
    residual, which is ``0`` when the check passes; ``hypotheses`` says what the result
    assumes, in words and sympy relations (:class:`symdyn.model.printing.Hypothesis`).
    In a notebook it displays typeset (``_repr_latex_``).
    """

    name: str
    expr: sp.Basic
    residuals: dict[str, sp.Expr] = field(default_factory=dict)
    hypotheses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "hypotheses", as_hypotheses(self.hypotheses))

    def latex(self) -> str:
        """The result and its hypotheses in math mode (no surrounding ``$``)."""
        head = latex(self.expr)
        if self.hypotheses:
            head += r" \qquad \left(" + hypotheses_latex(self.hypotheses, math_mode=True) + r"\right)"
        return head

    def _repr_latex_(self) -> str:
        checked = r"\checkmark\ \text{verified}" if self.verified else r"\text{not verified}"
        return math_display(words_latex(self.name + ":") + r"\ " + self.latex() + r" \quad " + checked)

    def to_dict(self) -> dict:
        """JSON-able: the name, the expression and each residual as srepr, the hypotheses (words and relations)."""
        from symdyn.model.serialize import hypotheses_out, srepr

        return {"name": self.name, "expr": srepr(self.expr),
                "residuals": {k: srepr(sp.sympify(v)) for k, v in self.residuals.items()},
                "hypotheses": hypotheses_out(self.hypotheses)}

    @staticmethod
    def from_dict(d: dict) -> Derived:
        """Inverse of :meth:`to_dict` (srepr read without evaluating Python)."""
        from symdyn.model.serialize import hypotheses_in, read_srepr

        try:
            return Derived(str(d["name"]), read_srepr(d["expr"]),
                           {str(k): read_srepr(v) for k, v in d["residuals"].items()},
                           hypotheses_in(d.get("hypotheses", [])))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"a Derived in JSON lacks or misshapes {exc}") from None

    def to_json(self) -> str:
        from symdyn.model.serialize import dumps

        return dumps("Derived", self.to_dict())

    @staticmethod
    def from_json(text: str | dict) -> Derived:
        from symdyn.model.serialize import loads

        return Derived.from_dict(loads("Derived", text))

    @property
    def verified(self) -> bool:
        """True when there is at least one residual and every residual simplified to exactly 0.

        A result with no residual at all has not been checked, so it is not verified.
        """
        return bool(self.residuals) and all(sp.S(r) == 0 for r in self.residuals.values())


def residual(expr: sp.Expr) -> sp.Expr:
    """Simplify a residual: cheap passes first, ``simplify`` only if needed."""
    for step in (sp.expand, sp.cancel, sp.powsimp, sp.simplify):
        expr = step(expr)
        if expr == 0:
            return sp.S.Zero
    return expr
