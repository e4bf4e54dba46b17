"""Certified values: digits proven by an enclosure, or agreed between runs at rising precision.

A computation ``compute(prec) -> [value, ...]`` is run at a working precision p₀ (bits) chosen
for the requested D significant decimal digits. Each value is one of

* a **ball** (python-flint ``arb``: midpoint and radius, see :mod:`symdyn.precise.balls`) proven
  to contain the exact value. Its *digits* are the largest d <= D for which both ends of the
  ball round to the same d-digit decimal: every number in the ball, the exact one included,
  rounds to it (``proof == "ball"``). One run suffices.
* a plain ``mpf``: its digits are the largest d <= D such that this run and a rerun at a higher
  precision p₁ round to the same d-digit decimal (the rerun test of python-flint's ``good()``,
  STYLE §7). A heuristic, not a proof: such values are labelled ``proof == "agreement"``.

When some value has fewer than D digits the precision is raised (a +25% rerun, then doublings)
up to a cap; past the cap :class:`CertificationError` says how far it got.

A method with a truncation error (a series order, a disk radius, a step count) that returns
plain numbers must vary that configuration too, or the rerun only certifies the rounding: with
``vary=True`` ``compute(prec, attempt)`` receives the run index ``attempt`` = 0, 1, 2, … and
consecutive runs must use different configurations (e.g. ``VARIANTS[attempt % 2]``), so a digit
is agreed only if it survives a change of precision AND of method configuration.

Only certified digits are ever printed: :class:`Certified` holds the decimal string with exactly
``digits`` significant digits, the working precision of the run it came from, the enclosure as
decimal strings rounded outward, and how it is known.

>>> def third(prec):
...     return [local_context(prec).mpf(1) / 3]
>>> [v] = certify(third, 20)
>>> str(v), v.digits, v.prec, v.proof
('0.33333333333333333333', 20, 115, 'agreement')
>>> def third_ball(prec):
...     with ball_context(prec) as ctx:
...         return [ctx.rational(1, 3)]
>>> [b] = certify(third_ball, 20)
>>> str(b), b.proof, b.enclosure[0][:10]
('0.33333333333333333333', 'ball', '3.33333333')
>>> lo, hi = b.bounds()
>>> lo <= Fraction(1, 3) <= hi and hi - lo < Fraction(1, 10**21)
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from mpmath import MPContext
from mpmath.libmp import finf, fnan, fninf, from_str, fzero, mpf_abs, mpf_div, mpf_sub, round_nearest, to_str

from symdyn.precise.balls import (
    ArbContext,
    Scaled,
    decimal_bounds,
    flint,
    is_ball,
    parse_scaled,
    proven_digits,
    rel_accuracy_digits,
    round_sig,
    sci,
)

#: Extra bits over the ⌈D log₂10⌉ the digits need, before any caller-specific guard.
GUARD_BITS = 16

#: Progress callback of long computations: ``progress(done, total, stage)``.
Progress = Callable[[int, int, str], None]

#: How a certified value is known: proven by an enclosure, or agreed between two runs.
BALL, AGREEMENT = "ball", "agreement"
PROOFS = (BALL, AGREEMENT)

#: Significant digits of the decimal enclosure strings beyond the certified digits.
ENCLOSURE_EXTRA_DIGITS = 10


class RunProgress:
    """One monotone progress count across :func:`certify`'s reruns, for the caller's ``progress``.

    ``certify`` calls :meth:`start_run` before each run; the method's own reports
    ``(done, total, stage)`` inside a run arrive through ``__call__``. The caller's callback gets
    ``(run·total + done, runs·total, stage)`` with ``runs`` = max(2, runs started): a run and
    its rerun are expected, a third run extends the total. So the count never goes back, and a
    bar built on it has one ETA for the whole certification. ``progress=None`` makes it a no-op.
    """

    def __init__(self, progress: Progress | None, expected_runs: int = 2) -> None:
        self.progress, self.expected = progress, expected_runs
        self.run, self.unit, self.done, self.stage = 0, 1, 0, ""

    def start_run(self, i: int, n: int, stage: str) -> None:
        self.run, self.stage, self.done = i, stage, 0
        self._report()

    def __call__(self, done: int, total: int, stage: str) -> None:
        self.unit, self.done, self.stage = max(int(total), 1), min(max(int(done), 0), max(int(total), 1)), stage
        self._report()

    def finish(self) -> None:
        """The last report: everything done (``certify`` calls it when the digits are certified)."""
        if self.progress is not None:
            runs = self.run + 1
            self.progress(runs * self.unit, runs * self.unit, self.stage)

    def _report(self) -> None:
        if self.progress is not None:
            runs = max(self.expected, self.run + 1)
            self.progress(self.run * self.unit + self.done, runs * self.unit, self.stage)


def run_progress(progress: Progress | RunProgress | None) -> RunProgress:
    """``progress`` as a :class:`RunProgress` (unchanged if it is one already)."""
    return progress if isinstance(progress, RunProgress) else RunProgress(progress)


class CertificationError(ValueError):
    """The requested digits could not be certified within the precision cap."""


@dataclass(frozen=True)
class Certified:
    """A real number known to ``digits`` significant decimal digits.

    * ``text``: the decimal string with exactly ``digits`` significant digits
      (``"0"`` for an exact zero, ``"?"`` when no digit is certified).
    * ``digits``: the number of certified significant digits.
    * ``prec``: the working precision (bits) of the run the digits come from.
    * ``enclosure``: (lo, hi) as decimal strings rounded outward, or None when nothing is known.
      For ``proof == "ball"`` the exact value is proven to lie in [lo, hi] and ``text`` is the
      rounding of every point of it; for ``"agreement"`` it is the interval text ± ½ ulp that the
      agreeing runs suggest, not a proof.
    * ``proof``: ``"ball"`` (proven by ball arithmetic or a rigorous error bound) or ``"agreement"``.

    ``float(v)``, ``f"{v:.3e}"`` and ``v < 0.5`` work on the certified decimal (comparisons exactly);
    ``==`` compares the records (text, digits, prec).

    >>> v = Certified("0.333333", 6, 53)
    >>> float(v), f"{v:.2e}", v < Fraction(1, 3), v > 0.3
    (0.333333, '3.33e-1', True, True)
    """

    text: str
    digits: int
    prec: int
    enclosure: tuple[str, str] | None = None
    proof: str = AGREEMENT

    def __str__(self) -> str:
        return self.text

    def __float__(self) -> float:
        """The certified decimal rounded to the nearest float64 (0.0 or inf beyond float64's range)."""
        return float(self._known().text)

    def __format__(self, spec: str) -> str:
        """``f"{v}"`` is the certified text; a spec formats the decimal exactly (``f"{v:.3e}"``, ``f"{v:.4f}"``),
        at any exponent (``Decimal`` arithmetic, never through a float)."""
        if not spec:
            return self.text
        return format(Decimal(self._known().text), spec)

    def _known(self) -> Certified:
        if self.digits == 0 and self.text != "0":
            raise ValueError("no certified digits: the value is unknown")
        return self

    def _cmp(self, other: object) -> Decimal | Fraction | float | int | None:
        """``other`` as an exact number to compare with (a Decimal, Fraction, float or int), or None if it is
        not a real number; the comparison is Decimal's, exact at any exponent."""
        if isinstance(other, Certified):
            return Decimal(other._known().text)
        if isinstance(other, bool):
            return None
        if isinstance(other, (int, float, Fraction)):
            return other
        if isinstance(other, numbers.Rational):
            return Fraction(int(other.numerator), int(other.denominator))
        if isinstance(other, numbers.Real):
            return float(other)
        return None

    def _value(self) -> Decimal:
        return Decimal(self._known().text)

    # comparisons are of the certified decimal (its text), exactly: v < 0.5 compares the decimal with 0.5's binary value
    def __lt__(self, other: object) -> bool:
        q = self._cmp(other)
        return NotImplemented if q is None else self._value() < q

    def __le__(self, other: object) -> bool:
        q = self._cmp(other)
        return NotImplemented if q is None else self._value() <= q

    def __gt__(self, other: object) -> bool:
        q = self._cmp(other)
        return NotImplemented if q is None else self._value() > q

    def __ge__(self, other: object) -> bool:
        q = self._cmp(other)
        return NotImplemented if q is None else self._value() >= q

    def to_dict(self) -> dict:
        return {"text": self.text, "digits": self.digits, "prec": self.prec,
                "enclosure": list(self.enclosure) if self.enclosure is not None else None, "proof": self.proof}

    @staticmethod
    def from_dict(d: object) -> Certified:
        """Inverse of :meth:`to_dict` (the text must be a decimal, or "?" with 0 digits)."""
        if not isinstance(d, dict) or not isinstance(d.get("text"), str):
            raise ValueError("a certified value in JSON is {'text': ..., 'digits': ..., 'prec': ...}")
        text, digits, prec = d["text"], d.get("digits"), d.get("prec")
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (digits, prec)):
            raise ValueError("a certified value's digits and prec are integers >= 0")
        if not (text == "?" and digits == 0):
            try:
                Decimal(text)
            except ArithmeticError:
                raise ValueError(f"a certified value's text must be a decimal, got {text[:40]!r}") from None
            if not Decimal(text).is_finite():
                raise ValueError(f"a certified value's text must be a finite decimal, got {text[:40]!r}")
        enclosure, proof = d.get("enclosure"), d.get("proof", AGREEMENT)
        if proof not in (BALL, AGREEMENT):
            raise ValueError(f"a certified value's proof is 'ball' or 'agreement', got {proof!r}")
        if enclosure is not None:
            if not (isinstance(enclosure, (list, tuple)) and len(enclosure) == 2
                    and all(isinstance(e, str) for e in enclosure)):
                raise ValueError("a certified value's enclosure is [lo, hi], two decimal strings")
            for e in enclosure:
                try:
                    if not Decimal(e).is_finite():
                        raise ArithmeticError
                except ArithmeticError:
                    raise ValueError(f"an enclosure end must be a finite decimal, got {e[:40]!r}") from None
            enclosure = tuple(enclosure)
        return Certified(text, digits, prec, enclosure, proof)

    @property
    def proven(self) -> bool:
        """True when an enclosure proves the digits (``proof == "ball"``)."""
        return self.proof == BALL

    def bounds(self) -> tuple[Fraction, Fraction]:
        """The enclosure as exact ``Fraction``s (``ValueError`` when there is none)."""
        if self.enclosure is None:
            raise ValueError("no enclosure: the value is unknown")
        return Fraction(self.enclosure[0]), Fraction(self.enclosure[1])

    @property
    def fraction(self) -> Fraction:
        """The decimal string as an exact ``Fraction`` (``ValueError`` if nothing is certified)."""
        if self.digits == 0 and self.text != "0":
            raise ValueError("no certified digits: the value is unknown")
        return Fraction(self.text)

    def mpf(self, ctx: MPContext | None = None):
        """The certified decimal as an mpf of ``ctx`` (a fresh context at the digits' precision).

        Parsed from the text without forming the exact rational, so that any decimal exponent
        (1e-4342944819032518 from a huge GD step count) is cheap: correctly rounded up to 10^±400,
        within an ulp beyond.
        """
        if self.digits == 0 and self.text != "0":
            raise ValueError("no certified digits: the value is unknown")
        if ctx is None:
            ctx = local_context(bits_for_digits(max(self.digits, 1)))
        return ctx.make_mpf(from_str(self.text, ctx.prec, round_nearest))

    def ulp(self) -> Fraction:
        """One unit in the last certified place (the resolution of ``text``)."""
        f = abs(self.fraction)
        if f == 0:
            return Fraction(0)
        exponent = _decimal_exponent(f)
        return Fraction(10) ** (exponent - self.digits + 1)


