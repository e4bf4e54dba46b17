"""The numeric boundary of symdyn: the one place where sympy expressions become float64.

Layers (each a small module):

* :mod:`~symdyn.numeric.stable` — exact sympy rewrites into stable forms and log forms;
* :mod:`~symdyn.numeric.lower` — :func:`to_numpy`, the lowering (CSE, lazy Piecewise,
  broadcasting, no floating-point warnings);
* :mod:`~symdyn.numeric.accurate` — cancellation-free float64 arguments (TwoProduct);
* :mod:`~symdyn.numeric.domain` — the documented domain and its validation;
* :mod:`~symdyn.numeric.forms` — ready-made evaluators :func:`flow_numpy`, :func:`gd_numpy`.

Performance design (``benchmarks/bench_numeric.py``: 10^6 points of the L = 2 flow cost
~40 ms, of which exp and expm1 take ~26 ms; naive ``lambdify`` ~80 ms):

* validate once: each argument gets one min/max reduction (NaN and ±inf fail it); only an
  input that fails, or a special one (σ = 0, integrality of k), takes the element-wise path
  that names the culprit. The evaluators then call ``NumpyFunction``'s private
  ``_call_validated`` instead of re-checking.
* no copies: operands are 1-d views of the broadcast arrays, and a size-1 argument stays a
  0-d scalar (a sweep over t at fixed σ, λ, δ never materialises full parameter arrays).
* exact products only where needed: the TwoProduct of ``minus_product`` runs on the index
  set where cδ − 2σt cancels (t within ±25% of the transition cδ/(2σ)) or where the
  exponent is in range (|x| < 1024) and 2σt resp. λt exceeds 64; ln|1 − ηλ| runs on
  whole arrays when every ηλ < 1/2, with index sets (not boolean masks) otherwise.
* cache-sized blocks: ``NumpyFunction`` evaluates 2^15 points at a time (``lower.BLOCK``),
  together with the per-point accurate arguments, so temporaries stay in cache instead of
  each numpy pass streaming 8 MB through memory.
* Piecewise fast path: a condition that holds on a whole block evaluates its branch there
  without index sets, so the common in-range case is one generated numpy expression.

Every shortcut returns the same bits as the path it skips (tests/test_numeric_fast_paths.py).
"""

from symdyn.numeric.forms import flow_numpy, gd_numpy
from symdyn.numeric.lower import NumpyFunction, to_numpy

__all__ = ["NumpyFunction", "flow_numpy", "gd_numpy", "to_numpy"]
