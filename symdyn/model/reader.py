"""A safe reader of sympy ``srepr`` text: the tree is parsed and rebuilt from a whitelist, never evaluated.

``sympy.sympify(text)`` runs ``eval`` on the text, so a JSON file with
``"srepr": "__import__('os').system(...)"`` would run a command. :func:`read_srepr` reads the
same text with Python's ``ast`` module (``mode="eval"``) and builds the expression itself:

* a call is allowed only of a sympy class or function named in :data:`CONSTRUCTORS`
  (``Symbol``, ``Integer``, ``Add``, ``Piecewise``, ``hyper``, ...), with positional arguments;
  ``Symbol``/``Dummy``/``Function`` take a name string and boolean assumption keywords,
  ``Float`` a decimal string and ``precision=`` (bits, bounded);
* a bare name only of a sympy constant in :data:`CONSTANTS` (``pi``, ``oo``, ``true``, ...);
* literals: ints (a unary minus allowed) and strings (only where a name or a decimal is expected);
* sizes are bounded before anything is built: the text (:data:`MAX_LENGTH`), the depth of the
  tree (:data:`MAX_DEPTH`), a power of numbers (:data:`MAX_BITS`), a float's precision.

Anything else (attributes, subscripts, lambdas, other names, keyword arguments that are not
assumptions) is a one-line ``ValueError`` that names the piece.

>>> import sympy as sp
>>> x = sp.Symbol("x", positive=True)
>>> e = read_srepr(sp.srepr(sp.Piecewise((x**2 / 3, x < 1), (sp.exp(-x), True))))
>>> e == sp.Piecewise((x**2 / 3, x < 1), (sp.exp(-x), True)), next(iter(e.free_symbols)).is_positive
(True, True)
>>> read_srepr("__import__('os').system('echo hi')")
Traceback (most recent call last):
...
ValueError: srepr: call of "__import__('os').system" is not allowed (not a sympy constructor symdyn reads)
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import sympy as sp
from sympy.core.assumptions import _assume_defined

#: Bound on the length of an srepr text (characters): the largest symdyn writes is ~10^5.
MAX_LENGTH = 5_000_000

#: Bound on the nesting depth of the tree (sympy's own constructors recurse on it).
MAX_DEPTH = 400

#: Bound on the size (bits) of a number a power of numbers would compute, and on a Float's precision.
MAX_BITS = 100_000

#: The sympy classes and functions a text may call, by the name ``srepr`` prints. Functions that
#: evaluate numbers on construction (``factorial``, ``gamma``, ``floor``, ...) are left out on purpose.
CONSTRUCTORS: dict[str, Callable[..., sp.Basic]] = {
    # numbers and atoms
    "Integer": sp.Integer, "Rational": sp.Rational, "Float": sp.Float, "Symbol": sp.Symbol, "Dummy": sp.Dummy,
    # arithmetic and containers
    "Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow, "Tuple": sp.Tuple,
    # conditions and Piecewise
    "Piecewise": sp.Piecewise, "ExprCondPair": sp.functions.elementary.piecewise.ExprCondPair,
    "Equality": sp.Eq, "Unequality": sp.Ne, "StrictLessThan": sp.StrictLessThan, "LessThan": sp.LessThan,
    "StrictGreaterThan": sp.StrictGreaterThan, "GreaterThan": sp.GreaterThan,
    "And": sp.And, "Or": sp.Or, "Not": sp.Not,
    # elementary and special functions of the derivations
    "exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh,
    "cosh": sp.cosh, "tanh": sp.tanh, "atan": sp.atan, "asinh": sp.asinh, "atanh": sp.atanh,
    "Abs": sp.Abs, "sign": sp.sign, "Max": sp.Max, "Min": sp.Min, "LambertW": sp.LambertW, "hyper": sp.hyper,
}

#: The constants a text may name (as ``srepr`` prints them).
CONSTANTS: dict[str, sp.Basic] = {
    "pi": sp.pi, "E": sp.E, "I": sp.I, "oo": sp.oo, "zoo": sp.zoo, "nan": sp.nan,
    "EulerGamma": sp.EulerGamma, "true": sp.true, "false": sp.false,
}

#: Constructors that take a name (string) first, and the keywords each accepts.
_NAMED = {"Symbol", "Dummy", "Function"}
_ASSUMPTIONS = frozenset(_assume_defined)


def _fail(where: str, why: str) -> ValueError:
    return ValueError(f"{where}: {why}")


class _Reader:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where

    def piece(self, node: ast.AST) -> str:
        src = ast.get_source_segment(self.text, node) or type(node).__name__
        return src if len(src) <= 60 else src[:57] + "..."

    def __call__(self, node: ast.AST, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            raise _fail(self.where, f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant) and type(node.value) in (int, str):
            return node.value
        if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
                and isinstance(node.operand, ast.Constant) and type(node.operand.value) is int):
            return -node.operand.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Name):
            return -self._constant(node.operand)
        if isinstance(node, ast.Name):
            return self._constant(node)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise _fail(self.where, f"{type(node).__name__} is not allowed (in {self.piece(node)!r}); "
                                "only sympy constructors, constants, ints and strings")

    def _constant(self, node: ast.Name) -> sp.Basic:
        if node.id not in CONSTANTS:
            raise _fail(self.where, f"unknown name {node.id!r} (constants: {', '.join(sorted(CONSTANTS))})")
        return CONSTANTS[node.id]

    def _call(self, node: ast.Call, depth: int) -> sp.Basic:
        if isinstance(node.func, ast.Call):  # Function('f')(args): an undefined function applied
            f = self._call(node.func, depth + 1)
            if not isinstance(f, sp.core.function.UndefinedFunction):
                raise _fail(self.where, f"only an undefined Function can be applied (in {self.piece(node)!r})")
            return f(*self._args(node, depth))
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in CONSTRUCTORS and name != "Function":
            raise _fail(self.where, f"call of {self.piece(node.func)!r} is not allowed "
                                    "(not a sympy constructor symdyn reads)")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _fail(self.where, f"starred arguments are not allowed (in {self.piece(node)!r})")
        if name in _NAMED:
            return self._named(node, name)
        if name == "Float":
            return self._float(node)
        if node.keywords:
            raise _fail(self.where, f"{name} takes no keyword arguments (in {self.piece(node)!r})")
        args = self._args(node, depth)
        if name in ("Integer", "Rational"):
            if not all(type(a) is int for a in args) or not 1 <= len(args) <= (1 if name == "Integer" else 2):
                raise _fail(self.where, f"{name} takes {'one int' if name == 'Integer' else 'one or two ints'} "
                                        f"(in {self.piece(node)!r})")
            return CONSTRUCTORS[name](*args)
        if any(not isinstance(a, sp.Basic) for a in args):
            raise _fail(self.where, f"{name} takes sympy arguments, not literals (in {self.piece(node)!r})")
        if name == "Pow":
            self._check_power(node, *args)
        try:
            return CONSTRUCTORS[name](*args)
        except (TypeError, ValueError, AttributeError) as exc:
            raise _fail(self.where, f"{name} cannot be built from these arguments "
                                    f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None

    def _args(self, node: ast.Call, depth: int) -> list:
        return [self(a, depth + 1) for a in node.args]

    def _named(self, node: ast.Call, name: str) -> sp.Basic:
        if len(node.args) != 1 or not (isinstance(node.args[0], ast.Constant) and type(node.args[0].value) is str):
            raise _fail(self.where, f"{name} takes one name string (in {self.piece(node)!r})")
        kwargs = {}
        for kw in node.keywords:
            if name == "Dummy" and kw.arg == "dummy_index" and isinstance(kw.value, ast.Constant) \
                    and type(kw.value.value) is int:
                continue  # a fresh Dummy is made; its index is process-local
            if kw.arg not in _ASSUMPTIONS or not (isinstance(kw.value, ast.Constant)
                                                  and type(kw.value.value) is bool):
                raise _fail(self.where, f"{name} takes assumption keywords with True/False only "
                                        f"(in {self.piece(node)!r})")
            kwargs[kw.arg] = kw.value.value
        try:
            return (sp.Function if name == "Function" else CONSTRUCTORS[name])(node.args[0].value, **kwargs)
        except (ValueError, TypeError):  # inconsistent assumptions
            raise _fail(self.where, f"{name}: inconsistent assumptions (in {self.piece(node)!r})") from None

    def _float(self, node: ast.Call) -> sp.Float:
        ok = len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and type(node.args[0].value) is str
        prec = None
        for kw in node.keywords:
            if kw.arg != "precision" or not (isinstance(kw.value, ast.Constant) and type(kw.value.value) is int):
                ok = False
            else:
                prec = kw.value.value
        if not ok:
            raise _fail(self.where, f"Float takes a decimal string and precision=BITS (in {self.piece(node)!r})")
        if prec is not None and not 1 <= prec <= MAX_BITS:
            raise _fail(self.where, f"Float precision must be in [1, {MAX_BITS}] bits, got {prec}")
        text = node.args[0].value
        if len(text) > 200 or not text.isascii():
            raise _fail(self.where, f"Float takes a short decimal string (in {self.piece(node)!r})")
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and (not exponent.lstrip("+-").isdigit() or len(exponent) > 7):
            raise _fail(self.where, f"Float exponent out of range (in {self.piece(node)!r})")
        try:
            return sp.Float(text, precision=prec) if prec is not None else sp.Float(text)
        except ValueError:
            raise _fail(self.where, f"not a decimal number: {text!r}") from None

    def _check_power(self, node: ast.Call, base: sp.Basic, exp: sp.Basic) -> None:
        """Refuse a power of numbers that would compute a huge number (``Pow(10, 10**9)``)."""
        if not (base.is_Rational and exp.is_Rational) or base in (0, 1, -1):
            return
        size = max(int(base.p).bit_length(), int(base.q).bit_length()) * abs(exp)
        if size > MAX_BITS:
            raise _fail(self.where, f"the power would have more than {MAX_BITS} bits (in {self.piece(node)!r})")


def read_srepr(text: object, where: str = "srepr") -> sp.Basic:
    """The sympy expression printed by ``srepr`` as ``text``, rebuilt without evaluating any code.

    ``where`` names the input in messages. Raises a one-line ``ValueError`` for anything outside
    the whitelist and a ``TypeError`` when ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected an srepr string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise _fail(where, f"the text is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise _fail(where, "the text is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        why = "an integer literal is too long" if "digits" in exc.msg else exc.msg
        raise _fail(where, f"not an srepr expression ({why})") from None
    except (ValueError, MemoryError, RecursionError):
        raise _fail(where, "not an srepr expression (too large or nested too deeply)") from None
    try:
        out = _Reader(text.strip(), where)(tree.body)
    except RecursionError:
        raise _fail(where, "the expression is nested too deeply") from None
    if not isinstance(out, sp.Basic):
        raise _fail(where, f"expected a sympy expression, got a {type(out).__name__} literal")
    return out
