"""The boundary: a symdyn expression becomes a vectorised float64 numpy function.

:func:`to_numpy` is the one place where sympy meets float64. Its stages:

1. ``piecewise_fold`` lifts every Piecewise to the top.
2. Each branch is rewritten by :func:`~symdyn.numeric.stable.stabilize` (decaying
   exponentials, expm1/log1p/logaddexp).
3. ``log=True``: each branch becomes its :func:`~symdyn.numeric.stable.log_form` (ln f
   without forming f). ``log=False``: a branch with one exponential e^a that can grow, in
   a numerator and denominator affine in e^a, becomes the
   :func:`~symdyn.numeric.stable.two_sided` form (multiplied through by e^{−max(a, 0)}: no
   branch, no overflow, one exp of −|a|). Any other branch with an exponential that can
   grow gets an overflow guard: it is evaluated directly where every growing exponent is ≤ 600
   (e^600 ≈ 4e260 leaves 47 decades for coefficients before overflow); elsewhere
   numerator and denominator are multiplied by e^{−a} for the one growing exponent a
   (a is then rounded once, inside a decaying exponential), or, if that is not possible,
   evaluated as exp(log_form), where the value is below ~e^{−600} anyway.
4. Lowering: each branch leaf becomes an in-place kernel (:mod:`~symdyn.numeric.kernel`:
   ``sympy.cse``, then one ufunc call per operation into reused buffers, the arithmetic
   of sympy's NumPyPrinter); a node the kernel printer lacks falls back to
   ``lambdify(cse=True)``. Piecewise is
   lowered *lazily* with index masks: a condition is evaluated only where no earlier
   condition held and a branch only where it is selected, so a dead branch is never
   evaluated (sympy's own printer uses ``numpy.select``, which evaluates every branch
   and warns; sympy issues #15014, #28585).
5. Call: the arguments are checked finite and broadcast together (numpy rules; a size-1
   argument stays a 0-d operand). Points are evaluated in blocks of :data:`BLOCK`, each
   with its own buffers, on ``workers`` threads for large arrays (numpy releases the
   GIL inside its ufuncs; the bits do not depend on the number of threads). The
   evaluation runs under
   ``np.errstate(under="ignore")``: gradual underflow of a term to 0 is the correctly
   rounded result of a negligible term; overflow, invalid and divide-by-zero are
   prevented by construction and still raise if the caller asks.
   ``log`` is lowered to a version that returns −inf at 0 without a divide warning.

>>> import numpy as np
>>> from symdyn.model import symbols as S
>>> f = to_numpy(sp.Piecewise((sp.exp(S.t), S.t < 1), (sp.exp(-S.t), True)), [S.t])
>>> with np.errstate(all="raise"):
...     f(np.array([0.0, 1e6]))
array([1., 0.])
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from symdyn.numeric.domain import flatten
from symdyn.numeric.kernel import Kernels, Unsupported, safe_log
from symdyn.numeric.stable import _combine, log_form, stabilize, two_sided
from symdyn.numeric.workspace import Workspace

#: Growing exponents above this are evaluated through the log form (see step 3).
EXP_GUARD = 600
#: Points per evaluation block: 2^15 doubles = 256 kB per buffer, so the buffers of a kernel
#: stay in the core's L2/L3 instead of each numpy pass streaming 8 MB through memory.
BLOCK = 1 << 15
#: Points per block when several threads evaluate: twice as many operations per call. Each
#: ufunc call releases and retakes the GIL; with two threads a contended retake (a futex wait
#: and wake, ~10-30 µs on the benchmark VM) costs more than a 2^15-point pass, so threads take
#: longer passes (10^6 points of the flow, idle VM: one thread 15 ms; two threads 13-14 ms at
#: 2^15, 10.6 ms at 2^16).
THREAD_BLOCK = 2 * BLOCK
#: Below this many points one thread evaluates: a pool of one extra thread costs 0.5 ms to start
#: and join on the benchmark VM (more under load), 2^18 points of the flow ~4 ms on one thread.
THREADS_MIN = 8 * BLOCK

#: A block's inputs (0-d or 1-d slices) and its workspace → the lowered function's operands.
Prepare = Callable[[tuple[np.ndarray, ...], Workspace], tuple[np.ndarray, ...]]


class _Printer(NumPyPrinter):
    """NumPyPrinter with the warning-free log and the two-sided scale factors (their definitions)."""

    def _print_log(self, expr: sp.Expr) -> str:
        return f"_safe_log({self._print(expr.args[0])})"

    def _print_ScaleDown(self, expr: sp.Expr) -> str:
        return f"numpy.exp(-numpy.maximum({self._print(expr.args[0])}, 0.0))"

    def _print_ScaleUp(self, expr: sp.Expr) -> str:
        return f"numpy.exp(numpy.minimum({self._print(expr.args[0])}, 0.0))"


def _lambdify(args: Sequence[sp.Symbol], expr: sp.Expr) -> Callable:
    # functools: NumPyPrinter prints Max/Min as functools.reduce(numpy.maximum, ...)
    return sp.lambdify(args, expr, modules=[{"_safe_log": safe_log, "functools": functools}, "numpy"],
                       printer=_Printer, cse=True)


@dataclass(frozen=True)
class _Leaf:
    """A branch value: in-place kernels, or (for nodes the kernel printer lacks) lambdify."""

    kernels: Kernels | None
    fallback: Callable | None

    def run(self, arrays: tuple[np.ndarray, ...], out: np.ndarray, work: Workspace) -> None:
        if self.kernels is not None:
            self.kernels(arrays, out, work)
        else:
            out[...] = self.fallback(*arrays)


def _leaf(args: Sequence[sp.Symbol], expr: sp.Expr) -> _Leaf:
    try:
        return _Leaf(Kernels(args, expr), None)
    except Unsupported:
        return _Leaf(None, _lambdify(args, expr))


@dataclass(frozen=True)
class _Branches:
    """A lowered Piecewise: conditions and values, evaluated lazily on index sets."""

    conds: tuple[Callable, ...]
    values: tuple[object, ...]


def _build(args: Sequence[sp.Symbol], expr: sp.Expr) -> object:
    if isinstance(expr, sp.Piecewise):
        conds = tuple(_lambdify(args, c) for _, c in expr.args)
        return _Branches(conds, tuple(_build(args, v) for v, _ in expr.args))
    return _leaf(args, expr)


def _select(arrays: tuple[np.ndarray, ...], sel: np.ndarray) -> tuple[np.ndarray, ...]:
    """The operands at the points ``sel`` (0-d operands are scalars and stay as they are)."""
    return tuple(a if a.ndim == 0 else a[sel] for a in arrays)


def _evaluate(node: object, arrays: tuple[np.ndarray, ...], n: int, out: np.ndarray, work: Workspace) -> None:
    """``node`` at n points, written into ``out``; each operand is 1-d of size n or 0-d (broadcast)."""
    if not isinstance(node, _Branches):
        node.run(arrays, out, work)
        return
    todo = None  # None: every point is still open (no index copy needed)
    for cond, value in zip(node.conds, node.values, strict=True):
        sub = arrays if todo is None else _select(arrays, todo)
        size = n if todo is None else todo.size
        if size == 0:
            return
        chosen = np.asarray(cond(*sub), dtype=bool)
        if todo is None and (chosen if chosen.ndim == 0 else chosen.all()):  # one branch holds everywhere
            _evaluate(value, arrays, n, out, work)
            return
        chosen = np.broadcast_to(chosen, (size,))
        idx = np.arange(n) if todo is None else todo
        take = idx[chosen]
        if take.size:
            part = np.empty(take.size)
            _evaluate(value, _select(sub, chosen), take.size, part, work)
            out[take] = part
        todo = idx[~chosen]
    if todo is not None and todo.size:
        out[todo] = np.nan


def available_workers() -> int:
    """The cores this process may run on (the default ``workers``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_workers(workers: object) -> int | None:
    """``workers`` as a positive int, or None (every available core, looked up when needed);
    else a one-line error."""
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f"workers must be a positive integer or None, got {type(workers).__name__}")
    if workers < 1:
        raise ValueError(f"workers must be a positive integer or None, got {workers}")
    return int(workers)


