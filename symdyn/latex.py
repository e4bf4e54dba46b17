"""LaTeX through sympy's printer protocol, in the order a reader expects.

:class:`SymdynLatexPrinter` is a ``LatexPrinter`` subclass (never string glue):

* a sum prints its positive terms first, simplest first, so σ − λw and
  1 + η(σ − λw) read as in the paper rather than sympy's −λw + σ;
* a ``Piecewise`` prints as ``cases`` with "if" instead of "for";
* symbols print by their mathematical names (σ, λ, η, δ, τ, w_0).

>>> from symdyn import symbols as S
>>> latex(S.sigma - S.lam * S.w)
'\\\\sigma - \\\\lambda w'
>>> latex(2 * S.w * (S.sigma - S.lam * S.w))
'2 w \\\\left(\\\\sigma - \\\\lambda w\\\\right)'
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter


def _is_negative_term(term: sp.Expr) -> bool:
    return term.could_extract_minus_sign()


class SymdynLatexPrinter(LatexPrinter):
    """sympy's LatexPrinter with reader-friendly term order and ``cases`` wording."""

    def _print_Add(self, expr, order=None):  # noqa: N802 (printer protocol)
        terms = list(expr.as_ordered_terms())
        pos = [t for t in terms if not _is_negative_term(t)]
        pos = sorted(pos, key=sp.count_ops)  # stable: numbers and bare symbols lead
        neg = [t for t in terms if _is_negative_term(t)]
        out = ""
        for i, term in enumerate(pos + neg):
            if i == 0:
                out = self._print(term)
                continue
            if _is_negative_term(term):
                out += " - " + self._print_term(-term)
            else:
                out += " + " + self._print_term(term)
        return out

    def _print_term(self, term):
        s = self._print(term)
        if isinstance(term, sp.Add):
            return r"\left(" + s + r"\right)"
        return s

    def _print_Piecewise(self, expr):  # noqa: N802 (printer protocol)
        rows = []
        for e, c in expr.args:
            cond = r"\text{otherwise}" if c == sp.true else r"\text{if } " + self._print(c)
            rows.append(f"{self._print(e)} & {cond}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def latex(expr: sp.Basic, **settings) -> str:
    """LaTeX of ``expr`` with :class:`SymdynLatexPrinter`."""
    return SymdynLatexPrinter(settings).doprint(expr)
