"""Ball arithmetic (python-flint ``arb``) behind the mpmath context interface, and balls as decimals.

An ``arb`` is a midpoint and a radius; every operation returns a ball that contains every
exact result for inputs in the argument balls (Johansson, "Arb: efficient arbitrary-precision
midpoint-radius interval arithmetic", IEEE Trans. Comput. 2017). :class:`ArbContext` offers the
part of ``mpmath.MPContext`` that symdyn's evaluators call (``mpf``, ``exp``, ``ln``, ``hyp2f1``,
``fsum``, …), so the same formula code evaluates either to a floating-point number (mpmath) or
to a proven enclosure (arb). Comparisons of balls are *certain*: ``a < b`` is True only when it
holds for every point of both balls; :meth:`ArbContext.decide` raises :class:`NoEnclosure`
when a comparison is undecided at the working precision.

The precision of flint's arithmetic is a process-wide setting (``flint.ctx.prec``): it is set
and restored only by :func:`symdyn.precise.certified.ball_context` (the one exception to
symdyn's rule of no global state, restored in ``finally``); an ``ArbContext`` is used inside it.

Balls leave symdyn as decimal strings rounded outward (:func:`decimal_bounds`), and their
*proven digits* are the largest d for which both ends round to the same d-digit decimal
(:func:`proven_digits`): every number in the ball then rounds to that decimal.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from fractions import Fraction

import flint
from flint import arb, fmpq

#: Hypergeometric parameters differing by an integer make arb's transformations singular unless
#: flagged; the flags are set only from exact (integer / Fraction) parameters.
_HYP_FLAGS = (("ab", 0, 1), ("ac", 0, 2), ("bc", 1, 2))


class NoEnclosure(ValueError):
    """A ball evaluation could not decide a branch or lacks a function (the caller falls back)."""


def is_ball(x: object) -> bool:
    return isinstance(x, arb)


def exact_rational(q: object) -> Fraction | None:
    """``q`` as a Fraction when it is an exact int/Fraction/sympy Rational, else None."""
    if isinstance(q, bool):
        return None
    if isinstance(q, int | Fraction):
        return Fraction(q)
    if getattr(q, "is_Rational", False):
        return Fraction(int(q.p), int(q.q))
    return None


def arb_from_mpf(t: tuple) -> arb:
    """The exact ball (radius 0) of an mpmath ``_mpf_`` tuple (finite values only)."""
    sign, man, exp, _ = t
    if not man:
        if exp:  # mpmath encodes inf/nan as a zero mantissa with a nonzero exponent
            raise ValueError("a non-finite number has no ball")
        return arb(0)
    return arb((-int(man) if sign else int(man), int(exp)))


def arb_from_man_exp(man: int, exp: int) -> arb:
    """The exact ball man·2^exp."""
    return arb((int(man), int(exp))) if man else arb(0)


class ArbContext:
    """The subset of ``mpmath.MPContext`` symdyn's formula code uses, on arb balls.

    Create it through :func:`symdyn.precise.certified.ball_context`, which sets flint's precision.
    """

    def __init__(self, prec: int):
        self.prec = prec

    # ----------------------------------------------------------------- numbers
    def mpf(self, x: object) -> arb:
        q = exact_rational(x)
        if q is not None:
            return self.rational(q.numerator, q.denominator)
        if isinstance(x, arb):
            return +x
        if isinstance(x, float):
            return arb(x)  # a float is an exact binary number
        if hasattr(x, "_mpf_"):
            return arb_from_mpf(x._mpf_)
        if isinstance(x, str):
            return arb(x)  # flint parses decimal strings into a ball containing them
        raise TypeError(f"cannot make a ball from {x!r}")

    convert = mpf

    def make_mpf(self, t: tuple) -> arb:
        return arb_from_mpf(t)

    def rational(self, p: int, q: int) -> arb:
        return arb(fmpq(int(p), int(q))) if q != 1 else arb(int(p))

    @property
    def zero(self) -> arb:
        return arb(0)

    @property
    def one(self) -> arb:
        return arb(1)

    @property
    def inf(self) -> arb:
        return arb.pos_inf()

    @property
    def pi(self) -> arb:
        return arb.pi()

    @property
    def e(self) -> arb:
        return arb.const_e()

    @property
    def eps(self) -> arb:
        return arb((1, 1 - self.prec))

    # ----------------------------------------------------------------- functions
    def _ball(self, x: object) -> arb:
        return x if isinstance(x, arb) else self.mpf(x)

    def exp(self, x):
        return self._ball(x).exp()

    def ln(self, x):
        return self._ball(x).log()

    log = ln

    def log1p(self, x):
        return self._ball(x).log1p()

    def expm1(self, x):
        return self._ball(x).expm1()

    def sqrt(self, x):
        return self._ball(x).sqrt()

    def root(self, x, n: int):
        return self._ball(x).root(int(n))

    def power(self, b, e):
        q = exact_rational(e)
        if q is not None and q.denominator == 1:
            return self._ball(b) ** int(q)
        return self._ball(b) ** self._ball(e)

    def fabs(self, x):
        return abs(self._ball(x))

    def ldexp(self, x, n: int):
        return self._ball(x) * arb((1, int(n)))

    def fsum(self, xs: Iterable) -> arb:
        total = arb(0)
        for x in xs:
            total += x
        return total

    def fprod(self, xs: Iterable) -> arb:
        total = arb(1)
        for x in xs:
            total *= x
        return total

    def isfinite(self, x) -> bool:
        return self._ball(x).is_finite()

    def hyp2f1(self, a, b, c, z):
        """₂F₁(a, b; c; z); integer differences of exact (int/Fraction) parameters are flagged for arb."""
        exact = [exact_rational(p) for p in (a, b, c)]
        flags = {name: True for name, i, j in _HYP_FLAGS
                 if exact[i] is not None and exact[j] is not None and (exact[i] - exact[j]).denominator == 1}
        if all(q is not None for q in exact) and (exact[0] + exact[1] - exact[2]).denominator == 1:
            flags["abc"] = True
        return self._ball(z).hypgeom_2f1(*(self.mpf(p) for p in (a, b, c)), **flags)

    def hyper(self, ap, bq, z):
        if len(ap) == 2 and len(bq) == 1:
            return self.hyp2f1(ap[0], ap[1], bq[0], z)
        raise NoEnclosure(f"no ball evaluation of the hypergeometric {len(ap)}F{len(bq)}")

    def __getattr__(self, name: str):
        # elementary and special functions by mpmath name (sin, atanh, gamma, erf, lambertw, ...)
        if name.startswith("_") or not hasattr(arb, name):
            raise NoEnclosure(f"no ball evaluation of {name}")
        method = getattr(arb, name)
        return lambda x, *args: method(self._ball(x), *args)

    # ----------------------------------------------------------------- decisions
    @staticmethod
    def decide(op, negated, a, b) -> bool:
        """``op(a, b)`` for balls, proven either way; :class:`NoEnclosure` when the balls overlap."""
        if op(a, b):
            return True
        if negated(a, b):
            return False
        raise NoEnclosure("a comparison of balls is undecided at this precision")

    @staticmethod
    def fmin(xs: Iterable) -> arb:
        """A ball containing the least of the exact values (arb's ``min``, pairwise)."""
        return functools.reduce(arb.min, xs)

    @staticmethod
    def fmax(xs: Iterable) -> arb:
        return functools.reduce(arb.max, xs)


# --------------------------------------------------------------------------- balls as decimals
#: A decimal n·10^e as the integers (n, e): exact for any exponent (Python's Decimal stops near 10^±10^18,
#: and a GD run of 10^9 steps from e^{-10^5} goes far beyond).
Scaled = tuple[int, int]


def decimal_bounds(x: arb, digits: int) -> tuple[Scaled, Scaled]:
    """[lo, hi] ⊇ ``x`` as exact decimals of about ``digits`` significant digits (rounded outward)."""
    if not x.is_finite():
        raise ValueError("an unbounded ball has no decimal bounds")
    mid, rad, exp = x.mid_rad_10exp(max(int(digits), 1))
    return (int(mid) - int(rad), int(exp)), (int(mid) + int(rad), int(exp))


def rel_accuracy_digits(x: arb) -> int:
    """About how many significant digits the ball ``x`` pins down (0 when it contains 0)."""
    bits = x.rel_accuracy_bits() if x.is_finite() else -1
    return max(0, math.floor(bits * math.log10(2)))


def round_sig(x: Scaled, digits: int) -> Scaled:
    """``x`` rounded to ``digits`` significant digits (half even), as (q, E) with |q| < 10^digits."""
    n, e = x
    if n == 0:
        return 0, 0
    sign, n = (-1 if n < 0 else 1), abs(n)
    drop = len(str(n)) - digits
    if drop <= 0:
        return sign * n * 10**-drop, e + drop
    q, r = divmod(n, 10**drop)
    if 2 * r > 10**drop or (2 * r == 10**drop and q % 2):
        q += 1
    if q == 10**digits:  # 9.99… rounded up to 10.0…
        q, drop = q // 10, drop + 1
    return sign * q, e + drop


def _sign(x: Scaled) -> int:
    return (x[0] > 0) - (x[0] < 0)


def _less(a: Scaled, b: Scaled) -> bool:
    """a < b for scaled decimals (exact; exponents of any size)."""
    if _sign(a) != _sign(b) or a[0] == 0 or b[0] == 0:
        return _sign(a) < _sign(b)
    e = min(a[1], b[1])
    if max(a[1], b[1]) - e > 10**5:  # far apart: the magnitudes decide (no huge powers of ten)
        mag_a, mag_b = len(str(abs(a[0]))) + a[1], len(str(abs(b[0]))) + b[1]
        if mag_a != mag_b:
            return (mag_a < mag_b) == (_sign(a) > 0)
    return a[0] * 10 ** (a[1] - e) < b[0] * 10 ** (b[1] - e)


def proven_digits(lo: Scaled, hi: Scaled, digits: int) -> int:
    """The largest d <= ``digits`` with ``lo`` and ``hi`` rounding to the same d-digit decimal.

    Rounding is monotone, so every number in [lo, hi] then rounds to that decimal. An
    interval containing 0 proves nothing (0); the exact zero [0, 0] proves every digit.
    """
    if lo[0] == 0 and hi[0] == 0:
        return digits
    if _sign(lo) != _sign(hi) or lo[0] == 0 or hi[0] == 0 or _less(hi, lo):
        return 0
    if lo[1] == hi[1]:  # the same scale (as from decimal_bounds): the width bounds the agreement
        estimate = len(str(min(abs(lo[0]), abs(hi[0])))) - len(str(abs(hi[0] - lo[0]))) if hi != lo else digits
    else:
        estimate = digits
    for d in range(min(digits, max(estimate, 0) + 2), 0, -1):
        if round_sig(lo, d) == round_sig(hi, d):
            return d
    return 0


def sci(x: Scaled) -> str:
    """``x`` as an exact decimal string in scientific notation (all its digits; "0" for 0)."""
    n, e = x
    if n == 0:
        return "0"
    text = str(abs(n)).rstrip("0") or "0"
    e10 = e + len(str(abs(n))) - 1
    mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if n < 0 else ''}{mant}e{e10}"


def parse_scaled(text: str) -> Scaled:
    """A decimal string (fixed or scientific, as symdyn prints them) as (n, e), exactly."""
    mant, _, exp = text.lower().partition("e")
    whole, _, frac = mant.partition(".")
    return int(whole + frac), int(exp or 0) - len(frac)


__all__ = ["ArbContext", "NoEnclosure", "Scaled", "arb", "arb_from_man_exp", "arb_from_mpf", "decimal_bounds",
           "exact_rational", "flint", "is_ball", "parse_scaled", "proven_digits", "rel_accuracy_digits", "round_sig",
           "sci"]
