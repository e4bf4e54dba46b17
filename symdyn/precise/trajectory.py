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

Points are GD steps k (integers, numpy integers and arrays too) or flow times t (exact rationals);
``thin=N`` adds N evenly spaced points on [0, max point] (the whole path, thinned). Or give rescaled
times ``tau=`` instead: t = scale·τ for the flow and k = ⌊scale·τ/η⌋ for GD, with the scale of the
δ → ∞ limit (:func:`symdyn.asymptotics.limits.time_scale`: δ for L <= 2, e^{(L−2)δ} for L >= 3).

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
from symdyn.model.checks import check_trajectory_size, check_type
from symdyn.model.core import Model
from symdyn.model.exact import parse_number
from symdyn.model.serialize import srepr
from symdyn.precise.certified import Certified, Progress, check_digits
from symdyn.precise.depth_flow import certified_depth_flow
from symdyn.precise.evaluate import certified_evaluate
from symdyn.precise.flow_ode import check_times, flow_values
from symdyn.precise.gd_iterate import DEFAULT_ENGINE, MAPS, check_steps, gd_values, numeric_model
from symdyn.precise.jump import jump_values

DYNAMICS = ("gd", "flow")

#: The backends of the public :func:`symdyn.trajectory` (:mod:`symdyn.numeric.trajectory`).
BACKENDS = ("mpmath", "numpy")


@dataclass(frozen=True)
class Trajectory:
    """Certified values of one mode's trajectory at the points ``at`` (steps or times).

    ``tau`` holds the rescaled times when the points were asked as ``tau=`` (else ``None``);
    the start is part of ``model`` (``model.w0``). :meth:`to_numpy` gives float64 arrays,
    :meth:`to_json` / :meth:`from_json` save and load it.
    """

    model: Model
    dynamics: str
    method: str
    at: tuple
    values: tuple[Certified, ...]
    digits: int
    options: dict = field(default_factory=dict)
    tau: tuple | None = None

    @property
    def variable(self) -> str:
        return "k" if self.dynamics == "gd" else "t"

    def to_numpy(self) -> dict:
        """``{"at", "w"}`` (and ``"tau"`` when asked at rescaled times) as float64 arrays.

        ``w`` is each certified decimal rounded to float64 (0 or inf beyond its range)."""
        import numpy as np

        out = {"at": np.array([float(p) for p in self.at]), "w": np.array([float(v) for v in self.values])}
        if self.tau is not None:
            out["tau"] = np.array([float(x) for x in self.tau])
        return out

    def to_json(self) -> str:
        """The trajectory as JSON text: the model, the points (exact), each value with its digits."""
        from symdyn.model.serialize import dumps

        return dumps("Trajectory", {
            "model": model_to_dict(self.model), "dynamics": self.dynamics, "method": self.method,
            "at": [p if isinstance(p, int) else srepr(p) for p in self.at],
            "tau": None if self.tau is None else [str(x) for x in self.tau],
            "values": [v.to_dict() for v in self.values], "digits": self.digits,
            "options": {k: v for k, v in self.options.items() if isinstance(v, (str, int, float, type(None)))}})

    @staticmethod
    def from_json(text: str | dict) -> Trajectory:
        """Inverse of :meth:`to_json` (the srepr of each point read without evaluating Python)."""
        from symdyn.model.serialize import loads, read_srepr

        d = loads("Trajectory", text)
        try:
            at = tuple(p if isinstance(p, int) else read_srepr(p) for p in d["at"])
            tau = None if d.get("tau") is None else tuple(parse_number(x, "tau", 0) for x in d["tau"])
            values = tuple(Certified.from_dict(v) for v in d["values"])
            return Trajectory(model_from_dict(d["model"]), d["dynamics"], d["method"], at, values,
                              d["digits"], dict(d.get("options") or {}), tau)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a Trajectory in JSON lacks or misshapes {exc}") from None


def model_to_dict(model: object) -> dict:
    """A :class:`Model` or :class:`~symdyn.model.factor_model.FactorModel` as JSON-able data."""
    return {"kind": type(model).__name__, **model.to_dict()}


def model_from_dict(d: dict) -> object:
    """Inverse of :func:`model_to_dict`."""
    from symdyn.model.factor_model import FactorModel

    kinds = {"Model": Model, "FactorModel": FactorModel}
    if not isinstance(d, dict) or d.get("kind") not in kinds:
        got = d.get("kind") if isinstance(d, dict) else type(d).__name__
        raise ValueError(f"a model in JSON has kind Model or FactorModel, got {got!r}")
    return kinds[d["kind"]].from_dict({k: v for k, v in d.items() if k != "kind"})


