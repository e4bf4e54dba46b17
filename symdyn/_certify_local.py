"""Certified digits by agreement of two independent evaluations (python-flint ``good()`` style).

LOCAL STAND-IN: the ``highprec`` branch (issue 5) owns symdyn's certified-value type and
precision-raising loop. When it is merged, switch the callers of :func:`certify` to it
and delete this module; the contract is the same (a value, its certified digits, and
the evidence).

``evaluate(dps, variant)`` must compute the value in its own local ``mpmath.MPContext``
at ``dps`` digits; ``variant`` 0 and 1 must be two *different* configurations (e.g. series
order, chart radius) so that agreement certifies the method as well as the rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath


@dataclass(frozen=True)
class Certified:
    """A real number known to ``digits`` significant digits.

    ``text`` is the value rounded to those digits; ``value`` the more precise of the two
    evaluations (an ``mpf`` of a private context); ``discrepancy`` their relative
    difference; ``dps`` the working precision that certified it.
    """

    text: str
    digits: int
    value: object
    discrepancy: object
    dps: int

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return self.text


def agreeing_digits(a: object, b: object) -> float:
    """Number of significant decimal digits in which ``a`` and ``b`` agree (inf if equal)."""
    ctx = mpmath.MPContext()
    ctx.prec = max(_prec(a), _prec(b), 53)
    a, b = ctx.convert(a), ctx.convert(b)
    if a == b:
        return ctx.inf
    scale = max(abs(a), abs(b))
    return float(-ctx.log10(abs(a - b) / scale))


def _prec(x: object) -> int:
    mpf = getattr(x, "_mpf_", None)
    return int(mpf[3]) + 10 if mpf and mpf[1] else 53  # mantissa bit count


def certify(evaluate: Callable[[int, int], object], digits: int, max_dps: int = 2000) -> Certified:
    """Raise the working precision until two independent evaluations agree to ``digits``."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 1000:
        raise ValueError(f"digits must be an integer in 1..1000, got {digits!r}")
    dps = digits + 15
    while dps <= max_dps:
        a = evaluate(dps, 0)
        b = evaluate(dps + 10, 1)
        agree = agreeing_digits(a, b)
        if agree >= digits + 1:  # one guard digit so that rounding b to `digits` is safe
            ctx = mpmath.MPContext()
            ctx.dps = dps + 10
            disc = abs(ctx.convert(a) - ctx.convert(b)) / abs(ctx.convert(b)) if b != 0 else ctx.mpf(0)
            return Certified(ctx.nstr(ctx.convert(b), digits, strip_zeros=False), digits, b, disc, dps)
        dps *= 2
    raise ValueError(f"could not certify {digits} digits up to {max_dps} working digits; "
                     "ask for fewer digits")
