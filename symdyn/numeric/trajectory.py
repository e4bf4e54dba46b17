"""The public :func:`trajectory` (both backends), and float64 trajectories: fast, vectorised, not certified.

``symdyn.trajectory(model, dynamics, at, backend=...)``: ``"mpmath"`` (default) is the certified engine
:func:`symdyn.precise.trajectory.trajectory` (a :class:`~symdyn.precise.trajectory.Trajectory` of
certified values), ``"numpy"`` returns a :class:`FloatTrajectory` of float64 arrays. Both take the points
as ``at=`` (steps k or times t; lists, numpy integers and arrays) or as rescaled times ``tau=``, and both
have ``to_numpy()`` and ``to_json()``. Your own model (:class:`~symdyn.model.factor_model.FactorModel`)
goes through the same call.

The numpy backend is the quick look a user wants for plotting, at every depth and over any δ,
because it returns ln w beside w:

* flow, L = 1, 2: the closed form lowered by :func:`symdyn.numeric.flow_numpy` (and its
  log-space variant, finite even where w underflows);
* GD, L = 1: the closed form lowered by :func:`symdyn.numeric.gd_numpy`;
* GD, L = 2: the product map's kernel run in log arithmetic, ln w⁺ = ln w + 2 ln|1 + η(σ − λw)|,
  so a start e^{−2δ} far below float64's range is no problem.
* flow, L >= 3: the implicit closed form inverted in log space (:func:`symdyn.numeric.depth.depth_flow_numpy`);
* GD, L >= 3: the balanced factor map iterated (:func:`symdyn.numeric.depth.depth_gd_numpy`); the
  escape takes ~e^{(L−2)δ}/(η(L−2)σ) steps, so δ stays moderate and w0 = e^{−Lδ} a normal float.

A start given as ``Model(w0=...)`` is iterated (GD) or put in the closed form (flow) as given.

>>> from symdyn.model.core import Model
>>> r = numpy_trajectory(Model(depth=2, sigma=1, lam=1, eta="0.1", delta=400), "gd", [0, 5000])
>>> float(r["ln_w"][0]), round(float(r["w"][1]), 12)
(-800.0, 1.0)
>>> tr = trajectory(Model(depth=2, sigma=1, lam=1, eta="0.1", delta=20), "gd", tau=[0.5, 2], backend="numpy")
>>> tr.at.tolist(), [round(float(w), 6) for w in tr.w]
([100.0, 400.0], [0.0, 1.0])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from symdyn.derive.closed_forms import flow_closed_form
from symdyn.derive.kernels import linear_constants, linear_steps, product2_steps
from symdyn.model import symbols as S
from symdyn.model.checks import check_trajectory_size
from symdyn.model.core import Model
from symdyn.model.factor_model import FactorModel
from symdyn.numeric import flow_numpy
from symdyn.numeric.depth import depth_flow_numpy, depth_flow_rescaled_numpy, depth_gd_numpy
from symdyn.numeric.forms import gd_numpy
from symdyn.numeric.lower import to_numpy
from symdyn.precise import trajectory as certified
from symdyn.precise.progress import ProgressBar

BACKENDS = certified.BACKENDS


def _floats(model: Model, names: tuple[str, ...]) -> tuple[float, ...]:
    for name in names:
        if name == "delta" and model.start is not None:  # the start is given as w0
            continue
        if not getattr(model, name).is_Number:
            raise ValueError(f"the numpy backend needs a number for {name}; give Model({name}=...)")
    return tuple(float(getattr(model, n)) if getattr(model, n).is_Number else math.nan
                 for n in ("sigma", "lam", "eta", "delta"))


class _LogW:
    """w >= 0 held as ln w, for the L = 2 kernel in log space (a start e^{−2δ} far below float64's range).

    The kernel w(c − d·w)² needs d·w (a float: 0 where w underflows, which leaves c − d·w = c
    as it should) and w·m² (ln w + ln m², a Kahan-compensated sum: |ln w| ~ 2δ is large, the
    increments small).
    """

    __slots__ = ("ln", "carry")

    def __init__(self, ln: float, carry: float = 0.0) -> None:
        self.ln, self.carry = ln, carry

    def __rmul__(self, d: float) -> float:
        return d * math.exp(self.ln)

    def __mul__(self, m: _LogFactor) -> _LogW:
        if self.ln == -math.inf or m.ln == -math.inf:  # the multiplier hit 0: w stays 0
            return _LogW(-math.inf)
        y = m.ln - self.carry
        total = self.ln + y
        return _LogW(total, (total - self.ln) - y)


class _LogFactor:
    """A multiplier held as ln|m|."""

    __slots__ = ("ln",)

    def __init__(self, ln: float) -> None:
        self.ln = ln


class _OnePlus:
    """The multiplier c − d·w = 1 + y held as y, so ln|1 + y| = log1p(y) keeps the digits of a small y."""

    __slots__ = ("y",)

    def __init__(self, y: float) -> None:
        self.y = y

    def __sub__(self, x: float) -> _OnePlus:
        return _OnePlus(self.y - x)

    def __mul__(self, other: _OnePlus) -> _LogFactor:
        log = _log_abs_1p(self.y)
        return _LogFactor(2.0 * log if other is self else log + _log_abs_1p(other.y))


def _log_abs_1p(y: float) -> float:
    """ln|1 + y| (−inf at y = −1)."""
    if y > -1.0:
        return math.log1p(y)
    return math.log(-1.0 - y) if y < -1.0 else -math.inf


def _gd_two_layer_log(sigma: float, lam: float, eta: float, ln_w0: float, steps: np.ndarray) -> np.ndarray:
    """ln w_k of the L = 2 product map at the sorted integer ``steps``: the kernel
    :func:`~symdyn.derive.kernels.product2_steps` run in log arithmetic (:class:`_LogW`)."""
    c, d = _OnePlus(eta * sigma), eta * lam  # product2_constants, the 1 of c = 1 + ησ held apart
    out = np.empty(steps.size)
    w, j = _LogW(ln_w0), 0
    for k in range(int(steps[-1]) + 1):
        while j < steps.size and steps[j] == k:
            out[j] = w.ln
            j += 1
        if j == steps.size:
            break
        w = product2_steps(w, c, d)
    return out


def _deep(model: Model, dynamics: str, x: np.ndarray, sigma: float, lam: float, eta: float,
          tau: np.ndarray | None = None) -> dict:
    """L >= 3: the flow by inverting t = G(w) − G(w0) in log space (at t = scale·τ without forming the
    scale when ``tau`` is given), GD by the factor map."""
    ln_w0 = float(model.ln_w0)
    if dynamics == "flow" and tau is not None:
        ln_w = depth_flow_rescaled_numpy(model.depth, sigma, lam, tau, float(model.delta), model.init, log=True)
    elif dynamics == "flow":
        ln_w = depth_flow_numpy(model.depth, sigma, lam, x, log_w0=ln_w0, log=True)
    elif dynamics == "gd":
        model.check_step_size()
        path = depth_gd_numpy(model.depth, sigma, lam, eta, int(x.max()), log_w0=ln_w0)
        with np.errstate(divide="ignore"):
            ln_w = np.log(path[x.astype(np.int64)])
    else:
        raise ValueError(f"dynamics must be gd or flow, got {dynamics!r}")
    with np.errstate(under="ignore"):
        return {"at": x, "w": np.exp(ln_w), "ln_w": ln_w}


@cache
def _flow_from_w0(depth: int, log: bool):
    """The L = 1, 2 closed form w(t) with the start w0 an argument (a given start is a float64)."""
    return to_numpy(flow_closed_form(depth).expr, (S.t, S.sigma, S.lam, S.w0), log=log)


def _from_start(model: Model, dynamics: str, x: np.ndarray, sigma: float, lam: float, eta: float) -> dict:
    """L = 1, 2 from a given start w0: the flow's closed form; GD on the linear model by its kernel."""
    w0 = float(model.start)
    if dynamics == "flow":
        return {"at": x, "w": _flow_from_w0(model.depth, False)(x, sigma, lam, w0),
                "ln_w": _flow_from_w0(model.depth, True)(x, sigma, lam, w0)}
    c, d = linear_constants(sigma, lam, eta)
    steps = x.astype(np.int64)
    path = np.empty(int(steps.max()) + 1)
    path[0] = w0
    for k in range(1, path.size):
        path[k] = linear_steps(path[k - 1], c, d)
    w = path[steps]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"at": x, "w": w, "ln_w": np.log(w)}


