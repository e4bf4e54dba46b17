"""The derivation of any factorised model (:class:`~symdyn.model.factor_model.FactorModel`).

Stages (sympy ``solvers/ode`` style: classify → solve → check), each result a :class:`Derived`
whose residuals are exactly 0:

1. **flow** ȧ_i = −∂ℓ/∂a_i (residual: dℓ/dt + |∇ℓ|², the loss decreases at the rate |∇ℓ|²) and
   **GD map** a_i⁺ = a_i − η ∂ℓ/∂a_i (residual: the definition);
2. **conserved quantities** by undetermined coefficients: I = Σ c_m m over the monomials m of
   degree 1..4 in the factors; dI/dt = ∇I·F ≡ 0 as a polynomial identity is a linear system in
   the c_m, solved exactly (nullspace over ℚ(parameters)); reported as generators (products of
   lower ones dropped). **Exponential quantities**: dI/dt = κI with a constant κ ≠ 0 (e.g.
   a² − b² under weight decay μ: κ = −2μ), by the same system restricted to where ∇I·F stays
   in the span of the monomials, then an eigenproblem;
3. **reduced ODE** for the output w = g(a) on the invariant set through the start: conserved
   quantities fixed at their start values, exponential quantities that start at 0 stay 0.
   A Gröbner basis (lex) eliminates the factors from {w − g, I − c, y − ∇g·F} and leaves a
   polynomial P(y, w) = 0; its factor through the start gives ẇ = R(w), with the branch of the
   root chosen at the start (residual: P(∇g·F(a), g(a)) ≡ 0 with c = I(a), and R(w0) = ẇ(0));
   the same for GD with the GD map (quantities that GD keeps, or keeps at 0);
4. **closed form**: linear, Bernoulli (w^{1−n} is linear) by ``dsolve``, checked by substitution;
   otherwise the **implicit relation** t = G(w) − G(w0) with G = ∫dw/R (rational after w = y^q:
   ``ratint``), or as an unevaluated integral when that is out of reach (still exact);
5. **fixed points** of R with R'(w*) (flow stable when < 0) and the GD multiplier Φ'(w*)
   = 1 + ηR'(w*) (checked against the reduced map when GD closes), with the step-size
   threshold η < −2/R'(w*).

>>> from symdyn.model.core import Model
>>> d = derive_model(Model(depth=2).general())
>>> [c.expr for c in d.conserved], d.reduced.expr
([a1**2 - a2**2], -2*w*(lambda*w - sigma))
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from itertools import combinations_with_replacement

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.model import symbols as S
from symdyn.model.factor_model import FactorModel, as_factor_model
from symdyn.model.printing import Hypothesis as H
from symdyn.model.printing import rel

#: Highest degree of the polynomial invariants searched.
INVARIANT_DEGREE = 4

_y = sp.Symbol("y")  # the output's rate (flow) or next value (GD) during elimination
#: The output when its sign is not known (S.w, positive, when it is).
W_REAL = sp.Symbol("w", real=True)
KAPPA = sp.Symbol("kappa")  # the rate of an exponential quantity, dI/dt = kappa*I
_f = sp.Function("f")


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point w* of the reduced flow, its flow slope R'(w*) and GD multiplier."""

    value: sp.Expr
    slope: sp.Expr
    gd_multiplier: sp.Expr
    threshold: sp.Expr | None
    checks: Derived


