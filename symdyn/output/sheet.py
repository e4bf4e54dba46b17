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
from functools import cache

import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from symdyn.derive.dynamics import balanced_factor_map, conserved_quantities, loss, product_map, product_ode
from symdyn.model import symbols as S
from symdyn.output.latex import latex


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
    ascending_in: sp.Symbol | None = None

    def latex(self) -> str:
        return f"{latex(self.lhs)} {self.relation} {latex(self.rhs, ascending_in=self.ascending_in)}"


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


LIM_FLOW = _sym(r"\lim_{\delta \to \infty} w(\delta \tau)")
LIM_GD = _sym(r"\lim_{\delta \to \infty} w_{\lfloor \delta \tau / \eta \rfloor}")


def _limits() -> Section:
    from symdyn.asymptotics.limits import (
        flow_limit,
        frobenius_limit,
        gd_limit,
        gd_transition,
        gd_transition_series,
        half_time,
    )
    from symdyn.model.core import Model

    thm2, prod, lin = flow_limit(Model(depth=2)), flow_limit(Model(depth=2, init="product")), \
        flow_limit(Model(depth=1))
    gd = gd_limit(Model(depth=2))
    ht, T, Ts = half_time(), gd_transition(), gd_transition_series()
    e = [
        Entry("thm2-L2", "two-layer flow limit (Thm 2), init layer", LIM_FLOW, thm2.expr, thm2.assumptions, "thm2"),
        Entry("thm2-product-L2", "two-layer flow limit, init product (E1)", LIM_FLOW, prod.expr,
              prod.assumptions, "E1"),
        Entry("limit-L1", "linear-model flow limit (no step)", LIM_FLOW, lin.expr, lin.assumptions),
        Entry("cor1", "squared Frobenius norm, three modes (Cor 1)",
              _sym(r"\lim_{\delta \to \infty} \|W_1 W_2(\delta\tau)\|_F^2"), frobenius_limit(3).expr,
              ("Assumption 1 with epsilon = 0", "init layer", "sigma_1 > sigma_2 > sigma_3 > 0"), "cor1"),
        Entry("half-time-L2", "exact half-time: w(T) = sigma/(2 lambda) (eq 17 corrected)", _sym("T_{1/2}"),
              ht.expr, ht.hypotheses, "E5"),
        Entry("gd-transition", "exact discrete transition (Cor 3 corrected)", _sym(r"T^{\eta}"), T.expr,
              T.hypotheses, "gd-transition"),
        Entry("gd-transition-series", "its expansion in eta", _sym(r"T^{\eta}"), Ts.expr + sp.O(S.eta**4),
              Ts.hypotheses, "gd-transition", ascending_in=S.eta),
        Entry("gd-limit-L2", "two-layer GD limit (no limit at the transition)", LIM_GD, gd.expr,
              gd.assumptions, "gd-limit"),
    ]
    return Section("limits", "Vanishing-initialisation limits (delta to infinity, t = delta tau)", tuple(e))


def _bounds() -> Section:
    from symdyn.derive.bounds import ratio_bracket, ratio_identity, sigma_zero_bound, thm3_bounds

    lo, up = thm3_bounds()
    u_ratio = _sym(r"\frac{u_{k+1}}{u_{k}}")
    e = [
        Entry("thm3-lower", "Thm 3 lower bound", W_K, lo.expr, lo.hypotheses, "thm3-lower", r"\geq"),
        Entry("thm3-upper", "Thm 3 upper bound (corrected rate, E7)", W_K, up.expr, up.hypotheses, "E7", r"\leq"),
        Entry("ratio-identity", "proof device: u_k = 1/w_k - lambda/sigma, y = eta(sigma - lambda w_k)", u_ratio,
              ratio_identity().expr, ratio_identity().hypotheses, "ratio-identity"),
        Entry("ratio-bracket", "the ratio's range under 2 eta sigma <= 1", u_ratio, ratio_bracket().expr,
              ratio_bracket().hypotheses, "ratio-identity", r"\in"),
        Entry("thm3-sigma0", "sigma = 0 modes (E9)", W_K, sigma_zero_bound().expr, sigma_zero_bound().hypotheses,
              "E9", r"\leq"),
    ]
    return Section("bounds", "Discrete bounds (Thm 3, corrected)", tuple(e))