def numpy_trajectory(model: Model, dynamics: str, at: Sequence[object],
                     tau: Sequence[float] | None = None) -> dict[str, np.ndarray]:
    """``{"at", "w", "ln_w"}`` as float64 arrays for ``model``'s GD steps or flow times ``at``
    (``tau``: the rescaled times the points came from, used by the L >= 3 flow)."""
    check_trajectory_size(dynamics, "iterate", list(at))
    if dynamics not in ("gd", "flow"):
        raise ValueError(f"dynamics must be gd or flow, got {dynamics!r}")
    need = ("sigma", "lam", "delta") + (("eta",) if dynamics == "gd" else ())
    sigma, lam, eta, delta = _floats(model, need)
    x = np.asarray([float(a) for a in at])
    if model.depth >= 3:
        return _deep(model, dynamics, x, sigma, lam, eta, None if tau is None else np.asarray(tau, dtype=float))
    if model.start is not None:
        if dynamics == "gd":
            model.check_step_size()
            if model.depth == 2:
                return _gd_log(model, x, sigma, lam, eta)
        return _from_start(model, dynamics, x, sigma, lam, eta)
    if dynamics == "flow":
        f, lf = flow_numpy(model.depth, model.init), flow_numpy(model.depth, model.init, log=True)
        return {"at": x, "w": f(x, sigma, lam, delta), "ln_w": lf(x, sigma, lam, delta)}
    if dynamics != "gd":
        raise ValueError(f"dynamics must be gd or flow, got {dynamics!r}")
    model.check_step_size()
    if model.depth == 1:
        w = gd_numpy()(x, sigma, lam, eta, delta)
        with np.errstate(divide="ignore", invalid="ignore"):
            ln_w = gd_numpy(log=True)(x, sigma, lam, eta, delta) if eta * lam <= 1 else np.log(w)
        return {"at": x, "w": w, "ln_w": ln_w}
    return _gd_log(model, x, sigma, lam, eta)


