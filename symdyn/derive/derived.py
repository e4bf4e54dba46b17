"""A derived result together with the checks that prove it (checkodesol style).

Every derivation in symdyn returns a :class:`Derived`: the expression, and a mapping
of named residuals that simplify to 0 when the result is right. Keeping the
residuals (rather than asserting inside) lets the CLI print them and the tests
assert on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Derived:
    """A derived expression with its verification residuals.

    ``expr`` is the result; ``residuals`` maps a check's name to its simplified
    residual, which is ``0`` when the check passes; ``hypotheses`` says in words
    what the result assumes.
    """

    name: str
    expr: sp.Basic
    residuals: dict[str, sp.Expr] = field(default_factory=dict)
    hypotheses: tuple[str, ...] = ()

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
