"""The model layer: the model as data, its symbols, exact numbers, parsing and printing, checks."""

from symdyn.model.checks import INITS, check_depth, check_init, init_exponent
from symdyn.model.core import Model
from symdyn.model.exact import parse_number
from symdyn.model.factor_model import FactorModel, from_toml
from symdyn.model.parse import parse_expression

__all__ = ["INITS", "FactorModel", "Model", "check_depth", "check_init", "from_toml", "init_exponent",
           "parse_expression", "parse_number"]
