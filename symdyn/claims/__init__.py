"""Executable claims: every result of the paper, checked (``symdyn verify``).

>>> from symdyn.claims import CATALOG, run
>>> [r.outcome.status for r in run(["ode-L2", "E3"])]
['holds', 'holds-corrected']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .base import CATALOG, ERROR, Claim, Outcome

#: Modules that register claims, in report order.
MODULES = ("derivations", "matrix", "limits", "bounds", "depth")


def _load() -> dict[str, Claim]:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return CATALOG


@dataclass(frozen=True)
class Result:
    claim: Claim
    outcome: Outcome

    @property
    def as_expected(self) -> bool:
        return self.outcome.status == self.claim.expected

    def json(self) -> dict:
        c = self.claim
        return {"id": c.id, "source": c.source, "status": self.outcome.status, "expected": c.expected,
                "as_expected": self.as_expected, "method": c.method, "printed": c.printed,
                "corrected": c.corrected, "hypotheses": c.hypotheses, "region": c.region,
                "evidence": self.outcome.evidence}


def catalog() -> dict[str, Claim]:
    """All registered claims by id."""
    return dict(_load())


def run(ids: list[str] | None = None, quick: bool = True, progress=None) -> list[Result]:
    """Check the claims ``ids`` (all when None); ``quick`` uses the cheaper parameter sets.

    ``progress(claim_id)`` is called before each check. A check that raises is reported
    with status ``error`` and the message, never hidden.
    """
    cat = _load()
    unknown = [i for i in ids or () if i not in cat]
    if unknown:
        raise ValueError(f"unknown claim id(s): {', '.join(unknown)}; see `symdyn verify --list`")
    out = []
    for cid in ids or list(cat):
        c = cat[cid]
        if progress:
            progress(cid)
        try:
            outcome = c.run(quick)
        except Exception as exc:  # reported, not swallowed: status 'error' fails verify
            outcome = Outcome(ERROR, {"error": f"{type(exc).__name__}: {exc}"})
        out.append(Result(c, outcome))
    return out


__all__ = ["CATALOG", "Claim", "Outcome", "Result", "catalog", "run"]
