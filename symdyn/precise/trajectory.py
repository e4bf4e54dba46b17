"""Certified trajectories of one mode: GD iterates or flow values at requested points.

One entry point, :func:`trajectory`, dispatches on (dynamics, method) through
:data:`METHODS`, so a new method (e.g. a "jump" evaluation of GD) or depth registers in one
place:

* ``("gd", "iterate")``: the arbitrary-precision iteration (:mod:`symdyn.precise.gd_iterate`);
* ``("gd", "jump")``: L = 2 jump-ahead through the linearising charts at 0 and σ/λ
  (:mod:`symdyn.precise.jump`), cost independent of k; product map only;
* ``("flow", "closed_form")``: the closed form of :func:`symdyn.derive.closed_forms.flow_closed_form`
  evaluated in a local mpmath context (:mod:`symdyn.precise.evaluate`); for L >= 3 the implicit closed
  form t = G(w) − G(w0) inverted by a bracketed root-finder (:func:`symdyn.precise.depth_flow.depth_flow_mp`),
  or the explicit σ = 0 / λ = 0 solutions (:func:`symdyn.derive.depth.special_mode_solutions`);
* ``("flow", "ode")``: the Taylor integration of the derived ODE (:mod:`symdyn.precise.flow_ode`),
  independent of the closed form.

Points are GD steps k (integers) or flow times t (exact rationals); ``thin=N`` adds N
evenly spaced points on [0, max point] (the whole path, thinned).

>>> from symdyn.model.core import Model
>>> tr = trajectory(Model(depth=1, sigma=1, lam=1, eta="1/2", delta=0), "gd", [1, 2], digits=5)
>>> [str(v) for v in tr.values]
['1.0000', '1.0000']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form
from symdyn.derive.depth import special_mode_solutions
from symdyn.model import symbols as S
from symdyn.model.checks import check_sequence, check_trajectory_size, check_type
from symdyn.model.core import Model
from symdyn.precise.certified import Certified, Progress, check_digits
from symdyn.precise.depth_flow import certified_depth_flow
from symdyn.precise.evaluate import certified_evaluate
from symdyn.precise.flow_ode import check_times, flow_values
from symdyn.precise.gd_iterate import DEFAULT_ENGINE, MAPS, check_steps, gd_values, numeric_model
from symdyn.precise.jump import jump_values

DYNAMICS = ("gd", "flow")


@dataclass(frozen=True)
class Trajectory:
    """Certified values of one mode's trajectory at the points ``at`` (steps or times)."""

    model: Model
    dynamics: str
    method: str
    at: tuple
    values: tuple[Certified, ...]
    digits: int
    options: dict = field(default_factory=dict)

    @property
    def variable(self) -> str:
        return "k" if self.dynamics == "gd" else "t"