@dataclass(frozen=True)
class ModelDerivation:
    """Everything derived for one :class:`FactorModel`, each result with its residuals."""

    model: FactorModel
    flow: Derived
    gd_map: Derived
    conserved: tuple[Derived, ...]
    exponential: tuple[Derived, ...]
    w: sp.Symbol
    reduced: Derived | None
    reduced_gd: Derived | None
    closed_form: Derived | None
    relation: Derived | None
    fixed_points: tuple[FixedPoint, ...]
    undecided: tuple[str, ...]

    @property
    def results(self) -> list[tuple[str, Derived]]:
        out = [("flow", self.flow), ("gd_map", self.gd_map)]
        out += [(f"conserved {c.expr}", c) for c in self.conserved]
        out += [(f"exponential {c.expr}", c) for c in self.exponential]
        out += [(k, d) for k, d in (("reduced", self.reduced), ("reduced_gd", self.reduced_gd),
                                    ("closed_form", self.closed_form), ("relation", self.relation)) if d]
        out += [(f"fixed point {p.value}", p.checks) for p in self.fixed_points]
        return out

    @property
    def residuals(self) -> dict[str, sp.Expr]:
        """Every check's residual, keyed ``"<result>: <check>"``; all exactly 0 when verified."""
        return {f"{label}: {k}": v for label, d in self.results for k, v in d.residuals.items()}

    @property
    def verified(self) -> bool:
        return all(sp.S(r) == 0 for r in self.residuals.values())


# --------------------------------------------------------------------------- stage 1
def _flow_field(model: FactorModel) -> tuple[sp.Expr, ...]:
    ell = model.subs(model.loss)
    return tuple(sp.expand(-sp.diff(ell, a)) for a in model.factors)


def _time_derivative(expr: sp.Expr, factors, field) -> sp.Expr:
    """d/dt of a function of the factors along ȧ = field (the chain rule)."""
    return sp.expand(sum(sp.diff(expr, a) * f for a, f in zip(factors, field, strict=True)))


def _flow(model: FactorModel) -> Derived:
    F = _flow_field(model)
    ell = model.subs(model.loss)
    decrease = _time_derivative(ell, model.factors, F) + sum(f**2 for f in F)
    return Derived("factor flow", sp.Tuple(*F), {"dloss/dt + |grad loss|^2": residual(decrease)},
                   ("gradient flow on the factors: da_i/dt = -dloss/da_i",))


def _gd_map(model: FactorModel) -> Derived:
    F = _flow_field(model)
    step = tuple(a + S.eta * f for a, f in zip(model.factors, F, strict=True))
    ell = model.subs(model.loss)
    res = sum(sp.expand((s - a) / S.eta + sp.diff(ell, a)) ** 2 for s, a in zip(step, model.factors, strict=True))
    return Derived("factor GD map", sp.Tuple(*step), {"(a+ - a)/eta + grad loss": residual(res)},
                   ("one GD step on the factors with step eta",))


# --------------------------------------------------------------------------- stage 2
def _monomials(factors, degree: int) -> list[sp.Expr]:
    return [sp.Mul(*c) for d in range(1, degree + 1) for c in combinations_with_replacement(factors, d)]


def _primitive(expr: sp.Expr, factors) -> sp.Expr:
    """``expr`` scaled to integer coefficients with gcd 1 and a positive leading term (display)."""
    poly = sp.Poly(sp.together(expr), *factors)
    lead = poly.LC()
    return sp.expand(sp.cancel(expr / lead)) if lead.free_symbols else sp.expand(
        sp.Poly(expr / lead, *factors).clear_denoms()[1].as_expr())


def _in_span(vec: sp.Expr, span: list[sp.Expr], factors) -> bool:
    if not span:
        return False
    polys = [sp.Poly(p, *factors).as_dict() for p in [*span, vec]]
    keys = sorted({k for p in polys for k in p})
    M = sp.Matrix([[p.get(k, 0) for p in polys] for k in keys])
    return M.rank(simplify=True) == sp.Matrix(M[:, :-1]).rank(simplify=True)


def _generators(basis: list[sp.Expr], factors) -> list[sp.Expr]:
    """Basis vectors (ascending degree) that are not polynomials in the earlier ones (up to the degree)."""
    gens: list[sp.Expr] = []
    lower: list[sp.Expr] = []
    for vec in sorted(basis, key=lambda p: sp.Poly(p, *factors).total_degree()):
        d = sp.Poly(vec, *factors).total_degree()
        products = [sp.expand(sp.Mul(*c)) for n in range(2, d + 1) for c in combinations_with_replacement(gens, n)
                    if sp.Poly(sp.Mul(*c), *factors).total_degree() <= d]
        if not _in_span(vec, lower + products, factors):
            gens.append(vec)
        lower.append(vec)
    return gens