def run_blocks(run: Callable[[int, Workspace], None], n_blocks: int, size: int, workers: int) -> None:
    """``run(b, work)`` for b = 0 .. n_blocks − 1, on ``workers`` threads (the caller's included).

    Each thread owns one :class:`Workspace` of ``size`` and takes the next block number from
    a shared counter; the caller's numpy error state is set in every thread (numpy keeps it
    per thread). Blocks are handed out in order and a failing thread stops the others taking
    new ones, so the error raised is that of the first failing block — the one a single
    thread meets first. (The evaluators use longer blocks with threads, so an input with
    errors of two kinds close together may name the other one.) The pool lives for this
    call only.
    """
    err = np.geterr()
    if workers <= 1 or n_blocks <= 1:
        work = Workspace(size)
        for b in range(n_blocks):
            run(b, work)
        return
    counter, lock, failures, stop = itertools.count(), threading.Lock(), [], []

    def worker() -> None:
        work = Workspace(size)
        with np.errstate(**err):
            while not stop:
                with lock:
                    b = next(counter)
                if b >= n_blocks:
                    return
                try:
                    run(b, work)
                except Exception as e:  # re-raised below, first block first
                    failures.append((b, e))
                    stop.append(b)
                    return
                except BaseException:  # KeyboardInterrupt in the calling thread: stop the others too
                    stop.append(b)
                    raise

    with ThreadPoolExecutor(max_workers=min(workers, n_blocks) - 1) as pool:
        futures = [pool.submit(worker) for _ in range(min(workers, n_blocks) - 1)]
        worker()
        for f in futures:
            f.result()
    if failures:
        raise min(failures, key=lambda f: f[0])[1]


