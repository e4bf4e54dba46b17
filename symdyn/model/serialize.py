"""Expressions as data: the srepr + LaTeX convention of the CLI contract, read back without ``eval``.

Every expression leaves symdyn twice: as ``srepr`` (symbol assumptions included) and as LaTeX
(:mod:`symdyn.model.printing`, the printer of the formula sheet). :func:`read_srepr` reads an
``srepr`` string back by walking its ``ast`` tree over a whitelist of sympy classes
(:data:`CLASSES`, :data:`CONSTANTS`); nothing is evaluated as Python and no string reaches
``sympify``. sympy's canonical form is rebuilt (so the expression compares equal to the one written);
relations and their conjunctions stay unevaluated as written (a hypothesis ``η > 0`` stays a relation),
and a power of numbers too large to compute (``Pow(Integer(10), Integer(10**9))``) is refused.

>>> from symdyn.model import symbols as S
>>> d = expr_json(2 * S.w * (S.sigma - S.lam * S.w))
>>> read_srepr(d["srepr"]) == 2 * S.w * (S.sigma - S.lam * S.w)
True
>>> d["latex"]
'2 w \\\\left(\\\\sigma - \\\\lambda w\\\\right)'
>>> read_srepr("__import__('os')")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: srepr: '__import__' is not a sympy class symdyn reads (see symdyn.model.serialize.CLASSES)

:func:`dumps` / :func:`loads` wrap a result's payload with the header every ``to_json`` writes
(``{"symdyn": version, "type": ..., ...}``) and check it on the way back.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping

import sympy
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.printing.repr import ReprPrinter

from symdyn.model.parse import parse_expression
from symdyn.model.printing import latex

#: The sympy classes an srepr may name (what symdyn's results contain, and the elementary functions).
CLASSES: frozenset[str] = frozenset("""
    Symbol Dummy Integer Rational Float Add Mul Pow exp log sqrt Abs sign floor ceiling Max Min
    sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh LambertW
    erf erfc hyper Tuple Piecewise ExprCondPair Equality Unequality StrictLessThan LessThan
    StrictGreaterThan GreaterThan And Or Not Interval Union FiniteSet Lambda Derivative Integral
    Function Heaviside re im
""".split())

#: Singletons an srepr prints by name.
CONSTANTS: dict[str, sympy.Basic] = {
    "oo": sympy.oo, "zoo": sympy.zoo, "nan": sympy.nan, "pi": sympy.pi, "E": sympy.E, "I": sympy.I,
    "true": sympy.true, "false": sympy.false, "EmptySet": sympy.EmptySet, "Reals": sympy.Reals,
    "EulerGamma": sympy.EulerGamma, "Catalan": sympy.Catalan, "GoldenRatio": sympy.GoldenRatio,
}

#: Bound on the length of an srepr (characters) and on the depth of its tree.
MAX_LENGTH = 5_000_000
MAX_DEPTH = 400

#: Bound on the size (bits) of a power of numbers the reader lets sympy compute.
MAX_BITS = 100_000

#: Built as written (``evaluate=False``): relations and logic, which assumptions could otherwise decide.
_AS_WRITTEN = frozenset("Equality Unequality StrictLessThan LessThan StrictGreaterThan GreaterThan And Or Not".split())

#: Classes that take a name (a string) as their first argument, and the keyword arguments each accepts.
_NAMED = {"Symbol": bool, "Dummy": (bool, int), "Function": bool}
_NAME = re.compile(r"^[A-Za-z_{}\\^0-9 ,.*+\-']{1,200}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,6})?$")


class _ReprPrinter(ReprPrinter):
    """``srepr`` that round-trips hypergeometric functions.

    sympy prints the parameter tuples of ``hyper`` as ``TupleArg(...)``, which no sympy class
    rebuilds; printing them as ``Tuple(...)`` gives the same object.
    """

    def _print_TupleArg(self, expr):  # noqa: N802 (sympy's printer protocol)
        return "Tuple({})".format(self.reprify(expr.args, ", "))


def srepr(expr: sympy.Basic) -> str:
    return _ReprPrinter().doprint(expr)


def expr_json(expr: sympy.Basic) -> dict[str, str]:
    """``{"srepr": …, "latex": …, "text": …}`` for one expression (LaTeX by symdyn's printer)."""
    if isinstance(expr, str):
        raise TypeError("expr_json takes a sympy expression, not a string (parse it first)")
    expr = sympy.sympify(expr, strict=True)
    return {"srepr": srepr(expr), "latex": latex(expr), "text": sympy.sstr(expr)}


def from_json(d: Mapping[str, str]) -> sympy.Basic:
    """Rebuild an expression from its ``srepr`` (inverse of :func:`expr_json`), without evaluating Python."""
    if not isinstance(d, Mapping):
        raise TypeError(f"from_json expects a dict with an 'srepr' string, got {type(d).__name__}")
    if not isinstance(d.get("srepr"), str):
        raise ValueError("an expression in JSON is an object with an 'srepr' string")
    return read_srepr(d["srepr"])


def read_srepr(text: str) -> sympy.Basic:
    """The sympy expression an ``srepr`` string describes, read by an ``ast`` walk over :data:`CLASSES`.

    A one-line ``ValueError`` names what is not allowed (an unknown name, an attribute, a string
    where none belongs, a tree deeper than :data:`MAX_DEPTH`, ...).
    """
    if not isinstance(text, str):
        raise TypeError(f"srepr must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"srepr is {len(text)} characters long, above the limit {MAX_LENGTH}")
    if re.search(r"\d{4000}", text):   # Python refuses such literals itself, with a message about its own limit
        raise ValueError("srepr: an integer literal has 4000 digits or more")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ValueError(f"srepr is not a sympy srepr: {type(exc).__name__}: {exc}") from None
    try:
        return _node(tree.body, 0)
    except RecursionError:
        raise ValueError(f"srepr is nested deeper than {MAX_DEPTH}") from None
    except (TypeError, AttributeError, ArithmeticError) as exc:
        raise ValueError(f"srepr: sympy could not rebuild it: {exc}") from None
    except ValueError as exc:
        if str(exc).startswith("srepr"):
            raise
        raise ValueError("srepr: sympy could not rebuild it (a number in it is too large)") from None


def _node(node: ast.AST, depth: int) -> object:
    if depth > MAX_DEPTH:
        raise ValueError(f"srepr is nested deeper than {MAX_DEPTH}")
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise ValueError(f"srepr: name {node.id!r} is not a sympy constant symdyn reads")
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, int) and not isinstance(value, bool):
            return -value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Name)
            and node.operand.id in CONSTANTS):   # -oo, -pi, ... as sympy prints them
        return -CONSTANTS[node.operand.id]
    if isinstance(node, ast.Call):
        return _call(node, depth)
    raise ValueError(f"srepr: {type(node).__name__} {ast.unparse(node)[:40]!r} is not allowed")