def _derivative_table(model: FactorModel, degree: int):
    F = _flow_field(model)
    mons = _monomials(model.factors, degree)
    images = [sp.Poly(_time_derivative(m, model.factors, F), *model.factors).as_dict() for m in mons]
    return F, mons, images


def _conserved(model: FactorModel, degree: int = INVARIANT_DEGREE) -> tuple[Derived, ...]:
    F, mons, images = _derivative_table(model, degree)
    keys = sorted({k for im in images for k in im})
    M = sp.Matrix([[im.get(k, 0) for im in images] for k in keys])
    basis = [sp.expand(sum(c * m for c, m in zip(v, mons, strict=True))) for v in M.nullspace(simplify=True)]
    out = []
    for q in _generators(basis, model.factors):
        q = _primitive(q, model.factors)
        out.append(Derived(str(q), q, {"dI/dt": residual(_time_derivative(q, model.factors, F))},
                           (f"polynomial invariant of degree <= {degree} of the factor flow",)))
    return tuple(out)


def _exponential(model: FactorModel, degree: int = 2) -> tuple[Derived, ...]:
    """Quantities with dI/dt = κ I, κ a nonzero constant (so I(t) = I(0) e^{κt}); degree <= ``degree``."""
    F, mons, images = _derivative_table(model, degree)
    index = {sp.Poly(m, *model.factors).monoms()[0]: i for i, m in enumerate(mons)}
    outside = sorted({k for im in images for k in im} - set(index))
    M_out = sp.Matrix([[im.get(k, 0) for im in images] for k in outside]) if outside else sp.zeros(0, len(mons))
    N = sp.Matrix.hstack(*M_out.nullspace(simplify=True)) if outside else sp.eye(len(mons))
    if N.shape[1] == 0:
        return ()
    M_in = sp.Matrix([[im.get(k, 0) for im in images] for k in index])
    image = M_in * N  # coordinates of ∇I·F in the monomial basis, for I = N y
    pivots = N.T.rref()[1]
    rows = list(pivots)
    A = N.extract(rows, list(range(N.shape[1]))).inv() * image.extract(rows, list(range(N.shape[1])))
    out = []
    for kappa, _, vectors in A.eigenvects(simplify=True):
        if sp.simplify(kappa) == 0 or kappa.has(S.eta) or not kappa.is_real and kappa.is_real is not None:
            continue
        for vec in vectors:
            q = sp.expand(sum(c * m for c, m in zip(N * vec, mons, strict=True)))
            if q == 0:
                continue
            q = _primitive(q, model.factors)
            res = residual(_time_derivative(q, model.factors, F) - kappa * q)
            if res != 0:  # the eigenvector does not satisfy the rows outside the pivots
                continue
            out.append(Derived(str(q), q, {"dI/dt - kappa*I": res},
                               (H("dI/dt = kappa*I with ", rel(KAPPA, "==", kappa), ": I(t) = I(0)*exp(kappa*t)"),)))
    return tuple(out)


def exponential_rate(d: Derived) -> sp.Expr:
    """κ of an exponential quantity (kept with the result as the relation kappa = κ of its hypothesis)."""
    for part in getattr(d.hypotheses[0], "parts", ()) if d.hypotheses else ():
        if isinstance(part, sp.Eq) and part.lhs == KAPPA:
            return part.rhs
    raise ValueError(f"{d.name} is not an exponential quantity (no kappa in its hypothesis)")