def _growing_exponents(expr: sp.Expr) -> list[sp.Expr]:
    return [e.args[0] for e in expr.atoms(sp.exp) if not e.args[0].is_nonpositive]


def _divided_out(stable: sp.Expr, growing: list[sp.Expr]) -> sp.Expr | None:
    """num·e^{−a} / den·e^{−a} for the single growing exponent a, if that leaves none.

    Where a > EXP_GUARD this keeps every exponential decaying, and a is rounded once
    (inside e^{−a}) instead of two or three times inside exp(log_form): e.g. the L = 2
    flow σ/(σe^x − λ expm1(−2σt)) becomes σe^{−x}/(σ − λ expm1(−2σt)e^{−x}), relative
    error ≈ |Δx| + 3ε instead of ≈ 3|x|ε/2 (issue #4).
    """
    if len(growing) != 1:
        return None
    num, den = sp.fraction(stable)
    scale = sp.exp(-growing[0])
    out = _combine(num * scale) / _combine(den * scale)
    left = [e for e in _growing_exponents(out) if sp.expand(e + growing[0]) != 0]
    return None if left else out  # e^{−a} decays where the fallback is used (a > EXP_GUARD)


def _branch(expr: sp.Expr, time: sp.Symbol, log: bool) -> sp.Expr:
    stable = stabilize(expr, time)
    if log:
        return log_form(stable)
    growing = _growing_exponents(stable)
    if not growing:
        return stable
    if len(growing) == 1:
        scaled = two_sided(stable, growing[0])
        if scaled is not None:
            return scaled
    fallback = _divided_out(stable, growing)
    if fallback is None:
        try:
            fallback = sp.exp(log_form(stable))
        except ValueError:
            return stable
    safe = sp.And(*[a <= EXP_GUARD for a in growing])
    return sp.Piecewise((stable, safe), (fallback, True))


def lowered_expr(expr: sp.Expr, time: sp.Symbol, log: bool = False) -> sp.Expr:
    """The stable sympy expression that :func:`to_numpy` prints (stages 1–3)."""
    expr = sp.piecewise_fold(sp.sympify(expr, strict=True))
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(_branch(v, time, log), c) for v, c in expr.args])
    return _branch(expr, time, log)