def _call(node: ast.Call, depth: int) -> sympy.Basic:
    func = node.func
    if isinstance(func, ast.Call):  # Function('f')(x): an undefined function applied
        f = _call(func, depth + 1)
        if not isinstance(f, sympy.core.function.UndefinedFunction):
            raise ValueError("srepr: only Function('name') may be applied to arguments")
        return f(*(_node(a, depth + 1) for a in node.args))
    if not isinstance(func, ast.Name):
        raise ValueError(f"srepr: {ast.unparse(func)[:40]!r} is not allowed (no attributes)")
    name = func.id
    if name not in CLASSES:
        raise ValueError(f"srepr: {name!r} is not a sympy class symdyn reads (see symdyn.model.serialize.CLASSES)")
    if name in _NAMED:
        return _named(name, node)
    if name == "Float":
        return _float(node)
    if node.keywords:
        raise ValueError(f"srepr: {name} takes no keyword arguments here")
    args = [_node(a, depth + 1) for a in node.args]
    if name in ("Integer", "Rational"):
        if not all(isinstance(a, int) for a in args):
            raise ValueError(f"srepr: {name} takes integers")
    elif not all(isinstance(a, sympy.Basic) for a in args):
        raise ValueError(f"srepr: {name} takes sympy arguments (a bare integer belongs in Integer(...))")
    if name == "Pow":
        _check_power(*args)
    cls = ExprCondPair if name == "ExprCondPair" else getattr(sympy, name)
    if name in _AS_WRITTEN:
        return cls(*args, evaluate=False)
    return cls(*args)


def _check_power(base: sympy.Basic, exp: sympy.Basic = sympy.S.One, *rest: object) -> None:
    """Refuse a power of rationals whose value would have more than :data:`MAX_BITS` bits."""
    if base.is_Rational and exp.is_Rational and base not in (0, 1, -1):
        size = max(abs(int(base.p)).bit_length(), int(base.q).bit_length())
        if abs(exp) * size > MAX_BITS:
            raise ValueError(f"srepr: the power {sympy.sstr(base)[:20]}**{sympy.sstr(exp)[:20]} "
                             "is too large to compute")


