"""symdyn's exact expression parser: text becomes a sympy expression, never Python.

A formula from a user (a TOML file, a CLI string) is read by Python's ``ast`` module in
``mode="eval"`` and the tree is walked with a whitelist; nothing is evaluated:

* numbers become exact ``Rational`` s: ``0.1`` is 1/10, ``1e-3`` is 1/1000 (read by
  :func:`symdyn.model.exact.decimal`: ASCII digits only, the exponent within the limit ``exponent``);
* operators: ``+ - * / **`` and unary ``+``/``-``; a numeric power is bounded by the same limit,
  so ``10**10**10`` is refused instead of computed;
* names: only those the caller passes in ``names`` (``lambda`` is accepted although it is a
  Python keyword: it is renamed to a placeholder before ``ast.parse``);
* calls: only :data:`FUNCTIONS` (``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``tanh``), by name,
  with positional arguments.

Anything else (attributes, subscripts, other calls, lambdas, comprehensions, strings,
comparisons, ...) is a one-line ``ValueError`` naming the offending piece.

>>> import sympy as sp
>>> x, lam = sp.Symbol("x"), sp.Symbol("lambda")
>>> parse_expression("lambda*x**2/2 - 0.1*x", {"x": x, "lambda": lam})
lambda*x**2/2 - x/10
>>> parse_expression("__import__('os')", {"x": x})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: expression "__import__('os')": call of '__import__' is not allowed (functions: cos, exp, ...)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy as sp

from symdyn.model.checks import LimitError, check_limit
from symdyn.model.exact import decimal

#: Functions a formula may call, by name.
FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh,
}

#: Bound on the size (bits) of a number computed by a power of number literals.
MAX_BITS = 100_000

#: Bound on the length of a formula (characters) and on the depth of its tree.
MAX_LENGTH = 10_000
MAX_DEPTH = 100

_PLACEHOLDER = "lambda__symdyn"
_LAMBDA = re.compile(r"\blambda\b")
#: A valid name of a symbol.
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _rename_lambda(text: str) -> str:
    """Replace the name ``lambda`` (a whole word) by a placeholder that ``ast`` accepts as a name."""
    return _LAMBDA.sub(_PLACEHOLDER, text)


class _Builder:
    """The whitelisted walk from an ``ast`` tree to a sympy expression."""

    def __init__(self, text: str, names: Mapping[str, sp.Basic], where: str):
        self.text, self.names, self.where = text, names, where

    def piece(self, node: ast.AST) -> str:
        src = ast.get_source_segment(self.text, node) or type(node).__name__
        return src.replace(_PLACEHOLDER, "lambda")

    def fail(self, node: ast.AST, why: str) -> ValueError:
        return ValueError(f"{self.where}: {why} (in {self.piece(node)!r})")

    def __call__(self, node: ast.AST, depth: int = 0) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise ValueError(f"{self.where}: the formula is nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.fail(node, f"{type(node.value).__name__} literals are not allowed")
            seg = ast.get_source_segment(self.text, node)
            return decimal(seg if seg is not None else repr(node.value), self.where)
        if isinstance(node, ast.Name):
            name = NAME.match(node.id) and ("lambda" if node.id == _PLACEHOLDER else node.id)
            if not name or name not in self.names:
                known = ", ".join(sorted(self.names)) or "none"
                raise ValueError(f"{self.where}: unknown symbol {name or node.id!r} (known: {known})")
            return self.names[name]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            x = self(node.operand, depth + 1)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise self.fail(node, f"{type(node).__name__} is not allowed (only numbers, names, + - * / ** "
                              "and calls of " + ", ".join(sorted(FUNCTIONS)) + ")")

    def _binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        ops = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
               ast.Div: lambda a, b: a / b, ast.Pow: None}
        kind = type(node.op)
        if kind not in ops:
            raise self.fail(node, f"the operator {type(node.op).__name__} is not allowed")
        left, right = self(node.left, depth + 1), self(node.right, depth + 1)
        if kind is ast.Div and right == 0:
            raise self.fail(node, "division by zero")
        if kind is ast.Pow:
            if right.is_Number:
                try:
                    check_limit("exponent", abs(right), "the exponent of a power")
                except LimitError as exc:
                    raise LimitError(str(self.fail(node, str(exc))), exc.name) from None
            if left == 0 and right.is_Number and right <= 0:
                raise self.fail(node, "0 to a power <= 0")
            if left.is_Rational and right.is_Number:
                bits = max(int(left.p).bit_length(), int(left.q).bit_length()) * abs(right)
                if bits > MAX_BITS:
                    raise self.fail(node, f"the number would have about {int(bits)} bits (limit {MAX_BITS})")
            return left**right
        return ops[kind](left, right)

    def _call(self, node: ast.Call, depth: int) -> sp.Expr:
        fname = node.func.id if isinstance(node.func, ast.Name) else None
        if fname not in FUNCTIONS:
            label = self.piece(node.func)
            raise ValueError(f"{self.where}: call of {label!r} is not allowed "
                             f"(functions: {', '.join(sorted(FUNCTIONS))})")
        if node.keywords or len(node.args) != 1 or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, f"{fname} takes exactly one positional argument")
        arg = self(node.args[0], depth + 1)
        if fname == "log" and arg.is_Number and arg <= 0:
            raise self.fail(node, "log of a number <= 0")
        return FUNCTIONS[fname](arg)


def parse_expression(text: object, names: Mapping[str, sp.Basic], where: str = "") -> sp.Expr:
    """Parse ``text`` into a sympy expression over the symbols ``names`` (by name), exactly.

    ``where`` names the input in messages (e.g. a TOML key). A ``ValueError`` names the
    offending piece. Numbers (int, ``Fraction``, sympy Rational) pass through exactly.
    """
    where = f"expression {text!r}" if not where else where
    if not isinstance(names, Mapping):
        raise TypeError(f"names must be a mapping from names to sympy symbols, got {type(names).__name__}")
    if isinstance(text, bool):
        raise ValueError(f"{where}: expected a formula, got {text!r}")
    if isinstance(text, (int, Fraction)) or (isinstance(text, sp.Basic) and text.is_Rational):
        return sp.Rational(text)
    if isinstance(text, sp.Basic):
        unknown = {s.name for s in text.free_symbols} - set(names)
        if unknown:
            raise ValueError(f"{where}: unknown symbol {sorted(unknown)[0]!r} (known: {', '.join(sorted(names))})")
        return text.subs({s: names[s.name] for s in text.free_symbols})
    if not isinstance(text, str):
        raise ValueError(f"{where}: expected a formula as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{where}: the formula is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ValueError(f"{where}: the formula is empty")
    if not text.isascii():
        raise ValueError(f"{where}: only ASCII characters are allowed in a formula")
    source = _rename_lambda(text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"{where}: not a formula ({exc.msg})") from None
    except (ValueError, MemoryError, RecursionError):
        raise ValueError(f"{where}: not a formula") from None
    return sp.sympify(_Builder(source, names, where)(tree.body))
