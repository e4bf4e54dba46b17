"""symdyn's one printer: LaTeX and plain text of expressions and hypotheses.

Everything symdyn typesets goes through :class:`SymdynLatexPrinter` (a sympy ``LatexPrinter``
subclass, never string glue): the CLI's ``--format latex``, the JSON ``latex`` fields, the
``_repr_latex_`` of derivations, limits and claim results, the formula sheet and the report.
It lives in the model layer so that every layer can use it.

* natural logarithms print as ``\\ln``;
* a sum prints its positive terms first, simplest first, so σ − λw and
  1 + η(σ − λw) read as in the paper rather than sympy's −λw + σ;
* a ``Piecewise`` prints as ``cases`` with "if" instead of "for"; ``nan`` (symdyn's
  marker for "the limit does not exist here") prints as "no limit";
* a conjunction of relations that share their middle terms prints as one chain, 0 < w_0 < σ/λ.

Hypotheses are small typed data (:class:`Hypothesis`): words and sympy relations side by
side, so that they can be typeset as math, and still read as plain text (a ``Hypothesis``
is a ``str`` whose value is its plain-text form).

>>> from symdyn.model import symbols as S
>>> latex(S.sigma - S.lam * S.w)
'\\\\sigma - \\\\lambda w'
>>> latex(sp.log(1 + S.eta * S.sigma))
'\\\\ln{\\\\left(1 + \\\\eta \\\\sigma \\\\right)}'
>>> h = Hypothesis(sp.Le(2 * S.eta * S.sigma, 1), " (step-size condition of Thm 3)")
>>> str(h)
'2*eta*sigma <= 1 (step-size condition of Thm 3)'
>>> hypothesis_latex(h)
'$2 \\\\eta \\\\sigma \\\\leq 1$ (step-size condition of Thm 3)'
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

_CHAIN = (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan, sp.Equality)


def _is_negative_term(term: sp.Expr) -> bool:
    return term.could_extract_minus_sign()


def _degree(term: sp.Expr, x: sp.Symbol) -> float:
    if term.is_Order:
        return float("inf")
    powers = sp.Poly(term, x).monoms() if term.is_polynomial(x) else [(0,)]
    return float(powers[0][0]) if powers else 0.0


def _chain(expr: sp.And) -> list[sp.Basic] | None:
    """``[a, op, b, op, c, …]`` when the relations of ``expr`` link up as a < b < c (all one direction)."""
    rels = list(expr.args)
    if len(rels) < 2 or not all(isinstance(r, _CHAIN) for r in rels):
        return None
    up = {r.rel_op in ("<", "<=") for r in rels if r.rel_op != "=="}
    if len(up) > 1:
        return None
    for first in rels:  # the chain's start is the relation whose lhs is no other's rhs
        if any(first.lhs == r.rhs for r in rels):
            continue
        out, cur, rest = [first.lhs, first.rel_op, first.rhs], first, [r for r in rels if r is not first]
        while rest:
            nxt = next((r for r in rest if r.lhs == cur.rhs), None)
            if nxt is None:
                return None
            out += [nxt.rel_op, nxt.rhs]
            rest.remove(nxt)
            cur = nxt
        return out
    return None


class SymdynLatexPrinter(LatexPrinter):
    """sympy's LatexPrinter with ``\\ln``, reader-friendly term order, ``cases`` wording and chains.

    Setting ``ascending_in=x`` prints a sum in ascending powers of x (for series).
    """

    _default_settings = {**LatexPrinter._default_settings, "ascending_in": None, "ln_notation": True}

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

    def _print(self, expr, **kwargs) -> str:
        if expr is sp.nan:  # nan prints itself (its own ``_latex``) as "NaN"; symdyn means "no limit"
            return r"\text{no limit}"
        return super()._print(expr, **kwargs)

    def _print_Piecewise(self, expr):  # noqa: N802 (printer protocol)
        rows = []
        for e, c in expr.args:
            cond = r"\text{otherwise}" if c == sp.true else r"\text{if } " + self._print(c)
            rows.append(f"{self._print(e)} & {cond}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    def _print_And(self, expr):  # noqa: N802 (printer protocol)
        chain = _chain(expr)
        if chain is None:
            return r",\ ".join(self._print(a) for a in expr.args)
        ops = {"<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq", "==": "="}
        return " ".join(ops[p] if isinstance(p, str) else self._print(p) for p in chain)


class SymdynStrPrinter(StrPrinter):
    """Plain text in the same conventions: ``a = b`` for an equation, chains, ``ln``."""

    def _print_Equality(self, expr):  # noqa: N802 (printer protocol)
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Unequality(self, expr):  # noqa: N802 (printer protocol)
        return f"{self._print(expr.lhs)} != {self._print(expr.rhs)}"

    def _print_And(self, expr):  # noqa: N802 (printer protocol)
        chain = _chain(expr)
        if chain is None:
            return ", ".join(self._print(a) for a in expr.args)
        return " ".join(("=" if p == "==" else p) if isinstance(p, str) else self._print(p) for p in chain)


def latex(expr: sp.Basic, **settings) -> str:
    """LaTeX of ``expr`` with :class:`SymdynLatexPrinter`."""
    return SymdynLatexPrinter(settings).doprint(expr)


def text(expr: sp.Basic) -> str:
    """Plain text of ``expr`` with :class:`SymdynStrPrinter` (``a = b``, chains)."""
    return SymdynStrPrinter().doprint(expr)


class Hypothesis(str):
    """A hypothesis as words and sympy relations, e.g. ``Hypothesis(sp.Gt(S.sigma, 0), " (a real mode)")``.

    Its ``str`` value is the plain text (so it reads, joins and serialises as a string);
    :func:`hypothesis_latex` typesets the sympy parts as math.
    """

    parts: tuple[str | sp.Basic, ...]

    def __new__(cls, *parts: str | sp.Basic) -> Hypothesis:
        parts = tuple(q for p in parts for q in (p.parts if isinstance(p, Hypothesis) else (p,)))
        for p in parts:
            if not isinstance(p, str | sp.Basic):
                raise TypeError(f"a hypothesis is made of words (str) and sympy expressions, got {type(p).__name__}")
        obj = super().__new__(cls, "".join(p if isinstance(p, str) else text(p) for p in parts))
        obj.parts = tuple(parts)
        return obj

    def __getnewargs__(self) -> tuple[str | sp.Basic, ...]:  # pickling keeps the parts
        return self.parts


def as_hypotheses(items: Iterable[str | sp.Basic]) -> tuple[str, ...]:
    """Hypotheses as strings: a bare sympy relation becomes a :class:`Hypothesis`, words stay as given."""
    return tuple(h if isinstance(h, str) else Hypothesis(h) for h in items)


def rel(lhs: object, op: str, rhs: object) -> sp.Basic:
    """An unevaluated relation (``sp.Rel``), kept as written even when the symbols' assumptions decide it."""
    return sp.Rel(sp.sympify(lhs, strict=True), sp.sympify(rhs, strict=True), op, evaluate=False)


