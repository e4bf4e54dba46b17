"""Seeded random sweeps: each claim tried on parameter points nobody picked by hand (issue #6, item 4).

A sweep is a function ``(rng, n) -> SweepReport`` registered for one or more claim ids with
:func:`sweep`. It draws ``n`` points from the claim's stated region (its docstring says how),
checks the claim's correct statement on each and, for errata, records on how many points the
printed form fails. Most sweeps are a ``draw(rng) -> params`` and a ``check(params) -> Case``
handed to :func:`run_cases`.

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
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from symdyn.claims.base import ERROR, FAILS, HOLDS, HOLDS_CORRECTED, Outcome
from symdyn.model.checks import check_limit

#: The documented default seed of ``symdyn verify`` (``--seed``).
DEFAULT_SEED = 0
#: Cases per sweep: ``--quick`` and the full run (``--cases`` overrides both).
QUICK_CASES, FULL_CASES = 6, 50


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

#: Registered sweeps by claim id (several ids may share one sweep, e.g. a claim and its erratum).
SWEEPS: dict[str, Sweep] = {}


def sweep(*ids: str) -> Callable[[Sweep], Sweep]:
    """Register the decorated ``(rng, n) -> SweepReport`` for the claims ``ids``."""

    def register(fn: Sweep) -> Sweep:
        for cid in ids:
            if cid in SWEEPS:
                raise ValueError(f"duplicate sweep for claim {cid!r}")
            SWEEPS[cid] = fn
        return fn

    return register


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
    out = {}
    for k, v in params.items():
        if isinstance(v, Fraction):
            out[k] = str(v)
        elif isinstance(v, (np.integer, np.floating)):
            out[k] = v.item()
        elif isinstance(v, (tuple, list)):
            out[k] = [str(x) if isinstance(x, Fraction) else x for x in v]
        else:
            out[k] = v
    return out


def run_cases(rng: np.random.Generator, n: int, draw: Callable[[np.random.Generator], dict],
              check: Callable[[dict], Case]) -> SweepReport:
    """Draw ``n`` points with ``draw`` and check each; keep the first (printed) counterexample."""
    passed, printed_fail, counter, printed_ex, has_printed = 0, 0, None, None, False
    for i in range(n):
        params = draw(rng)
        case = check(params)
        record = {"case": i + 1, "params": as_text(params), **case.measured}
        if case.ok:
            passed += 1
        elif counter is None:
            counter = record
        if case.printed_ok is not None:
            has_printed = True
            if not case.printed_ok:
                printed_fail += 1
                printed_ex = printed_ex or record
    return SweepReport(n, passed, counter, printed_fail if has_printed else None, printed_ex)


def merge(outcome: Outcome, report: SweepReport, seed: int) -> Outcome:
    """The outcome with the sweep's evidence and verdict folded in (module docstring)."""
    evidence = {**outcome.evidence, "sweep": report.json(seed)}
    status = outcome.status
    if status != ERROR and report.counterexample is not None:
        status = FAILS
    elif status == HOLDS and report.printed_failures:
        status = HOLDS_CORRECTED
    return Outcome(status, evidence)


def sweep_error(outcome: Outcome, exc: Exception, seed: int) -> Outcome:
    """A sweep that raised: status ``error`` with the message (never hidden)."""
    return Outcome(ERROR, {**outcome.evidence, "sweep": {"seed": seed, "error": f"{type(exc).__name__}: {exc}"}})
