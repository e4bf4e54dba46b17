"""The formula sheet of your own model (``symdyn latex --model FILE``): the same :class:`Entry`
and :class:`Section` data as the paper's sheet, printed by :class:`symdyn.output.latex.SymdynLatexPrinter`."""

from __future__ import annotations

import sympy as sp

from symdyn.asymptotics.general import model_limit
from symdyn.derive.general import derive_model, exponential_rate
from symdyn.model import symbols as S
from symdyn.model.factor_model import FactorModel
from symdyn.model.printing import limit_lhs_latex
from symdyn.output.sheet import W_DOT, W_NEXT, W_T, Entry, Section


def model_sections(model: FactorModel) -> list[Section]:
    """Loss, flow, GD map, conserved quantities, reduction, closed form or relation, limits."""
    d = derive_model(model)
    sub = model.subs
    ell = sp.Function(r"\ell")(*model.factors)
    dyn = [Entry("loss", "loss", ell, sub(model.loss)), Entry("output", "output", S.w, sub(model.output))]
    for a, f, g in zip(model.factors, d.flow.expr, d.gd_map.expr, strict=True):
        dyn.append(Entry(f"flow-{a}", f"factor flow of {a}", sp.Symbol(rf"\dot{{{a}}}"), sub(f), d.flow.hypotheses))
        dyn.append(Entry(f"gd-{a}", f"GD step on {a}", sp.Symbol(f"{a}^{{+}}"), sub(g), d.gd_map.hypotheses))
    timed = {a: sp.Function(a.name)(S.t) for a in model.factors}
    for i, c in enumerate(d.conserved):
        dyn.append(Entry(f"conserved{i + 1}", "conserved by the flow",
                         sp.Derivative(c.expr.subs(timed), S.t, evaluate=False), sp.S.Zero, c.hypotheses))
    for i, c in enumerate(d.exponential):
        q = c.expr.subs(timed)
        dyn.append(Entry(f"exponential{i + 1}", "decays or grows exponentially",
                         sp.Derivative(q, S.t, evaluate=False), exponential_rate(c) * q, c.hypotheses))
    red = []
    if d.reduced is not None:
        red.append(Entry("reduced", "reduced flow of the output", W_DOT, sub(d.reduced.expr), d.reduced.hypotheses))
    if d.reduced_gd is not None:
        red.append(Entry("reduced-gd", "reduced GD map of the output", W_NEXT, sub(d.reduced_gd.expr),
                         d.reduced_gd.hypotheses))
    if d.closed_form is not None:
        red.append(Entry("closed-form", "closed form", W_T, sub(d.closed_form.expr), d.closed_form.hypotheses))
    if d.relation is not None:
        red.append(Entry("relation", "implicit relation", S.t, sub(d.relation.expr.rhs), d.relation.hypotheses))
    sections = [Section("model", model.name or "Your model", tuple(dyn))]
    if red:
        sections.append(Section("reduction", "Reduction (each verified by its residuals)", tuple(red)))
    if model.delta == S.delta and d.reduced is not None:
        lims = []
        for dyn_name in ("flow", "gd"):
            r = model_limit(model, dyn_name)
            lhs = sp.Symbol(limit_lhs_latex(r.scale, dyn_name))     # the time scaling is part of the limit
            if r.expr is not sp.nan:
                words = (f"scale {r.scale}", *r.assumptions, *(f"undecided: {u}" for u in r.undecided))
                lims.append(Entry(f"limit-{dyn_name}", f"{dyn_name} limit, t = scale*tau", lhs, r.expr, words))
            for name, eq in r.constants.items():
                lims.append(Entry(f"constant-{dyn_name}-{name}", f"definition of {name}", eq.lhs, eq.rhs))
        if lims:
            sections.append(Section("limits", "Small-start limits", tuple(lims)))
    return sections
