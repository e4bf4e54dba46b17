"""The formula sheet: every derived result as data, rendered to LaTeX and Markdown.

A sheet is a list of :class:`Section` s of :class:`Entry` s. Each entry holds a sympy
equation (left side, right side), its hypotheses in words, and the id of the claim
that checks it (``symdyn verify --only ID``). Rendering goes through
:class:`symdyn.latex.SymdynLatexPrinter`; only the document frame is text.

Sections are built by functions registered in :data:`SECTIONS`, so a new result
is one function. Rendering is pure: :func:`render` returns strings; the files in
``derivations/`` are written by ``derivations/generate.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from . import symbols as S
from .closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from .dynamics import balanced_factor_map, conserved_quantities, loss, product_map, product_ode
from .latex import latex


@dataclass(frozen=True)
class Entry:
    """One displayed result: ``lhs = rhs`` with its label, hypotheses and claim id."""

    label: str
    title: str
    lhs: sp.Basic
    rhs: sp.Basic
    hypotheses: tuple[str, ...] = ()
    claim: str | None = None
    relation: str = "="

    def latex(self) -> str:
        return f"{latex(self.lhs)} {self.relation} {latex(self.rhs)}"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: tuple[Entry, ...]
    intro: str = ""


def _sym(name: str) -> sp.Symbol:
    """A display-only symbol for a left-hand side such as \\dot w or w_{k+1}."""
    return sp.Symbol(name)


W_DOT, W_NEXT, A_NEXT, W_T, W_K = (_sym(r"\dot{w}"), _sym(r"w^{+}"), _sym(r"a^{+}"),
                                   _sym("w(t)"), _sym("w_{k}"))


def _dynamics(depth: int) -> Section:
    L = depth
    a = S.factors(L)
    ell = sp.Function(r"\ell")(*a)
    entries = [Entry(f"loss-L{L}", "per-mode loss", ell, loss(L),
                     ("one mode of Assumption 1 with epsilon = 0",))]
    as_time_functions = {ai: sp.Function(ai.name)(S.t) for ai in a}
    for i, c in enumerate(conserved_quantities(L)):
        lhs = sp.Derivative(c.expr.subs(as_time_functions), S.t, evaluate=False)
        entries.append(Entry(f"conserved{i + 1}-L{L}", "conserved by the factor flow", lhs, sp.S.Zero,
                             ("gradient flow on the factors",)))
    entries += [
        Entry(f"ode-L{L}", "balanced product flow", W_DOT, product_ode(L).expr,
              product_ode(L).hypotheses, f"ode-L{L}"),
        Entry(f"factor-map-L{L}", "GD step on a balanced factor", A_NEXT, balanced_factor_map(L).expr,
              ("step size eta",), "eq22" if L == 2 else None),
        Entry(f"map-L{L}", "GD product map", W_NEXT, product_map(L).expr, product_map(L).hypotheses,
              f"map-L{L}"),
    ]
    names = {1: "Depth 1 (linear model)", 2: "Depth 2 (two-layer network)"}
    return Section(f"dynamics-L{L}", names.get(L, f"Depth {L}"), tuple(entries))


def _closed_forms() -> Section:
    e = [
        Entry("flow-L1", "linear-model flow (Prop 1, per mode)", W_T, flow_closed_form(1).expr,
              flow_closed_form(1).hypotheses, "prop1"),
        Entry("flow-L2", "two-layer flow (Thm 1, eq 16 corrected)", W_T, flow_closed_form(2).expr,
              flow_closed_form(2).hypotheses, "eq16"),
        Entry("gd-L1", "linear-model GD (eq 21 corrected, per mode)", W_K, gd_closed_form(1).expr,
              gd_closed_form(1).hypotheses, "eq21"),
    ]
    for L in (3, 4):
        rel = implicit_relation(L)
        e.append(Entry(f"implicit-L{L}", f"depth-{L} flow, implicit", rel.expr.lhs, rel.expr.rhs,
                       rel.hypotheses, f"implicit-L{L}"))
    return Section("closed-forms", "Closed forms (each verified by substitution)", tuple(e))


#: Section builders, in document order.
SECTIONS: list[Callable[[], Section]] = [
    lambda: _dynamics(1),
    lambda: _dynamics(2),
    lambda: _dynamics(3),
    _closed_forms,
]


def build(only: tuple[str, ...] = (), depth: int | None = None) -> list[Section]:
    """The sheet's sections; ``only`` keeps entries whose label starts with one of the names,
    ``depth`` keeps the entries of that depth (label ends ``-L<depth>``) and depth-free ones."""
    out = []
    for make in SECTIONS:
        sec = make()
        entries = tuple(e for e in sec.entries
                        if (not only or any(e.label.startswith(o) for o in only))
                        and (depth is None or not _label_depth(e.label) or _label_depth(e.label) == depth))
        if entries:
            out.append(Section(sec.key, sec.title, entries, sec.intro))
    return out


def _label_depth(label: str) -> int | None:
    tail = label.rsplit("-L", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None


def render_body(sections: list[Section]) -> str:
    """An include-able LaTeX body: one ``equation`` per entry, labelled."""
    out = []
    for sec in sections:
        out.append(f"\\section{{{sec.title}}}\\label{{sec:{sec.key}}}")
        for e in sec.entries:
            hyp = "; ".join(e.hypotheses) or "none"
            claim = f" Checked by claim \\texttt{{{e.claim}}}." if e.claim else ""
            out.append(f"% {e.label}\n\\paragraph{{{e.title}.}} Hypotheses: {_tex_text(hyp)}.{claim}")
            out.append(f"\\begin{{equation}}\\label{{eq:{e.label}}}\n{e.latex()}\n\\end{{equation}}")
        out.append("")
    return "\n".join(out)


def render_document(sections: list[Section]) -> str:
    """A standalone document (pdflatex) around :func:`render_body`."""
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\title{symdyn formula sheet}",
        r"\author{generated by \texttt{symdyn} from the per-mode loss}",
        r"\begin{document}",
        r"\maketitle",
        r"\allowdisplaybreaks",
        render_body(sections),
        r"\end{document}",
        "",
    ])


def render_markdown(sections: list[Section]) -> str:
    """Markdown with ``$…$`` / ``$$…$$`` math."""
    out = ["# symdyn formula sheet", "",
           "Generated by `python derivations/generate.py`; do not edit by hand.", ""]
    for sec in sections:
        out += [f"## {sec.title}", ""]
        for e in sec.entries:
            hyp = "; ".join(e.hypotheses) or "none"
            claim = f" Claim: `{e.claim}`." if e.claim else ""
            out += [f"**{e.title}** (`{e.label}`). Hypotheses: {hyp}.{claim}", "",
                    f"$$\n{e.latex()}\n$$", ""]
    return "\n".join(out)


def _tex_text(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("^", r"\^{}"), ("&", r"\&"), ("%", r"\%"),
                 ("#", r"\#"), ("<", r"$<$"), (">", r"$>$")):
        text = text.replace(a, b)
    return text


def render(only: tuple[str, ...] = (), depth: int | None = None) -> dict[str, str]:
    """All sheet files by name: ``formulas.tex`` (standalone), ``formulas-body.tex``, ``formulas.md``."""
    sections = build(only, depth)
    return {
        "formulas.tex": render_document(sections),
        "formulas-body.tex": render_body(sections),
        "formulas.md": render_markdown(sections),
    }
