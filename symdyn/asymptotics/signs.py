"""Signs decided by numbers, not by simplification: certified interval evaluation first.

The engine asks for the sign of many small expressions (differences of rates, coefficients).
``sympy.simplify`` on them can run for minutes and take gigabytes (a step size such as
η = 0.5000000001 makes every rate a log of a 20-digit rational). Here:

1. **a constant** (no free symbols) is enclosed in an interval by mpmath's interval arithmetic
   (``iv``, a local context, precision in bits) at 64, 256, 1024 and 4096 bits; an interval that
   excludes 0 proves the sign. An interval that keeps containing 0 is a candidate exact zero: it
   is proved zero by bounded exact rewriting (expansion, logs of rationals written over their primes)
   and, as a last resort, by ``simplify`` under :data:`BUDGET` seconds; otherwise the sign is
   ``Undecidable`` (the engine reports it as ``undecided``).
2. **an expression in symbols** (positive stand-ins for the parameters) is decided by sympy's
   assumptions on it and on its factored form; if certified evaluations at sample points take both
   signs it is ``Undecidable`` at once; else ``simplify`` gets :data:`BUDGET` seconds.

The time budget is a ``SIGALRM`` timer, available in the main thread only; elsewhere the
``simplify`` step is skipped. Either way nothing hangs, and a sign is never guessed: the
worst outcome is an ``undecided`` entry. (No limit in symdyn's tests needs the ``simplify`` step.)

>>> import sympy as sp
>>> [sign_of(sp.log(3) - sp.Rational(q, 10**16)) for q in (10986122886681096, 10986122886681097)]
[1, -1]
>>> sign_of(2 * sp.log(sp.Rational(7, 6)) - sp.log(sp.Rational(49, 36)))
0
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sympy as sp
from mpmath.ctx_iv import MPIntervalContext

#: Precisions (bits) of the interval ladder; the last one bounds the work on one constant.
PRECISIONS = (64, 256, 1024, 4096)

#: Seconds ``simplify`` may spend on one sign (main thread only).
BUDGET = 2.0

#: |x| above which exp(x) is not enclosed (its exponent alone would take gigabytes).
MAX_EXP_ARGUMENT = 2**24

#: Sample values for the positive symbols in the quick both-signs test.
SAMPLES = (sp.Rational(1, 7), sp.Rational(1, 2), sp.Integer(1), sp.Integer(3), sp.Rational(37, 4))

T = TypeVar("T")


class Undecidable(Exception):
    """A sign the assumptions and the numbers do not determine (becomes an ``undecided`` entry)."""


class _NoEnclosure(Exception):
    """The expression holds a function the interval evaluator does not know, or leaves its domain."""


class _OutOfTime(BaseException):
    """Raised by the SIGALRM handler inside a budgeted block (a BaseException: sympy must not swallow it)."""


# --------------------------------------------------------------------------- enclosures
def _enclose(ctx: MPIntervalContext, e: sp.Basic):
    if e.is_Rational:
        return ctx.mpf(int(e.p)) / ctx.mpf(int(e.q))
    if e.is_Float:
        return ctx.mpf(e._mpf_)  # a Float is an exact binary number
    if e is sp.pi:
        return ctx.pi
    if e is sp.E:
        return ctx.e
    if e.is_Add:
        out = ctx.mpf(0)
        for a in e.args:
            out = out + _enclose(ctx, a)
        return out
    if e.is_Mul:
        out = ctx.mpf(1)
        for a in e.args:
            out = out * _enclose(ctx, a)
        return out
    if e.is_Pow:
        base, exp = e.as_base_exp()
        if exp.is_Integer:
            b = _enclose(ctx, base)
            if exp < 0 and b.a <= 0 <= b.b:
                raise _NoEnclosure("division by an interval containing 0")
            return b ** int(exp)
        b = _enclose(ctx, base)
        if not b.a > 0:
            raise _NoEnclosure("a real power of a base not known to be positive")
        return _exp(ctx, _enclose(ctx, exp) * ctx.log(b))
    if isinstance(e, sp.exp):
        return _exp(ctx, _enclose(ctx, e.args[0]))
    if isinstance(e, sp.log) and len(e.args) == 1:
        x = _enclose(ctx, e.args[0])
        if not x.a > 0:
            raise _NoEnclosure("log of an interval not known to be positive")
        return ctx.log(x)
    if isinstance(e, (sp.sin, sp.cos)):
        return (ctx.sin if isinstance(e, sp.sin) else ctx.cos)(_enclose(ctx, e.args[0]))
    raise _NoEnclosure(f"no interval rule for {type(e).__name__}")


def _exp(ctx: MPIntervalContext, x):
    if abs(x.a) > MAX_EXP_ARGUMENT or abs(x.b) > MAX_EXP_ARGUMENT:
        raise _NoEnclosure("exp of a huge argument")
    return ctx.exp(x)


def certified_sign(expr: sp.Expr) -> int | None:
    """+1 or −1 if an interval enclosure of the constant ``expr`` excludes 0, else ``None``."""
    ctx = MPIntervalContext()
    for prec in PRECISIONS:
        ctx.prec = prec
        try:
            x = _enclose(ctx, expr)
        except (_NoEnclosure, ZeroDivisionError, ValueError, OverflowError):
            continue  # a domain question at this precision may be settled at the next one
        if x.a > 0:
            return 1
        if x.b < 0:
            return -1
    return None


# --------------------------------------------------------------------------- exact zeros
def _log_primes(expr: sp.Expr) -> sp.Expr:
    """log(p/q) → Σ v·log(prime) over the small primes of p and q (the rest kept as one log)."""
    def split(arg: sp.Expr) -> sp.Expr:
        out = sp.S.Zero
        for n, sgn in ((int(arg.p), 1), (int(arg.q), -1)):
            factors = sp.factorint(n, limit=10**4)
            out += sgn * sp.Add(*[v * sp.log(sp.Integer(p), evaluate=False) for p, v in factors.items()])
        return out
    return expr.replace(lambda x: isinstance(x, sp.log) and x.args[0].is_Rational and x.args[0] > 0,
                        lambda x: split(x.args[0]))


def _proved_zero(expr: sp.Expr) -> bool:
    """True if bounded exact rewriting (or ``simplify`` within the budget) turns ``expr`` into 0."""
    candidates: list[Callable[[], sp.Expr]] = [
        lambda: sp.expand(expr),
        lambda: sp.expand(_log_primes(sp.expand_log(sp.expand(expr), force=True))),
    ]
    for rewrite in candidates:
        if rewrite() == 0:
            return True
    return within_budget(lambda: sp.simplify(expr) == 0, BUDGET, default=False)


# --------------------------------------------------------------------------- budget
@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def handler(signum, frame):
        raise _OutOfTime
    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def within_budget(fn: Callable[[], T], seconds: float, default: T) -> T:
    """``fn()`` if it finishes within ``seconds``, else ``default``.

    Only in the main thread, and only when no other timer is running; otherwise ``fn`` is not
    run at all and ``default`` is returned (a thread cannot be interrupted safely).
    """
    free = (threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None))
    if not free:
        return default
    try:
        with _alarm(seconds):
            return fn()
    except _OutOfTime:
        return default
    except RecursionError:
        return default


# --------------------------------------------------------------------------- signs
def _assumed(e: sp.Expr) -> int | None:
    if e.is_zero:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    return None


def _takes_both_signs(expr: sp.Expr) -> bool:
    """Certified opposite signs at two sample points of its positive symbols (so no sign is constant)."""
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    if not syms or not all(s.is_positive for s in syms) or len(syms) > 4:
        return False
    seen = set()
    for i in range(len(SAMPLES)):
        point = {s: SAMPLES[(i + 2 * j) % len(SAMPLES)] for j, s in enumerate(syms)}
        value = expr.xreplace(point)
        s = certified_sign(value) if not value.is_Rational else int(sp.sign(value))
        if s:
            seen.add(s)
    return seen == {1, -1}


def sign_of(expr: sp.Expr) -> int:
    """+1, 0 or −1 for ``expr`` under the assumptions on its symbols; else raise :class:`Undecidable`."""
    expr = sp.sympify(expr)
    if expr.is_Rational:
        return int(sp.sign(expr))
    if not expr.free_symbols:
        s = certified_sign(expr)
        if s is not None:
            return s
        if _proved_zero(expr):
            return 0
        raise Undecidable(f"sign of {expr} (interval evaluation to {PRECISIONS[-1]} bits does not exclude 0, "
                          "and it is not proved zero)")
    for e in (expr, sp.factor(sp.together(expr))):
        s = _assumed(e)
        if s is not None:
            return s
    if _takes_both_signs(expr):
        raise Undecidable(f"sign of {expr} (it takes both signs)")
    simplified = within_budget(lambda: sp.simplify(expr), BUDGET, default=None)
    s = None if simplified is None else _assumed(simplified)
    if s is None:
        raise Undecidable(f"sign of {expr}")
    return s
