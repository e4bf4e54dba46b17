"""Exact parsing and validation of user-supplied numbers.

Numbers reach symdyn as strings (the CLI) or Python values (the API). They become
``sympy.Rational`` here, exactly: ``"0.1"`` is 1/10, ``"1/3"`` is 1/3, ``"1e-8"`` is
1/10**8. A Python ``float`` is converted from its exact binary value, never via
``str``. Nothing is rounded before the numeric boundary.

Text is read strictly: ASCII digits only (no ``١٢`` or ``１``), no ``_`` separators, at most
:data:`MAX_CHARS` characters, and an exponent within the limit ``exponent``
(:mod:`symdyn.model.checks`), checked before the number is built: ``1e99999999`` is refused at
once instead of computing a number with 10^8 digits.

>>> parse_number("0.1")
1/10
>>> parse_number("1/3", name="sigma")
1/3
>>> parse_number("-2", name="sigma", minimum=0)
Traceback (most recent call last):
...
ValueError: sigma must be >= 0, got -2
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from numbers import Rational as _RationalABC

import sympy as sp

from symdyn.model.checks import check_limit

_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_FRACTION = re.compile(r"[+-]?[0-9]+[ ]*/[ ]*[+-]?[0-9]+", re.ASCII)

#: Longest number text read (characters): Python refuses to convert integers of more than 4300 digits.
MAX_CHARS = 4000

Number = "str | int | float | Fraction | sp.Rational"


def parse_number(value: object, name: str = "value", minimum: object = None,
                 strict_minimum: bool = False, maximum: object = None) -> sp.Rational:
    """Return ``value`` as an exact ``sympy.Rational``, or raise a one-line ``ValueError``.

    ``minimum``/``maximum`` bound the value (``strict_minimum`` makes the lower bound strict).
    """
    q = _to_rational(value, name)
    if minimum is not None:
        lo = sp.Rational(minimum)
        if (q <= lo) if strict_minimum else (q < lo):
            op = ">" if strict_minimum else ">="
            raise ValueError(f"{name} must be {op} {lo}, got {q}")
    if maximum is not None and q > sp.Rational(maximum):
        raise ValueError(f"{name} must be <= {sp.Rational(maximum)}, got {q}")
    return q


def _to_rational(value: object, name: str) -> sp.Rational:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return sp.Rational(value)
        raise ValueError(f"{name} must be an exact rational number, got {value}")
    if isinstance(value, (int, Fraction, _RationalABC)):
        f = Fraction(value)
        return sp.Rational(f.numerator, f.denominator)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
        f = Fraction(value)  # the float's exact binary value
        return sp.Rational(f.numerator, f.denominator)
    if isinstance(value, str):
        text = value.strip(" \t")
        if len(text) > MAX_CHARS:
            raise ValueError(f"{name}: a number of more than {MAX_CHARS} characters")
        if _DECIMAL.fullmatch(text):
            return decimal(text, name)
        if _FRACTION.fullmatch(text):
            num, den = (int(p) for p in text.split("/"))
            if den == 0:
                raise ValueError(f"{name}: division by zero in {value!r}")
            return sp.Rational(num, den)
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValueError(f"{name} must be a decimal number or a fraction like 1/3 (ASCII digits), got {shown!r}")
    raise ValueError(f"{name} must be a number, got {type(value).__name__}")


def parse_integer(text: str, name: str = "value") -> int:
    """An int from ASCII digits with an optional sign (Python's ``int`` also reads ``١٢``, ``１``, ``1_0``).

    >>> parse_integer(" -12 ")
    -12
    """
    t = text.strip(" \t") if isinstance(text, str) else ""
    if not _INTEGER.fullmatch(t):
        shown = text if not isinstance(text, str) or len(text) <= 40 else text[:37] + "..."
        raise ValueError(f"{name} must be an integer (ASCII digits), got {shown!r}")
    return int(t)


def decimal(text: str, name: str = "value") -> sp.Rational:
    """The exact value of a plain decimal ``text`` (ASCII digits, optional exponent within the limit).

    >>> decimal("2.5e-3")
    1/400
    """
    if len(text) > MAX_CHARS or not _DECIMAL.fullmatch(text):
        raise ValueError(f"{name}: {text[:40]!r} is not a plain decimal number (ASCII digits only)")
    mantissa, _, exponent = text.lower().partition("e")
    e = 0
    if exponent:
        digits = exponent.lstrip("+-").lstrip("0")
        size = int(digits) if len(digits) <= 18 else 10**18
        check_limit("exponent", size, f"{name}: the exponent of {text[:40]!r}")
        e = -size if exponent.startswith("-") else size
    f = Fraction(mantissa) * Fraction(10) ** e
    return sp.Rational(f.numerator, f.denominator)