def _decimal_exponent(f: Fraction) -> int:
    """e with 10^e <= f < 10^(e+1), for f > 0 (exact)."""
    e = len(str(f.numerator)) - len(str(f.denominator))
    while Fraction(10) ** e > f:
        e -= 1
    while Fraction(10) ** (e + 1) <= f:
        e += 1
    return e


def bits_for_digits(digits: int) -> int:
    """⌈D log₂10⌉: the bits that carry D significant decimal digits."""
    return math.ceil(digits * math.log2(10))


def check_digits(digits: int, name: str = "digits") -> int:
    """Validate a requested digit count (an integer >= 1)."""
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {digits!r}")
    return digits


def check_prec(prec: int, name: str = "precision") -> int:
    """Validate a working precision in bits (an integer >= 2)."""
    if isinstance(prec, bool) or not isinstance(prec, int) or prec < 2:
        raise ValueError(f"{name} must be an integer >= 2 bits, got {prec!r}")
    return prec


def local_context(prec: int) -> MPContext:
    """A fresh mpmath context working at ``prec`` bits (never the global ``mp``).

    The one way symdyn sets an mpmath precision; a precision in decimal digits D enters as
    ``local_context(bits_for_digits(D))``.
    """
    ctx = MPContext()
    ctx.prec = check_prec(prec)
    return ctx


