"""Seeded random sweeps: each claim tried on parameter points nobody picked by hand (issue #6, item 4).

A sweep is a function ``(rng, n)`` registered for one or more claim ids with :func:`sweep`. It
draws ``n`` points from the claim's stated region (its docstring says how), checks the claim's
correct statement on each and, for errata, records on how many points the printed form fails.
A sweep is a ``draw(rng) -> params`` and a ``check(params) -> Case`` handed to :func:`run_cases`;
the registry runs them (``SWEEPS[id](rng, n) -> SweepReport``), and :func:`sweep_cases` hands out
the drawn points and the check apart, so that each case can run as its own task.

Reproducibility: the generator of claim ``id`` under seed ``s`` is
``default_rng(SeedSequence([s, crc32(id)]))`` (:func:`claim_rng`), so ``--only ID`` replays
exactly the cases of the full run, and a printed seed is all it takes to rerun a sweep.

Verdict (:func:`merge`): a counterexample to the correct statement turns the outcome into
``fails`` (never silently); printed-form failures found only by the sweep turn ``holds`` into
``holds-corrected``.

>>> import numpy as np
>>> a = [float(draw_uniform(claim_rng(0, "x"), 0, 1)) for _ in range(2)]
>>> a == [float(draw_uniform(claim_rng(0, "x"), 0, 1)) for _ in range(2)]
True
"""

from __future__ import annotations

import math
import numbers
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from symdyn.claims.base import DEFAULT_SEED, ERROR, FAILS, FULL_CASES, HOLDS, HOLDS_CORRECTED, QUICK_CASES, Outcome  # noqa: F401 (defined with the claims)
from symdyn.model.checks import check_limit


@dataclass(frozen=True)
class Case:
    """One random point checked: the correct statement ``ok``, the printed one ``printed_ok``
    (``None`` when the claim has no separate printed form), and what was measured."""

    ok: bool
    measured: dict
    printed_ok: bool | None = None


@dataclass(frozen=True)
class SweepReport:
    """What a sweep found: cases checked and passed, the first counterexample (its parameters and
    measurements) or ``None``; for errata, on how many cases the printed form fails and the first."""

    cases: int
    passed: int
    counterexample: dict | None = None
    printed_failures: int | None = None
    printed_example: dict | None = None

    def json(self, seed: int) -> dict:
        out = {"seed": seed, "cases": self.cases, "passed": self.passed, "counterexample": self.counterexample}
        if self.printed_failures is not None:
            out["printed_failures"] = self.printed_failures
            out["printed_failure_example"] = self.printed_example
        return out

    @property
    def column(self) -> str:
        """The table cell, e.g. ``"20/20"``; errata add the printed failures, ``"20/20 p:7"``."""
        cell = f"{self.passed}/{self.cases}"
        return cell if self.printed_failures is None else f"{cell} p:{self.printed_failures}"


Sweep = Callable[[np.random.Generator, int], SweepReport]


class Cases:
    """The cases of a sweep: ``n`` points drawn from ``rng`` by ``draw``, each checked by ``check``.

    :func:`run_cases` returns it and the registry runs it (:meth:`run`), so a sweep reads as
    one line; :meth:`params` draws the points alone, which lets each :meth:`check` run apart
    (``symdyn sweep claims`` sends them to a cluster). A check never touches ``rng``, so the
    points are the same whether the checks run in between or afterwards.
    """

    def __init__(self, rng: np.random.Generator, n: int, draw: Callable[[np.random.Generator], dict],
                 check: Callable[[dict], Case]):
        self.rng, self.n, self.draw, self.check = rng, n, draw, check
        self._params: list[dict] | None = None

    def params(self) -> list[dict]:
        """The ``n`` points, drawn once."""
        if self._params is None:
            self._params = [self.draw(self.rng) for _ in range(self.n)]
        return self._params

    def run(self) -> SweepReport:
        """Check every point here, in order."""
        ps = self.params()
        return report(ps, [self.check(p) for p in ps])


class _Registered:
    """A registered sweep: called as ``(rng, n) -> SweepReport``; :meth:`cases` gives its :class:`Cases`."""

    def __init__(self, fn: Callable):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __call__(self, rng: np.random.Generator, n: int) -> SweepReport:
        out = self.fn(rng, n)
        return out.run() if isinstance(out, Cases) else out

    def cases(self, rng: np.random.Generator, n: int) -> Cases:
        out = self.fn(rng, n)
        if not isinstance(out, Cases):
            raise ValueError(f"the sweep {self.fn.__name__} is not split into cases (it does not use run_cases)")
        return out


#: Registered sweeps by claim id (several ids may share one sweep, e.g. a claim and its erratum).
SWEEPS: dict[str, Sweep] = {}


