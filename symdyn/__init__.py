"""symdyn: symbolic-plus-numeric analysis of linear-network learning dynamics.

Reference: G. Gidel, F. Bach, S. Lacoste-Julien, "Implicit Regularization of Discrete
Gradient Dynamics in Linear Neural Networks", NeurIPS 2019 (arXiv 1904.13262).

>>> import symdyn
>>> symdyn.derive(symdyn.Model(depth=2)).gd_map.expr
w*(eta*(-lambda*w + sigma) + 1)**2
"""

from .api import Derivation, derive
from .closed_forms import flow_closed_form, gd_closed_form, implicit_relation
from .derivation import Derived
from .dynamics import product_map, product_ode
from .exact import parse_number
from .limits import limit
from .model import Model
from .numeric import flow_numpy, to_numpy
from .trajectory import trajectory

__all__ = [
    "Derivation",
    "Derived",
    "Model",
    "derive",
    "flow_closed_form",
    "flow_numpy",
    "gd_closed_form",
    "implicit_relation",
    "limit",
    "parse_number",
    "product_map",
    "product_ode",
    "to_numpy",
    "trajectory",
]

__version__ = "0.1.0"
