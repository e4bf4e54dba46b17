"""symdyn: symbolic-plus-numeric analysis of linear-network learning dynamics.

Reference: G. Gidel, F. Bach, S. Lacoste-Julien, "Implicit Regularization of Discrete
Gradient Dynamics in Linear Neural Networks", NeurIPS 2019 (arXiv 1904.13262).

The package is layered, one folder a layer, data flowing downward:
model → derive → asymptotics → precise → numeric → matrix → claims → output → cli.

>>> import symdyn
>>> symdyn.derive(symdyn.Model(depth=2)).gd_map.expr
w*(eta*(-lambda*w + sigma) + 1)**2
"""

from symdyn.asymptotics.general import model_limit
from symdyn.asymptotics.limits import limit
from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from symdyn.derive.derivation import Derivation, derive
from symdyn.derive.derived import Derived
from symdyn.derive.dynamics import product_map, product_ode
from symdyn.derive.general import derive_model
from symdyn.model import FactorModel, Model, parse_expression, parse_number
from symdyn.numeric import flow_numpy, to_numpy
from symdyn.precise.factor_system import model_trajectory
from symdyn.precise.trajectory import trajectory

__all__ = [
    "Derivation",
    "Derived",
    "FactorModel",
    "Model",
    "derive",
    "derive_model",
    "flow_closed_form",
    "flow_numpy",
    "gd_closed_form",
    "implicit_relation",
    "limit",
    "model_limit",
    "model_trajectory",
    "parse_expression",
    "parse_number",
    "product_map",
    "product_ode",
    "to_numpy",
    "trajectory",
]

__version__ = "0.1.0"
