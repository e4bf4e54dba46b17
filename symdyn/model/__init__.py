"""The model layer: the model as data, its symbols, exact numbers, parsing and printing, checks.

Names load on first use, so ``from symdyn.model.checks import INITS`` does not import sympy.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "INITS": "symdyn.model.checks", "check_depth": "symdyn.model.checks", "check_init": "symdyn.model.checks",
    "init_exponent": "symdyn.model.checks", "Model": "symdyn.model.core", "parse_number": "symdyn.model.exact",
    "FactorModel": "symdyn.model.factor_model", "from_toml": "symdyn.model.factor_model",
    "parse_expression": "symdyn.model.parse",
}

__all__ = ["INITS", "FactorModel", "Model", "check_depth", "check_init", "from_toml", "init_exponent",
           "parse_expression", "parse_number"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'symdyn.model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