def _gd_log(model: Model, x: np.ndarray, sigma: float, lam: float, eta: float) -> dict:
    """L = 2 GD in log arithmetic from ln w0 (:func:`_gd_two_layer_log`)."""
    ln_w0 = float(model.ln_w0)
    order = np.argsort(x)
    ln_w = np.empty_like(x)
    ln_w[order] = _gd_two_layer_log(sigma, lam, eta, ln_w0, x[order].astype(np.int64))
    with np.errstate(under="ignore"):
        return {"at": x, "w": np.exp(ln_w), "ln_w": ln_w}


# --------------------------------------------------------------------------- the public entry point
@dataclass(frozen=True, eq=False)
class FloatTrajectory:
    """A float64 trajectory (not certified): the points ``at``, ``w`` and ``ln w`` as numpy arrays.

    ``tau`` holds the rescaled times when the points were asked as ``tau=``. The same
    ``to_numpy()`` / ``to_json()`` as the certified :class:`~symdyn.precise.trajectory.Trajectory`.
    """

    model: Model | FactorModel
    dynamics: str
    at: np.ndarray
    w: np.ndarray
    ln_w: np.ndarray
    tau: np.ndarray | None = None

    backend = "numpy"
    certified = False

    @property
    def variable(self) -> str:
        return "k" if self.dynamics == "gd" else "t"

    @property
    def values(self) -> np.ndarray:
        return self.w

    def to_numpy(self) -> dict[str, np.ndarray]:
        """``{"at", "w", "ln_w"}`` (and ``"tau"``) as float64 arrays (copies)."""
        out = {"at": self.at.copy(), "w": self.w.copy(), "ln_w": self.ln_w.copy()}
        if self.tau is not None:
            out["tau"] = self.tau.copy()
        return out

    def to_json(self) -> str:
        """The trajectory as JSON text; floats by ``repr`` (exact), ±inf and nan as strings."""
        from symdyn.model.serialize import dumps

        def floats(a: np.ndarray | None) -> list | None:
            return None if a is None else [float(v) if math.isfinite(v) else repr(float(v)) for v in a]

        return dumps("FloatTrajectory", {"model": certified.model_to_dict(self.model), "dynamics": self.dynamics,
                                         "at": floats(self.at), "w": floats(self.w), "ln_w": floats(self.ln_w),
                                         "tau": floats(self.tau)})

    @staticmethod
    def from_json(text: str | dict) -> FloatTrajectory:
        """Inverse of :meth:`to_json`."""
        from symdyn.model.serialize import loads

        d = loads("FloatTrajectory", text)

        def arr(v: list | None) -> np.ndarray | None:
            if v is None:
                return None
            if not isinstance(v, list) or not all(isinstance(x, (int, float)) or x in ("inf", "-inf", "nan")
                                                  for x in v):
                raise ValueError("a FloatTrajectory's arrays are lists of numbers")
            return np.array([float(x) for x in v])

        try:
            return FloatTrajectory(certified.model_from_dict(d["model"]), d["dynamics"], arr(d["at"]), arr(d["w"]),
                                   arr(d["ln_w"]), arr(d.get("tau")))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a FloatTrajectory in JSON lacks or misshapes {exc}") from None


