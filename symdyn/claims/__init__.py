"""Executable claims: every result of the paper, checked (``symdyn verify``).

>>> from symdyn.claims import CATALOG, run
>>> [r.outcome.status for r in run(["ode-L2", "E3"])]
['holds', 'holds-corrected']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from symdyn.claims.base import CATALOG, DEFAULT_SEED, ERROR, FULL_CASES, QUICK_CASES, Claim, Outcome
from symdyn.model.checks import check_sequence, check_type

#: Modules that register claims, in report order.
MODULES = ("derivations", "matrix", "limits", "bounds", "depth", "regimes")
#: Modules that register the claims' seeded random sweeps (:mod:`.sweep`).
SWEEP_MODULES = ("sweeps_flow", "sweeps_gd", "sweeps_matrix")


def _load() -> dict[str, Claim]:
    for name in MODULES + SWEEP_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return CATALOG


@dataclass(frozen=True)
class Result:
    claim: Claim
    outcome: Outcome
    seed: int | None = None

    @property
    def sweep(self) -> dict | None:
        """The sweep's evidence ({seed, cases, passed, counterexample, ...}) or None."""
        return self.outcome.evidence.get("sweep")

    @property
    def as_expected(self) -> bool:
        return self.outcome.status == self.claim.expected

    def _repr_latex_(self) -> str:
        """The claim's id, source and outcome, typeset for a notebook."""
        from symdyn.model.printing import math_display, words_latex

        c, mark = self.claim, (r"\checkmark" if self.as_expected else r"\times")
        head = words_latex(f"{c.id} ({c.source}): {self.outcome.status} (expected {c.expected})")
        rows = [head + r"\ " + mark, words_latex("printed: " + c.printed)]
        if c.corrected:
            rows.append(words_latex("corrected: " + c.corrected))
        return math_display(r"\begin{gathered}" + r" \\ ".join(rows) + r"\end{gathered}")

    def to_json(self) -> str:
        """The result as JSON text (the claim's record, its outcome and evidence, the seed)."""
        from symdyn.model.serialize import dumps

        return dumps("Result", {**self.json(), "slow": self.claim.slow})

    @staticmethod
    def from_json(text: str | dict) -> Result:
        """Inverse of :meth:`to_json`. The claim comes back as a record: its check is not loaded
        (``symdyn.claims.run([id])`` reruns it)."""
        from symdyn.model.serialize import loads

        d = loads("Result", text)
        try:
            def not_loaded(quick: bool) -> Outcome:
                raise ValueError(f"claim {d['id']} was loaded from JSON; symdyn.claims.run([{d['id']!r}]) reruns it")

            c = Claim(str(d["id"]), str(d["source"]), str(d["printed"]), d["corrected"], str(d["hypotheses"]),
                      str(d["region"]), str(d["method"]), str(d["expected"]), not_loaded, bool(d.get("slow", False)))
            return Result(c, Outcome(str(d["status"]), dict(d["evidence"])), d.get("seed"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a claim Result in JSON lacks or misshapes {exc}") from None

    def json(self) -> dict:
        c = self.claim
        return {"id": c.id, "source": c.source, "status": self.outcome.status, "expected": c.expected,
                "as_expected": self.as_expected, "proof": self.outcome.proof, "seed": self.seed,
                "method": c.method, "printed": c.printed,
                "corrected": c.corrected, "hypotheses": c.hypotheses, "region": c.region,
                "evidence": self.outcome.evidence}


def catalog() -> dict[str, Claim]:
    """All registered claims by id."""
    return dict(_load())


def run(ids: list[str] | None = None, quick: bool = True, progress=None, seed: int = DEFAULT_SEED,
        cases: int | None = None) -> list[Result]:
    """Check the claims ``ids`` (all when None); ``quick`` uses the cheaper parameter sets.

    Each claim with a registered sweep is also tried on ``cases`` random points (default
    :data:`~.sweep.QUICK_CASES` / :data:`~.sweep.FULL_CASES`; 0 skips the sweeps) drawn by
    :func:`~.sweep.claim_rng` from ``(seed, claim id)``: the same seed replays the same
    cases, with or without ``ids``. ``progress(claim_id)`` is called before each check. A
    check or sweep that raises is reported with status ``error`` and the message, never hidden.
    """
    from symdyn.claims.sweep import SWEEPS, check_seed_cases, claim_rng, merge, sweep_error

    if isinstance(ids, str):           # run("E7") means the claim E7, not the ids "E" and "7"
        ids = [ids]
    if ids is not None:
        ids = check_sequence(ids, "ids")
        for i in ids:
            check_type(i, str, "each claim id")
    check_type(quick, bool, "quick")
    cases = (QUICK_CASES if quick else FULL_CASES) if cases is None else cases
    check_seed_cases(seed, cases)
    cat = _load()
    unknown = [i for i in ids or () if i not in cat]
    if unknown:
        raise ValueError(f"unknown claim id(s): {', '.join(unknown)}; symdyn.claims.catalog() lists them")
    out = []
    for cid in ids or list(cat):
        c = cat[cid]
        if progress:
            progress(cid)
        outcome = fixed_outcome(c, quick)
        if cid in SWEEPS and cases:
            try:
                outcome = merge(outcome, SWEEPS[cid](claim_rng(seed, cid), cases), seed)
            except Exception as exc:  # a sweep that breaks is an error of the claim, not a pass
                outcome = sweep_error(outcome, exc, seed)
        out.append(Result(c, outcome, seed))
    return out


def fixed_outcome(c: Claim, quick: bool = True) -> Outcome:
    """The outcome of claim ``c``'s fixed check; one that raises is status ``error`` with the message."""
    from symdyn.claims.sweep import error_text

    try:
        return c.run(quick)
    except Exception as exc:  # reported, not swallowed: status 'error' fails verify
        return Outcome(ERROR, {"error": error_text(exc)})


__all__ = ["CATALOG", "Claim", "Outcome", "Result", "catalog", "fixed_outcome", "run"]