@dataclass(frozen=True)
class NumpyFunction:
    """A lowered expression: call it with arrays (broadcast together) for its ``args``."""

    args: tuple[sp.Symbol, ...]
    expr: sp.Expr
    _node: object

    def __call__(self, *values: object, workers: int | None = None) -> np.ndarray:
        """The lowered expression at ``values`` (broadcast together), on ``workers`` threads; a ``ValueError``
        (never a warning, nan or inf) where the expression is undefined there or its value is beyond float64.

        ``workers=None`` uses every core available to the process; arrays of fewer than
        :data:`THREADS_MIN` points are evaluated on the calling thread. The result does not
        depend on ``workers`` (same bits).
        """
        workers = check_workers(workers)
        if len(values) != len(self.args):
            names = ", ".join(a.name for a in self.args)
            raise ValueError(f"expected {len(self.args)} arguments ({names}), got {len(values)}")
        try:
            arrays = [np.asarray(v, dtype=np.float64) for v in values]
        except (TypeError, ValueError):
            raise TypeError("the arguments must be real numbers or arrays of them") from None
        for sym, a in zip(self.args, arrays, strict=True):
            if not np.isfinite(a).all():
                raise ValueError(f"{sym.name} must be finite; got a NaN or infinite value")
        flat, shape = flatten(**{s.name: a for s, a in zip(self.args, arrays, strict=True)})
        with np.errstate(all="ignore"):
            out = self._call_validated(flat, shape, workers=workers)
        bad = ~np.isfinite(out)
        if np.any(bad):
            i = int(np.flatnonzero(np.ravel(bad))[0])
            point = ", ".join(f"{s.name}={float(np.broadcast_to(a, shape).ravel()[i])!r}"
                              for s, a in zip(self.args, arrays, strict=True))
            what = "undefined (outside its domain)" if np.isnan(np.ravel(out)[i]) else "beyond float64 (infinite)"
            raise ValueError(f"{self.expr} is {what} at {point or 'the point given'}")
        return out

    def _call_validated(self, flat: Sequence[np.ndarray], shape: tuple[int, ...],
                        prepare: Prepare | None = None, workers: int | None = 1) -> np.ndarray:
        """The private fast path: operands already finite float64, as from
        :func:`~symdyn.numeric.domain.flatten` (0-d or 1-d of the broadcast size).

        ``prepare(operands, work)``, if given, maps a block's operands to this function's
        ``args`` (e.g. appends an accurate exponent, in buffers of ``work``); it runs per
        block, under the same error state. Points are evaluated in blocks of :data:`BLOCK`
        (arrays of :data:`THREADS_MIN` points or more: blocks of :data:`THREAD_BLOCK` on
        ``workers`` threads), each written
        straight into its slice of the result; every operation is elementwise, so neither
        the blocking nor the threads change a bit of the result.
        """
        n = math.prod(shape)
        flat = tuple(flat)
        out = np.empty(n)
        if n < THREADS_MIN:
            workers = 1
        elif workers is None:
            workers = available_workers()
        size = BLOCK if workers == 1 else THREAD_BLOCK

        def run(b: int, work: Workspace) -> None:
            start, stop = b * size, min(n, (b + 1) * size)
            ops = flat if stop - start == n else tuple(a if a.ndim == 0 else a[start:stop] for a in flat)
            if prepare is not None:
                ops = prepare(ops, work)
            _evaluate(self._node, ops, stop - start, out[start:stop], work)

        with np.errstate(under="ignore"):
            run_blocks(run, -(-n // size), min(n, size), workers)
        return out.reshape(shape)[()] if shape == () else out.reshape(shape)


def _symbols(args: object) -> tuple[sp.Symbol, ...]:
    """``args`` as symbols: a Symbol stays; a name is symdyn's symbol of that name or a real symbol."""
    from symdyn.model import symbols as S
    from symdyn.model.parse import NAME

    if isinstance(args, (str, sp.Basic)) or not hasattr(args, "__iter__"):
        raise TypeError(f"args must be a list of symbols or names, got {type(args).__name__}")
    out = []
    for a in args:
        if isinstance(a, sp.Symbol):
            out.append(a)
        elif isinstance(a, str) and NAME.match(a):
            out.append(S.BY_NAME.get(a, sp.Symbol(a, real=True)))
        else:
            raise TypeError(f"each of args must be a sympy Symbol or a name, got {a!r}")
    if len({s.name for s in out}) != len(out):
        raise ValueError(f"args name a symbol twice: {', '.join(s.name for s in out)}")
    return tuple(out)


def _expression(expr: object, args: tuple[sp.Symbol, ...]) -> sp.Expr:
    """A sympy expression; a string is read by symdyn's exact parser (never evaluated as Python)."""
    from symdyn.model import symbols as S
    from symdyn.model.parse import parse_expression

    if isinstance(expr, str):
        return parse_expression(expr, {**S.BY_NAME, **{s.name: s for s in args}})
    if isinstance(expr, bool) or not isinstance(expr, (sp.Basic, int, float)):
        raise TypeError(f"expr must be a sympy expression, a number or a formula string, got {type(expr).__name__}")
    expr = sp.sympify(expr, strict=True)
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"expr must be an expression, got {type(expr).__name__}")
    return expr


def to_numpy(expr: sp.Expr, args: Sequence[sp.Symbol], *, log: bool = False,
             time: sp.Symbol | None = None,
             replace: Mapping[sp.Expr, sp.Symbol] | None = None) -> NumpyFunction:
    """Lower ``expr`` to a vectorised, overflow-safe float64 function of ``args``.

    ``expr`` may be a formula string, read by :func:`symdyn.model.parse.parse_expression` (never
    evaluated); ``args`` may be names (symdyn's symbols by their names, others real symbols).

    ``log=True`` returns ln expr (computed without forming expr; ``ValueError`` if the
    expression is not evidently positive). ``time`` is the swept variable whose growing
    exponentials are divided out (default: ``t`` or ``k`` if present). See the module
    docstring for the stages; the result is a :class:`NumpyFunction` whose ``expr`` is
    the stable form that was printed. ``replace`` maps subexpressions of the stable form
    to symbols in ``args`` that the caller computes more accurately (e.g. an exponent
    2δ − 2σt without cancellation); it is applied after stage 3. Call the result as
    ``f(*values, workers=None)`` (threads for large arrays; see :meth:`NumpyFunction.__call__`).
    """
    from symdyn.model import symbols as S

    args = _symbols(args)
    expr = _expression(expr, args)
    if time is None:
        time = S.k if S.k in expr.free_symbols and S.t not in expr.free_symbols else S.t
    stable = lowered_expr(expr, time, log)
    if replace:
        stable = stable.subs(dict(replace))
    missing = stable.free_symbols - set(args)
    if missing:
        raise ValueError(f"expression has symbols not in args: {', '.join(sorted(map(str, missing)))}")
    return NumpyFunction(args, stable, _build(args, stable))
