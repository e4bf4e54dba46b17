"""The formula sheet: every derived result as data, rendered to LaTeX and Markdown.

A sheet is a list of :class:`Section` s of :class:`Entry` s. Each entry holds a sympy
equation (left side, right side), its hypotheses (words and sympy relations,
:class:`~symdyn.model.printing.Hypothesis`, typeset as math), and the id of the claim
that checks it (``symdyn verify --only ID``). Rendering goes through symdyn's one printer
(:mod:`symdyn.model.printing`); only the document frame is text.

Sections are built by functions registered in :data:`SECTIONS`, so a new result is one
function. A section lists its entries as :class:`Item` s, each a label and a function that
builds the entry: the labels are known without deriving anything (``symdyn latex --list``),
and ``build(only=...)`` derives only the entries asked for. Rendering is pure:
:func:`render` returns strings; the files in ``derivations/`` are written by
``derivations/generate.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from symdyn.derive.dynamics import balanced_factor_map, conserved_quantities, loss, product_map, product_ode
from symdyn.model import symbols as S
from symdyn.model.printing import Hypothesis as T
from symdyn.model.printing import as_hypotheses, chain, hypotheses_latex, hypothesis_latex, latex, rel, scaled_time


@dataclass(frozen=True)
class Entry:
    """One displayed result: ``lhs = rhs`` with its label, hypotheses and claim id.

    ``title`` and ``hypotheses`` are words and sympy expressions (a str or a
    :class:`~symdyn.model.printing.Hypothesis`); the math in them is typeset.
    """

    label: str
    title: str
    lhs: sp.Basic
    rhs: sp.Basic
    hypotheses: tuple[str, ...] = ()
    claim: str | None = None
    relation: str = "="
    ascending_in: sp.Symbol | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "hypotheses", as_hypotheses(self.hypotheses))

    def latex(self) -> str:
        return f"{latex(self.lhs)} {self.relation} {latex(self.rhs, ascending_in=self.ascending_in)}"


@dataclass(frozen=True)
class Item:
    """A sheet entry not yet derived: its label, and the function that derives it."""

    label: str
    make: Callable[[], Entry]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: tuple  # Item s in SECTIONS' builders, Entry s once built
    intro: str = ""


def _sym(name: str) -> sp.Symbol:
    """A display-only symbol for a left-hand side such as \\dot w or w_{k+1}."""
    return sp.Symbol(name)


def _items(*pairs: tuple[str, Callable[[], Entry]]) -> tuple[Item, ...]:
    return tuple(Item(label, make) for label, make in pairs)


W_DOT, W_NEXT, A_NEXT, W_T, W_K = (_sym(r"\dot{w}"), _sym(r"w^{+}"), _sym(r"a^{+}"),
                                   _sym("w(t)"), _sym("w_{k}"))
ETA, SIGMA, LAM, DELTA, TAU, W0 = S.eta, S.sigma, S.lam, S.delta, S.tau, S.w0


def _dynamics(depth: int) -> Section:
    L = depth
    a = S.factors(L)
    n_conserved = L * (L - 1) // 2  # a_i^2 - a_j^2 for i < j

    def conserved(i: int) -> Entry:
        c = conserved_quantities(L)[i]
        lhs = sp.Derivative(c.expr.subs({ai: sp.Function(ai.name)(S.t) for ai in a}), S.t, evaluate=False)
        return Entry(f"conserved{i + 1}-L{L}", "conserved by the factor flow", lhs, sp.S.Zero,
                     ("gradient flow on the factors",))

    items = [(f"loss-L{L}", lambda: Entry(f"loss-L{L}", "per-mode loss", sp.Function(r"\ell")(*a), loss(L),
                                           (T("one mode of Assumption 1 with ", rel(sp.Symbol("epsilon"), "==", 0)),)))]
    items += [(f"conserved{i + 1}-L{L}", lambda i=i: conserved(i)) for i in range(n_conserved)]
    items += [
        (f"ode-L{L}", lambda: Entry(f"ode-L{L}", "balanced product flow", W_DOT, product_ode(L).expr,
                                    product_ode(L).hypotheses, f"ode-L{L}")),
        (f"factor-map-L{L}", lambda: Entry(f"factor-map-L{L}", "GD step on a balanced factor", A_NEXT,
                                           balanced_factor_map(L).expr, (T("step size ", ETA),),
                                           "eq22" if L == 2 else None)),
        (f"map-L{L}", lambda: Entry(f"map-L{L}", "GD product map", W_NEXT, product_map(L).expr,
                                    product_map(L).hypotheses, f"map-L{L}")),
    ]
    names = {1: "Depth 1 (linear model)", 2: "Depth 2 (two-layer network)"}
    return Section(f"dynamics-L{L}", names.get(L, f"Depth {L}"), _items(*items))


def _closed_forms() -> Section:
    def implicit(L: int) -> Entry:
        r = implicit_relation(L)
        return Entry(f"implicit-L{L}", f"depth-{L} flow, implicit", r.expr.lhs, r.expr.rhs, r.hypotheses,
                     f"implicit-L{L}")

    items = [
        ("flow-L1", lambda: Entry("flow-L1", "linear-model flow (Prop 1, per mode)", W_T, flow_closed_form(1).expr,
                                  flow_closed_form(1).hypotheses, "prop1")),
        ("flow-L2", lambda: Entry("flow-L2", "two-layer flow (Thm 1, eq 16 corrected)", W_T, flow_closed_form(2).expr,
                                  flow_closed_form(2).hypotheses, "eq16")),
        ("gd-L1", lambda: Entry("gd-L1", "linear-model GD (eq 21 corrected, per mode)", W_K, gd_closed_form(1).expr,
                                gd_closed_form(1).hypotheses, "eq21")),
    ]
    items += [(f"implicit-L{L}", lambda L=L: implicit(L)) for L in (3, 4)]
    return Section("closed-forms", "Closed forms (each verified by substitution)", _items(*items))


def _limit_entry(label: str, title: str, r, claim: str | None = None, hypotheses: tuple | None = None) -> Entry:
    """A rescaled limit as an entry: the left side carries the time scaling (``RescaledLimit.lhs_latex``)."""
    return Entry(label, title, _sym(r.lhs_latex()), r.expr, r.assumptions if hypotheses is None else hypotheses,
                 claim)


def _limits() -> Section:
    from symdyn.asymptotics import limits as A
    from symdyn.model.core import Model

    sig = sp.symbols("sigma_1:4", positive=True)
    cor1_hyps = (T("Assumption 1 with ", rel(sp.Symbol("epsilon"), "==", 0)), "init layer",
                 chain(sig[0], ">", sig[1], ">", sig[2], ">", 0))

    def half_time() -> Entry:
        ht = A.half_time()
        return Entry("half-time-L2", T("exact half-time: ", rel(sp.Function("w")(sp.Symbol("T")), "==",
                                                                  SIGMA / (2 * LAM)), " (eq 17 corrected)"),
                     _sym("T_{1/2}"), ht.expr, ht.hypotheses, "E5")

    def series() -> Entry:
        Ts = A.gd_transition_series()
        return Entry("gd-transition-series", T("its expansion in ", ETA), _sym(r"T^{\eta}"), Ts.expr + sp.O(ETA**4),
                     Ts.hypotheses, "gd-transition", ascending_in=ETA)

    items = [
        ("thm2-L2", lambda: _limit_entry("thm2-L2", "two-layer flow limit (Thm 2), init layer",
                                         A.flow_limit(Model(depth=2)), "thm2")),
        ("thm2-product-L2", lambda: _limit_entry("thm2-product-L2", "two-layer flow limit, init product (E1)",
                                                 A.flow_limit(Model(depth=2, init="product")), "E1")),
        ("limit-L1", lambda: _limit_entry("limit-L1", "linear-model flow limit (no step)",
                                          A.flow_limit(Model(depth=1)))),
        ("cor1", lambda: Entry("cor1", "squared Frobenius norm, three modes (Cor 1)",
                               _sym(r"\lim_{\delta \to \infty} \|W_1 W_2(\delta\tau)\|_F^2"),
                               A.frobenius_limit(3).expr, cor1_hyps, "cor1")),
        ("half-time-L2", half_time),
        ("gd-transition", lambda: Entry("gd-transition", "exact discrete transition (Cor 3 corrected)",
                                        _sym(r"T^{\eta}"), A.gd_transition().expr, A.gd_transition().hypotheses,
                                        "gd-transition")),
        ("gd-transition-series", series),
        ("gd-limit-L2", lambda: _limit_entry("gd-limit-L2", "two-layer GD limit (no limit at the transition)",
                                             A.gd_limit(Model(depth=2)), "gd-limit")),
    ]
    return Section("limits", T("Vanishing-initialisation limits (", DELTA, r" to infinity, ",
                               rel(S.t, "==", DELTA * TAU), ")"), _items(*items))


def _bounds() -> Section:
    from symdyn.derive import bounds as B

    u_ratio = _sym(r"\frac{u_{k+1}}{u_{k}}")
    w_k = sp.Symbol("w_k", positive=True)
    items = [
        ("thm3-lower", lambda: Entry("thm3-lower", "Thm 3 lower bound", W_K, B.thm3_bounds()[0].expr,
                                     B.thm3_bounds()[0].hypotheses, "thm3-lower", r"\geq")),
        ("thm3-upper", lambda: Entry("thm3-upper", "Thm 3 upper bound (corrected rate, E7)", W_K,
                                     B.thm3_bounds()[1].expr, B.thm3_bounds()[1].hypotheses, "E7", r"\leq")),
        ("ratio-identity", lambda: Entry(
            "ratio-identity", T("proof device: ", rel(sp.Symbol("u_k"), "==", 1 / w_k - LAM / SIGMA), ", ",
                                rel(sp.Symbol("y"), "==", ETA * (SIGMA - LAM * w_k))),
            u_ratio, B.ratio_identity().expr, B.ratio_identity().hypotheses, "ratio-identity")),
        ("ratio-bracket", lambda: Entry("ratio-bracket", T("the ratio's range under ", rel(2 * ETA * SIGMA, "<=", 1)),
                                        u_ratio, B.ratio_bracket().expr, B.ratio_bracket().hypotheses,
                                        "ratio-identity", r"\in")),
        ("thm3-sigma0", lambda: Entry("thm3-sigma0", T(rel(SIGMA, "==", 0), " modes (E9)"), W_K,
                                      B.sigma_zero_bound().expr, B.sigma_zero_bound().hypotheses, "E9", r"\leq")),
    ]
    return Section("bounds", "Discrete bounds (Thm 3, corrected)", _items(*items))


def _regimes() -> Section:
    """Step-size regimes of the GD maps and the discrete step profile Ψ (issue #9)."""
    from symdyn.derive import regimes as R
    from symdyn.derive.poincare import flow_poincare_function, poincare_function, z

    s, half = ETA * SIGMA, sp.Rational(1, 2)
    Psi, mu = sp.Function(r"\Psi"), _sym(r"\mu")
    f_w = sp.Function("f")(S.w)
    nu = 1 + s - ETA * LAM * S.w  # f'(w) = ν(w)(ν(w) − 2ηλw): checked in R.multipliers' residuals
    gd_map = (T(rel(f_w, "==", product_map(2).expr), " (the L = 2 GD product map)"),)
    w3 = _sym("w_{3}")
    items = [
        ("regime-fixed-points", lambda: Entry("regime-fixed-points", "fixed points of the L = 2 map", _sym("w^{*}"),
                                              sp.FiniteSet(*R.fixed_points().expr), R.fixed_points().hypotheses,
                                              None, r"\in")),
        ("regime-derivative", lambda: Entry(
            "regime-derivative", T("its derivative (critical point ", (1 + s) / (3 * ETA * LAM), ")"), _sym("f'(w)"),
            nu * (nu - 2 * ETA * LAM * S.w), gd_map)),
        ("regime-multipliers", lambda: Entry(
            "regime-multipliers", T("multipliers at 0, ", SIGMA / LAM, " and the sign-flip point"),
            sp.Tuple(*(_sym(f"f'({x})") for x in (r"0", r"\sigma/\lambda", r"w_{3}"))), R.multipliers().expr,
            (T(rel(SIGMA, ">", 0), ", ", rel(LAM, ">", 0), ", ", rel(ETA, ">", 0)),
             T(rel(w3, "==", (2 + s) / (ETA * LAM)), ": the factor flips sign, ",
               rel(_sym("a^{+}"), "==", -_sym("a")))))),
        ("regime-monotone", lambda: Entry("regime-monotone", T("monotone convergence to ", SIGMA / LAM), s, half,
                                          R.monotone_threshold().hypotheses, None, r"\leq")),
        ("regime-oscillating", lambda: Entry(
            "regime-oscillating", T("oscillating convergence (multiplier ", 1 - 2 * s, " in ",
                                    sp.Interval.open(-1, 0), ")"),
            s, sp.Interval.open(half, 1), (chain(0, "<", W0, "<", SIGMA / LAM),), None, r"\in")),
        ("regime-period-two", lambda: Entry(
            "regime-period-two", T("period doubling at ", rel(s, "==", 1), ": the period-2 orbit"),
            sp.Tuple(_sym("w_{-}"), _sym("w_{+}")), R.period_two_orbit().expr,
            R.period_two_orbit().hypotheses[:1])),
        ("regime-cycle-multiplier", lambda: Entry(
            "regime-cycle-multiplier", T("the 2-cycle's multiplier (stable for ", chain(1, "<", s, "<", sp.sqrt(5) - 1),
                                         ")"),
            _sym("f'(w_{-}) f'(w_{+})"), R.cycle_multiplier().expr, (rel(s, ">=", 1),))),
        ("regime-sigma0", lambda: Entry(
            "regime-sigma0", T(rel(SIGMA, "==", 0), " modes: monotone decay, ",
                               rel(sp.Symbol("w_k"), "<=", W0 / (1 + 2 * ETA * LAM * W0 * S.k))),
            ETA * LAM * W0, R.zero_mode_bound().expr.rhs, R.zero_mode_bound().hypotheses, "E9", r"\leq")),
        ("regime-monotone-L1", lambda: Entry(
            "regime-monotone-L1", "L = 1: monotone convergence", ETA * LAM, sp.S.One,
            (T(rel(_sym("w^{+}"), "==", S.w + ETA * (SIGMA - LAM * S.w)), ", multiplier ", 1 - ETA * LAM),),
            None, r"\leq")),
        ("regime-stable-L1", lambda: Entry(
            "regime-stable-L1", T("L = 1: convergence (oscillating for ", rel(ETA * LAM, ">", 1), ")"), ETA * LAM,
            R.linear_thresholds().expr[1].rhs, (T("multiplier ", 1 - ETA * LAM, " in ", sp.Interval.open(-1, 1)),),
            None, "<")),
        ("psi-functional-equation", lambda: Entry(
            "psi-functional-equation", "the Poincaré function of the GD map at 0 (discrete step profile)",
            Psi(mu * z), product_map(2).expr.subs(S.w, Psi(z)),
            (rel(mu, "==", (1 + s) ** 2), rel(Psi(z), "==", z + sp.O(z**2)),
             rel(sp.Symbol("w_k"), "==", Psi(mu**S.k * W0) * (1 + sp.O(W0)))))),
        ("psi-series", lambda: Entry("psi-series", "its Taylor coefficients (exact recursion)", Psi(z),
                                     poincare_function(order=3).expr + sp.O(z**4),
                                     poincare_function(order=3).hypotheses[1:], None, "=", z)),
        ("psi-flow", lambda: Entry(
            "psi-flow", T("the flow analogue (limit ", ETA, " to 0 of each coefficient)"),
            _sym(r"\Psi_{\mathrm{flow}}(z)"), flow_poincare_function().expr,
            (T("logistic flow ", rel(_sym(r"\dot{w}"), "==", 2 * S.w * (SIGMA - LAM * S.w))),
             rel(SIGMA, ">", 0)))),
    ]
    return Section("regimes", "Step-size regimes and the discrete step profile", _items(*items),
                   T("At the transition ", _sym(r"T^{\eta}"), " the GD iterate oscillates in ",
                     sp.Interval(Psi(1 / mu), Psi(1)), " (`symdyn limit --dynamics gd` certifies it; about ",
                     sp.Interval(sp.Float("0.4744", 4), sp.Float("0.5255", 4)), " for ",
                     rel(SIGMA, "==", 1), ", ", rel(LAM, "==", 1), ", ", rel(ETA, "==", sp.Rational(1, 10)),
                     "), not at the flow's ", SIGMA / (SIGMA + LAM), "."))


def _depth() -> Section:
    """Depth L >= 3 (issue #10): elementary implicit flow, special modes, escape scale, the rescaled
    limit with its certified transition value, and the discrete escape of GD."""
    from symdyn.asymptotics.depth import depth_rescaled_limit
    from symdyn.derive import depth as D
    from symdyn.model.checks import init_exponent

    x_sym = sp.Symbol("x", positive=True)
    eps = sp.Symbol("epsilon", positive=True)
    L_ = sp.Symbol("L", positive=True, integer=True)

    def elementary(L: int) -> Entry:
        r = D.elementary_relation(L)
        return Entry(f"implicit-elementary-L{L}", f"depth-{L} flow, implicit, in logs and atans", r.expr.lhs,
                     r.expr.rhs, r.hypotheses, f"transition-value-L{L}")

    def special(L: int, key: str) -> Entry:
        sol = D.special_mode_solutions(L)[key]
        name, _ = key.split("=")
        where = T(rel(SIGMA if name == "sigma" else LAM, "==", 0))
        return Entry(f"special-{key.replace('=', '')}-L{L}", T(f"depth-{L} flow with ", where, " (explicit)"), W_T,
                     sol.expr, sol.hypotheses)

    def escape(L: int, init: str) -> Entry:
        esc = D.escape_scale(L, init)
        return Entry(f"escape-{init}-L{L}", T("escape time as ", DELTA, f" tends to infinity, init {init} "
                                              "(small-w balance)"),
                     _sym(r"t_{\mathrm{esc}}"), esc.tau_star * esc.scale,
                     (rel(W0, "==", sp.exp(-init_exponent(L, init) * DELTA)),
                      T("leading term; ", rel(TAU, "==", S.t / esc.scale))),
                     f"escape-L{L}" if init == "layer" else None, r"\sim")

    def limit3() -> Entry:
        r = depth_rescaled_limit(3)
        return _limit_entry("limit-L3", T("depth-3 flow limit, ", rel(S.t, "==", scaled_time(r.scale))), r,
                            "transition-value-L3", (T(rel(SIGMA, ">", 0), ", ", rel(LAM, ">", 0)), "init layer",
                                                    T(_sym("x_{3}"), " as below")))

    def equation(L: int) -> Entry:
        from symdyn.precise.constants import transition_constant

        eq = D.transition_equation(L).expr
        x_L = _sym(f"x_{{{L}}}")
        return Entry(f"transition-equation-L{L}", T(rel(x_L, "==", LAM * _sym("w^{*}") / SIGMA),
                                                   ": the root in (0, 1) of"),
                     eq.lhs.subs(x_sym, x_L), eq.rhs,
                     (T(rel(x_L, "==", transition_constant(L)), " (30 certified digits)"),), f"transition-value-L{L}")

    def constant(L: int) -> Entry:
        from symdyn.precise.constants import transition_constant

        return Entry(f"transition-constant-L{L}", "its value (30 certified digits)", _sym(f"x_{{{L}}}"),
                     transition_constant(L),
                     ("two evaluations (hypergeometric series, partial fractions) at two precisions agree",),
                     f"transition-value-L{L}")

    def gd(key: str) -> Entry:
        g = D.gd_escape_expansion(3)
        X = sp.Symbol("X", positive=True)
        if key == "flow":
            return Entry("gd-escape-flow-L3", T("escape variable ", rel(X, "==", S.w ** sp.Rational(-1, 3)),
                                                " under the flow"), _sym(r"\dot{X}"), g["flow"].expr, ("exact",),
                         "escape-L3")
        if key == "gd":
            return Entry("gd-escape-L3", T("one GD step of X (", rel(eps, "==", 1 / X), ", ", LAM * S.w,
                                           " neglected)"), _sym(r"X_{k+1} - X_{k}"), g["gd"].expr + sp.O(eps**2),
                         g["gd"].hypotheses, "gd-vs-flow-L3", "=", eps)
        return Entry("gd-lag-L3", T("GD lags the flow: lag per unit of ", sp.log(S.w), " (so ",
                                    sp.Mul(L_ - 1, ETA * DELTA / 2, evaluate=False), " at the escape, ",
                                    rel(L_, "==", 3), ")"),
                     _sym(r"\frac{d\,\mathrm{lag}}{d \ln w}"), g["lag_rate"].expr, ("escape phase",), "gd-vs-flow-L3")

    items = []
    for L in (3, 4):
        items.append((f"implicit-elementary-L{L}", lambda L=L: elementary(L)))
        items += [(f"special-{key.replace('=', '')}-L{L}", lambda L=L, key=key: special(L, key))
                  for key in D.EXPLICIT_MODES]
    items += [(f"escape-{init}-L{L}", lambda L=L, init=init: escape(L, init))
              for L in (3, 4) for init in ("layer", "product")]
    items.append(("limit-L3", limit3))
    for L in (3, 4):
        items += [(f"transition-equation-L{L}", lambda L=L: equation(L)),
                  (f"transition-constant-L{L}", lambda L=L: constant(L))]
    items += [("gd-escape-flow-L3", lambda: gd("flow")), ("gd-escape-L3", lambda: gd("gd")),
              ("gd-lag-L3", lambda: gd("lag_rate"))]
    return Section("depth", T("Depth ", rel(L_, ">=", 3)), _items(*items),
                   T("The flow escapes 0 on the clock ", rel(S.t, "==", scaled_time(sp.exp((L_ - 2) * DELTA))),
                     ", not ",
                     rel(S.t, "==", DELTA * TAU), "; its value at the transition is a root of a hypergeometric "
                     "equation, certified to 30 digits."))


def _errata() -> Section:
    """Printed forms beside the corrected ones (the errata list of docs/conventions.md); the claim id holds
    the counterexample."""
    from symdyn.asymptotics.limits import half_time, printed_half_time
    from symdyn.derive.bounds import printed_forms, thm3_bounds

    Sx, W0m, I = (sp.MatrixSymbol(n, 3, 3) for n in (r"\Sigma_x", "W_0", "I"))
    star = sp.MatrixSymbol(r"\Sigma_x^{\dagger} \Sigma_{xy}", 3, 3)
    power = sp.MatPow(I - ETA * Sx, S.k)
    W_k_mat = _sym("W_{k}")
    sigma0 = (rel(SIGMA, "==", 0),)

    def printed_upper() -> Entry:
        p_up = next(p for p in printed_forms() if "upper" in p.name)
        return Entry("E7-printed", T("E7, Thm 3 upper bound as printed (false: first exceeded at ",
                                     rel(S.k, "==", 181), " for ", rel(SIGMA, "==", 1), ", ", rel(LAM, "==", 1), ", ",
                                     rel(ETA, "==", sp.Rational(1, 10)), ", ",
                                     rel(W0, "==", sp.Pow(10, -6, evaluate=False)), ")"),
                     W_K, p_up.expr, p_up.hypotheses, "E7", r"\leq")

    items = [
        ("E3-printed", lambda: Entry(
            "E3-printed", T("E3, eq (16) ", rel(SIGMA, "==", 0), " branch as printed (does not solve ",
                            rel(_sym(r"\dot{w}"), "==", -2 * LAM * S.w**2), ")"),
            W_T, sp.exp(-2 * DELTA) / (1 + 2 * sp.exp(-DELTA) * LAM * S.t), sigma0, "E3")),
        ("E3-corrected", lambda: Entry("E3-corrected", "E3 corrected", W_T,
                                       flow_closed_form(2).expr.args[1][0].subs(W0, sp.exp(-2 * DELTA)), sigma0, "E3")),
        ("E5-printed", lambda: Entry("E5-printed", T("E5, eq (17) as printed (negative for ", rel(SIGMA, "<", 1), ")"),
                                     _sym("T"), printed_half_time().expr, printed_half_time().hypotheses, "E5")),
        ("E5-corrected", lambda: Entry("E5-corrected", "E5 corrected: the exact half-time", _sym("T_{1/2}"),
                                       half_time().expr, half_time().hypotheses, "E5")),
        ("E7-printed", printed_upper),
        ("E7-corrected", lambda: Entry("E7-corrected", "E7 corrected", W_K, thm3_bounds()[1].expr,
                                       thm3_bounds()[1].hypotheses, "E7", r"\leq")),
        ("E12-printed", lambda: Entry("E12-printed", "E12, eq (21) as printed (power on the right)", W_k_mat,
                                      sp.MatAdd(star, sp.MatMul(W0m - star, power)), ("linear model GD",), "E12")),
        ("E12-corrected", lambda: Entry("E12-corrected", "E12 corrected (power on the left)", W_k_mat,
                                        sp.MatAdd(star, sp.MatMul(power, W0m - star)), ("linear model GD",), "E12")),
    ]
    return Section("errata", "Errata: printed forms beside the corrected ones", _items(*items),
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
def _outline() -> tuple[Section, ...]:
    """The sections with their items (labels and builders): nothing derived yet."""
    return tuple(make() for make in SECTIONS)


@cache
def _entry(section: int, index: int) -> Entry:
    """Each entry is derived once per process: the results are immutable values."""
    item = _outline()[section].entries[index]
    entry = item.make()
    if entry.label != item.label:
        raise AssertionError(f"item {item.label!r} built entry {entry.label!r}")
    return entry


def _wanted(label: str, only: tuple[str, ...], depth: int | None) -> bool:
    return ((not only or any(label.startswith(o) for o in only))
            and (depth is None or not _label_depth(label) or _label_depth(label) == depth))


def labels(only: tuple[str, ...] = (), depth: int | None = None) -> list[tuple[str, str]]:
    """``(section key, label)`` of every entry kept by ``only`` and ``depth``, without deriving anything."""
    return [(sec.key, item.label) for sec in _outline() for item in sec.entries if _wanted(item.label, only, depth)]


def build(only: tuple[str, ...] = (), depth: int | None = None) -> list[Section]:
    """The sheet's sections; ``only`` keeps entries whose label starts with one of the names,
    ``depth`` keeps the entries of that depth (label ends ``-L<depth>``) and depth-free ones.
    Only the entries kept are derived."""
    out = []
    for i, sec in enumerate(_outline()):
        entries = tuple(_entry(i, j) for j, item in enumerate(sec.entries) if _wanted(item.label, only, depth))
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
        out.append(f"\\section{{{hypothesis_latex(sec.title)}}}\\label{{sec:{sec.key}}}")
        if sec.intro:
            out.append(_code(hypothesis_latex(sec.intro)))
        for e in sec.entries:
            claim = f" Checked by claim \\texttt{{{e.claim}}}." if e.claim else ""
            out.append(f"% {e.label}\n\\paragraph{{{hypothesis_latex(e.title)}.}} "
                       f"Hypotheses: {hypotheses_latex(e.hypotheses)}.{claim}")
            out.append(f"\\begin{{equation}}\\label{{eq:{e.label}}}\n{e.latex()}\n\\end{{equation}}")
        out.append("")
    return "\n".join(out)


def _code(text: str) -> str:
    """Markdown-style `code` spans as ``\\texttt`` (with ``--`` kept as two hyphens, not an en dash)."""
    return re.sub(r"`([^`]*)`", lambda m: r"\texttt{" + m.group(1).replace("--", "-{}-") + "}", text)


def render_document(sections: list[Section]) -> str:
    """A standalone document (pdflatex; T1 fonts from Latin Modern, so every glyph is in the font)."""
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage{lmodern}",
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


def _md(text: str) -> str:
    """Words and ``$math$`` for Markdown: TeX's escapes of the words undone (Markdown shows them as typed)."""
    for a, b in ((r"\_", "_"), (r"\^{}", "^"), (r"\&", "&"), (r"\%", "%"), (r"\#", "#"), (r"\textless{}", "<"),
                 (r"\textgreater{}", ">")):
        text = text.replace(a, b)
    return text


def render_markdown(sections: list[Section]) -> str:
    """Markdown with ``$…$`` / ``$$…$$`` math."""
    out = ["# symdyn formula sheet", "",
           "Generated by `python derivations/generate.py`; do not edit by hand.", ""]
    for sec in sections:
        out += [f"## {_md(hypothesis_latex(sec.title))}", ""]
        if sec.intro:
            out += [_md(hypothesis_latex(sec.intro)), ""]
        for e in sec.entries:
            claim = f" Claim: `{e.claim}`." if e.claim else ""
            out += [f"**{_md(hypothesis_latex(e.title))}** (`{e.label}`). "
                    f"Hypotheses: {_md(hypotheses_latex(e.hypotheses))}.{claim}", "",
                    f"$$\n{e.latex()}\n$$", ""]
    return "\n".join(out)


def render(only: tuple[str, ...] = (), depth: int | None = None) -> dict[str, str]:
    """All sheet files by name: ``formulas.tex`` (standalone), ``formulas-body.tex``, ``formulas.md``."""
    sections = build(only, depth)
    return {
        "formulas.tex": render_document(sections),
        "formulas-body.tex": render_body(sections),
        "formulas.md": render_markdown(sections),
    }