def _regimes() -> Section:
    """Step-size regimes of the GD maps and the discrete step profile Ψ (issue #9, SPEC §2)."""
    from symdyn.derive import regimes as R
    from symdyn.derive.poincare import flow_poincare_function, poincare_function, z

    s, half = S.eta * S.sigma, sp.Rational(1, 2)
    fp, mult, two, cyc = R.fixed_points(), R.multipliers(), R.period_two_orbit(), R.cycle_multiplier()
    zero, lin = R.zero_mode_bound(), R.linear_thresholds()
    psi_gd, psi_flow = poincare_function(order=3), flow_poincare_function()
    Psi, mu = sp.Function(r"\Psi"), _sym(r"\mu")
    w_pm = sp.Tuple(_sym("w_{-}"), _sym("w_{+}"))
    nu = 1 + s - S.eta * S.lam * S.w  # f'(w) = ν(w)(ν(w) − 2ηλw): checked in R.multipliers' residuals
    in_words = ("f(w) = w (1 + eta (sigma - lambda w))^2 (the L = 2 GD product map)",)
    e = [
        Entry("regime-fixed-points", "fixed points of the L = 2 map", _sym("w^{*}"), sp.FiniteSet(*fp.expr),
              fp.hypotheses, None, r"\in"),
        Entry("regime-derivative", "its derivative (critical point (1 + eta sigma)/(3 eta lambda))", _sym("f'(w)"),
              nu * (nu - 2 * S.eta * S.lam * S.w), in_words),
        Entry("regime-multipliers", "multipliers at 0, sigma/lambda and the sign-flip point",
              sp.Tuple(*(_sym(f"f'({x})") for x in (r"0", r"\sigma/\lambda", r"w_{3}"))), mult.expr,
              ("sigma, lambda, eta > 0", "w_3 = (2 + eta sigma)/(eta lambda): the factor flips sign, a+ = -a")),
        Entry("regime-monotone", "monotone convergence to sigma/lambda", s, half, R.monotone_threshold().hypotheses,
              None, r"\leq"),
        Entry("regime-oscillating", "oscillating convergence (multiplier 1 - 2 eta sigma in (-1, 0))", s,
              sp.Interval.open(half, 1), ("0 < w0 < sigma/lambda",), None, r"\in"),
        Entry("regime-period-two", "period doubling at eta sigma = 1: the period-2 orbit", w_pm, two.expr,
              two.hypotheses[:1]),
        Entry("regime-cycle-multiplier", "the 2-cycle's multiplier (stable for 1 < eta sigma < sqrt(5) - 1)",
              _sym("f'(w_{-}) f'(w_{+})"), cyc.expr, ("eta*sigma >= 1",)),
        Entry("regime-sigma0", "sigma = 0 modes: monotone decay, w_k <= w0/(1 + 2 eta lambda w0 k)",
              S.eta * S.lam * S.w0, zero.expr.rhs, zero.hypotheses, "E9",
              r"\leq"),
        Entry("regime-monotone-L1", "L = 1: monotone convergence", S.eta * S.lam, sp.S.One,
              ("w+ = w + eta (sigma - lambda w), multiplier 1 - eta lambda",), None, r"\leq"),
        Entry("regime-stable-L1", "L = 1: convergence (oscillating for eta lambda > 1)", S.eta * S.lam,
              lin.expr[1].rhs, ("multiplier 1 - eta lambda in (-1, 1)",), None, "<"),
        Entry("psi-functional-equation", "the Poincaré function of the GD map at 0 (discrete step profile)",
              Psi(mu * z), product_map(2).expr.subs(S.w, Psi(z)),
              ("mu = (1 + eta sigma)^2 = f'(0)", "Psi(z) = z + O(z^2)", "w_k = Psi(mu^k w0)(1 + O(w0))")),
        Entry("psi-series", "its Taylor coefficients (exact recursion)", Psi(z), psi_gd.expr + sp.O(z**4),
              psi_gd.hypotheses[1:], None, "=", z),
        Entry("psi-flow", "the flow analogue (limit eta -> 0 of each coefficient)", _sym(r"\Psi_{\mathrm{flow}}(z)"),
              psi_flow.expr, ("logistic flow dw/dt = 2 w (sigma - lambda w)", "sigma > 0")),
    ]
    return Section("regimes", "Step-size regimes and the discrete step profile", tuple(e),
                   "At the transition T^eta the GD iterate oscillates in [Psi(1/mu), Psi(1)] "
                   "(`symdyn limit --dynamics gd` certifies it; about [0.4744, 0.5255] for sigma = lambda = 1, "
                   "eta = 0.1), not at the flow's sigma/(sigma + lambda).")


