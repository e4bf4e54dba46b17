"""The model layer: the model as data, its symbols, exact numbers, parsing and printing, checks."""

from symdyn.model.checks import INITS, check_depth, check_init, init_exponent
from symdyn.model.core import Model
from symdyn.model.exact import parse_number

__all__ = ["INITS", "Model", "check_depth", "check_init", "init_exponent", "parse_number"]
