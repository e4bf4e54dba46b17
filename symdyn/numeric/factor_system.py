"""Float64 trajectories of any model's output: fast, not certified (for plots and quick looks).

* flow: the closed form lowered by :func:`symdyn.numeric.to_numpy` when the derivation gives one,
  else scipy's DOP853 on the factor system (rtol 1e-12, atol 0: relative accuracy even for a
  start at e^{−δ});
* GD: the factor map iterated in float64 with the same data-driven loop as the certified iteration
  (:func:`symdyn.precise.factor_system.step_loop`).

>>> from symdyn.model.core import Model
>>> r = factor_trajectory(Model(depth=2, sigma=1, lam=1, eta="1/10", delta=3).general(), "gd", [0, 200])
>>> round(float(r["w"][0]), 10), round(float(r["w"][1]), 10)
(0.0024787522, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from symdyn.derive.general import derive_model
from symdyn.model import symbols as S
from symdyn.model.factor_model import FactorModel
from symdyn.numeric.lower import to_numpy
from symdyn.precise.factor_system import check_points, polynomials, step_loop


def _start(model: FactorModel) -> np.ndarray:
    return np.array([float(sp.N(a0, 30)) for a0 in model.start.values()])


def factor_trajectory(model: FactorModel, dynamics: str, at: Sequence[object]) -> dict[str, np.ndarray]:
    """{"at", "w"}: the output at the GD steps or flow times ``at`` in float64."""
    model.numeric(("eta", "delta") if dynamics == "gd" else ("delta",))
    pts = check_points(dynamics, at)
    x = np.array([float(p) for p in pts])
    g = model.subs(model.output)
    if dynamics == "gd":
        ell = model.subs(model.loss)
        step = polynomials([a - model.eta * sp.diff(ell, a) for a in model.factors], model.factors)
        loop = step_loop(step)
        flat = [float(c) for ts in step.terms for c, _ in ts]
        out_fn = sp.lambdify(model.factors, g, "math")
        state, done, found = list(_start(model)), 0, {}
        with np.errstate(all="ignore"):
            for k in sorted(set(pts)):
                state = loop(state, k - done, flat)
                done = k
                found[k] = out_fn(*state)
        return {"at": x, "w": np.array([found[k] for k in pts], dtype=float)}
    d = derive_model(model)
    if d.closed_form is not None:
        f = to_numpy(model.subs(d.closed_form.expr), [S.t])
        return {"at": x, "w": np.asarray(f(x), dtype=float)}
    ell = model.subs(model.loss)
    field = sp.lambdify([model.factors], [-sp.diff(ell, a) for a in model.factors], "numpy")
    order = np.argsort(x)
    sol = solve_ivp(lambda t, y: field(y), (0.0, float(x.max())), _start(model), method="DOP853",
                    t_eval=x[order], rtol=1e-12, atol=0.0)
    if not sol.success:
        raise ValueError(f"the float64 integration failed: {sol.message}")
    w_fn = sp.lambdify([model.factors], g, "numpy")
    w = np.empty_like(x)
    w[order] = w_fn(sol.y)
    return {"at": x, "w": w}
