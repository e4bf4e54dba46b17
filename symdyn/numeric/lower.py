"""The boundary: a symdyn expression becomes a vectorised float64 numpy function.

:func:`to_numpy` is the one place where sympy meets float64. Its stages:

1. ``piecewise_fold`` lifts every Piecewise to the top.
2. Each branch is rewritten by :func:`~symdyn.numeric.stable.stabilize` (decaying
   exponentials, expm1/log1p/logaddexp).
3. ``log=True``: each branch becomes its :func:`~symdyn.numeric.stable.log_form` (ln f
   without forming f). ``log=False``: a branch with an exponential that can grow gets an
   overflow guard: it is evaluated directly where every growing exponent is ≤ 600
   (e^600 ≈ 4e260 leaves 47 decades for coefficients before overflow); elsewhere
   numerator and denominator are multiplied by e^{−a} for the one growing exponent a
   (a is then rounded once, inside a decaying exponential), or, if that is not possible,
   evaluated as exp(log_form), where the value is below ~e^{−600} anyway.
4. Lowering: each branch leaf is printed with sympy's NumPyPrinter after common
   subexpression elimination (``sympy.cse``, via ``lambdify(cse=True)``). Piecewise is
   lowered *lazily* with index masks: a condition is evaluated only where no earlier
   condition held and a branch only where it is selected, so a dead branch is never
   evaluated (sympy's own printer uses ``numpy.select``, which evaluates every branch
   and warns; sympy issues #15014, #28585).
5. Call: the arguments are checked finite and broadcast together (numpy rules; a size-1
   argument stays a 0-d operand), and the evaluation runs under
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

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from symdyn.numeric.domain import flatten
from symdyn.numeric.stable import _combine, log_form, stabilize

#: Growing exponents above this are evaluated through the log form (see step 3).
EXP_GUARD = 600
#: Points per evaluation block: 2^15 doubles = 256 kB per temporary, so the few live
#: temporaries of a generated expression stay in cache (passes over 10^6-point arrays
#: are memory-bound; measured ~30% faster for the L = 2 flow than whole arrays).
BLOCK = 1 << 15


def _safe_log(x: np.ndarray) -> np.ndarray:
    """ln x for x > 0, −inf at 0, NaN below 0 — without a floating-point warning."""
    x = np.asarray(x, dtype=np.float64)
    if x.size and x.min() > 0:  # the common case: one reduction, then a plain log
        return np.log(x)
    out = np.full(x.shape, -np.inf)
    np.log(x, out=out, where=x > 0)
    out[x < 0] = np.nan
    return out


class _Printer(NumPyPrinter):
    """NumPyPrinter with the warning-free log."""

    def _print_log(self, expr: sp.Expr) -> str:
        return f"_safe_log({self._print(expr.args[0])})"


def _leaf(args: Sequence[sp.Symbol], expr: sp.Expr) -> Callable:
    return sp.lambdify(args, expr, modules=[{"_safe_log": _safe_log}, "numpy"],
                       printer=_Printer, cse=True)


@dataclass(frozen=True)
class _Branches:
    """A lowered Piecewise: conditions and values, evaluated lazily on index sets."""

    conds: tuple[Callable, ...]
    values: tuple[object, ...]


def _build(args: Sequence[sp.Symbol], expr: sp.Expr) -> object:
    if isinstance(expr, sp.Piecewise):
        conds = tuple(_leaf(args, c) for _, c in expr.args)
        return _Branches(conds, tuple(_build(args, v) for v, _ in expr.args))
    return _leaf(args, expr)


def _select(arrays: tuple[np.ndarray, ...], sel: np.ndarray) -> tuple[np.ndarray, ...]:
    """The operands at the points ``sel`` (0-d operands are scalars and stay as they are)."""
    return tuple(a if a.ndim == 0 else a[sel] for a in arrays)


def _evaluate(node: object, arrays: tuple[np.ndarray, ...], n: int) -> np.ndarray:
    """``node`` at n points; each operand is 1-d of size n or 0-d (broadcast)."""
    if not isinstance(node, _Branches):
        value = node(*arrays)
        if (isinstance(value, np.ndarray) and value.shape == (n,) and value.dtype == np.float64
                and value.base is None):  # a fresh result (not a view of an input): no copy
            return value
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    out = None
    todo = None  # None: every point is still open (no index copy needed)
    for cond, value in zip(node.conds, node.values, strict=True):
        sub = arrays if todo is None else _select(arrays, todo)
        size = n if todo is None else todo.size
        if size == 0:
            break
        chosen = np.broadcast_to(np.asarray(cond(*sub), dtype=bool), (size,))
        if todo is None and chosen.all():  # fast path: one branch holds everywhere
            return _evaluate(value, arrays, n)
        if out is None:
            out = np.full(n, np.nan)
        idx = np.arange(n) if todo is None else todo
        take = idx[chosen]
        if take.size:
            out[take] = _evaluate(value, _select(sub, chosen), take.size)
        todo = idx[~chosen]
    return np.full(n, np.nan) if out is None else out


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

    def __call__(self, *values: object) -> np.ndarray:
        """The values at the given points; a ``ValueError`` (never a warning, nan or inf) where the
        expression is undefined there or its value is beyond float64."""
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
            out = self._call_validated(flat, shape)
        bad = ~np.isfinite(out)
        if np.any(bad):
            i = int(np.flatnonzero(np.ravel(bad))[0])
            point = ", ".join(f"{s.name}={float(np.broadcast_to(a, shape).ravel()[i])!r}"
                              for s, a in zip(self.args, arrays, strict=True))
            what = "undefined (outside its domain)" if np.isnan(np.ravel(out)[i]) else "beyond float64 (infinite)"
            raise ValueError(f"{self.expr} is {what} at {point or 'the point given'}")
        return out

    def _call_validated(self, flat: Sequence[np.ndarray], shape: tuple[int, ...],
                        prepare: Callable[..., tuple[np.ndarray, ...]] | None = None) -> np.ndarray:
        """The private fast path: operands already finite float64, as from
        :func:`~symdyn.numeric.domain.flatten` (0-d or 1-d of the broadcast size).

        ``prepare(*operands)``, if given, maps the operands to this function's ``args``
        (e.g. appends an accurate exponent); it runs per block, under the same error state.
        Points are evaluated in blocks of :data:`BLOCK` so that the temporaries of the
        generated expression stay in cache; every operation is elementwise, so blocking
        does not change a bit of the result.
        """
        n = math.prod(shape)
        flat = tuple(flat)
        with np.errstate(under="ignore"):
            if n <= BLOCK:
                out = _evaluate(self._node, prepare(*flat) if prepare else flat, n)
            else:
                out = np.empty(n)
                for start in range(0, n, BLOCK):
                    block = slice(start, start + BLOCK)
                    ops = tuple(a if a.ndim == 0 else a[block] for a in flat)
                    ops = prepare(*ops) if prepare else ops
                    out[block] = _evaluate(self._node, ops, min(BLOCK, n - start))
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
    2δ − 2σt without cancellation); it is applied after stage 3.
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