def chain(*items: object) -> sp.Basic:
    """``chain(0, "<", w0, "<", sigma/lam)``: the unevaluated conjunction 0 < w0 < σ/λ, printed as one chain."""
    if len(items) < 3 or len(items) % 2 == 0:
        raise ValueError("chain takes a, op, b[, op, c, ...]")
    rels = [rel(items[i], items[i + 1], items[i + 2]) for i in range(0, len(items) - 2, 2)]
    return rels[0] if len(rels) == 1 else sp.And(*rels, evaluate=False)


def _parts(h: str | sp.Basic) -> tuple[str | sp.Basic, ...]:
    if isinstance(h, Hypothesis):
        return h.parts
    return (h,)


_TEX_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "&": r"\&", "%": r"\%", "#": r"\#",
                "$": r"\$", "{": r"\{", "}": r"\}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}"}


def _tex_words(words: str) -> str:
    """Words in LaTeX text mode: the characters TeX treats specially are escaped."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in words)


def words_latex(words: str) -> str:
    """Words inside math: ``\\text{…}`` with TeX's special characters escaped."""
    return r"\text{" + _tex_words(words) + "}"


def hypothesis_latex(h: str | sp.Basic, math_mode: bool = False) -> str:
    """LaTeX of one hypothesis; in text mode (a paragraph) math goes in ``$…$``, in math mode words in ``\\text``."""
    out = []
    for p in _parts(h):
        if isinstance(p, str):
            out.append(words_latex(p) if math_mode else _tex_words(p))
        else:
            out.append(latex(p) if math_mode else "$" + latex(p) + "$")
    return "".join(out)


def hypotheses_latex(hs: Iterable[str | sp.Basic], math_mode: bool = False) -> str:
    """Hypotheses joined by semicolons (``none`` when there are none)."""
    sep = r";\ " if math_mode else "; "
    return sep.join(hypothesis_latex(h, math_mode) for h in hs) or (r"\text{none}" if math_mode else "none")


def scaled_time(scale: sp.Expr, variable: sp.Symbol | None = None) -> sp.Symbol:
    """A display-only symbol for ``scale · τ`` written scale first (e^{δ} τ, not sympy's τ e^{δ})."""
    from symdyn.model import symbols as S

    tau = variable if variable is not None else S.tau
    printer = SymdynLatexPrinter()
    return sp.Symbol(printer._print(tau) if scale == 1 else printer._print_term(scale) + " " + printer._print(tau))


def limit_lhs_latex(scale: sp.Expr, dynamics: str, variable: sp.Symbol | None = None) -> str:
    """``\\lim_{δ→∞} w(scale·τ)`` (flow) or ``\\lim_{δ→∞} w_{⌊scale·τ/η⌋}`` (GD).

    The time scaling is part of every limit that symdyn typesets.
    """
    at = scaled_time(scale, variable).name
    head = r"\lim_{\delta \to \infty} "
    if dynamics == "gd":
        return head + r"w_{\left\lfloor " + at + r" / \eta \right\rfloor}"
    return head + r"w\left(" + at + r"\right)"


def math_display(body: str) -> str:
    """A notebook's display math (``_repr_latex_``)."""
    return "$\\displaystyle " + body + "$"
