"""The whole derivation of one model as one value (what ``symdyn derive`` prints).

>>> d = derive(Model(depth=2))
>>> d.ode.expr
2*w*(-lambda*w + sigma)
>>> all(r == 0 for r in d.residuals.values())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from symdyn.derive.derived import Derived
from symdyn.derive.dynamics import balanced_factor_map, conserved_quantities, loss, product_map, product_ode
from symdyn.model import symbols as S
from symdyn.model.checks import check_type
from symdyn.model.core import Model
from symdyn.model.printing import latex, math_display, words_latex


@dataclass(frozen=True)
class Derivation:
    """Everything sympy derives for one model, with the residual of every step."""

    model: Model
    loss: sp.Expr
    ode: Derived
    gd_map: Derived
    factor_map: Derived
    conserved: tuple[Derived, ...]
    closed_form: Derived
    gd_closed_form: Derived | None

    def _repr_latex_(self) -> str:
        """The loss, the flow, the GD maps, the closed form and the conserved quantities, typeset."""
        w_dot, w_next, a_next = sp.Symbol(r"\dot{w}"), sp.Symbol("w^{+}"), sp.Symbol("a^{+}")
        closed = self.closed_form.expr
        rows = [(sp.Symbol(r"\ell"), self.loss), (w_dot, self.ode.expr), (w_next, self.gd_map.expr),
                (a_next, self.factor_map.expr)]
        w_t = sp.Function("w")(S.t)
        rows.append((closed.lhs, closed.rhs) if isinstance(closed, sp.Equality) else (w_t, closed))
        if self.gd_closed_form is not None:
            rows.append((sp.Symbol("w_{k}"), self.gd_closed_form.expr))
        lines = [latex(a) + " &= " + latex(b) for a, b in rows]
        lines += [r"\frac{d}{dt}\left(" + latex(c.expr) + r"\right) &= 0" for c in self.conserved]
        ok = all(r == 0 for r in self.residuals.values())
        status = words_latex(f"depth L = {self.model.depth}, init {self.model.init}; "
                             + ("every residual is 0 (verified)" if ok else "some residual is not 0"))
        return math_display(r"\begin{gathered}\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned} \\ "
                            + status + r"\end{gathered}")

    def latex(self) -> str:
        """The loss, flow, GD maps, closed form and conserved quantities as one LaTeX display (as in a notebook)."""
        return self._repr_latex_()

    def to_json(self) -> str:
        """The derivation as JSON text: the model and every result with its residuals, as srepr."""
        from symdyn.model.serialize import dumps, srepr

        parts = {k: getattr(self, k).to_dict() for k in ("ode", "gd_map", "factor_map", "closed_form")}
        return dumps("Derivation", {
            "model": self.model.to_dict(), "loss": srepr(self.loss), **parts,
            "conserved": [c.to_dict() for c in self.conserved],
            "gd_closed_form": None if self.gd_closed_form is None else self.gd_closed_form.to_dict()})

    @staticmethod
    def from_json(text: str | dict) -> Derivation:
        """Inverse of :meth:`to_json` (srepr read without evaluating Python)."""
        from symdyn.model.serialize import loads, read_srepr

        d = loads("Derivation", text)
        try:
            gd = d.get("gd_closed_form")
            return Derivation(Model.from_dict(d["model"]), read_srepr(d["loss"]),
                              *(Derived.from_dict(d[k]) for k in ("ode", "gd_map", "factor_map")),
                              tuple(Derived.from_dict(c) for c in d["conserved"]),
                              Derived.from_dict(d["closed_form"]), None if gd is None else Derived.from_dict(gd))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a Derivation in JSON lacks or misshapes {exc}") from None

    @property
    def residuals(self) -> dict[str, sp.Expr]:
        """Every check's residual, keyed ``"<result>: <check>"``; all 0 when verified."""
        out: dict[str, sp.Expr] = {}
        parts = [("ode", self.ode), ("gd_map", self.gd_map), ("factor_map", self.factor_map),
                 ("closed_form", self.closed_form)]
        parts += [(f"conserved {c.name}", c) for c in self.conserved]
        if self.gd_closed_form is not None:
            parts.append(("gd_closed_form", self.gd_closed_form))
        for label, d in parts:
            out.update({f"{label}: {k}": v for k, v in d.residuals.items()})
        return out


def derive(model: Model | None = None) -> Derivation:
    """Derive the flow, the GD map, the conserved quantities and the closed forms of ``model``.

    Expressions are symbolic in σ, λ, η, w0; numbers in ``model`` are substituted by
    :meth:`Model.subs` at the caller's choice (the CLI does it for display).
    """
    model = Model() if model is None else check_type(model, Model, "model")
    L = model.depth
    closed = flow_closed_form(L) if L <= 2 else implicit_relation(L)
    return Derivation(
        model=model,
        loss=loss(L),
        ode=product_ode(L),
        gd_map=product_map(L),
        factor_map=balanced_factor_map(L),
        conserved=conserved_quantities(L),
        closed_form=closed,
        gd_closed_form=gd_closed_form(1) if L == 1 else None,
    )


def substitute(model: Model, expr: sp.Basic) -> sp.Basic:
    """Put the model's numbers into ``expr``; with δ given, w0 becomes its init value."""
    expr = model.subs(expr)
    if model.delta != S.delta:
        expr = expr.subs(S.w0, model.w0)
    return expr
