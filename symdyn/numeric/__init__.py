"""The numeric boundary of symdyn: the one place where sympy expressions become float64.

Layers (each a small module):

* :mod:`~symdyn.numeric.stable` — exact sympy rewrites into stable forms and log forms;
* :mod:`~symdyn.numeric.lower` — :func:`to_numpy`, the lowering (CSE, lazy Piecewise,
  broadcasting, no floating-point warnings);
* :mod:`~symdyn.numeric.accurate` — cancellation-free float64 arguments (TwoProduct);
* :mod:`~symdyn.numeric.domain` — the documented domain and its validation;
* :mod:`~symdyn.numeric.forms` — ready-made evaluators :func:`flow_numpy`, :func:`gd_numpy`.
"""

from .forms import flow_numpy, gd_numpy
from .lower import NumpyFunction, to_numpy

__all__ = ["NumpyFunction", "flow_numpy", "gd_numpy", "to_numpy"]
