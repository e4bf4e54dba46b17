"""LaTeX through sympy's printer protocol, in the order a reader expects.

:class:`SymdynLatexPrinter` is a ``LatexPrinter`` subclass (never string glue):

* a sum prints its positive terms first, simplest first, so σ − λw and
  1 + η(σ − λw) read as in the paper rather than sympy's −λw + σ;
* a ``Piecewise`` prints as ``cases`` with "if" instead of "for";
* symbols print by their mathematical names (σ, λ, η, δ, τ, w_0).

>>> from symdyn.model import symbols as S
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


def _degree(term: sp.Expr, x: sp.Symbol) -> float:
    if term.is_Order:
        return float("inf")
    powers = sp.Poly(term, x).monoms() if term.is_polynomial(x) else [(0,)]
    return float(powers[0][0]) if powers else 0.0


class SymdynLatexPrinter(LatexPrinter):
    """sympy's LatexPrinter with reader-friendly term order and ``cases`` wording.

    Setting ``ascending_in=x`` prints a sum in ascending powers of x (for series).
    """

    _default_settings = {**LatexPrinter._default_settings, "ascending_in": None}

    def _print_Add(self, expr, order=None):  # noqa: N802 (printer protocol)
        terms = list(expr.as_ordered_terms())
        x = self._settings["ascending_in"]
        if x is not None:
            ordered = sorted(terms, key=lambda t: _degree(t, x))
        else:
            pos = [t for t in terms if not _is_negative_term(t)]
            pos = sorted(pos, key=sp.count_ops)  # stable: numbers and bare symbols lead
            ordered = pos + [t for t in terms if _is_negative_term(t)]
        out = ""
        for i, term in enumerate(ordered):
            if i == 0:
                out = self._print(term)
                continue
            if _is_negative_term(term):
                out += " - " + self._print_term(-term)
            else:
                out += " + " + self._print_term(term)
        return out

    def _print_MatAdd(self, expr):  # noqa: N802 (printer protocol)
        def negative(term):
            if not isinstance(term, sp.MatMul):
                return False
            coeff = sp.Mul(*[a for a in term.args if not a.is_Matrix])
            return coeff.could_extract_minus_sign()

        out = ""
        terms = [t for t in expr.args if not negative(t)] + [t for t in expr.args if negative(t)]
        for i, term in enumerate(terms):
            neg = negative(term)
            body = self._print(-term if neg else term)
            out += (("- " if neg else "") + body) if i == 0 else ((" - " if neg else " + ") + body)
        return out

    def _print_term(self, term):
        s = self._print(term)
        if isinstance(term, sp.Add):
            return r"\left(" + s + r"\right)"
        return s

    def _print_Piecewise(self, expr):  # noqa: N802 (printer protocol)
        rows = []
        for e, c in expr.args:
            if e is sp.nan:  # symdyn's marker for "the limit does not exist here"
                rows.append(r"\text{no limit} & \text{if } " + self._print(c))
                continue
            cond = r"\text{otherwise}" if c == sp.true else r"\text{if } " + self._print(c)
            rows.append(f"{self._print(e)} & {cond}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def latex(expr: sp.Basic, **settings) -> str:
    """LaTeX of ``expr`` with :class:`SymdynLatexPrinter`."""
    return SymdynLatexPrinter(settings).doprint(expr)
