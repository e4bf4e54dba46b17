"""Threads and in-place kernels of the numeric boundary give the single-thread bits.

The blocks of ``NumpyFunction`` are evaluated by ``workers`` threads (symdyn.numeric.lower,
``run_blocks``); every operation is elementwise, so the result must equal the one-thread result
bit for bit. Bits are compared as integers (``.view(np.uint64)``): ``np.array_equal`` on floats
would call −0.0 and 0.0 equal and every NaN unequal. The negative controls show that the
comparison sees a one-ulp change, and that the threads really run.
"""

import threading

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sympy.codegen.cfunctions import expm1

from symdyn.model import symbols as S
from symdyn.numeric import flow_numpy, gd_numpy, lower, to_numpy
from symdyn.numeric.forms import FLOW_RANGES
from symdyn.numeric.kernel import safe_exp
from tests.numeric_samples import flow_points, gd_points

N = lower.THREADS_MIN + 3 * lower.BLOCK + 1234  # above the threshold, ragged last block


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(_bits(a), _bits(b))


def _flow_inputs(c: int, seed: int) -> tuple[np.ndarray, ...]:
    """N points: the accuracy harness's samples (corners, transitions, σ = 0) tiled among
    log-uniform random points over the documented domain, shuffled."""
    rng = np.random.default_rng(seed)
    edge = flow_points(c, n_random=50)
    rand = np.stack([10 ** rng.uniform(-6, 15, N), 10 ** rng.uniform(-8, 8, N),
                     10 ** rng.uniform(-8, 8, N), 10 ** rng.uniform(-3, 4, N)], axis=1)
    rand[: len(edge)] = edge
    return tuple(rng.permutation(rand).T)


