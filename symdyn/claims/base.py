"""Claims as data: what the paper prints, what is correct, and how symdyn checks it.

A :class:`Claim` is a record (id, source, printed statement, corrected statement,
hypotheses, parameter region, method, expected status) plus one check function. A
check returns an :class:`Outcome`: ``holds``, ``fails`` (with a counterexample), or
``holds-corrected`` (the printed form fails, the corrected form holds; both shown).
Evidence is plain JSON-able data: parameters, steps or times, measured values and
margins, with high-precision numbers as decimal strings.

The catalog is filled by the ``symdyn.claims.*`` modules through :func:`claim`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

HOLDS = "holds"
FAILS = "fails"
HOLDS_CORRECTED = "holds-corrected"
ERROR = "error"
STATUSES = (HOLDS, FAILS, HOLDS_CORRECTED)
METHODS = ("symbolic", "high-precision", "gd-run", "matrix")
#: How the numbers behind a decision are known: every one proven by an enclosure, or some only agreed.
PROVEN, AGREED = "proven", "agreed"

#: The documented default seed of ``symdyn verify`` (``--seed``).
DEFAULT_SEED = 0
#: Cases per sweep: ``--quick`` and the full run (``--cases`` overrides both).
QUICK_CASES, FULL_CASES = 6, 50


@dataclass(frozen=True)
class Outcome:
    """The result of one check: a status and its evidence."""

    status: str
    evidence: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES + (ERROR,):
            raise ValueError(f"unknown claim status {self.status!r}")

    @property
    def proof(self) -> str | None:
        """``"proven"`` when every ``"proof"`` entry of the evidence (at any depth) is proven,
        ``"agreed"`` when one is agreed, None when the evidence rests on no certified number."""
        found = set(_proof_entries(self.evidence))
        return (AGREED if AGREED in found else PROVEN) if found else None


def _proof_entries(ev: object):
    if isinstance(ev, dict):
        for key, value in ev.items():
            if key == "proof" and value in (PROVEN, AGREED):
                yield value
            else:
                yield from _proof_entries(value)
    elif isinstance(ev, list | tuple):
        for value in ev:
            yield from _proof_entries(value)


@dataclass(frozen=True)
class Claim:
    """One executable claim of the paper."""

    id: str
    source: str
    printed: str
    corrected: str | None
    hypotheses: str
    region: str
    method: str
    expected: str
    check: Callable[[bool], Outcome] = field(repr=False, compare=False)
    slow: bool = False

    def run(self, quick: bool = True) -> Outcome:
        return self.check(quick)

    @property
    def depth(self) -> int:
        """The network depth the claim is about: an ``-L<n>`` id suffix, else 1 for the
        linear-model claims (:data:`LINEAR_MODEL_CLAIMS`), else 2 (the paper's network)."""
        m = re.search(r"-L(\d+)$", self.id)
        if m:
            return int(m.group(1))
        return 1 if self.id in LINEAR_MODEL_CLAIMS else 2


#: Claims about the linear model (depth 1) whose ids carry no ``-L1`` suffix.
LINEAR_MODEL_CLAIMS = frozenset({"prop1", "eq21", "E12"})


CATALOG: dict[str, Claim] = {}


def claim(id: str, *, source: str, printed: str, corrected: str | None = None, hypotheses: str = "",
          region: str = "", method: str = "symbolic", expected: str = HOLDS, slow: bool = False):
    """Register the decorated ``check(quick) -> Outcome`` as the claim ``id``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if expected not in STATUSES:
        raise ValueError(f"expected must be one of {STATUSES}, got {expected!r}")

    def register(fn: Callable[[bool], Outcome]) -> Callable[[bool], Outcome]:
        if id in CATALOG:
            raise ValueError(f"duplicate claim id {id!r}")
        CATALOG[id] = Claim(id, source, printed, corrected, hypotheses, region, method, expected, fn, slow)
        return fn

    return register


def printed_vs_corrected(printed_ok: bool, corrected_ok: bool, evidence: dict) -> Outcome:
    """``holds-corrected`` when only the correction holds; ``holds``/``fails`` otherwise."""
    if printed_ok and corrected_ok:
        return Outcome(HOLDS, evidence)
    if corrected_ok:
        return Outcome(HOLDS_CORRECTED, evidence)
    return Outcome(FAILS, evidence)
