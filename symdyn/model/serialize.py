"""Expressions as data: the srepr + LaTeX convention of the CLI contract.

Every expression leaves symdyn twice: as ``srepr`` (which round-trips through
:func:`from_json`, symbol assumptions included; read by the whitelist reader
:func:`symdyn.model.reader.read_srepr`, never by ``eval``) and as LaTeX
(:mod:`symdyn.model.printing`, the printer of the formula sheet).

>>> from symdyn.model import symbols as S
>>> d = expr_json(2 * S.w * (S.sigma - S.lam * S.w))
>>> from_json(d) == 2 * S.w * (S.sigma - S.lam * S.w)
True
>>> d["latex"]
'2 w \\\\left(\\\\sigma - \\\\lambda w\\\\right)'
"""

from __future__ import annotations

import sympy
from sympy.printing.repr import ReprPrinter

from symdyn.model.parse import parse_expression
from symdyn.model.printing import latex
from symdyn.model.reader import read_srepr


class _ReprPrinter(ReprPrinter):
    """``srepr`` that round-trips hypergeometric functions.

    sympy prints the parameter tuples of ``hyper`` as ``TupleArg(...)``, which
    no reader can rebuild; printing them as ``Tuple(...)`` gives the same object.
    """

    def _print_TupleArg(self, expr):  # noqa: N802 (sympy's printer protocol)
        return "Tuple({})".format(self.reprify(expr.args, ", "))


def srepr(expr: sympy.Basic) -> str:
    return _ReprPrinter().doprint(expr)


def expr_json(expr: sympy.Basic) -> dict[str, str]:
    """``{"srepr": …, "latex": …, "text": …}`` for one expression (LaTeX by symdyn's printer)."""
    if isinstance(expr, str):
        raise TypeError("expr_json takes a sympy expression, not a string (parse it first)")
    expr = sympy.sympify(expr, strict=True)
    return {"srepr": srepr(expr), "latex": latex(expr), "text": sympy.sstr(expr)}


def from_json(d: dict[str, str]) -> sympy.Basic:
    """Rebuild an expression from its ``srepr`` (inverse of :func:`expr_json`), parsed, never evaluated."""
    if not isinstance(d, dict) or "srepr" not in d:
        raise TypeError(f"from_json expects a dict with an 'srepr' key, got {type(d).__name__}")
    return read_srepr(d["srepr"])


def parse(text: str) -> sympy.Basic:
    """Parse a formula written with symdyn's names (``lambda`` allowed) into its symbols.

    >>> from symdyn.model import symbols as S
    >>> parse("2*w*(sigma - lambda*w)") == 2 * S.w * (S.sigma - S.lam * S.w)
    True
    """
    from symdyn.model import symbols as S

    return parse_expression(text, S.BY_NAME)
