"""symdyn: symbolic-plus-numeric analysis of linear-network learning dynamics.

Reference: G. Gidel, F. Bach, S. Lacoste-Julien, "Implicit Regularization of Discrete
Gradient Dynamics in Linear Neural Networks", NeurIPS 2019 (arXiv 1904.13262).

The package is layered, one folder a layer, data flowing downward:
model → derive → asymptotics → precise → numeric → matrix → claims → output → cli.
The public names below are imported on first use (``import symdyn`` itself loads nothing heavy,
so ``symdyn --help`` and ``--version`` answer at once).

>>> import symdyn
>>> symdyn.derive(symdyn.Model(depth=2)).gd_map.expr
w*(eta*(-lambda*w + sigma) + 1)**2
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "Certified": "symdyn.precise.certified",
    "Derivation": "symdyn.derive.derivation",
    "Derived": "symdyn.derive.derived",
    "FactorModel": "symdyn.model",
    "FloatTrajectory": "symdyn.numeric.trajectory",
    "Model": "symdyn.model",
    "ProgressBar": "symdyn.precise.progress",
    "RescaledLimit": "symdyn.asymptotics.result",
    "Trajectory": "symdyn.precise.trajectory",
    "Verdict": "symdyn.claims.user",
    "check": "symdyn.claims.user",
    "classify": "symdyn.derive.regimes",
    "derive": "symdyn.derive.derivation",
    "derive_model": "symdyn.derive.general",
    "flow_closed_form": "symdyn.derive.closed_forms",
    "flow_numpy": "symdyn.numeric",
    "gd_closed_form": "symdyn.derive.closed_forms",
    "gd_numpy": "symdyn.numeric",
    "implicit_relation": "symdyn.derive.closed_forms",
    "latex": "symdyn.model.printing",
    "limit": "symdyn.asymptotics.limits",
    "model_limit": "symdyn.asymptotics.general",
    "model_trajectory": "symdyn.precise.factor_system",
    "monotone_from_above": "symdyn.derive.regimes",
    "parse_expression": "symdyn.model",
    "parse_number": "symdyn.model",
    "product_map": "symdyn.derive.dynamics",
    "product_ode": "symdyn.derive.dynamics",
    "time_scale": "symdyn.asymptotics.limits",
    "to_numpy": "symdyn.numeric",
    "trajectory": "symdyn.numeric.trajectory",
}

__all__ = [
    "__version__",
    "Certified",
    "check",
    "classify",
    "Derivation",
    "derive",
    "derive_model",
    "Derived",
    "FactorModel",
    "FloatTrajectory",
    "flow_closed_form",
    "flow_numpy",
    "gd_closed_form",
    "gd_numpy",
    "implicit_relation",
    "latex",
    "limit",
    "load",
    "Model",
    "model_limit",
    "model_trajectory",
    "monotone_from_above",
    "parse_expression",
    "parse_number",
    "product_map",
    "product_ode",
    "ProgressBar",
    "RescaledLimit",
    "time_scale",
    "to_numpy",
    "Trajectory",
    "trajectory",
    "Verdict",
]

#: The ``type`` a result's ``to_json`` writes -> the class whose ``from_json`` reads it.
RESULT_TYPES = {
    "Derivation": "symdyn.derive.derivation", "Derived": "symdyn.derive.derived",
    "RescaledLimit": "symdyn.asymptotics.result", "Trajectory": "symdyn.precise.trajectory",
    "FloatTrajectory": "symdyn.numeric.trajectory", "Result": "symdyn.claims", "Verdict": "symdyn.claims.user",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'symdyn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load(text: str | bytes | dict) -> object:
    """Any result saved by ``to_json()`` (derivation, limit, trajectory, claim result, verdict), by its ``type``.

    >>> import symdyn
    >>> d = symdyn.derive(symdyn.Model(depth=1))
    >>> symdyn.load(d.to_json()) == d
    True
    """
    import json

    data = json.loads(text) if isinstance(text, (str, bytes)) else text
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in RESULT_TYPES:
        raise ValueError(f"not a symdyn result: type {kind!r} (one of {', '.join(RESULT_TYPES)})")
    return getattr(importlib.import_module(RESULT_TYPES[kind]), kind).from_json(data)