def thin_points(end: object, n: int, integer: bool) -> list:
    """N evenly spaced points on [0, end] (steps rounded to integers; times exact)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"thin must be an integer >= 2 (the number of points), got {n!r}")
    if integer:
        return sorted({round(i * end / (n - 1)) for i in range(n)})
    return [sp.Rational(i, n - 1) * end for i in range(n)]


def trajectory_points(dynamics: str, at: Sequence[object], thin: int | None = None) -> list:
    """Steps k (integers) or times t (exact), checked; with ``thin=N`` N evenly spaced points added."""
    pts = check_steps(at) if dynamics == "gd" else check_times(at)
    if thin is not None:
        pts = sorted(set(pts) | set(thin_points(max(pts), thin, dynamics == "gd")))
    return pts


def rescaled_points(model: Model, dynamics: str, tau: Sequence[object]) -> tuple[list, list]:
    """(τ exact, points): flow times t = scale·τ or GD steps k = ⌊scale·τ/η⌋, the scale of the δ → ∞ limit
    (:func:`~symdyn.asymptotics.limits.time_scale`) at the model's δ. For L >= 3 a flow time is
    irrational (e^{(L−2)δ}τ), kept exact."""
    from symdyn.asymptotics.limits import time_scale

    if model.start is not None or not model.delta.is_Number:
        raise ValueError("rescaled times tau= need a number for delta (the start e^(-m*delta) sets the scale); "
                         "give Model(delta=...), or give the points as at=")
    taus = check_times(tau)
    scale = model.subs(time_scale(model.depth, model.init))
    if dynamics == "flow":
        return taus, [scale * x for x in taus]
    numeric_model(model, ("eta",))
    return taus, [int(sp.floor(scale * x / model.eta)) for x in taus]


def _gd_iterate(model: Model, at: list, digits: int, *, map: str = "product",
                engine: str = DEFAULT_ENGINE, **kw: object) -> list[Certified]:
    return gd_values(model, at, digits, map=map, engine=engine, **kw)


def _gd_jump(model: Model, at: list, digits: int, *, map: str = "product", **kw: object) -> list[Certified]:
    if map != "product":
        raise ValueError('method="jump" evaluates the product map only; use map="product" or method="iterate"')
    return jump_values(model, at, digits, **kw)


def _flow_closed_form(model: Model, at: list, digits: int, *, progress: Progress | None = None,
                      tau: list | None = None, **kw: object) -> list[Certified]:
    numeric_model(model, ("sigma", "lam", "delta"))
    if model.depth >= 3 and model.sigma > 0 and model.lam > 0:
        return _flow_implicit(model, at, digits, progress=progress, tau=tau, **kw)
    if tau is not None and model.depth >= 3:
        raise ValueError("rescaled times tau= at depth >= 3 need sigma > 0 and lambda > 0 "
                         "(a mode with a transition)")
    closed = flow_closed_form(model.depth).expr if model.depth <= 2 else _special_mode(model, at)
    expr = model.subs(closed).subs(S.w0, model.subs(model.w0))
    out = []
    for i, t in enumerate(at):
        if progress is not None:
            progress(i, len(at), "closed form")
        out.append(certified_evaluate(expr, digits, {S.t: t}, **kw))
    if progress is not None:
        progress(len(at), len(at), "closed form")
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


def _flow_implicit(model: Model, at: list, digits: int, *, tau: list | None = None, **kw: object) -> list[Certified]:
    """L >= 3, σ, λ > 0: the inverse of t = G(w) − G(w0), certified by reruns (depth_flow.certified_depth_flow);
    at rescaled times τ it forms τ − τ* exactly (so τ = τ* is exact)."""
    start = {"w0": model.start} if model.start is not None else {"delta": model.delta, "init": model.init}
    if tau is not None:
        return certified_depth_flow(model.depth, model.sigma, model.lam, tau, digits=digits, rescaled=True,
                                    **start, **kw)
    return certified_depth_flow(model.depth, model.sigma, model.lam, at, digits=digits, **start, **kw)


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


def trajectory(model: Model, dynamics: str, at: Sequence[object] | None = None, *, digits: int = 30,
               method: str | None = None, thin: int | None = None, tau: Sequence[object] | None = None,
               **options: object) -> Trajectory:
    """Certified values of ``model``'s ``dynamics`` ("gd" or "flow") at the points ``at``, or at
    the rescaled times ``tau`` (:func:`rescaled_points`).

    ``options`` go to the method: ``map`` ("product"/"factor") and ``engine`` for GD iterate,
    ``map`` for GD jump;
    ``max_prec``, ``start_prec``, ``strict`` and ``progress`` for every method.
    """
    if "w0" in options:
        raise ValueError("the start is part of the model: give Model(..., w0=...) (or model.starting_at(w0))")
    check_type(model, Model, "model")
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
    if dynamics == "gd":
        numeric_model(model)
        model.check_step_size()  # the flow does not use eta
    if (at is None) == (tau is None):
        raise ValueError("give the points once: at= (steps k or times t) or tau= (rescaled times)")
    taus = None
    if tau is not None:
        if thin is not None:
            raise ValueError("thin= thins the points at=; with tau= give the rescaled times you want")
        taus, pts = rescaled_points(model, dynamics, tau)
        if dynamics == "flow" and model.depth >= 3:
            options = {**options, "tau": taus}
            if method != "closed_form":
                raise ValueError(f"method={method!r} has no rescaled times at depth {model.depth}; "
                                 "use method='closed_form'")
    else:
        try:
            raw = list(at)
        except TypeError:                               # a single step or time is one point
            raw = [at]
        check_trajectory_size(dynamics, method, raw, thin=thin, digits=digits,   # before any point is made
                              max_prec=options.get("max_prec"), ln_w0=model.subs(model.ln_w0))
        pts = trajectory_points(dynamics, at, thin)
    values = METHODS[(dynamics, method)](model, pts, digits, **options)
    shown = {k: v for k, v in options.items() if k in ("map", "engine", "max_prec")}
    return Trajectory(model, dynamics, method, tuple(pts), tuple(values), digits, shown,
                      None if taus is None else tuple(taus))
