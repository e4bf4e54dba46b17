"""In-place kernels: a sympy expression becomes straight-line numpy code that writes into reused buffers.

``sympy.lambdify`` prints ``a*b + c`` as numpy expressions, and every operation allocates its
result. :func:`compile_kernel` prints the same arithmetic as one ufunc call per operation with
``out=`` registers taken from a :class:`~symdyn.numeric.workspace.Workspace`, so a block of
points is evaluated without allocating (see workspace.py for what allocation costs).

Stages, for one operand pattern (which arguments are arrays; the others are 0-d):

1. ``sympy.cse`` (as ``lambdify(cse=True)`` does).
2. Each node becomes one numpy call, in the order the NumPy printer prints it: an Add is summed
   left to right over ``as_ordered_terms()`` (a term with a minus sign is subtracted), a Mul is
   coefficient · numerator factors / denominator factors. A node whose operands are all 0-d
   is computed as a numpy scalar, once (a sweep over t at fixed σ, λ, δ hoists δ-only work).
3. Registers by linear scan: an array value takes the register of an operand that dies at
   that operation (in-place ufunc), else a free one; the last operation writes into the
   caller's output.

Every operation is elementwise and the same ufunc on the same operands, so a kernel returns
the bits the lambdified expression returns, whatever the block (tests/test_numeric_threads.py).
Unsupported nodes raise :class:`Unsupported`; the caller then lambdifies instead.

>>> import sympy as sp
>>> from symdyn.numeric.workspace import Workspace
>>> x, y = sp.symbols("x y")
>>> k = compile_kernel((x, y), sp.exp(-x) * y + 1, (True, False))
>>> out = np.empty(3)
>>> k(np.array([0.0, 1.0, 800.0]), np.array(2.0), out, Workspace(3))
>>> out.tolist()
[3.0, 1.7357588823428847, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.codegen.numpy_nodes import logaddexp
from sympy.core.mul import _keep_coeff

from symdyn.numeric.stable import ScaleDown, ScaleUp
from symdyn.numeric.workspace import Workspace

#: exp(x) is a normal double for x >= ln(2^-1022) = -708.396; below, numpy's SIMD exp takes a slow
#: path (~6x the time where the result underflows to 0, ~50x where it is subnormal).
_EXP_NORMAL = -708.0
#: exp(x) rounds to 0 for x < ln(2^-1075) = -745.133 (round to nearest even at half the smallest subnormal).
_EXP_ZERO = -745.2


class Unsupported(ValueError):
    """The expression has a node the kernel printer does not lower (the caller lambdifies it)."""


def safe_exp(x: object, out: np.ndarray | None = None) -> object:
    """np.exp(x), bit for bit, without numpy's slow path on many lanes that underflow.

    numpy's SIMD exp is ~6x slower on a vector with a lane below −708 (the result
    underflows). Where more than 1/16 of the lanes do, exp runs on the others only (index
    set: those ≥ −745.2, subnormal results included) and the rest are 0, which is what
    np.exp returns there.
    """
    if out is None or np.ndim(x) == 0:
        return np.exp(x)
    if x.size == 0 or x.min() >= _EXP_NORMAL:
        return np.exp(x, out=out)
    keep = np.greater_equal(x, _EXP_NORMAL)
    if np.count_nonzero(keep) > x.size - x.size // 16:  # a few slow vectors cost less than the index set
        return np.exp(x, out=out)
    idx = np.flatnonzero(np.greater_equal(x, _EXP_ZERO, out=keep))
    lanes = np.exp(x[idx])  # gather before out is written (out may be x)
    out.fill(0.0)
    out[idx] = lanes
    return out


def safe_log(x: object, out: np.ndarray | None = None) -> object:
    """ln x for x > 0, −inf at 0, NaN below 0 — without a floating-point warning.

    Writes into ``out`` and returns it (without ``out``: a new array, or a scalar for 0-d x).
    """
    x = np.asarray(x, dtype=np.float64)
    if out is None:
        return safe_log(x, np.empty(x.shape))[()]
    if x.size and x.min() > 0:  # the common case: one reduction, then a plain log
        return np.log(x, out=out)
    positive = x > 0
    negative = x < 0
    np.log(x, out=out, where=positive)
    np.copyto(out, -np.inf, where=~positive)
    np.copyto(out, np.nan, where=negative)
    return out


def scale_down(a: object, u: object, out: np.ndarray | None = None) -> object:
    """e^{−max(a, 0)} given u = e^{−|a|} ∈ [0, 1]: u where a > 0, else 1 (= max(u, [a ≤ 0]), exactly)."""
    if out is None or np.may_share_memory(out, u):
        return np.maximum(u, np.less_equal(a, 0.0), out=out)
    return np.maximum(u, np.less_equal(a, 0.0, out=out), out=out)  # the 0/1 mask written as doubles


def scale_up(a: object, u: object, out: np.ndarray | None = None) -> object:
    """e^{min(a, 0)} given u = e^{−|a|} ∈ [0, 1]: u where a < 0, else 1 (= max(u, [a ≥ 0]), exactly)."""
    if out is None or np.may_share_memory(out, u):
        return np.maximum(u, np.greater_equal(a, 0.0), out=out)
    return np.maximum(u, np.greater_equal(a, 0.0, out=out), out=out)


def decay(a: object, out: np.ndarray | None = None) -> object:
    """e^{−|a|} (≤ 1, never overflows)."""
    if out is None:
        return np.exp(-np.abs(a))
    np.abs(a, out=out)
    np.negative(out, out=out)
    return safe_exp(out, out)


#: sympy function → (printed name, numpy callable taking out=).
_FUNCTIONS: dict[type, tuple[str, Callable]] = {
    sp.exp: ("safe_exp", safe_exp),
    sp.log: ("safe_log", safe_log),
    expm1: ("expm1", np.expm1),
    log1p: ("log1p", np.log1p),
    logaddexp: ("logaddexp", np.logaddexp),
    sp.Abs: ("absolute", np.absolute),
    sp.sin: ("sin", np.sin),
    sp.cos: ("cos", np.cos),
    sp.tanh: ("tanh", np.tanh),
}


@dataclass
class _Program:
    """Operations ``(target, name, operands)``; a value is ``('arg', i)``, ``('const', c)`` or
    ``('tmp', j)`` with ``array[j]`` telling whether temporary j is an array."""

    arrays: tuple[bool, ...]
    ops: list[tuple[int, str, tuple[tuple, ...]]] = field(default_factory=list)
    array: list[bool] = field(default_factory=list)
    memo: dict[sp.Expr, tuple] = field(default_factory=dict)

    def is_array(self, v: tuple) -> bool:
        return (v[0] == "arg" and self.arrays[v[1]]) or (v[0] == "tmp" and self.array[v[1]])

    def emit(self, name: str, *operands: tuple) -> tuple:
        self.array.append(any(self.is_array(v) for v in operands))
        self.ops.append((len(self.array) - 1, name, operands))
        return ("tmp", len(self.array) - 1)


def _value(prog: _Program, expr: sp.Expr) -> tuple:
    if expr in prog.memo:
        return prog.memo[expr]
    v = _lower(prog, expr)
    prog.memo[expr] = v
    return v


def _lower(prog: _Program, expr: sp.Expr) -> tuple:
    if expr.is_Number or isinstance(expr, sp.NumberSymbol):
        return ("const", float(expr))
    if isinstance(expr, sp.Add):
        terms = expr.as_ordered_terms()
        first, second = _unsigned(terms[0]), _unsigned(terms[1])
        if first is not None and second is None:  # −a + b: the same bits as b − a, one pass fewer
            acc = prog.emit("subtract", _value(prog, terms[1]), _value(prog, first))
            terms = terms[1:]
        else:
            acc = _value(prog, terms[0])
        for term in terms[1:]:
            positive = _unsigned(term)
            if positive is not None:
                acc = prog.emit("subtract", acc, _value(prog, positive))
            else:
                acc = prog.emit("add", acc, _value(prog, term))
        return acc
    if isinstance(expr, sp.Mul):
        return _lower_mul(prog, expr)
    if isinstance(expr, sp.Pow):
        return _lower_pow(prog, expr)
    if isinstance(expr, (ScaleDown, ScaleUp)):
        a = _value(prog, expr.args[0])
        key = ("decay", expr.args[0])  # e^{-|a|}, shared by the pair
        if key not in prog.memo:
            prog.memo[key] = prog.emit("decay", a)
        return prog.emit("scale_down" if isinstance(expr, ScaleDown) else "scale_up", a, prog.memo[key])
    if isinstance(expr, (sp.Max, sp.Min)):
        name = "maximum" if isinstance(expr, sp.Max) else "minimum"
        args = [_value(prog, a) for a in expr.args]
        acc = args[0]
        for a in args[1:]:
            acc = prog.emit(name, acc, a)
        return acc
    for cls, (name, _) in _FUNCTIONS.items():
        if type(expr) is cls:
            return prog.emit(name, *[_value(prog, a) for a in expr.args])
    raise Unsupported(f"no kernel lowering for {type(expr).__name__}")


def _unsigned(term: sp.Expr) -> sp.Expr | None:
    """|term| if the printer writes term with a leading minus (a negative number or coefficient)."""
    if term.is_Number:
        return -term if term < 0 else None
    if term.is_Mul:
        c, rest = term.as_coeff_Mul()
        return _keep_coeff(-c, rest) if c < 0 else None
    return None


def _lower_mul(prog: _Program, expr: sp.Mul) -> tuple:
    c, rest = expr.as_coeff_Mul()
    if c == -1:  # printed as "-a*b": the sign of the product
        return prog.emit("negative", _value(prog, rest))
    num, den = [], []
    for f in rest.as_ordered_factors():
        if isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp.is_negative:
            den.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp))
        else:
            num.append(f)
    # a coefficient c ≠ ±1 leads (printed "-2*a*b" = (−2·a)·b, the same bits as −((2·a)·b))
    acc = None if c == 1 else ("const", float(c))
    for f in num:
        v = _value(prog, f)
        acc = v if acc is None else prog.emit("multiply", acc, v)
    if den:
        d = _value(prog, den[0])
        for f in den[1:]:
            d = prog.emit("multiply", d, _value(prog, f))
        acc = prog.emit("divide", ("const", 1.0) if acc is None else acc, d)
    return acc


def _lower_pow(prog: _Program, expr: sp.Pow) -> tuple:
    base, e = expr.args
    b = _value(prog, base)
    if e == -1:
        return prog.emit("divide", ("const", 1.0), b)
    if e == 2:
        return prog.emit("multiply", b, b)
    if e == sp.Rational(1, 2):
        return prog.emit("sqrt", b)
    return prog.emit("power", b, _value(prog, e))


def _source(prog: _Program, result: tuple, n_args: int) -> tuple[str, int]:
    """Python source of the kernel and its number of registers (linear-scan allocation)."""
    last = {}
    for i, (_, _, operands) in enumerate(prog.ops):
        for v in operands:
            if v[0] == "tmp":
                last[v[1]] = i
    if result[0] == "tmp":
        last[result[1]] = len(prog.ops)
    names = [f"a{i}" for i in range(n_args)]

    def ref(v: tuple) -> str:
        return names[v[1]] if v[0] == "arg" else repr(v[1]) if v[0] == "const" else f"v{v[1]}"

    reg_of: dict[int, int] = {}
    free: list[int] = []
    n_regs = 0
    lines = []
    final_op = None  # the operation that writes the result straight into out
    if result[0] == "tmp" and prog.array[result[1]] and prog.ops[-1][0] == result[1]:
        final_op = len(prog.ops) - 1
    for i, (target, name, operands) in enumerate(prog.ops):
        args = ", ".join(ref(v) for v in operands)
        if not prog.array[target]:
            lines.append(f"v{target} = {name}({args})")
        else:
            dying = list(dict.fromkeys(  # an operand used twice (x*x) dies once
                v[1] for v in operands if v[0] == "tmp" and last.get(v[1]) == i and v[1] in reg_of))
            if i == final_op:
                dest = "out"
            else:
                if dying:
                    r = reg_of[dying[0]]
                    dying = dying[1:]
                elif free:
                    r = free.pop()
                else:
                    r, n_regs = n_regs, n_regs + 1
                reg_of[target] = r
                dest = f"r{r}"
            lines.append(f"v{target} = {name}({args}, out={dest})")
            free.extend(reg_of[j] for j in dying)
    if final_op is None:
        lines.append(f"out[...] = {ref(result)}")
    regs = "".join(f"    r{j} = work.buffer(('kernel', {j}), m)\n" for j in range(n_regs))
    body = "".join(f"    {line}\n" for line in lines)
    src = f"def kernel({', '.join(names + ['out', 'work'])}):\n    m = out.shape[0]\n{regs}{body}"
    return src, n_regs


_NAMESPACE = {
    **{name: getattr(np, name) for name in (
        "add", "subtract", "multiply", "divide", "negative", "sqrt", "power", "maximum", "minimum")},
    **{name: f for name, f in _FUNCTIONS.values()},
    "scale_down": scale_down, "scale_up": scale_up, "decay": decay,
}


def compile_kernel(args: Sequence[sp.Symbol], expr: sp.Expr, arrays: Sequence[bool],
                   cse: tuple | None = None) -> Callable:
    """``kernel(*operands, out, work)``: ``expr`` at the operands, written into ``out`` (1-d).

    ``arrays[i]`` says whether operand i is an array of out's length (else 0-d); ``cse`` is
    ``sympy.cse([expr])`` if already computed. Raises :class:`Unsupported` for a node it
    cannot lower.
    """
    replacements, (reduced,) = sp.cse([expr]) if cse is None else cse
    prog = _Program(tuple(arrays))
    for i, a in enumerate(args):
        prog.memo[a] = ("arg", i)
    for sym, sub in replacements:
        prog.memo[sym] = _value(prog, sub)
    result = _value(prog, reduced)
    src, _ = _source(prog, result, len(args))
    namespace = dict(_NAMESPACE)
    exec(compile(src, "<symdyn kernel>", "exec"), namespace)  # source generated above, from our own tree
    kernel = namespace["kernel"]
    kernel.source = src
    return kernel


class Kernels:
    """The kernels of one expression, compiled on first use for each operand pattern.

    ``Kernels(args, expr)(operands, out, work)`` writes expr at the operands (each 0-d or 1-d
    of out's length) into out. The CSE runs once, here; :class:`Unsupported` is raised here
    too, so the caller knows at construction whether to lambdify instead.
    """

    def __init__(self, args: Sequence[sp.Symbol], expr: sp.Expr) -> None:
        self.args = tuple(args)
        self._cse = sp.cse([expr])
        self._compiled: dict[tuple[bool, ...], Callable] = {}
        self._compiled[(True,) * len(self.args)] = compile_kernel(self.args, expr, (True,) * len(self.args),
                                                                  self._cse)
        self._expr = expr

    def __call__(self, operands: Sequence[np.ndarray], out: np.ndarray, work: Workspace) -> None:
        pattern = tuple(a.ndim != 0 for a in operands)
        kernel = self._compiled.get(pattern)
        if kernel is None:  # a benign race between workers compiles the same source twice
            kernel = self._compiled[pattern] = compile_kernel(self.args, self._expr, pattern, self._cse)
        kernel(*operands, out, work)
