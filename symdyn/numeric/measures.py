"""What a parameter study measures at one cell: pure functions of exact parameters.

A cell is one point of a grid: a :class:`Subject` (one of the paper's modes, or a model from its
loss) with exact values for its parameters. A measure maps the cell to named values; each value is
an exact integer or text, or a :class:`~symdyn.precise.certified.Certified` number that carries its
certified digits, as ``symdyn trajectory`` does. Nothing here prints, writes or keeps state
beyond caches of symbolic results (limits, solved half-times) keyed by exact inputs.

Measures (:data:`MEASURES`):

* ``transition``: the first GD step k_half at which the output reaches half its long-run value
  w_∞ (:func:`symdyn.precise.crossing.gd_crossing`), or the flow time t_half at which it does (the
  closed form solved for t, or the L >= 3 relation t = G(w) − G(w0)); ``tau_half`` = ηk_half/s or
  t_half/s on the limit's time scale s (δ for L <= 2, e^{(L−2)δ} for L >= 3, Gidel et al. 2019 §4;
  docs/conventions.md). w_∞ is the last piece of the flow's rescaled limit; GD shares the fixed point.
* ``value``: the output at chosen steps or times (:func:`symdyn.precise.trajectory.trajectory`).
* ``regime``: the GD long-run regime and the multiplier 1 − Lηλ(σ/λ)^{2−2/L} of the product map at
  σ/λ (:func:`symdyn.derive.depth.gd_step_bound`); labels from :func:`symdyn.derive.regimes.classify`
  for L <= 2, from the multiplier's sign and size for L >= 3 (the linearisation at σ/λ).
* ``oscillation``: the interval [Ψ(1/μ), Ψ(1)] in which w_k oscillates at T^η
  (:func:`symdyn.precise.poincare.transition_interval`, L = 2, ησ <= ½).

>>> cell = Subject(depth=2).model({"sigma": 1, "lambda": 1, "eta": "1/10", "delta": 5})
>>> r = transition(cell, "gd", 12)
>>> r["k_half"], str(r["tau_half"])
(52, '1.04000000000')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import sympy as sp

from symdyn.asymptotics.general import model_limit
from symdyn.asymptotics.limits import limit
from symdyn.asymptotics.result import RescaledLimit
from symdyn.derive.closed_forms import flow_closed_form
from symdyn.derive.depth import elementary_relation, gd_step_bound
from symdyn.derive.general import derive_model
from symdyn.derive.regimes import classify
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.model.exact import parse_number
from symdyn.model.factor_model import FactorModel, from_toml
from symdyn.precise.certified import Certified
from symdyn.precise.crossing import MAX_STEPS, gd_crossing
from symdyn.precise.evaluate import certified_evaluate
from symdyn.precise.factor_system import model_trajectory
from symdyn.precise.poincare import transition_interval
from symdyn.precise.trajectory import trajectory

DYNAMICS = ("gd", "flow")
#: The parameters of the paper's modes, by the names a sweep uses (``lambda`` is Model's ``lam``).
MODE_PARAMETERS = {"sigma": "sigma", "lambda": "lam", "eta": "eta", "delta": "delta"}

Value = int | str | Certified | None


@dataclass(frozen=True)
class Subject:
    """What a sweep runs: the paper's mode of ``depth`` and ``init``, or the model file ``toml`` (its text)."""

    depth: int = 2
    init: str = "layer"
    toml: str | None = None

    @property
    def parameters(self) -> tuple[str, ...]:
        """The names a cell may set."""
        if self.toml is None:
            return tuple(MODE_PARAMETERS)
        base = _file_model(self.toml, ())
        return tuple(s.name for s, _ in base.parameters) + ("eta", "delta")

    def model(self, values: Mapping[str, object]) -> Model | FactorModel:
        """The model of one cell: exact ``values`` by name (unknown names: ``ValueError``)."""
        if self.toml is not None:
            return _file_model(self.toml, ()).with_values(**dict(values))
        unknown = sorted(set(values) - set(MODE_PARAMETERS))
        if unknown:
            raise ValueError(f"unknown parameter {unknown[0]!r}; the paper's mode has {', '.join(MODE_PARAMETERS)}")
        return Model(depth=self.depth, init=self.init, **{MODE_PARAMETERS[k]: v for k, v in values.items()})


@lru_cache(maxsize=64)
def _file_model(text: str, overrides: tuple) -> FactorModel:
    return from_toml(text, dict(overrides))


# ------------------------------------------------------------------ the long-run value and the time scale
def _last_piece(expr: sp.Expr) -> sp.Expr:
    if isinstance(expr, sp.Piecewise):
        value, cond = expr.args[-1]
        return value if cond == sp.true else sp.nan
    return expr


