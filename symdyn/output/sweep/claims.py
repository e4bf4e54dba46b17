"""``symdyn verify``'s random claim sweeps as distributed tasks: one row per case, the same verdicts.

The cases are those of ``symdyn verify --seed S --cases N``: claim ``id``'s points are drawn here,
from :func:`symdyn.claims.sweep.claim_rng` (seed, id), and each check runs as a task of its own
(:func:`symdyn.claims.sweep.sweep_cases`). Every claim also gets a row for its fixed check (case 0).
A claim's verdict is rebuilt from its rows by the rules of :func:`symdyn.claims.run` (the fixed
outcome, merged with the report of its cases; a case that raised makes the sweep an error), so a
resumed run gives the verdict from the table alone.

Columns: ``cell``, ``claim``, ``case`` (0: the fixed check), ``params`` and ``evidence`` (JSON),
``ok`` and ``printed_ok`` (a case's verdicts), ``status`` (the fixed check's), ``error``, ``seconds``,
``worker``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence

from symdyn.claims import Result, catalog, fixed_outcome
from symdyn.claims.base import Outcome
from symdyn.claims.sweep import (
    SWEEPS,
    Case,
    as_text,
    check_seed_cases,
    error_text,
    merge,
    report,
    sweep_cases,
    sweep_error,
)

COLUMNS = (("cell", "int64"), ("claim", "string"), ("case", "int64"), ("params", "string"), ("ok", "bool"),
           ("printed_ok", "bool"), ("status", "string"), ("evidence", "string"), ("error", "string"),
           ("seconds", "float64"), ("worker", "string"))


def _json(value: object) -> str:
    def plain(x: object) -> object:
        if hasattr(x, "item"):  # numpy scalars
            return x.item()
        return str(x)

    return json.dumps(value, default=plain, sort_keys=True, ensure_ascii=False)


def claim_cells(items: Sequence[tuple], seed: int, cases: int, quick: bool) -> list[dict]:
    """Rows of ``items`` = (cell, claim id, case, params or None): the task a worker runs."""
    from symdyn.output.sweep.engine import worker_name

    who = worker_name()
    cat = catalog()
    rows = []
    for cell, cid, case, params in items:
        start = time.perf_counter()
        row = {"cell": cell, "claim": cid, "case": case, "params": None, "ok": None, "printed_ok": None,
               "status": None, "evidence": None, "error": None}
        if case == 0:
            outcome = fixed_outcome(cat[cid], quick)
            row.update(status=outcome.status, evidence=_json(outcome.evidence))
        else:
            row["params"] = _json(as_text(params))
            try:
                c = sweep_cases(cid, seed, cases).check(params)
                row.update(ok=bool(c.ok), printed_ok=None if c.printed_ok is None else bool(c.printed_ok),
                           evidence=_json(c.measured))
            except Exception as exc:  # as in symdyn.claims.run: a check that raises makes the sweep an error
                row["error"] = error_text(exc)
        row.update(seconds=time.perf_counter() - start, worker=who)
        rows.append(row)
    return rows


def claim_ids(only: Sequence[str] | None) -> list[str]:
    """The claims to run (all when ``only`` is empty), each known."""
    cat = catalog()
    unknown = [i for i in only or () if i not in cat]
    if unknown:
        raise ValueError(f"unknown claim id(s): {', '.join(unknown)}; symdyn verify --list lists them")
    return list(only) if only else list(cat)


def claims_job(only: Sequence[str] | None, seed: int, cases: int, quick: bool = True, *,
               chunk: int | None = None, metadata: Mapping | None = None):
    """The :class:`~symdyn.output.sweep.engine.Job` of the claims ``only`` (all when empty): per claim a
    chunk for the fixed check, then its ``cases`` drawn points in chunks."""
    from symdyn.output.sweep.engine import Job, chunk_size, chunks

    check_seed_cases(seed, cases)
    ids = claim_ids(only)
    tasks, sizes, cell = [], [], 0
    for cid in ids:
        tasks.append((((cell, cid, 0, None),), seed, cases, quick))
        sizes.append(1)
        cell += 1
        if cid in SWEEPS and cases:
            params = sweep_cases(cid, seed, cases).params()
            size = chunk_size(cases) if chunk is None else chunk
            for a, b in chunks(cases, size):
                tasks.append((tuple((cell + j, cid, j + 1, params[j]) for j in range(a, b)), seed, cases, quick))
                sizes.append(b - a)
            cell += cases
    fp = {"kind": "claims", "claims": ids, "seed": seed, "cases": cases, "quick": quick, "chunk": chunk}
    fp["id"] = hashlib.sha256(json.dumps(fp, sort_keys=True).encode()).hexdigest()[:16]
    meta = {**dict(metadata or {}), "kind": "claims", "claims": ids, "seed": seed, "cases": cases, "quick": quick}
    return Job(claim_cells, tuple(tasks), tuple(sizes), COLUMNS, fp, meta)


def verdicts(table, seed: int) -> list[Result]:
    """Each claim's :class:`~symdyn.claims.Result`, rebuilt from its rows (module docstring)."""
    cat = catalog()
    rows = table.to_pylist()
    by_claim: dict[str, list[dict]] = {}
    for r in rows:
        by_claim.setdefault(r["claim"], []).append(r)
    out = []
    for cid, rs in by_claim.items():
        fixed = next(r for r in rs if r["case"] == 0)
        outcome = Outcome(fixed["status"], json.loads(fixed["evidence"]))
        case_rows = sorted((r for r in rs if r["case"] > 0), key=lambda r: r["case"])
        failed = next((r for r in case_rows if r["error"] is not None), None)
        if failed is not None:
            outcome = sweep_error(outcome, failed["error"], seed)
        elif case_rows:
            params = [json.loads(r["params"]) for r in case_rows]  # as as_text wrote them
            checked = [Case(r["ok"], json.loads(r["evidence"]), r["printed_ok"]) for r in case_rows]
            outcome = merge(outcome, report(params, checked), seed)
        out.append(Result(cat[cid], outcome, seed))
    return out