@contextmanager
def ball_context(prec: int) -> Iterator[ArbContext]:
    """Ball arithmetic at ``prec`` bits inside the ``with`` block: yields an :class:`ArbContext`.

    python-flint keeps its precision in one process-wide setting: this is the one place symdyn
    changes it, and it is restored on exit (also on an exception). Nest freely.
    """
    check_prec(prec)
    saved = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        yield ArbContext(prec)
    finally:
        flint.ctx.prec = saved


def round_text(x, digits: int) -> str:
    """The mpf ``x`` rounded to ``digits`` significant decimal digits, zeros kept."""
    return to_str(x._mpf_, digits, strip_zeros=False)


def agreeing_digits(lo, hi, digits: int) -> int:
    """The largest d <= ``digits`` with ``lo`` and ``hi`` rounding to the same d-digit decimal.

    Two computed zeros agree to 0 digits: the rerun test cannot tell a true zero from
    cancellation.
    """
    a, b = lo._mpf_, hi._mpf_
    if a == fzero or b == fzero or a[0] != b[0]:
        # a computed 0 may be total cancellation (1/4 + (e^{-300} - 1/4) is 0 below ~430 bits),
        # so zeros never certify; exact zeros are the caller's to recognise symbolically
        return 0
    if a == b:
        return digits
    prec = bits_for_digits(digits) + GUARD_BITS
    rel = mpf_div(mpf_abs(mpf_sub(a, b, prec)), mpf_abs(b), prec, round_nearest)
    man, exp = rel[1], rel[2]
    # rel < 2^(exp + bitlen(man)) so about -log10(rel) digits agree; the string test decides
    estimate = max(0, math.floor(-(exp + man.bit_length()) * math.log10(2)))
    # rounding agreement can reach estimate + 2 digits (rel. difference just below 10^-(estimate+1))
    for d in range(min(digits, estimate + 2), 0, -1):
        if to_str(a, d, strip_zeros=False) == to_str(b, d, strip_zeros=False):
            return d
    return 0


