"""Float64 trajectories through the numeric boundary: fast, vectorised, not certified.

The mpmath backend (:mod:`symdyn.precise.trajectory`) certifies digits; this backend is the
quick look a user wants for plotting, over any δ, because it returns ln w beside w:

* flow, L = 1, 2: the closed form lowered by :func:`symdyn.numeric.flow_numpy` (and its
  log-space variant, finite even where w underflows);
* GD, L = 1: the closed form lowered by :func:`symdyn.numeric.gd_numpy`;
* GD, L = 2: the product map's kernel run in log arithmetic, ln w⁺ = ln w + 2 ln|1 + η(σ − λw)|,
  so a start e^{−2δ} far below float64's range is no problem.
* flow, L >= 3: the implicit closed form inverted in log space (:func:`symdyn.numeric.depth.depth_flow_numpy`);
* GD, L >= 3: the balanced factor map iterated (:func:`symdyn.numeric.depth.depth_gd_numpy`); the
  escape takes ~e^{(L−2)δ}/(η(L−2)σ) steps, so δ stays moderate and w0 = e^{−Lδ} a normal float.

>>> from symdyn.model.core import Model
>>> r = numpy_trajectory(Model(depth=2, sigma=1, lam=1, eta="0.1", delta=400), "gd", [0, 5000])
>>> float(r["ln_w"][0]), round(float(r["w"][1]), 12)
(-800.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from symdyn.derive.kernels import product2_steps
from symdyn.model.checks import check_trajectory_size
from symdyn.model.core import Model
from symdyn.numeric import flow_numpy
from symdyn.numeric.depth import depth_flow_numpy, depth_gd_numpy
from symdyn.numeric.forms import gd_numpy


def _floats(model: Model, names: tuple[str, ...]) -> tuple[float, ...]:
    for name in names:
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


def _deep(model: Model, dynamics: str, x: np.ndarray, sigma: float, lam: float, eta: float) -> dict:
    """L >= 3: the flow by inverting t = G(w) − G(w0) in log space, GD by the factor map."""
    ln_w0 = float(model.ln_w0)
    if dynamics == "flow":
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


def numpy_trajectory(model: Model, dynamics: str, at: Sequence[object]) -> dict[str, np.ndarray]:
    """``{"at", "w", "ln_w"}`` as float64 arrays for ``model``'s GD steps or flow times ``at``."""
    check_trajectory_size(dynamics, "iterate", list(at))
    need = ("sigma", "lam", "delta") + (("eta",) if dynamics == "gd" else ())
    sigma, lam, eta, delta = _floats(model, need)
    x = np.asarray([float(a) for a in at])
    if model.depth >= 3:
        return _deep(model, dynamics, x, sigma, lam, eta)
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
    ln_w0 = float(model.ln_w0)
    order = np.argsort(x)
    ln_w = np.empty_like(x)
    ln_w[order] = _gd_two_layer_log(sigma, lam, eta, ln_w0, x[order].astype(np.int64))
    with np.errstate(under="ignore"):
        return {"at": x, "w": np.exp(ln_w), "ln_w": ln_w}