def _depth() -> Section:
    """Depth L >= 3 (issue #10): elementary implicit flow, special modes, escape scale, the rescaled
    limit with its certified transition value, and the discrete escape of GD."""
    from symdyn.asymptotics.depth import depth_rescaled_limit, transition_symbol
    from symdyn.derive.depth import (
        elementary_relation,
        escape_scale,
        gd_escape_expansion,
        special_mode_solutions,
        transition_equation,
    )
    from symdyn.model.checks import init_exponent
    from symdyn.precise.constants import transition_constant

    x_sym = sp.Symbol("x", positive=True)
    e = []
    for L in (3, 4):
        rel = elementary_relation(L)
        e.append(Entry(f"implicit-elementary-L{L}", f"depth-{L} flow, implicit, in logs and atans", rel.expr.lhs,
                       rel.expr.rhs, rel.hypotheses, f"transition-value-L{L}"))
        for key, sol in special_mode_solutions(L).items():
            e.append(Entry(f"special-{key.replace('=', '')}-L{L}", f"depth-{L} flow with {key} (explicit)", W_T,
                           sol.expr, sol.hypotheses))
    for L in (3, 4):
        for init in ("layer", "product"):
            esc = escape_scale(L, init)
            e.append(Entry(f"escape-{init}-L{L}", f"escape time as delta -> oo, init {init} (small-w balance)",
                           _sym(r"t_{\mathrm{esc}}"), esc.tau_star * esc.scale,
                           (f"w0 = {sp.sstr(sp.exp(-init_exponent(L, init) * S.delta))}",
                            "leading term; tau = t/scale"), f"escape-L{L}" if init == "layer" else None, r"\sim"))
    lim = depth_rescaled_limit(3)
    x3 = _sym("x_{3}")
    c3 = transition_symbol(3)
    e.append(Entry("limit-L3", "depth-3 flow limit, t = e^delta tau",
                   _sym(r"\lim_{\delta \to \infty} w(e^{\delta} \tau)"), lim.expr.xreplace({c3: x3}),
                   ("sigma, lambda > 0", "init layer", "x_3 as below"), "transition-value-L3"))
    for L in (3, 4):
        eq = transition_equation(L).expr
        c = transition_constant(L)
        e.append(Entry(f"transition-equation-L{L}", f"x_{L} = lambda w*/sigma: the root in (0, 1) of",
                       eq.lhs.subs(x_sym, _sym(f"x_{{{L}}}")), eq.rhs,
                       (f"x_{L} = {c} (30 certified digits)",), f"transition-value-L{L}"))
        e.append(Entry(f"transition-constant-L{L}", "its value (30 certified digits)", _sym(f"x_{{{L}}}"), c,
                       ("two evaluations (hypergeometric series, partial fractions) at two precisions agree",),
                       f"transition-value-L{L}"))
    gd = gd_escape_expansion(3)
    eps = sp.Symbol("epsilon", positive=True)
    e += [
        Entry("gd-escape-flow-L3", "escape variable X = w^(-1/3) under the flow", _sym(r"\dot{X}"), gd["flow"].expr,
              ("exact",), "escape-L3"),
        Entry("gd-escape-L3", "one GD step of X (epsilon = 1/X, lambda w neglected)", _sym(r"X_{k+1} - X_{k}"),
              gd["gd"].expr + sp.O(eps**2), gd["gd"].hypotheses, "gd-vs-flow-L3", "=", eps),
        Entry("gd-lag-L3", "GD lags the flow: lag per unit of ln w (so (L - 1) eta delta/2 at the escape)",
              _sym(r"\frac{d\,\mathrm{lag}}{d \ln w}"), gd["lag_rate"].expr, ("escape phase",), "gd-vs-flow-L3"),
    ]
    return Section("depth", "Depth L >= 3", tuple(e),
                   "The flow escapes 0 on the clock t = e^((L-2) delta) tau, not delta tau; its value at the "
                   "transition is a root of a hypergeometric equation, certified to 30 digits.")