def _text(x: Scaled, digits: int) -> str:
    """The decimal ``x`` (``digits`` significant digits) in mpmath's notation (as :func:`round_text`)."""
    return to_str(from_str(f"{x[0]}e{x[1]}", bits_for_digits(digits) + 20, round_nearest), digits, strip_zeros=False)


def certified_value(x, digits: int, prec: int) -> Certified:
    """Wrap the mpf ``x`` (from a run at ``prec`` bits) as a value agreed to ``digits`` digits.

    Its enclosure is text ± ½ ulp: what the agreement suggests, labelled ``"agreement"``.
    """
    if digits == 0:
        return Certified("?", 0, prec)
    if x._mpf_ == fzero:
        return Certified("0", digits, prec, ("0", "0"))
    text = round_text(x, digits)
    n, e = parse_scaled(text)
    return Certified(text, digits, prec, (sci((10 * n - 5, e - 1)), sci((10 * n + 5, e - 1))))


def ball_value(x, digits: int, prec: int) -> Certified:
    """Wrap the ball ``x`` (an ``arb`` from a run at ``prec`` bits) with the digits it proves (<= ``digits``).

    The enclosure strings carry ``digits`` + :data:`ENCLOSURE_EXTRA_DIGITS` significant digits
    (more when that is what it takes to keep the digits the ball proves).
    """
    if not x.is_finite():
        return Certified("?", 0, prec, None, BALL)
    if x.is_exact() and x.is_zero():
        return Certified("0", digits, prec, ("0", "0"), BALL)
    n = digits + ENCLOSURE_EXTRA_DIGITS
    lo, hi = decimal_bounds(x, n)
    d = proven_digits(lo, hi, digits)
    if d < digits and rel_accuracy_digits(x) > n - 5:  # the decimal rounding cost the digit
        lo, hi = decimal_bounds(x, rel_accuracy_digits(x) + 5)
        d = proven_digits(lo, hi, digits)
    if d == 0:
        return Certified("?", 0, prec, (sci(lo), sci(hi)), BALL)
    return Certified(_text(round_sig(lo, d), d), d, prec, (sci(lo), sci(hi)), BALL)