@lru_cache(maxsize=256)
def _mode_limit(depth: int, init: str) -> RescaledLimit:
    return limit(Model(depth=depth, init=init), "flow")


@lru_cache(maxsize=256)
def _file_limit(model: FactorModel) -> RescaledLimit:
    return model_limit(model, "flow")


def long_run(model: Model | FactorModel) -> tuple[sp.Expr, sp.Expr]:
    """(w_∞, s): the output's long-run value and the limit's time scale (t = sτ, GD: ηk = sτ), exact.

    From the flow's rescaled limit (its last piece); GD shares the fixed point w_∞. The paper's
    modes use the symbolic limit of their depth and init, with the cell's numbers substituted.
    """
    if isinstance(model, FactorModel):  # the limit engine needs delta symbolic; eta does not enter the flow
        r = _file_limit(replace(model, eta=S.eta, delta=S.delta))
    else:
        r = _mode_limit(model.depth, model.init)
    w_inf = sp.simplify(model.subs(_last_piece(r.expr)))
    scale = model.subs(r.scale)
    if w_inf.has(sp.nan, sp.zoo, sp.oo) or w_inf.free_symbols or not w_inf.is_real:
        raise ValueError(f"the long-run value of the output is undecided here ({w_inf}); "
                         "the transition needs it")
    if scale.has(sp.nan) or scale.free_symbols:
        raise ValueError(f"the limit's time scale is undecided here ({scale})")
    return w_inf, scale


# ------------------------------------------------------------------ transition
def transition(model: Model | FactorModel, dynamics: str, digits: int, *, max_steps: int = MAX_STEPS) -> dict:
    """The output's half-way point: ``limit``, ``k_half`` (GD), ``t_half``, ``tau_half``, ``w_half``."""
    w_inf, scale = long_run(model)
    if not w_inf > 0:
        raise ValueError(f"the output's long-run value is {w_inf}: no half-way transition from a positive start")
    half = w_inf / 2
    eta = model.eta
    if dynamics == "gd":
        c = gd_crossing(model, half, digits, max_steps=max_steps)
        t = eta * c.step
        return {"limit": str(w_inf), "k_half": c.step, "t_half": certified_evaluate(t, digits),
                "tau_half": certified_evaluate(t / scale, digits), "w_half": c.at}
    t_half = _flow_half_time(model, half)
    return {"limit": str(w_inf), "k_half": None, "t_half": certified_evaluate(t_half, digits),
            "tau_half": certified_evaluate(t_half / scale, digits), "w_half": certified_evaluate(half, digits)}


_H = sp.Symbol("h", positive=True)


@lru_cache(maxsize=64)
def _file_derivation(model: FactorModel):
    return derive_model(model)


@lru_cache(maxsize=64)
def _solved_time(closed: sp.Expr) -> tuple[sp.Expr, ...]:
    """The solutions t of closed(t) = h (h a symbol), by sympy."""
    return tuple(sp.solve(sp.Eq(closed, _H), S.t))


def _flow_half_time(model: Model | FactorModel, half: sp.Expr) -> sp.Expr:
    """t with w(t) = half: an explicit closed form solved for t, or the L >= 3 relation at w = half."""
    if isinstance(model, Model) and model.depth >= 3:
        rel = elementary_relation(model.depth).expr  # Eq(t, G(w) - G(w0))
        return model.subs(rel.rhs.subs({S.w: half, S.w0: model.w0}))
    if isinstance(model, Model):
        closed = sp.piecewise_fold(model.subs(flow_closed_form(model.depth).expr))
        closed = closed.subs(S.w0, model.subs(model.w0))
    else:
        d = _file_derivation(replace(model, eta=S.eta, delta=S.delta))
        if d.closed_form is None:
            raise ValueError("the flow transition needs an explicit closed form w(t), and this model has none; "
                             "use GD (its transition is found by iteration)")
        closed = model.subs(d.closed_form.expr)
    if isinstance(closed, sp.Piecewise):
        closed = next((e for e, c in closed.args if c == sp.true), None)
        if closed is None:
            raise ValueError("the closed form does not decide its branch at these parameters")
    found = []
    for t in _solved_time(closed):
        t = t.subs(_H, half)
        value = complex(sp.N(t, 30))
        if abs(value.imag) <= 1e-20 * max(1.0, abs(value.real)) and value.real >= 0:
            found.append(t)
    if len(found) != 1:
        raise ValueError(f"the flow reaches {half} at {len(found)} times here; expected exactly one")
    return found[0]


