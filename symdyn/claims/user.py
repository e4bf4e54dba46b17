"""Your own claims: ``symdyn.check(predicate, draw, cases=..., seed=...)``, the built-in claims' sweep machinery.

A claim of yours is a ``draw(rng) -> params`` (a random point of the region it speaks about; ``rng``
is a numpy ``Generator``) and a ``predicate(params) -> bool`` (or ``(bool, measured)`` with a dict of
what was measured, or a :class:`~symdyn.claims.sweep.Case`). :func:`check` draws ``cases`` points
exactly as ``symdyn verify`` does for its sweeps (:func:`~symdyn.claims.sweep.run_cases`, the generator
:func:`~symdyn.claims.sweep.claim_rng` of (seed, name)), and returns a :class:`Verdict`: whether the
predicate held everywhere, the first counterexample, and the seed that replays it. The catalogue of
the paper's claims is left alone.

>>> v = check(lambda p: p["x"] ** 2 >= p["x"], lambda rng: {"x": float(rng.uniform(0, 2))}, cases=50, seed=1)
>>> v.holds, v.counterexample["case"] <= 50, v.seed
(False, True, 1)
>>> bool(check(lambda p: p["x"] ** 2 >= 0, lambda rng: {"x": float(rng.normal())}, cases=20))
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from symdyn.claims.sweep import DEFAULT_SEED, FULL_CASES, Case, as_text, check_seed_cases, claim_rng, run_cases


@dataclass(frozen=True)
class Verdict:
    """What :func:`check` found: ``holds`` on all ``cases`` (``passed`` of them held), the first
    ``counterexample`` (``{"case": i, "params": {...}, ...measured}``) or ``None``, and the ``seed``
    and ``name`` that replay the draw (``check(..., seed=seed, name=name, cases=i)`` reaches case i again)."""

    name: str
    holds: bool
    cases: int
    passed: int
    seed: int
    counterexample: dict | None = None

    def __bool__(self) -> bool:
        return self.holds

    @property
    def replay(self) -> str:
        """The call that replays the draw up to the counterexample (all cases when there is none)."""
        n = self.counterexample["case"] if self.counterexample else self.cases
        return f"symdyn.check(predicate, draw, cases={n}, seed={self.seed}, name={self.name!r})"

    def __str__(self) -> str:
        verb = "holds" if self.holds else "fails"
        head = f"{self.name}: {verb} ({self.passed}/{self.cases} cases hold, seed {self.seed})"
        if self.counterexample is None:
            return head
        return f"{head}; counterexample {self.counterexample}; replay: {self.replay}"

    def to_json(self) -> str:
        from symdyn.model.serialize import dumps

        return dumps("Verdict", {"name": self.name, "holds": self.holds, "cases": self.cases, "passed": self.passed,
                                 "seed": self.seed, "counterexample": self.counterexample})

    @staticmethod
    def from_json(text: str | dict) -> Verdict:
        from symdyn.model.serialize import loads

        d = loads("Verdict", text)
        try:
            return Verdict(str(d["name"]), bool(d["holds"]), int(d["cases"]), int(d["passed"]), int(d["seed"]),
                           d["counterexample"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a Verdict in JSON lacks or misshapes {exc}") from None


def _case(result: object) -> Case:
    if isinstance(result, Case):
        return result
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], Mapping):
        return Case(bool(result[0]), as_text(dict(result[1])))
    if isinstance(result, (bool, np.bool_)):
        return Case(bool(result), {})
    raise TypeError(f"the predicate must return a bool, (bool, measured dict) or a Case, got {type(result).__name__}")


def check(predicate: Callable[[dict], object], draw: Callable[[np.random.Generator], Mapping],
          cases: int = FULL_CASES, seed: int = DEFAULT_SEED, name: str = "check") -> Verdict:
    """Try ``predicate`` on ``cases`` points drawn by ``draw`` from the generator of ``(seed, name)``."""
    if not callable(predicate) or not callable(draw):
        raise TypeError("check(predicate, draw): both must be callables (params -> bool, rng -> params)")
    check_seed_cases(seed, cases)

    def drawn(rng: np.random.Generator) -> dict:
        params = draw(rng)
        if not isinstance(params, Mapping):
            raise TypeError(f"draw(rng) must return a dict of parameters, got {type(params).__name__}")
        return dict(params)

    report = run_cases(claim_rng(seed, name), int(cases), drawn, lambda p: _case(predicate(p))).run()
    return Verdict(name, report.counterexample is None, report.cases, report.passed, int(seed), report.counterexample)