def precision_schedule(start: int, cap: int) -> list[int]:
    """Working precisions p₀ < p₁ < … <= cap: a +25% (>= 32 bits) rerun, doublings, then the cap."""
    precs = [start]
    nxt = start + max(32, start // 4)
    while nxt <= cap:
        precs.append(nxt)
        nxt *= 2
    if precs[-1] < cap:
        precs.append(cap)
    return precs


def certify(compute: Callable[..., Sequence], digits: int, *, guard_bits: int = 0,
            start_prec: int | None = None, max_prec: int | None = None, strict: bool = True,
            progress: Progress | None = None, vary: bool = False) -> list[Certified]:
    """Run ``compute(prec)`` at rising precisions until every value has ``digits`` certified digits.

    ``compute`` returns a sequence of balls (``arb``: proven, one run suffices) and/or mpmath
    ``mpf`` (any context; agreed between consecutive runs). The first precision is
    ⌈D log₂10⌉ + 16 + ``guard_bits`` (or ``start_prec``); the cap defaults to 8× that.
    With ``strict=False`` a failure returns each value with the digits it did certify
    (possibly 0) instead of raising :class:`CertificationError`.
    ``progress(done, total, stage)`` reports one monotone count over all runs: a :class:`RunProgress`
    built on it (pass the same :class:`RunProgress` to ``compute``'s inner loop so that its reports
    join the count). With ``vary=True`` the call is
    ``compute(prec, attempt)`` (run index ``attempt``): consecutive runs must differ in the
    method's configuration as well as in precision (see the module docstring).
    """
    check_digits(digits)
    if guard_bits < 0:
        raise ValueError(f"guard_bits must be >= 0, got {guard_bits}")
    start = check_prec(start_prec, "start_prec") if start_prec is not None else (
        bits_for_digits(digits) + GUARD_BITS + guard_bits)
    cap = check_prec(max_prec, "max_prec") if max_prec is not None else 8 * start
    if cap < start:
        raise ValueError(f"max_prec={cap} is below the starting precision {start} bits; raise it")
    precs = precision_schedule(start, cap)
    if len(precs) < 2:
        raise ValueError(f"max_prec={cap} leaves no room for a rerun above {start} bits; raise it")
    previous = None
    results: list[Certified] = []
    runs = run_progress(progress)
    for i, prec in enumerate(precs):
        runs.start_run(i, len(precs), f"run at {prec} bits")
        values = list(compute(prec, i) if vary else compute(prec))
        if any(not is_ball(v) and v._mpf_ in (fnan, finf, fninf) for v in values):
            raise ValueError(f"the computation gave a non-finite value (nan or inf) at {prec} bits; "
                             "check the parameters (is the step size stable?)")
        if previous is not None and len(values) != len(previous):
            raise RuntimeError("compute(prec) returned a different number of values per precision")
        results = []
        for j, v in enumerate(values):
            if is_ball(v):
                results.append(ball_value(v, digits, prec))
            elif previous is None or is_ball(previous[j]):
                results.append(Certified("?", 0, prec))  # agreement needs a rerun
            else:
                results.append(certified_value(v, agreeing_digits(previous[j], v, digits), prec))
        if all(r.digits >= digits for r in results):
            runs.finish()
            return results
        previous = values
    if strict:
        short = [r for r in results if r.digits < digits]
        worst = min(r.digits for r in short)
        how = ("proven by their enclosures" if all(r.proven for r in short) else
               f"agreeing between the runs at {precs[-2]} and {precs[-1]} bits")
        raise CertificationError(
            f"could not certify {digits} digits within the precision cap of {cap} bits: "
            f"{len(short)} of {len(results)} values have only {worst} digits {how}; "
            "raise the cap (max_prec) or ask for fewer digits")
    return results