# ------------------------------------------------------------------ value, regime, oscillation
def value(model: Model | FactorModel, dynamics: str, digits: int, *, at: Sequence[object]) -> dict:
    """The output at the steps (GD) or times (flow) ``at``, certified: ``w_at_<point>``."""
    points = [parse_point(p, dynamics) for p in at]
    if isinstance(model, FactorModel):
        tr = model_trajectory(model, dynamics, points, digits=digits)
    else:
        tr = trajectory(model, dynamics, points, digits=digits)
    return {f"w_at_{p}": v for p, v in zip(at, tr.values, strict=True)}


def parse_point(text: object, dynamics: str) -> object:
    """A GD step (an integer >= 0) or a flow time (an exact number >= 0) from text or a number."""
    q = parse_number(text, "step" if dynamics == "gd" else "time", 0)
    if dynamics == "gd":
        if q.q != 1:
            raise ValueError(f"GD steps must be integers, got {text!r}")
        return int(q)
    return q


def regime(model: Model, dynamics: str, digits: int) -> dict:
    """The GD regime at σ/λ: ``regime`` (monotone, oscillating, period-doubling, unstable), ``multiplier``."""
    m = model.subs(gd_step_bound(model.depth).expr)
    if model.depth <= 2:
        label = classify(model)
    else:
        label = "monotone" if m >= 0 else "oscillating" if m > -1 else "period-doubling" if m == -1 else "unstable"
    return {"regime": label, "multiplier": certified_evaluate(m, digits)}


def oscillation(model: Model, dynamics: str, digits: int) -> dict:
    """[Ψ(1/μ), Ψ(1)]: ``psi_low``, ``psi_high`` (L = 2, ησ <= ½)."""
    lo, hi = transition_interval(model, digits)
    return {"psi_low": lo, "psi_high": hi}


@dataclass(frozen=True)
class Measure:
    """A measure: its columns (name, kind), the dynamics and subjects it applies to, its function."""

    name: str
    columns: Callable[[Sequence[str]], tuple[tuple[str, str], ...]]  # at -> ((column, kind), ...)
    compute: Callable[..., dict]
    dynamics: tuple[str, ...] = DYNAMICS
    files: bool = True  # applies to model files
    depths: tuple[int, ...] | None = None  # None: every depth


#: Column kinds: ``int`` (exact integer, may be missing), ``text`` (exact text), ``certified`` (a Certified).
MEASURES: dict[str, Measure] = {
    "transition": Measure("transition", lambda at: (("limit", "text"), ("k_half", "int"), ("t_half", "certified"),
                                                     ("tau_half", "certified"), ("w_half", "certified")), transition),
    "value": Measure("value", lambda at: tuple((f"w_at_{p}", "certified") for p in at), value),
    "regime": Measure("regime", lambda at: (("regime", "text"), ("multiplier", "certified")), regime,
                      dynamics=("gd",), files=False),
    "oscillation": Measure("oscillation", lambda at: (("psi_low", "certified"), ("psi_high", "certified")),
                           oscillation, dynamics=("gd",), files=False, depths=(2,)),
}


def check_measure(name: str, subject: Subject, dynamics: str, at: Sequence[object] = ()) -> Measure:
    """The measure ``name`` if it applies to ``subject`` under ``dynamics`` with points ``at``, else ``ValueError``."""
    if name not in MEASURES:
        raise ValueError(f"unknown measure {name!r}; choose one of {', '.join(MEASURES)}")
    m = MEASURES[name]
    if dynamics not in m.dynamics:
        raise ValueError(f"measure {name} is defined for {' and '.join(m.dynamics)} dynamics, not {dynamics!r}")
    if subject.toml is not None and not m.files:
        raise ValueError(f"measure {name} is derived for the paper's modes only, not for a model file")
    if subject.toml is None and m.depths is not None and subject.depth not in m.depths:
        raise ValueError(f"measure {name} is established for depth {', '.join(map(str, m.depths))}, "
                         f"not {subject.depth}")
    if name == "value":
        if not at:
            raise ValueError("measure value needs the points (steps or times) to evaluate at")
        for p in at:
            parse_point(p, dynamics)
    elif at:
        raise ValueError(f"measure {name} takes no points; they belong to measure value")
    return m


def measure(name: str, model: Model | FactorModel, dynamics: str, digits: int, *, at: Sequence[object] = (),
            max_steps: int = MAX_STEPS) -> dict[str, Value]:
    """The values of measure ``name`` at one cell (``model`` with numbers), keyed by column."""
    m = MEASURES[name]
    if name == "value":
        return m.compute(model, dynamics, digits, at=at)
    if name == "transition":
        return m.compute(model, dynamics, digits, max_steps=max_steps)
    return m.compute(model, dynamics, digits)
