"""Expressions as data: the srepr + LaTeX convention of the CLI contract.

Every expression leaves symdyn twice: as ``srepr`` (which round-trips through
``sympy.sympify``, symbol assumptions included) and as LaTeX
(:mod:`symdyn.model.printing`, the printer of the formula sheet).

>>> from symdyn.model import symbols as S
>>> d = expr_json(2 * S.w * (S.sigma - S.lam * S.w))
>>> sympy.sympify(d["srepr"]) == 2 * S.w * (S.sigma - S.lam * S.w)
True
>>> d["latex"]
'2 w \\\\left(\\\\sigma - \\\\lambda w\\\\right)'
"""

from __future__ import annotations

import sympy
from sympy.printing.repr import ReprPrinter

from symdyn.model.printing import latex


class _ReprPrinter(ReprPrinter):
    """``srepr`` that round-trips hypergeometric functions.

    sympy prints the parameter tuples of ``hyper`` as ``TupleArg(...)``, which
    ``sympify`` cannot rebuild; printing them as ``Tuple(...)`` gives the same object.
    """

    def _print_TupleArg(self, expr):  # noqa: N802 (sympy's printer protocol)
        return "Tuple({})".format(self.reprify(expr.args, ", "))


def srepr(expr: sympy.Basic) -> str:
    return _ReprPrinter().doprint(expr)


def expr_json(expr: sympy.Basic) -> dict[str, str]:
    """``{"srepr": …, "latex": …, "text": …}`` for one expression (LaTeX by symdyn's printer)."""
    expr = sympy.sympify(expr)
    return {"srepr": srepr(expr), "latex": latex(expr), "text": sympy.sstr(expr)}


def from_json(d: dict[str, str]) -> sympy.Basic:
    """Rebuild an expression from its ``srepr`` (inverse of :func:`expr_json`)."""
    return sympy.sympify(d["srepr"])


def parse(text: str) -> sympy.Basic:
    """Parse a formula written with symdyn's names (``lambda`` allowed) into its symbols.

    >>> from symdyn.model import symbols as S
    >>> parse("2*w*(sigma - lambda*w)") == 2 * S.w * (S.sigma - S.lam * S.w)
    True
    """
    from symdyn.model import symbols as S

    names = {**S.BY_NAME, "lam_": S.lam}
    return sympy.sympify(text.replace("lambda", "lam_"), locals=names)
