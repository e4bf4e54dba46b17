"""The numeric boundary of symdyn: the one place where sympy expressions become float64.

Layers (each a small module):

* :mod:`~symdyn.numeric.stable` — exact sympy rewrites into stable forms and log forms;
* :mod:`~symdyn.numeric.lower` — :func:`to_numpy`, the lowering (CSE, lazy Piecewise,
  broadcasting, blocks on a thread pool, no floating-point warnings);
* :mod:`~symdyn.numeric.kernel` — a branch as straight-line numpy code into reused buffers;
* :mod:`~symdyn.numeric.workspace` — the buffers of one worker;
* :mod:`~symdyn.numeric.accurate` — cancellation-free float64 arguments (TwoProduct);
* :mod:`~symdyn.numeric.domain` — the documented domain and its validation;
* :mod:`~symdyn.numeric.forms` — ready-made evaluators :func:`flow_numpy`, :func:`gd_numpy`.

Performance design (``benchmarks/bench_numeric.py``, 10^6 points of the L = 2 flow over the
documented domain; the hand-written stable form, one exp of −|2δ − 2σt| and a branch on its sign,
is the baseline):

* no temporaries: each branch is compiled to one ufunc call per operation with ``out=``
  buffers of a per-worker :class:`~symdyn.numeric.workspace.Workspace` (a 256 kB numpy
  temporary is an ``mmap`` whose pages fault in on every block: measured ~10x the cost of the
  arithmetic), and the last operation writes into the result.
* no branch, no overflow guard: the flow is (n0·S + n1·R)/(d0·S + d1·R) with
  S = e^{−max(x, 0)}, R = e^{min(x, 0)} from one exp of −|x| (``stable.two_sided``).
* exp without numpy's slow path: lanes whose exp underflows (most of the domain, where
  |2δ − 2σt| > 708) cost ~6x a normal lane inside numpy's SIMD exp; ``kernel.safe_exp``
  evaluates exp on the others only, with the same bits.
* exact products only where needed: the TwoProduct of ``minus_product`` runs on the index
  set where cδ − 2σt cancels (t within ±25% of the transition cδ/(2σ)) or where the
  exponent is in range (|x| < 1024) and 2σt resp. λt exceeds 64; ln|1 − ηλ| is one formula,
  ln|s| + c/s, with the TwoProduct where k·ηλ > 64|1 − ηλ| (elsewhere it changes the
  exponent kℓ by less than 2^−47).
* validate in the block: each argument gets one min/max reduction per block (NaN and ±inf
  fail it), in cache; a 0-d argument is checked once. Only a block that fails takes the
  element-wise path that names the culprit.
* no copies: operands are 1-d views of the broadcast arrays, and a size-1 argument stays a
  0-d scalar, computed once (a sweep over t at fixed σ, λ, δ never materialises full
  parameter arrays).
* cache-sized blocks on threads: ``NumpyFunction`` evaluates 2^15 points at a time
  (``lower.BLOCK``), together with the per-point accurate arguments; from 2^18 points on,
  ``workers`` threads (default: the available cores) take blocks from a shared counter
  (numpy releases the GIL inside its ufuncs). The pool lives for one call.
* Piecewise fast path: a condition that holds on a whole block evaluates its branch there
  without index sets.

Every shortcut returns the same bits as the path it skips, and the threads the bits of one
thread (tests/test_numeric_fast_paths.py, tests/test_numeric_threads.py).
"""

from symdyn.numeric.forms import flow_numpy, gd_numpy
from symdyn.numeric.lower import NumpyFunction, to_numpy

__all__ = ["NumpyFunction", "flow_numpy", "gd_numpy", "to_numpy"]