def _named(name: str, node: ast.Call) -> sympy.Basic:
    """Symbol('x', positive=True), Dummy('x', dummy_index=3), Function('f'): a name and flags, nothing else."""
    if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        raise ValueError(f"srepr: {name} takes one name")
    label = node.args[0].value
    if not _NAME.match(label):
        raise ValueError(f"srepr: {name} name {label[:40]!r} is not allowed")
    kw = {}
    for k in node.keywords:
        if k.arg is None or not isinstance(k.value, ast.Constant):
            raise ValueError(f"srepr: {name} takes assumptions as name=True/False")
        value = k.value.value
        allowed = _NAMED[name]
        if not isinstance(value, allowed) or (k.arg != "dummy_index" and not isinstance(value, bool)):
            raise ValueError(f"srepr: {name} assumption {k.arg}={value!r} is not allowed")
        kw[k.arg] = value
    try:
        return getattr(sympy, name)(label, **kw)
    except Exception as exc:  # sympy's InconsistentAssumptions prints the whole table: one line here
        raise ValueError(f"srepr: {name}({label!r}) has inconsistent assumptions ({type(exc).__name__})") from None


def _float(node: ast.Call) -> sympy.Float:
    """Float('0.1', precision=53): a decimal string and a precision in bits."""
    if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        raise ValueError("srepr: Float takes one decimal string")
    text = node.args[0].value
    if not _DECIMAL.match(text):
        raise ValueError(f"srepr: Float({text[:40]!r}) is not a decimal")
    prec = 53
    for k in node.keywords:
        if k.arg != "precision" or not isinstance(k.value, ast.Constant) or not isinstance(k.value.value, int):
            raise ValueError("srepr: Float takes precision=<bits>")
        prec = k.value.value
    if not 1 <= prec <= 100_000:
        raise ValueError(f"srepr: Float precision {prec} is outside 1..100000 bits")
    return sympy.Float(text, precision=prec)


# --------------------------------------------------------------------------- result files
def dumps(kind: str, payload: Mapping[str, object]) -> str:
    """``payload`` as JSON text under the header ``{"symdyn": version, "type": kind}``."""
    from symdyn import __version__

    return json.dumps({"symdyn": __version__, "type": kind, **payload}, indent=2, ensure_ascii=False)


def loads(kind: str, text: str | Mapping[str, object]) -> dict:
    """The payload of :func:`dumps` text (or of its parsed dict), checked to be a ``kind``."""
    if isinstance(text, (str, bytes)):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    else:
        data = text
    if not isinstance(data, Mapping):
        raise ValueError(f"a {kind} in JSON is an object, got {type(data).__name__}")
    if data.get("type") != kind:
        raise ValueError(f"expected a {kind} written by to_json, got type {data.get('type')!r}")
    return dict(data)


def expr_out(expr: sympy.Basic | None) -> str | None:
    """One expression as its srepr (None stays None)."""
    return None if expr is None else srepr(sympy.sympify(expr))


def expr_in(text: str | None) -> sympy.Basic | None:
    """Inverse of :func:`expr_out`."""
    return None if text is None else read_srepr(text)


def hypotheses_out(items: tuple[str, ...]) -> list:
    """Hypotheses as JSON: plain words stay strings; a :class:`~symdyn.model.printing.Hypothesis`
    becomes its parts, words and srepr'd relations, ``{"parts": ["words", {"srepr": ...}, ...]}``."""
    from symdyn.model.printing import Hypothesis

    return [{"parts": [p if isinstance(p, str) else {"srepr": srepr(p)} for p in h.parts]}
            if isinstance(h, Hypothesis) else str(h) for h in items]


def hypotheses_in(items: list) -> tuple[str, ...]:
    """Inverse of :func:`hypotheses_out`."""
    from symdyn.model.printing import Hypothesis

    if not isinstance(items, list):
        raise ValueError("hypotheses in JSON are a list")
    out: list[str] = []
    for h in items:
        if isinstance(h, str):
            out.append(h)
        elif isinstance(h, Mapping) and isinstance(h.get("parts"), list):
            out.append(Hypothesis(*(p if isinstance(p, str) else from_json(p) for p in h["parts"])))
        else:
            raise ValueError("a hypothesis in JSON is a string or {'parts': [...]}")
    return tuple(out)


def parse(text: str) -> sympy.Basic:
    """Parse a formula written with symdyn's names (``lambda`` allowed) into its symbols, by
    :func:`symdyn.model.parse.parse_expression` (an ``ast`` walk: nothing is evaluated).

    >>> from symdyn.model import symbols as S
    >>> parse("2*w*(sigma - lambda*w)") == 2 * S.w * (S.sigma - S.lam * S.w)
    True
    """
    from symdyn.model import symbols as S

    return parse_expression(text, S.BY_NAME)