def _errata() -> Section:
    """Printed forms beside the corrected ones (SPEC §3); the claim id holds the counterexample."""
    from symdyn.asymptotics.limits import half_time, printed_half_time
    from symdyn.derive.bounds import printed_forms, thm3_bounds

    p_up = next(p for p in printed_forms() if "upper" in p.name)
    ht_p = printed_half_time()
    Sx, Sxy, W0, I = (sp.MatrixSymbol(n, 3, 3) for n in (r"\Sigma_x", r"\Sigma_{xy}", "W_0", "I"))
    star = sp.MatrixSymbol(r"\Sigma_x^{\dagger} \Sigma_{xy}", 3, 3)
    power = sp.MatPow(I - S.eta * Sx, S.k)
    eq16_p = sp.exp(-2 * S.delta) / (1 + 2 * sp.exp(-S.delta) * S.lam * S.t)
    eq16_c = flow_closed_form(2).expr.args[1][0].subs(S.w0, sp.exp(-2 * S.delta))
    W_k_mat = _sym("W_{k}")
    e = [
        Entry("E3-printed", "E3, eq (16) sigma = 0 branch as printed (does not solve dw/dt = -2 lambda w^2)",
              W_T, eq16_p, ("sigma = 0",), "E3"),
        Entry("E3-corrected", "E3 corrected", W_T, eq16_c, ("sigma = 0",), "E3"),
        Entry("E5-printed", "E5, eq (17) as printed (negative for sigma < 1)", _sym("T"), ht_p.expr,
              ht_p.hypotheses, "E5"),
        Entry("E5-corrected", "E5 corrected: the exact half-time", _sym("T_{1/2}"), half_time().expr,
              half_time().hypotheses, "E5"),
        Entry("E7-printed", "E7, Thm 3 upper bound as printed (false: first exceeded at k = 181 for sigma = "
              "lambda = 1, eta = 0.1, w0 = 1e-6)", W_K, p_up.expr, p_up.hypotheses, "E7", r"\leq"),
        Entry("E7-corrected", "E7 corrected", W_K, thm3_bounds()[1].expr, thm3_bounds()[1].hypotheses, "E7",
              r"\leq"),
        Entry("E12-printed", "E12, eq (21) as printed (power on the right)", W_k_mat,
              sp.MatAdd(star, sp.MatMul(W0 - star, power)), ("linear model GD",), "E12"),
        Entry("E12-corrected", "E12 corrected (power on the left)", W_k_mat,
              sp.MatAdd(star, sp.MatMul(power, W0 - star)), ("linear model GD",), "E12"),
    ]
    del Sxy
    return Section("errata", "Errata: printed forms beside the corrected ones", tuple(e),
                   "Each pair is checked by the claim named with it; `symdyn verify --only ID` prints the "
                   "counterexample.")


#: Section builders, in document order.
SECTIONS: list[Callable[[], Section]] = [
    lambda: _dynamics(1),
    lambda: _dynamics(2),
    lambda: _dynamics(3),
    _closed_forms,
    _limits,
    _bounds,
    _regimes,
    _depth,
    _errata,
]


@cache
def _built(make: Callable[[], Section]) -> Section:
    """Each section is derived once per process: the results are immutable values."""
    return make()


def build(only: tuple[str, ...] = (), depth: int | None = None) -> list[Section]:
    """The sheet's sections; ``only`` keeps entries whose label starts with one of the names,
    ``depth`` keeps the entries of that depth (label ends ``-L<depth>``) and depth-free ones."""
    out = []
    for make in SECTIONS:
        sec = _built(make)
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
            out.append(f"% {e.label}\n\\paragraph{{{_tex_text(e.title)}.}} Hypotheses: {_tex_text(hyp)}.{claim}")
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
