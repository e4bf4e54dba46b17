"""Certified trajectories of any model's output: the factor system, at rising precision.

* **flow**: Taylor stepping of the polynomial factor flow ȧ = F(a) (F = −∇ℓ with the model's
  exact numbers). Every monomial of F is a chain of products m = a_j · m', so the n-th Taylor
  coefficient of each monomial is one Cauchy sum Σ_i a_j[i] m'[n−i] over coefficients already
  known, and a_i[n+1] = F_i[n]/(n + 1). Order and step follow Jorba & Zou (Experimental Math. 14,
  2005) as in :mod:`symdyn.precise.flow_ode`, with the step bound taken per component relative to
  that component (the factors of a small start differ by orders of magnitude):
  N = ⌈p ln2/2⌉ + 1, h = e^{−2} min_i min_{j∈{N−1,N}} (s_i/|a_i[j]|)^{1/j}, s_i = max(|a_i[0]|, |a_i[1]|).
* **GD**: the factor map a⁺ = a + η F(a) iterated on gmpy2 ``mpfr`` numbers in a local context
  (mpmath ``mpf`` without gmpy2), with a rigorous error bound carried beside it (below).
* **closed form**: when the derivation gives w(t) explicitly, it is evaluated in a local mpmath
  context (:func:`symdyn.precise.evaluate.certified_evaluate`).

The output w = g(a) is evaluated from the factors at the end. Flow digits are agreed by
:func:`symdyn.precise.certified.certify`: a rerun at a higher precision (which also raises the
Taylor order) must agree (``proof == "agreement"``).

**GD digits are proven** (``proof == "ball"``): the log-error recurrence of
:mod:`symdyn.precise.gd_proof` in several variables. With one bound r = s·u on every factor's
|ln(â_j/a_j)| and P_i the i-th polynomial of the map (terms τ_t = c_t m_t(x), t_i of them, degrees
<= d_i, Euler operators D_j = x_j∂_j):

* propagation: |ln P_i(a) − ln P_i(â)| <= sup_box Σ_j |D_j P_i / P_i| · r (mean value theorem in
  v = ln x), and over the box the row sum moves by at most 1.03λ_i²r, λ_i = n d_i (1 + B_i),
  B_i = Σ_t|τ_t|/|P_i|, since |∂_{v_k}(D_j P_i/P_i)| <= d_i²(B_i + B_i²);
* rounding: the compiled loop forms each monomial by d − 1 products, times its rounded coefficient,
  and sums the terms left to right, so |P̂_i − P_i| <= γ_{d_i+t_i} Σ_t|τ_t| and, in log form,
  ρ_i = 1.01(d_i + t_i)B_i (γ_n = nu/(1 − nu));
* per step, in floats at the midpoint (generated code, like the loop): s ← K·s + max_i ρ_i with
  K = max_i (row_i + λ_i²(5r + (t_i + d_i)2^{−50}))(1 + 2^{−50}), after the check
  λ_i(r + (d_i + t_i)u + 2^{−51}) <= 2^{−10}; a failed check (a factor or a P_i near 0, or floats
  underflowing), or a bound past :data:`GIVE_UP`, gives the value up to agreement between reruns.
  The max-norm makes the bound grow wherever the relative Jacobian's rows sum to more than 1, which
  happens along neutral directions (a manifold of fixed points: diagonal networks, depth 3 near
  σ/λ) although the true error does not grow there: those later values are agreed, not proven.

>>> from symdyn.model.core import Model
>>> m = Model(depth=2, sigma="1/2", lam=2, delta=20).general()
>>> [str(v) for v in model_flow_values(m, [0, 40, 80], 15)]
['4.24835425529159e-18', '0.200000000000000', '0.250000000000000']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import sympy as sp

from symdyn.model import symbols as S
from symdyn.model.checks import check_trajectory_size
from symdyn.model.factor_model import FactorModel, as_factor_model
from symdyn.precise.balls import arb
from symdyn.precise.certified import Certified, Progress, ball_context, certify, check_prec, run_progress
from symdyn.precise.evaluate import certified_evaluate, evaluate, evaluate_ball, exact_mpf, local_context
from symdyn.precise.flow_ode import certify_taylor, check_times
from symdyn.precise.gd_iterate import CHUNK, EXP_LIMIT, Numbers, check_steps, start_point

try:
    import gmpy2
except ImportError:  # pragma: no cover - gmpy2 is a declared dependency
    gmpy2 = None


@dataclass(frozen=True)
class Polynomials:
    """Polynomials in n variables as data: monomial nodes (each = variable · earlier node) and,
    per polynomial, (coefficient, node) terms; node −1 is the constant 1."""

    nodes: tuple[tuple[int, int], ...]  # (variable index, parent node or -1)
    terms: tuple[tuple[tuple[sp.Rational, int], ...], ...]


def polynomials(exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol]) -> Polynomials:
    """Compile polynomials with rational coefficients into monomial chains."""
    index: dict[tuple[int, ...], int] = {}
    nodes: list[tuple[int, int]] = []

    def node(mon: tuple[int, ...]) -> int:
        if sum(mon) == 0:
            return -1
        if mon in index:
            return index[mon]
        j = max(i for i, e in enumerate(mon) if e)
        parent = node(tuple(e - (i == j) for i, e in enumerate(mon)))
        nodes.append((j, parent))
        index[mon] = len(nodes) - 1
        return index[mon]

    terms = []
    for e in exprs:
        poly = sp.Poly(sp.expand(e), *variables)
        if poly.free_symbols - set(variables) or not all(c.is_Rational for c in poly.coeffs()):
            raise ValueError(f"a numeric trajectory needs numbers for every parameter; got {e}")
        terms.append(tuple((sp.Rational(c), node(m)) for m, c in zip(poly.monoms(), poly.coeffs(), strict=True)))
    return Polynomials(tuple(nodes), tuple(terms))


def _flow_polys(model: FactorModel) -> tuple[Polynomials, Polynomials]:
    ell = model.subs(model.loss)
    field = [-sp.diff(ell, a) for a in model.factors]
    return polynomials(field, model.factors), polynomials([model.subs(model.output)], model.factors)


def _evaluate(polys: Polynomials, x: Sequence, coeffs: Sequence[Sequence], one) -> list:
    """Each polynomial at the point x (numbers of one arithmetic), coefficients pre-rounded."""
    vals = []
    for j, parent in polys.nodes:
        vals.append(x[j] if parent < 0 else x[j] * vals[parent])
    return [sum(((c * vals[n] if n >= 0 else c * one) for c, (_, n) in zip(cs, ts, strict=True)), 0 * one)
            for cs, ts in zip(coeffs, polys.terms, strict=True)]


def _map_lines(polys: Polynomials, x: str = "x", m: str = "m", c: str = "c", y: str = "y",
               indent: str = "        ") -> list[str]:
    """Source lines of one step y = P(x): one product per monomial node, then the terms left to right."""
    lines = [f"{indent}{m}{k} = {x}{j}" + (f" * {m}{parent}" if parent >= 0 else "")
             for k, (j, parent) in enumerate(polys.nodes)]
    flat = 0
    for i, terms in enumerate(polys.terms):
        parts = []
        for _, node in terms:
            parts.append(f"{c}[{flat}]" + (f" * {m}{node}" if node >= 0 else ""))
            flat += 1
        lines.append(f"{indent}{y}{i} = {' + '.join(parts) or f'0 * {x}0'}")
    return lines


def _compile(lines: list[str]) -> Callable:
    scope: dict = {}
    exec(compile("\n".join(lines), "<symdyn factor map>", "exec"), scope)  # noqa: S102 (generated, see callers)
    return scope["loop"]


@cache
def step_loop(polys: Polynomials) -> Callable:
    """The loop ``loop(x, n, c) -> x`` applying the map x⁺ = P(x) n times (``c``: the coefficients, flat).

    No code is generated or run from text: the monomial chains become index pairs, and one step is
    a working list ``m = [x..., constants...]`` to which each monomial (one product of two entries
    already in ``m``) is appended, followed by each polynomial's terms added left to right. A
    coefficient 1 is not multiplied (1·m is m exactly), so the values are the same bits as the
    plain loop's; ``benchmarks/bench_factor_gd.py`` measures the cost against a hand-written loop.
    """
    n_var = len(polys.terms)
    n_const = sum(node < 0 for terms in polys.terms for _, node in terms)
    where: dict[int, int] = {}
    chain: list[tuple[int, int]] = []
    for k, (j, parent) in enumerate(polys.nodes):
        if parent < 0:
            where[k] = j                       # a monomial of degree 1 is the variable itself
        else:
            where[k] = n_var + n_const + len(chain)
            chain.append((j, where[parent]))
    layout, flat, slot = [], 0, n_var
    for terms in polys.terms:
        refs = []                              # (flat coefficient index or None for 1, index into m)
        for coef, node in terms:
            if node < 0:
                refs.append((None, slot))      # the constant, stored in m
                slot += 1
            else:
                refs.append((None if coef == 1 else flat, where[node]))
            flat += 1
        layout.append(tuple(refs))
    const_flat = tuple(f for f, (_, node) in enumerate(t for terms in polys.terms for t in terms) if node < 0)
    pairs = tuple(chain)

    def loop(x: Sequence, n: int, c: Sequence) -> list:
        consts = [c[f] for f in const_flat]
        zero = 0 * x[0]
        plan = [(refs[0][1], None if refs[0][0] is None else c[refs[0][0]],
                 tuple((k, None if f is None else c[f]) for f, k in refs[1:])) if refs else None
                for refs in layout]
        x = list(x)
        for _ in range(n):
            m = x + consts
            append = m.append
            for j, p in pairs:
                append(m[j] * m[p])
            new = []
            for out in plan:
                if out is None:                # an empty polynomial
                    new.append(zero)
                    continue
                k0, c0, rest = out
                y = m[k0] if c0 is None else c0 * m[k0]
                for k, ck in rest:
                    y = y + (m[k] if ck is None else ck * m[k])
                new.append(y)
            x = new
        return x
    return loop


def _exponents(polys: Polynomials) -> list[dict[int, int]]:
    """The exponent vector of each monomial node (variable index -> power)."""
    out: list[dict[int, int]] = []
    for j, parent in polys.nodes:
        e = dict(out[parent]) if parent >= 0 else {}
        e[j] = e.get(j, 0) + 1
        out.append(e)
    return out


@cache
def proven_loop(polys: Polynomials) -> Callable:
    """A compiled loop ``loop(x, n, c, cf, s, u) -> (x, s, done)``: the steps of :func:`step_loop` with the
    error bound of the module docstring carried beside them (``cf``: the exact coefficients as floats,
    ``s``: the bound in units of u = 2^-prec). It stops early with s = inf when a check fails.

    Generated like :func:`step_loop`, from the monomial chains and integers only.
    """
    n_var = len(polys.terms)
    expo = _exponents(polys)
    xs, ys = ", ".join(f"x{i}" for i in range(n_var)), ", ".join(f"y{i}" for i in range(n_var))
    lines = ["def loop(x, n, c, cf, s, u):", f"    {xs}, = x", "    for done in range(n):",
             *[f"        f{j} = float(x{j})" for j in range(n_var)],
             *_map_lines(polys, x="f", m="g", c="cf", y="P"), "        r = s * u", "        K = rho = 0.0"]
    flat = 0
    for i, terms in enumerate(polys.terms):
        names, deg = [], 1
        for _, node in terms:
            names.append(f"cf[{flat}]" + (f" * g{node}" if node >= 0 else ""))
            deg = max(deg, sum(expo[node].values()) if node >= 0 else 0)
            flat += 1
        lines.append(f"        t = [{', '.join(names) or '0.0'}]")
        lines.append(f"        aP = abs(P{i})")
        lines.append("        if not aP > 0.0:")
        lines.append(f"            return [{xs}], math.inf, done")
        lines.append("        B = sum(map(abs, t)) / aP")
        weights = {j for _, node in terms if node >= 0 for j in expo[node]}
        rows = []
        for j in sorted(weights):
            parts = [f"{expo[node][j]} * t[{a}]" for a, (_, node) in enumerate(terms) if node >= 0 and j in expo[node]]
            rows.append(f"abs({' + '.join(parts)})")
        size = deg + len(terms)
        lines.append(f"        lam = {n_var * deg} * (1 + B)")
        lines.append(f"        if not lam * (r + {size} * u + 2.0**-51) <= 2.0**-10:")
        lines.append(f"            return [{xs}], math.inf, done")
        row = " + ".join(rows) or "0.0"
        lines.append(f"        K = max(K, ({row}) / aP + lam * lam * (5 * r + {size} * 2.0**-50))")
        lines.append(f"        rho = max(rho, {1.01 * size} * B)")
    lines += ["        s = K * (1 + 2.0**-50) * s + rho", *_map_lines(polys), f"        {xs}, = {ys},",
              f"    return [{xs}], s, n"]
    return _compile(["import math", *lines])


def _starts(model: FactorModel, prec: int, ctx) -> list:
    return [exact_mpf(ctx, evaluate(a0, prec + 32)) for a0 in model.start.values()]


# --------------------------------------------------------------------------- flow
def _taylor(ctx, x: list, polys: Polynomials, coeffs, order: int) -> list[list]:
    """Taylor coefficients (up to ``order``) of the solution through x of ȧ = F(a)."""
    n_var = len(x)
    ser = [[xi] for xi in x]
    nodes: list[list] = [[] for _ in polys.nodes]
    for n in range(order):
        for k, (j, parent) in enumerate(polys.nodes):
            if parent < 0:
                nodes[k].append(ser[j][n])
            else:
                nodes[k].append(ctx.fdot(ser[j][: n + 1], nodes[parent][n::-1]))
        for i in range(n_var):
            acc = ctx.fdot((c, nodes[node][n]) for c, (_, node) in zip(coeffs[i], polys.terms[i], strict=True)
                           if node >= 0)
            if n == 0:
                acc += ctx.fsum(c for c, (_, node) in zip(coeffs[i], polys.terms[i], strict=True) if node < 0)
            ser[i].append(acc / (n + 1))
    return ser


def integrate_factors(model: FactorModel, times: Sequence[object], prec: int, *,
                      progress: Progress | None = None) -> list[list]:
    """The factors a(t) at each time by Taylor stepping at ``prec`` bits (uncertified mpf lists)."""
    model.numeric(("delta",))
    check_prec(prec)
    times = check_times(times)
    ctx = local_context(prec)
    field, _ = _flow_polys(model)
    coeffs = [[exact_mpf(ctx, c) for c, _ in ts] for ts in field.terms]
    order = math.ceil(prec * math.log(2) / 2) + 1
    shrink = ctx.exp(-2)
    x = _starts(model, prec, ctx)
    t = ctx.zero
    targets = sorted(set(times))
    end = exact_mpf(ctx, targets[-1])
    found = {}
    for target in targets:
        goal = exact_mpf(ctx, target)
        while t < goal:
            ser = _taylor(ctx, x, field, coeffs, order)
            rho = ctx.inf
            for s in ser:
                scale = max(abs(s[0]), abs(s[1]))
                for j in (order - 1, order):
                    if s[j]:
                        rho = min(rho, (scale / abs(s[j])) ** (ctx.one / j))
            if rho == ctx.inf:  # a fixed point: the state does not move
                t = goal
                break
            h = min(rho * shrink, goal - t)
            x = [ctx.polyval(s[::-1], h) for s in ser]
            t = goal if h == goal - t else t + h
            if not all(ctx.isfinite(xi) for xi in x):
                raise ValueError(f"the flow left the floating-point range near t = {ctx.nstr(t, 8)}")
            if progress is not None:
                progress(int(100 * t / end) if end else 100, 100, f"factor flow at {prec} bits")
        found[target] = list(x)
    return [found[q] for q in times]


def _output(model: FactorModel, points: list[list], prec: int) -> list:
    ctx = local_context(prec)
    _, out = _flow_polys(model)
    coeffs = [[exact_mpf(ctx, c) for c, _ in out.terms[0]]]
    return [_evaluate(out, [+v for v in x], coeffs, ctx.one)[0] for x in points]


def model_flow_values(model: FactorModel, times: Sequence[object], digits: int, *, max_prec: int | None = None,
                      start_prec: int | None = None, strict: bool = True,
                      progress: Progress | None = None) -> list[Certified]:
    """The output w(t) under the flow by Taylor stepping of the factors, to ``digits`` certified digits (agreed)."""
    times = check_times(times)
    runs = run_progress(progress)
    return certify_taylor(times, lambda prec: _output(model, integrate_factors(model, times, prec, progress=runs),
                                                      prec), digits, max_prec=max_prec, start_prec=start_prec,
                          strict=strict, progress=runs)


def closed_form_values(model: FactorModel, closed: sp.Expr, times: Sequence[object], digits: int,
                       **kw: object) -> list[Certified]:
    """The explicit closed form w(t) (with the model's numbers) at each time, certified."""
    model.numeric(("delta",))
    expr = model.subs(closed)
    return [certified_evaluate(expr, digits, {S.t: t}, **kw) for t in check_times(times)]


# --------------------------------------------------------------------------- GD
#: A bound beyond 2^64 ulps is given up for agreement: proving digits through it would cost more precision
#: than the reruns need (it grows where the max-norm of the relative Jacobian exceeds 1, e.g. along neutral
#: directions of a fixed manifold, even when the true error does not).
GIVE_UP = 2.0**64


def _gd_polys(model: FactorModel) -> tuple[Polynomials, Polynomials]:
    ell = model.subs(model.loss)
    step = polynomials([a - model.eta * sp.diff(ell, a) for a in model.factors], model.factors)
    return step, polynomials([model.subs(model.output)], model.factors)


def iterate_factors(model: FactorModel, steps: Sequence[int], prec: int, *, engine: str = "gmpy2",
                    progress: Progress | None = None, proven: bool = False) -> list:
    """The output w_k after k GD steps on the factors, at ``prec`` bits (uncertified mpf values).

    With ``proven=True`` each value is a ball (``arb``) proven to contain the exact output, from the
    error bound of the module docstring; where that bound gives up, the plain mpf value instead.
    """
    model.numeric(("eta", "delta"))
    check_prec(prec)
    steps = check_steps(steps)
    engine = engine if gmpy2 is not None else "mpmath"
    step, out = _gd_polys(model)
    ctx = local_context(prec)
    start = _starts(model, prec, ctx)
    balls = [evaluate_ball(a0, prec + 32) for a0 in model.start.values()] if proven else None
    loop, ploop = step_loop(step), proven_loop(step)

    def run():
        ar = Numbers(engine, prec)
        flat = [ar.exact(c) for ts in step.terms for c, _ in ts]
        flat_f = [float(c) for ts in step.terms for c, _ in ts]
        co = [[ar.exact(c) for c, _ in out.terms[0]]]
        one = ar.exact(sp.S.One)
        x = [ar.from_mpf(v) for v in start]
        s, u = -1.0, 2.0**-prec  # s < 0: no bound carried
        if proven:
            points = [start_point(ar, b) for b in balls]
            x, s = [p[0] for p in points], max(p[1] for p in points)
            if any(v is None for v in x):
                x, s = [ar.from_mpf(v) for v in start], -1.0
        found, done = {}, 0
        for target in sorted(set(steps)):
            while done < target:
                n = min(CHUNK, target - done)
                if s >= 0:
                    x, s, j = ploop(x, n, flat, flat_f, s, u)
                    if not s <= GIVE_UP:  # the bound gave up (or grew past use): plain steps from here
                        x, s = loop(x, n - j, flat) if j < n else x, -1.0
                else:
                    x = loop(x, n, flat)
                done += n
                if any(ar.exponent(v) > EXP_LIMIT for v in x):
                    raise ValueError(f"the GD iteration diverged by step {done}; the step size is too large")
                if progress is not None:
                    progress(done, max(steps), f"factor GD at {prec} bits")
            found[target] = (_output_ball(out, x, s, prec, ar) if s >= 0 else
                             ar.to_mpf(_evaluate(out, x, co, one)[0]))
        return [found[k] for k in steps]

    return trapped(run, prec, engine, underflow=proven)


def trapped(run: Callable, prec: int, engine: str, *, underflow: bool = False):
    """``run()`` inside a gmpy2 context of ``prec`` bits whose overflow and invalid operations (and underflow,
    when a proof relies on there being none) become a one-line ``ValueError`` (engine ``"gmpy2"``); with
    ``"mpmath"`` it runs as it is."""
    if engine == "gmpy2":
        with gmpy2.context(precision=prec, trap_overflow=True, trap_invalid=True, trap_underflow=underflow):
            try:
                return run()
            except (gmpy2.OverflowResultError, gmpy2.InvalidOperationError, gmpy2.UnderflowResultError) as exc:
                raise ValueError(f"the GD iteration left the floating-point range ({exc}); "
                                 "the step size is outside the convergent regime") from None
    return run()


def _output_ball(out: Polynomials, x: list, s: float, prec: int, ar: Numbers):
    """The output polynomial in ball arithmetic at the factor balls x_j·e^{±s·u}."""
    with ball_context(prec + 32) as balls:
        eps = (arb(s) * arb((1, -prec))).expm1()
        factors = [balls.mpf(ar.to_mpf(v)) * (1 + arb(0, eps.upper())) for v in x]
        coeffs = [[balls.mpf(c) for c, _ in out.terms[0]]]
        return _evaluate(out, factors, coeffs, arb(1))[0]


def model_gd_values(model: FactorModel, steps: Sequence[int], digits: int, *, engine: str = "gmpy2",
                    max_prec: int | None = None, start_prec: int | None = None, strict: bool = True,
                    progress: Progress | None = None) -> list[Certified]:
    """The output w_k of GD on the factors at each step, to ``digits`` certified digits: proven by
    the error bound where it holds (``proof == "ball"``), agreed between reruns where it gave up."""
    steps = check_steps(steps)
    guard = max(steps).bit_length() + 4

    runs = run_progress(progress)

    def compute(prec: int) -> list:
        return iterate_factors(model, steps, prec, engine=engine, progress=runs, proven=True)

    return certify(compute, digits, guard_bits=guard, max_prec=max_prec, start_prec=start_prec, strict=strict,
                   progress=runs)


def check_points(dynamics: str, at: Sequence[object]) -> list:
    """GD steps (integers) or flow times (exact rationals >= 0)."""
    return check_steps(at) if dynamics == "gd" else check_times(at)


# --------------------------------------------------------------------------- entry point
#: (dynamics, method) of a model's certified trajectory.
MODEL_METHODS = {("flow", "closed_form"), ("flow", "ode"), ("gd", "iterate")}


def model_trajectory(model: FactorModel, dynamics: str, at: Sequence[object], *, digits: int = 30,
                     method: str | None = None, **options: object):
    """Certified values of ``model``'s output under ``dynamics`` at the points ``at``.

    Flow: ``closed_form`` (default when the derivation has an explicit w(t)) or ``ode`` (Taylor
    stepping of the factors, always available). GD: ``iterate`` (the factor map).
    ``options``: ``max_prec``, ``start_prec``, ``strict``, ``progress`` (GD: also ``engine``).
    """
    from symdyn.derive.general import derive_model
    from symdyn.precise.certified import check_digits
    from symdyn.precise.trajectory import Trajectory

    model = as_factor_model(model)
    if dynamics not in ("flow", "gd"):
        raise ValueError(f"dynamics must be one of flow, gd, got {dynamics!r}")
    check_digits(digits)
    model.numeric(("eta", "delta") if dynamics == "gd" else ("delta",))
    closed = derive_model(model).closed_form if dynamics == "flow" else None
    method = method or ("iterate" if dynamics == "gd" else "closed_form" if closed is not None else "ode")
    if (dynamics, method) not in MODEL_METHODS:
        names = ", ".join(sorted(m for d, m in MODEL_METHODS if d == dynamics))
        raise ValueError(f"method {method!r} is not available for {dynamics} of a model; choose one of {names}")
    pts = check_points(dynamics, at)
    check_trajectory_size(dynamics, method, pts, digits=digits, max_prec=options.get("max_prec"))
    if method == "closed_form":
        if closed is None:
            raise ValueError("this model has no explicit closed form; use method ode")
        kw = {k: v for k, v in options.items() if k in ("max_prec", "strict")}
        values = closed_form_values(model, closed.expr, pts, digits, **kw)
    elif method == "ode":
        kw = {k: v for k, v in options.items() if k in ("max_prec", "start_prec", "strict", "progress")}
        values = model_flow_values(model, pts, digits, **kw)
    else:
        kw = {k: v for k, v in options.items() if k in ("max_prec", "start_prec", "strict", "progress", "engine")}
        values = model_gd_values(model, pts, digits, **kw)
    shown = {k: v for k, v in options.items() if k in ("engine", "max_prec") and v is not None}
    return Trajectory(model, dynamics, method, tuple(pts), tuple(values), digits, shown)