def sweep(*ids: str) -> Callable[[Callable], Sweep]:
    """Register the decorated ``(rng, n) -> Cases | SweepReport`` for the claims ``ids``."""

    def register(fn: Callable) -> Sweep:
        wrapped = _Registered(fn)
        for cid in ids:
            if cid in SWEEPS:
                raise ValueError(f"duplicate sweep for claim {cid!r}")
            SWEEPS[cid] = wrapped
        return wrapped

    return register


def sweep_cases(claim_id: str, seed: int, n: int) -> Cases:
    """The cases of claim ``claim_id``'s sweep under ``seed``: those ``symdyn verify --seed`` checks."""
    fn = SWEEPS[claim_id]
    if not isinstance(fn, _Registered):
        raise ValueError(f"the sweep of {claim_id} is not registered with @sweep")
    return fn.cases(claim_rng(seed, claim_id), n)


def check_seed_cases(seed: int, cases: int) -> None:
    """Validate ``--seed`` (integer >= 0) and ``--cases`` (integer >= 0; 0 skips the sweeps)."""
    for name, v in (("seed", seed), ("cases", cases)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {v!r}")
    check_limit("cases", int(cases), "random cases per claim")


def claim_rng(seed: int, claim_id: str) -> np.random.Generator:
    """The generator of ``claim_id``'s sweep under ``seed`` (independent of the other claims)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(claim_id.encode())]))


# ------------------------------------------------------------------ drawing exact parameters
def draw_uniform(rng: np.random.Generator, lo: float, hi: float, den: int = 1000) -> Fraction:
    """A rational j/den uniform on [lo, hi] (exact, so every engine sees the same number)."""
    return Fraction(int(rng.integers(math.ceil(lo * den), math.floor(hi * den) + 1)), den)


def draw_log(rng: np.random.Generator, lo: float, hi: float, digits: int = 3) -> Fraction:
    """A rational with ``digits`` significant digits, log-uniform on [lo, hi]."""
    x = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    e = math.floor(math.log10(x)) - digits + 1
    q = Fraction(round(x / 10.0**e)) * Fraction(10) ** e
    return min(max(q, Fraction(lo)), Fraction(hi))


def as_text(params: dict) -> dict:
    """JSON-able parameters: exact rationals as strings, numpy scalars as Python numbers."""
    return {k: _as_text(v) for k, v in params.items()}


def _as_text(v: object) -> object:
    """Exact rationals (Fraction, sympy) as strings, numpy scalars as Python numbers, lists item by item."""
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        return v.item()
    if isinstance(v, numbers.Rational) and not isinstance(v, (int, bool)):
        return str(v)
    if isinstance(v, (tuple, list)):
        return [_as_text(x) for x in v]
    return v


def run_cases(rng: np.random.Generator, n: int, draw: Callable[[np.random.Generator], dict],
              check: Callable[[dict], Case]) -> Cases:
    """The ``n`` cases drawn with ``draw`` and checked with ``check`` (run by the registry, :class:`Cases`)."""
    return Cases(rng, n, draw, check)


def case_record(i: int, params: dict, case: Case) -> dict:
    """Case ``i`` (from 0) as the report shows it: its number from 1, its parameters, what it measured."""
    return {"case": i + 1, "params": as_text(params), **case.measured}


def report(params: Sequence[dict], cases: Sequence[Case]) -> SweepReport:
    """The report of checked cases: the count passed, the first (printed) counterexample."""
    passed, printed_fail, counter, printed_ex, has_printed = 0, 0, None, None, False
    for i, (p, case) in enumerate(zip(params, cases, strict=True)):
        record = case_record(i, p, case)
        if case.ok:
            passed += 1
        elif counter is None:
            counter = record
        if case.printed_ok is not None:
            has_printed = True
            if not case.printed_ok:
                printed_fail += 1
                printed_ex = printed_ex or record
    return SweepReport(len(cases), passed, counter, printed_fail if has_printed else None, printed_ex)


def merge(outcome: Outcome, report: SweepReport, seed: int) -> Outcome:
    """The outcome with the sweep's evidence and verdict folded in (module docstring)."""
    evidence = {**outcome.evidence, "sweep": report.json(seed)}
    status = outcome.status
    if status != ERROR and report.counterexample is not None:
        status = FAILS
    elif status == HOLDS and report.printed_failures:
        status = HOLDS_CORRECTED
    return Outcome(status, evidence)


def error_text(exc: BaseException) -> str:
    """How a sweep's error reads in its evidence: ``Type: message``."""
    return f"{type(exc).__name__}: {exc}"


def sweep_error(outcome: Outcome, exc: Exception | str, seed: int) -> Outcome:
    """A sweep that raised (the exception, or its :func:`error_text`): status ``error`` with the message."""
    text = exc if isinstance(exc, str) else error_text(exc)
    return Outcome(ERROR, {**outcome.evidence, "sweep": {"seed": seed, "error": text}})