def float_trajectory(model: Model | FactorModel, dynamics: str, at: Sequence[object] | None = None, *,
                     tau: Sequence[object] | None = None, thin: int | None = None) -> FloatTrajectory:
    """The float64 trajectory of ``model`` at the points ``at`` or the rescaled times ``tau``."""
    if dynamics not in certified.DYNAMICS:
        raise ValueError(f"dynamics must be one of {', '.join(certified.DYNAMICS)}, got {dynamics!r}")
    if (at is None) == (tau is None):
        raise ValueError("give the points once: at= (steps k or times t) or tau= (rescaled times)")
    if isinstance(model, FactorModel):
        if tau is not None:
            raise ValueError("rescaled times tau= are for Model; give your own model's points as at=")
        from symdyn.numeric.factor_system import factor_trajectory

        pts = certified.trajectory_points(dynamics, at, thin)
        r = factor_trajectory(model, dynamics, pts)
        with np.errstate(divide="ignore", invalid="ignore"):
            return FloatTrajectory(model, dynamics, np.asarray([float(p) for p in pts]), np.asarray(r["w"]),
                                   np.log(np.asarray(r["w"])))
    taus = None
    if tau is not None:
        if thin is not None:
            raise ValueError("thin= thins the points at=; with tau= give the rescaled times you want")
        taus, pts = certified.rescaled_points(model, dynamics, tau)
    else:
        pts = certified.trajectory_points(dynamics, at, thin)
    r = numpy_trajectory(model, dynamics, pts, taus)
    return FloatTrajectory(model, dynamics, r["at"], r["w"], r["ln_w"],
                           None if taus is None else np.array([float(x) for x in taus]))


def trajectory(model: Model | FactorModel, dynamics: str, at: Sequence[object] | None = None, *,
               tau: Sequence[object] | None = None, backend: str = "mpmath",
               **options: object) -> certified.Trajectory | FloatTrajectory:
    """``model``'s GD iterates (``dynamics="gd"``, steps k) or flow values (``"flow"``, times t).

    * points: ``at`` (a list, a numpy integer or array) or rescaled times ``tau`` (t = scale·τ,
      k = ⌊scale·τ/η⌋ with the δ → ∞ limit's scale: δ for L <= 2, e^{(L−2)δ} for L >= 3);
    * ``backend="mpmath"`` (default): certified digits, a :class:`~symdyn.precise.trajectory.Trajectory`;
      ``options``: ``digits``, ``method``, ``thin``, ``map``, ``engine``, ``max_prec``, ``start_prec``,
      ``strict``, and ``progress`` (a callback ``(done, total, stage)``, or ``True`` for a bar);
    * ``backend="numpy"``: float64, a :class:`FloatTrajectory` (w and ln w); ``options``: ``thin``.

    The start is the model's (``Model(w0=...)`` or its δ-based init).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "numpy":
        extra = sorted(set(options) - {"thin"})
        if extra:
            raise ValueError(f"{extra[0]}= belongs to backend='mpmath' (certified digits); "
                             "backend='numpy' takes at=, tau= and thin=")
        return float_trajectory(model, dynamics, at, tau=tau, thin=options.get("thin"))
    bar = None
    if options.get("progress") is True:
        bar = options["progress"] = ProgressBar()
    try:
        if isinstance(model, FactorModel):
            if tau is not None:
                raise ValueError("rescaled times tau= are for Model; give your own model's points as at=")
            from symdyn.precise.factor_system import model_trajectory

            thin = options.pop("thin", None)
            return model_trajectory(model, dynamics, certified.trajectory_points(dynamics, at, thin), **options)
        return certified.trajectory(model, dynamics, at, tau=tau, **options)
    finally:
        if bar is not None:
            bar.close()