# --------------------------------------------------------------------------- stage 3
def _constraints(model: FactorModel, conserved, exponential, *, gd: bool) -> list[tuple[sp.Expr, sp.Expr]]:
    """(I, value) pairs that hold along the trajectory from the start (exact values in delta)."""
    start = model.start
    out = []
    step = _gd_map(model).expr if gd else None
    for d in conserved:
        value = residual(d.expr.subs(start))
        if gd:
            after = sp.expand(d.expr.subs(dict(zip(model.factors, step, strict=True)), simultaneous=True))
            if residual(after - d.expr) == 0:
                out.append((d.expr, value))
            elif value == 0 and sp.div(after, d.expr, *model.factors)[1] == 0:
                out.append((d.expr, sp.S.Zero))
            continue
        out.append((d.expr, value))
    for d in exponential:
        if residual(d.expr.subs(start)) != 0:
            continue
        if gd:
            after = sp.expand(d.expr.subs(dict(zip(model.factors, step, strict=True)), simultaneous=True))
            if sp.div(after, d.expr, *model.factors)[1] != 0:
                continue
        out.append((d.expr, sp.S.Zero))
    return out


def _eliminate(model: FactorModel, target: sp.Expr, constraints) -> tuple[sp.Expr, dict, list] | None:
    """P(y, w) in the elimination ideal of {w − g, I − c, y − target}.

    A constraint with a rational value enters as I − value; any other value (one that depends
    on δ) as I − c with a symbol c. Returns P, {c: (I, value)} and the rational constraints.
    """
    consts, exact, gens = {}, [], [W_REAL - model.subs(model.output), _y - target]
    for i, (q, value) in enumerate(constraints):
        if value.is_Rational:
            gens.append(q - value)
            exact.append(q - value)
        else:
            c = sp.Symbol(f"c{i}")
            consts[c] = (q, value)
            gens.append(q - c)
    G = sp.groebner(gens, *model.factors, _y, W_REAL, order="lex")
    rels = [g for g in G.exprs if not (g.free_symbols & set(model.factors)) and g.has(_y)]
    if not rels:
        return None
    P = min(rels, key=lambda g: (sp.degree(g, _y), sp.count_ops(g)))
    return P, consts, exact


def _on_path(model: FactorModel, P: sp.Expr, target: sp.Expr, consts: dict, exact: list) -> sp.Expr:
    """P(target(a), g(a)) with each c = I(a), reduced modulo the constraints with exact values: 0 when
    P = 0 holds wherever the quantities take their start values (the elimination is proved)."""
    expr = sp.expand(P.subs({_y: target, W_REAL: model.subs(model.output),
                             **{c: q for c, (q, _) in consts.items()}}, simultaneous=True))
    if exact and expr != 0:
        expr = sp.reduced(expr, list(sp.groebner(exact, *model.factors, order="lex").exprs), *model.factors)[1]
    return residual(expr)