def _gd_inputs(max_rate: float, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    edge = gd_points(n_random=50, max_rate=max_rate)
    lam = 10 ** rng.uniform(-8, 8, N)
    rand = np.stack([np.floor(10 ** rng.uniform(0, 15, N)), 10 ** rng.uniform(-8, 8, N), lam,
                     rng.uniform(1e-12, max_rate, N) * (1 - 1e-12) / lam, 10 ** rng.uniform(-3, 4, N)], axis=1)
    rand[: len(edge)] = edge
    return tuple(rng.permutation(rand).T)


@pytest.mark.parametrize("depth, init, log", [(2, "layer", False), (2, "product", False), (2, "layer", True),
                                              (1, "layer", False), (1, "layer", True)])
def test_flow_threads_give_single_thread_bits(depth, init, log):
    f = flow_numpy(depth, init, log=log)
    points = _flow_inputs(2 if init == "layer" else 1, seed=depth + 10 * log)
    with np.errstate(all="raise"):
        one = f(*points, workers=1)
        for workers in (2, 3, 8):
            assert _same_bits(f(*points, workers=workers), one), workers
    # negative control: the comparison sees a change of one ulp in one point
    moved = one.copy()
    moved[N // 2] = np.nextafter(moved[N // 2], np.inf)
    assert not _same_bits(moved, one)


@pytest.mark.parametrize("log, max_rate", [(False, 2.0), (True, 1.0)])
def test_gd_threads_give_single_thread_bits(log, max_rate):
    g = gd_numpy(log=log)
    points = _gd_inputs(max_rate, seed=3)
    with np.errstate(all="raise"):
        one = g(*points, workers=1)
        assert _same_bits(g(*points, workers=2), one)
        assert _same_bits(g(*points, workers=5), one)


def test_threads_report_an_infinite_value_like_one_thread():
    """A value beyond float64 is a ValueError naming the point (issue #19: never inf, never a warning),
    whether a pool thread or the caller's evaluated its block, and whatever numpy's error state is."""
    f = to_numpy(1 / S.t, [S.t])
    t = np.ones(N)
    t[-5] = 0.0  # in the last block, which a pool thread may evaluate
    for workers in (1, 2):
        for state in ("raise", "ignore"):
            with np.errstate(divide=state), pytest.raises(ValueError, match="t=0.0"):
                f(t, workers=workers)


def test_threads_report_the_first_failing_block():
    """Blocks are handed out in order, so the error of the first bad block is the one
    raised, as with one thread (here: t = -2 in block 1, t = -3 in a later block)."""
    f = flow_numpy(2)
    t = np.ones(N)
    t[lower.BLOCK + 7], t[-1] = -2.0, -3.0
    messages = set()
    for workers in (1, 2, 4):
        with pytest.raises(ValueError) as info:
            f(t, 1.0, 1.0, 1.0, workers=workers)
        messages.add(str(info.value))
    assert messages == {"t=-2 is outside the documented domain [0, 1e+15]"}


def test_pool_threads_evaluate_blocks():
    """Negative control of the bit tests: with workers=2, blocks do run on two threads
    (a prepare hook records the thread and sleeps, releasing the GIL)."""
    import time

    seen = set()

    def prepare(ops, work):
        seen.add(threading.get_ident())
        time.sleep(0.02)  # 6 blocks: 120 ms for the pool thread to start, even on a loaded machine
        return ops

    f = to_numpy(S.t * 2, [S.t])
    out = f._call_validated((np.ones(N),), (N,), prepare=prepare, workers=2)
    assert np.all(out == 2.0) and len(seen) == 2
    seen.clear()
    f._call_validated((np.ones(N),), (N,), prepare=prepare, workers=1)
    assert len(seen) == 1


@pytest.mark.parametrize("workers, error", [(0, ValueError), (-1, ValueError), ("2", TypeError),
                                            (2.0, TypeError), (True, TypeError)])
def test_bad_workers_is_a_one_line_error(workers, error):
    for call in (lambda: flow_numpy(2)(1.0, 1.0, 1.0, 1.0, workers=workers),
                 lambda: gd_numpy()(1, 1.0, 1.0, 0.1, 1.0, workers=workers),
                 lambda: to_numpy(S.t, [S.t])(1.0, workers=workers)):
        with pytest.raises(error, match="workers must be a positive integer") as info:
            call()
        assert "\n" not in str(info.value)


def test_small_inputs_stay_on_the_calling_thread(monkeypatch):
    """Below THREADS_MIN points no pool is started (its cost would exceed the work)."""
    def no_pool(*args, **kwargs):
        raise AssertionError("a thread pool was started")

    monkeypatch.setattr(lower, "ThreadPoolExecutor", no_pool)
    t = np.linspace(0, 10, lower.THREADS_MIN - 1)
    assert flow_numpy(2)(t, 1.0, 1.0, 1.0, workers=4).shape == t.shape
    with pytest.raises(AssertionError, match="pool"):  # the control: above it, one is
        flow_numpy(2)(np.linspace(0, 10, N), 1.0, 1.0, 1.0, workers=4)


def test_flow_ranges_name_the_flow_arguments():
    assert [name for name, _ in FLOW_RANGES] == ["t", "sigma", "lambda", "delta"]


def test_safe_exp_is_np_exp_bit_for_bit():
    """safe_exp skips numpy's slow underflow path; its bits are np.exp's on every lane kind
    (normal, subnormal results, underflow to 0, overflow to inf), on both of its paths."""
    rng = np.random.default_rng(4)
    kinds = [rng.uniform(-700, 700, 500), rng.uniform(-745.5, -708, 500), rng.uniform(-1e6, -746, 500),
             np.array([-708.0, -708.3964, -745.1332, -745.2, -745.13321910194122, 0.0, -0.0])]
    for mix in (np.concatenate(kinds), np.concatenate(kinds[:1] * 40 + kinds[1:])):  # index-set / plain path
        x = rng.permutation(mix)
        with np.errstate(under="ignore"):
            expected = np.exp(x)
            got = safe_exp(x, np.empty_like(x))
            in_place = x.copy()
            safe_exp(in_place, in_place)
        assert _same_bits(got, expected) and _same_bits(in_place, expected)
    # negative control: flushing the subnormal lanes to 0 (a cheaper shortcut) is seen
    x = kinds[1]
    with np.errstate(under="ignore"):
        flushed = np.where(x < -708.3964, 0.0, np.exp(np.maximum(x, -708.3964)))
        assert not _same_bits(flushed, np.exp(x))


def _lambdified(args, expr):
    """The reference: sympy's NumPy printer on the same expression (ScaleDown/ScaleUp printed
    by their definitions e^{-max(a,0)}, e^{min(a,0)}; the kernels compute them from e^{-|a|})."""
    return lower._lambdify(args, expr)


def _full(operands, n):
    """Every operand as an array of n points: the reference runs numpy's array loops, whose bits
    the kernels give also for 0-d operands (numpy's scalar ``x**4`` may differ from its array loop)."""
    return [np.broadcast_to(o, (n,)).copy() for o in operands]


def _leaves(expr):
    if isinstance(expr, sp.Piecewise):
        return [leaf for v, _ in expr.args for leaf in _leaves(v)]
    return [expr]


def test_kernels_compute_what_sympys_printer_computes():
    """The in-place kernel of every leaf of the evaluators' stable forms, and of the matrix
    layer's product maps, returns the bits of sympy's lambdify on the same expression at the
    same points, with array and with 0-d operands (the operations are the printer's, in its order)."""
    from symdyn.derive.dynamics import product_map
    from symdyn.numeric.forms import _flow_lowered, _gd_lowered
    from symdyn.numeric.kernel import Kernels
    from symdyn.numeric.workspace import Workspace

    cases = [(f.args, leaf) for f in (_flow_lowered(2, "layer", False), _flow_lowered(1, "layer", False),
                                      _flow_lowered(2, "product", True), _gd_lowered(False), _gd_lowered(True))
             for leaf in _leaves(f.expr)]
    for depth in (1, 2, 3):
        m = to_numpy(product_map(depth).expr, (S.w, S.sigma, S.lam, S.eta))
        cases += [(m.args, leaf) for leaf in _leaves(m.expr)]
    x, y = sp.symbols("u y", positive=True)
    cases += [((x, y), -2 * x * y + sp.exp(-x) / (3 * y) - x / (y * (y + 1) ** 2) + sp.sqrt(x) - 1 / x
               + sp.log(x) * x ** sp.Rational(5, 3) - sp.Max(x, y) + 7)]
    rng = np.random.default_rng(8)
    for args, expr in cases:
        n = 3000
        ops = [rng.uniform(0.05, 3.0, n) for _ in args]
        ops = [np.floor(o * 50) if a.name == "k" else o for o, a in zip(ops, args, strict=True)]
        ops = [rng.uniform(-40, 40, n) if a.name == "x" else o for o, a in zip(ops, args, strict=True)]
        kernels = Kernels(args, expr)
        for scalar in (None, 0):  # all arrays; the first operand 0-d
            use = [np.asarray(o[0]) if i == scalar else o for i, o in enumerate(ops)]
            out = np.empty(n)
            with np.errstate(all="ignore"):
                kernels(tuple(use), out, Workspace(n))
                expected = np.broadcast_to(_lambdified(args, expr)(*_full(use, n)), (n,))
            assert _same_bits(out, expected), (expr, scalar)
    # negative control: the bit comparison sees a different association of the same product
    a, b, c = (rng.uniform(0.05, 3.0, 3000) for _ in range(3))
    assert not _same_bits((a * b) * c, a * (b * c))


_U, _V, _W = sp.symbols("u v w", positive=True)
_leaf_exprs = st.sampled_from([_U, _V, _W, sp.Integer(2), sp.Rational(1, 3), sp.Integer(-3)])


def _combine(children):
    a, b = children
    return st.sampled_from([a + b, a - b, a * b, a / (b * b + 1), (a + b) ** 2, sp.exp(-(a * a)),
                            expm1(a / (1 + b * b)), sp.log(1 + a * a), a * b * a - b, sp.Max(a, b)])


@settings(max_examples=60, deadline=None)
@given(expr=st.recursive(_leaf_exprs, lambda kids: st.tuples(kids, kids).flatmap(_combine), max_leaves=12),
       pattern=st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_random_kernels_compute_what_sympys_printer_computes(expr, pattern):
    """Property: for random expression trees (shared subexpressions, registers reused in place,
    constants, 0-d operands) the kernel gives the bits of sympy's NumPy printer. Trees with a
    constant subexpression such as log(10)**3 are left out: the printer evaluates those with
    numpy's scalar operators, the kernel with the ufunc it uses for arrays."""
    from symdyn.numeric.kernel import Kernels, Unsupported
    from symdyn.numeric.workspace import Workspace

    assume(all(node.is_Number or node.free_symbols for node in sp.preorder_traversal(expr)))

    args = (_U, _V, _W)
    try:
        kernels = Kernels(args, expr)
    except Unsupported:
        return
    rng = np.random.default_rng(0)
    n = 64
    ops = tuple(rng.uniform(0.1, 2.0, n) if arr else np.asarray(0.7 + i) for i, arr in enumerate(pattern))
    out = np.empty(n)
    with np.errstate(all="ignore"):
        kernels(ops, out, Workspace(n))
        expected = np.broadcast_to(_lambdified(args, expr)(*_full(ops, n)), (n,))
    assert _same_bits(out, expected), expr