def thin_points(end: object, n: int, integer: bool) -> list:
    """N evenly spaced points on [0, end] (steps rounded to integers; times exact)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"thin must be an integer >= 2 (the number of points), got {n!r}")
    if integer:
        return sorted({round(i * end / (n - 1)) for i in range(n)})
    return [sp.Rational(i, n - 1) * end for i in range(n)]


def _points(dynamics: str, at: Sequence[object], thin: int | None) -> list:
    pts = check_steps(list(at)) if dynamics == "gd" else check_times(at)
    if thin is not None:
        pts = sorted(set(pts) | set(thin_points(max(pts), thin, dynamics == "gd")))
    return pts


def _gd_iterate(model: Model, at: list, digits: int, *, map: str = "product",
                engine: str = DEFAULT_ENGINE, **kw: object) -> list[Certified]:
    return gd_values(model, at, digits, map=map, engine=engine, **kw)


def _gd_jump(model: Model, at: list, digits: int, *, map: str = "product", **kw: object) -> list[Certified]:
    if map != "product":
        raise ValueError('method="jump" evaluates the product map only; use map="product" or method="iterate"')
    return jump_values(model, at, digits, **kw)


def _flow_closed_form(model: Model, at: list, digits: int, *, progress: Progress | None = None,
                      **kw: object) -> list[Certified]:
    numeric_model(model, ("sigma", "lam", "delta"))
    if model.depth >= 3 and model.sigma > 0 and model.lam > 0:
        return _flow_implicit(model, at, digits, progress=progress, **kw)
    closed = flow_closed_form(model.depth).expr if model.depth <= 2 else _special_mode(model, at)
    expr = model.subs(closed).subs(S.w0, model.subs(model.w0))
    out = []
    for i, t in enumerate(at):
        if progress is not None:
            progress(i, len(at), "closed form")
        out.append(certified_evaluate(expr, digits, {S.t: t}, **kw))
    return out


def _special_mode(model: Model, at: list) -> sp.Expr:
    """L >= 3 with σ = 0 or λ = 0: the explicit solution; λ = 0 blows up at t = w0^{−p}/((L−2)σ)."""
    if model.lam == 0 and model.sigma > 0:
        p = sp.Rational(model.depth - 2, model.depth)
        blow_up = model.subs(model.w0 ** -p / ((model.depth - 2) * model.sigma))
        if max(at) >= blow_up:
            raise ValueError(f"with lambda = 0 the depth-{model.depth} flow blows up at t = {blow_up} "
                             f"~ {float(blow_up):.6g}; ask for earlier times")
        return special_mode_solutions(model.depth)["lambda=0"].expr
    return special_mode_solutions(model.depth)["sigma=0"].expr


def _flow_implicit(model: Model, at: list, digits: int, **kw: object) -> list[Certified]:
    """L >= 3, σ, λ > 0: the inverse of t = G(w) − G(w0), certified by reruns (depth_flow.certified_depth_flow)."""
    return certified_depth_flow(model.depth, model.sigma, model.lam, at, delta=model.delta, init=model.init,
                                digits=digits, **kw)


#: (dynamics, method) -> function(model, points, digits, **options) -> [Certified].
METHODS: dict[tuple[str, str], Callable[..., list[Certified]]] = {
    ("gd", "iterate"): _gd_iterate,
    ("gd", "jump"): _gd_jump,
    ("flow", "closed_form"): _flow_closed_form,
    ("flow", "ode"): flow_values,
}

#: The options a method may take (each method uses those that apply to it).
OPTIONS = frozenset({"map", "engine", "max_prec", "start_prec", "strict", "progress"})

#: The method used when none is named.
DEFAULT_METHOD = {"gd": "iterate", "flow": "closed_form"}


def trajectory(model: Model, dynamics: str, at: Sequence[object], *, digits: int = 30,
               method: str | None = None, thin: int | None = None, **options: object) -> Trajectory:
    """Certified values of ``model``'s ``dynamics`` ("gd" or "flow") at the points ``at``.

    ``options`` go to the method: ``map`` ("product"/"factor") and ``engine`` for GD iterate,
    ``map`` for GD jump;
    ``max_prec``, ``start_prec``, ``strict`` and ``progress`` for every method.
    """
    check_type(model, Model, "model")
    at = check_sequence(at, "at (steps or times)")
    if dynamics not in DYNAMICS:
        raise ValueError(f"dynamics must be one of {', '.join(DYNAMICS)}, got {dynamics!r}")
    method = method or DEFAULT_METHOD[dynamics]
    if (dynamics, method) not in METHODS:
        names = ", ".join(m for d, m in METHODS if d == dynamics)
        raise ValueError(f"method {method!r} is not available for {dynamics}; choose one of {names}")
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise TypeError(f"trajectory() got an unknown option {unknown[0]!r} (options: {', '.join(sorted(OPTIONS))})")
    if "map" in options and options["map"] not in MAPS:
        raise ValueError(f"map must be one of {', '.join(MAPS)}, got {options['map']!r}")
    check_digits(digits)
    check_trajectory_size(dynamics, method, list(at), thin=thin, digits=digits, max_prec=options.get("max_prec"),
                          ln_w0=model.subs(model.ln_w0))
    if dynamics == "gd":
        numeric_model(model)
        model.check_step_size()  # the flow does not use eta
    pts = _points(dynamics, at, thin)
    values = METHODS[(dynamics, method)](model, pts, digits, **options)
    shown = {k: v for k, v in options.items() if k in ("map", "engine", "max_prec")}
    return Trajectory(model, dynamics, method, tuple(pts), tuple(values), digits, shown)
