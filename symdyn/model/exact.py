"""Exact parsing and validation of user-supplied numbers.

Numbers reach symdyn as strings (the CLI) or Python values (the API). They become
``sympy.Rational`` here, exactly: ``"0.1"`` is 1/10, ``"1/3"`` is 1/3, ``"1e-8"`` is
1/10**8. A Python ``float`` is converted from its exact binary value, never via
``str``. Nothing is rounded before the numeric boundary.

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

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^[+-]?\d+\s*/\s*[+-]?\d+$")

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
        text = value.strip().replace("_", "")
        if _DECIMAL.match(text):
            f = Fraction(text)
            return sp.Rational(f.numerator, f.denominator)
        if _FRACTION.match(text):
            num, den = (int(p) for p in text.split("/"))
            if den == 0:
                raise ValueError(f"{name}: division by zero in {value!r}")
            return sp.Rational(num, den)
        raise ValueError(
            f"{name} must be a decimal number or a fraction like 1/3, got {value!r}"
        )
    raise ValueError(f"{name} must be a number, got {type(value).__name__}")