def _start_values(model: FactorModel, target: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    start = model.start
    return residual(model.subs(model.output).subs(start)), target.subs(start)


def _branches(P: sp.Expr, w: sp.Symbol) -> list[sp.Expr]:
    """Explicit roots y = R(w) of P(y, w) = 0.

    A factor linear in y after w = z^q (q = 1..4, Puiseux: y³ = 27w⁴(σ − λw)³ has the root
    3z⁴(σ − λz³), z = w^{1/3}); else the two roots of a quadratic with the square part of
    the discriminant pulled out of the root, so that each branch is analytic.
    """
    z = sp.Symbol("z", positive=True)
    out: list[sp.Expr] = []
    for q in range(1, 5 if w.is_positive else 2):
        Pz = sp.expand(P.subs(w, z**q))
        for f, _ in sp.factor_list(Pz, _y, z)[1]:
            if sp.degree(f, _y) == 1:
                c1, c0 = sp.Poly(f, _y).all_coeffs()
                out.append(sp.cancel(-c0 / c1).subs(z, w ** sp.Rational(1, q)))
        if out:
            return out
    poly = sp.Poly(P, _y)
    if poly.degree() == 2:
        A, B, C = poly.all_coeffs()
        s, r = _power_part(sp.expand(B**2 - 4 * A * C), w, 2)
        return [sp.cancel(-B / (2 * A)) + sign * s * sp.sqrt(r) / (2 * A) for sign in (1, -1)]
    return []


def _power_part(expr: sp.Expr, w: sp.Symbol, n: int) -> tuple[sp.Expr, sp.Expr]:
    """expr = s^n · q with q free of n-th powers of polynomials in w."""
    coeff, factors = sp.factor_list(expr, w)
    s, q = sp.S.One, sp.S.One
    for f, m in factors:
        s *= f ** (m // n)
        q *= f ** (m % n)
    if coeff.is_Rational and coeff > 0 and sp.root(coeff, n).is_Rational:
        return sp.expand(s * sp.root(coeff, n)), sp.expand(q)
    return sp.expand(s), sp.expand(coeff * q)


def _at_start(expr: sp.Expr) -> sp.Expr:
    """Residual of an expression at the start: radicands factored first, so that
    sqrt((1 + e^{−2δ})²) is recognised as 1 + e^{−2δ} (sympy pulls out only provably positive bases)."""
    expr = expr.replace(lambda e: e.is_Pow and e.exp.is_Rational and not e.exp.is_Integer,
                        lambda e: sp.factor(e.base) ** e.exp)
    return residual(sp.powsimp(expr, force=False))


def _stays_positive(model: FactorModel, P: sp.Expr) -> bool:
    """The output starts > 0 and w = 0 is a fixed point of the reduced relation (P(y, 0) = c·y^k)."""
    w0 = residual(model.subs(model.output).subs(model.start))
    at0 = sp.expand(P.subs(W_REAL, 0))
    return bool(w0.is_positive) and at0 != 0 and len(sp.Add.make_args(at0)) == 1 and at0.has(_y)


def _reduce(model: FactorModel, target: sp.Expr, constraints, w: sp.Symbol | None, what: str) -> tuple[
        Derived | None, str | None]:
    """ẇ = R(w) (``target`` = ∇g·F) or w⁺ = Φ(w) (``target`` = g(GD map)) on the invariant set.

    ``w``: the output symbol; ``None`` chooses it (positive when the output provably stays > 0).
    """
    used = (sp.sympify(target).free_symbols | model.subs(model.output).free_symbols) & set(model.factors)
    n = len(used)  # factors the output and its rate involve (a decoupled output needs no quantity)
    if len(constraints) < n - 1:  # {w − g, I − c} cut out a curve only with n − 1 quantities
        kept = ", ".join(str(q) for q, _ in constraints) or "none"
        return None, (f"{what}: {n} factors need {n - 1} quantities kept along the path to close "
                      f"the output's dynamics; kept: {kept}")
    found = _eliminate(model, target, constraints)
    if found is None:
        return None, f"{what}: the quantities kept along the path do not close the dynamics of the output"
    P, consts, exact = found
    if w is None:
        w = S.w if _stays_positive(model, P.subs({c: v for c, (_, v) in consts.items()})) else W_REAL
    values = {c: v for c, (_, v) in consts.items()}
    P = sp.expand(P.subs(W_REAL, w))
    w0, y0 = _start_values(model, target)
    through = [f for f, _ in sp.factor_list(P, _y, w)[1]
               if f.has(_y) and _at_start(f.subs(values).subs({_y: y0, w: w0})) == 0]
    if len(through) != 1:
        return None, f"{what}: no unique factor of the eliminated relation {P} = 0 passes through the start"
    rel = through[0]
    branches = [b for b in _branches(rel, w) if _at_start(b.subs(values).subs(w, w0) - y0) == 0]
    if len(branches) != 1:
        return None, f"{what}: the relation {rel.subs(values)} = 0 has no unique explicit branch through the start"
    R = branches[0]
    check = {"relation on the path": _on_path(model, P.subs(w, W_REAL), target, consts, exact),
             "branch solves the relation": residual(sp.powsimp(sp.expand(rel.subs(_y, R)), force=True)),
             "branch at the start": _at_start(R.subs(values).subs(w, w0) - y0)}
    R = R.subs(values)
    if not any(e.is_Pow and not e.exp.is_Integer for e in sp.preorder_traversal(R)):
        R = sp.factor(R)
    hyps = [f"{q} = {v}" for q, v in constraints] or ["no quantity needed"]
    hyps.append("branch of the relation chosen at the start")
    return Derived(what, R, check, tuple(hyps)), None


# --------------------------------------------------------------------------- stage 4
def _closed_form(R: sp.Expr, w: sp.Symbol, w0: sp.Expr) -> Derived | None:
    """Linear or Bernoulli ẇ = R(w): v = w^{1−n} obeys a linear ODE (``dsolve``); checked by substitution."""
    terms = sp.Add.make_args(sp.expand(R))
    powers: dict[sp.Expr, sp.Expr] = {}
    for term in terms:
        coeff, n = term.as_independent(w, as_Add=False)
        n = sp.S.Zero if n == 1 else (n.as_base_exp()[1] if n.as_base_exp()[0] == w else None)
        if n is None:
            return None
        powers[n] = powers.get(n, sp.S.Zero) + coeff
    keys = set(powers)
    if keys <= {0, 1}:
        v_rhs = powers.get(0, 0) + powers.get(1, 0) * _f(S.t)
        sol = sp.dsolve(sp.Eq(_f(S.t).diff(S.t), v_rhs), _f(S.t), ics={_f(0): w0}).rhs
        kind = "linear"
    elif len(keys) == 2 and 1 in keys:
        (n,) = keys - {1}
        a, b = powers[1], powers[n]
        v_rhs = (1 - n) * (a * _f(S.t) + b)  # v = w^{1-n}
        v = sp.dsolve(sp.Eq(_f(S.t).diff(S.t), v_rhs), _f(S.t), ics={_f(0): w0 ** (1 - n)}).rhs
        v = sp.collect(sp.expand(v), sp.exp(sp.Wild("x")), evaluate=True)
        sol = sp.powsimp(v ** (1 / (1 - n)))
        if n == 2:
            sol = _canonical_logistic(sol)
        kind = f"Bernoulli (n = {n}, v = w^{1 - n} is linear)"
    else:
        return None
    checks = {"ode": residual(sp.powsimp(sp.diff(sol, S.t) - R.subs(w, sol), force=True)),
              "initial": residual(sol.subs(S.t, 0) - w0)}
    return Derived("closed form", sol, checks, (f"{kind}", f"w(0) = {w0}"))


def _canonical_logistic(sol: sp.Expr) -> sp.Expr:
    """1/(α + β e^{−rt}) multiplied through so that numerator and denominator are free of fractions."""
    num, den = sp.fraction(sp.together(sol))
    den = sp.expand(den)
    return num / sp.collect(den, [e for e in den.atoms(sp.exp)], evaluate=True)


def _relation(R: sp.Expr, w: sp.Symbol, w0: sp.Expr) -> Derived:
    """t = G(w) − G(w0), G = ∫dw/R: rational (after w = y^q) by ``ratint``, else as an integral."""
    v = sp.Dummy("v", positive=True)
    exps = [e.exp for e in sp.preorder_traversal(R) if e.is_Pow and e.base == w and e.exp.is_Rational]
    q = sp.ilcm(1, *[e.q for e in exps])
    integrand = sp.cancel(1 / R)
    G = None
    if not integrand.has(sp.sqrt) or q > 1:
        y = sp.Symbol("y", positive=True)
        rational = sp.cancel(sp.powsimp((integrand.subs(w, y**q) * q * y ** (q - 1)), force=True))
        if rational.is_rational_function(y) and not rational.free_symbols & {S.delta}:
            from sympy.integrals.rationaltools import ratint
            Gy = ratint(rational, y)
            if not Gy.has(sp.RootSum):
                G = Gy.subs(y, w ** sp.Rational(1, q))
    if G is not None:
        dG = sp.diff(G, w)
        check = residual(sp.powsimp(sp.expand_power_base(sp.together(dG - integrand), force=True), force=True))
        if check == 0:
            rel = sp.Eq(S.t, G - G.subs(w, w0))
            return Derived("implicit relation", rel, {"dG/dw - 1/R": check, "initial": residual(
                rel.rhs.subs(w, w0))}, ("t = G(w) - G(w0), G an antiderivative of 1/R",))
    integral = sp.Integral(integrand.subs(w, v), (v, w0, w))
    rel = sp.Eq(S.t, integral)
    check = residual(sp.diff(integral, w) - integrand)
    return Derived("implicit relation", rel, {"dt/dw - 1/R": check, "initial": residual(integral.subs(w, w0))},
                   ("t as an integral (no antiderivative in closed form found)",))


# --------------------------------------------------------------------------- stage 5
def _fixed_points(R: sp.Expr, w: sp.Symbol, gd_map: Derived | None) -> tuple[FixedPoint, ...]:
    """Zeros w* of R, the slope R'(w*), and the GD multiplier: Φ'(w*) of the reduced map when GD
    closes (with the residual Φ(w*) − w*), else 1 + ηR'(w*) (first order in η)."""
    num = sp.numer(sp.together(R)).subs(w, W_REAL)
    try:
        roots = sp.solve(num, W_REAL)
    except NotImplementedError:
        return ()
    out = []
    for r in roots:
        if r.has(sp.I) or r.has(S.delta):
            continue
        slope = sp.simplify(sp.diff(R, w).subs(w, r))
        checks = {"R(w*)": residual(R.subs(w, r))}
        if gd_map is not None:
            mult = sp.factor(sp.diff(gd_map.expr, w).subs(w, r))
            checks["Phi(w*) - w*"] = residual(gd_map.expr.subs(w, r) - r)
            how = "GD: multiplier Phi'(w*) of the reduced map"
        else:
            mult = sp.expand(1 + S.eta * slope)
            how = "GD: multiplier 1 + eta*R'(w*) (first order in eta: GD does not close on w)"
        edges = [e for e in sp.solve(sp.Eq(mult, -1), S.eta) if e.is_positive is not False and not e.has(sp.I)]
        threshold = edges[0] if len(edges) == 1 else None
        hyps = ("flow: stable when R'(w*) < 0", how,
                f"GD stable when |multiplier| < 1: eta < {threshold}" if threshold is not None else
                "GD: no positive step where the multiplier reaches -1")
        out.append(FixedPoint(r, slope, mult, threshold, Derived(f"fixed point {r}", r, checks, hyps)))
    return tuple(out)


# --------------------------------------------------------------------------- driver
def derive_model(model: FactorModel) -> ModelDerivation:
    """Derive everything for ``model`` (numeric parameters substituted; η and δ stay symbols).

    A paper :class:`~symdyn.model.core.Model` is taken as its :meth:`~symdyn.model.core.Model.general` form.
    """
    return _derive(replace(as_factor_model(model), eta=S.eta, delta=S.delta))


@cache
def _derive(model: FactorModel) -> ModelDerivation:
    flow, gd = _flow(model), _gd_map(model)
    conserved = _conserved(model)
    exponential = _exponential(model) if not conserved else ()
    g = model.subs(model.output)
    undecided = []
    rate = _time_derivative(g, model.factors, flow.expr)
    reduced, why = _reduce(model, rate, _constraints(model, conserved, exponential, gd=False), None,
                           "reduced ODE dw/dt")
    w = S.w if reduced is not None and reduced.expr.has(S.w) else W_REAL
    if why:
        undecided.append(why)
    after = sp.expand(g.subs(dict(zip(model.factors, gd.expr, strict=True)), simultaneous=True))
    reduced_gd, why = _reduce(model, after, _constraints(model, conserved, exponential, gd=True), w, "reduced GD map")
    if why:
        undecided.append(why)
    closed = relation = None
    points: tuple[FixedPoint, ...] = ()
    if reduced is not None:
        w0 = _start_values(model, rate)[0]
        closed = _closed_form(reduced.expr, w, w0)
        if closed is None:
            relation = _relation(reduced.expr, w, w0)
        points = _fixed_points(reduced.expr, w, reduced_gd)
    if not conserved and not exponential:
        undecided.append(f"no polynomial conserved quantity of degree <= {INVARIANT_DEGREE}")
    return ModelDerivation(model, flow, gd, conserved, exponential, w, reduced, reduced_gd, closed, relation,
                           points, tuple(undecided))
