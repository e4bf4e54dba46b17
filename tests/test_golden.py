"""The layer move (issue #13) changed no result: claim statuses and the formula sheet match golden copies.

The golden copies in tests/golden/ were written by `symdyn reproduce --out DIR` (quick mode, seed 0) at commit
d72c6a0, before the move: `claim_statuses.json` from DIR/claims.json, `formulas.md` and `formulas-body.tex`
from DIR/derivations/. A deliberate change to a result must update them in the same commit and say why.
"""

from __future__ import annotations

import json
from pathlib import Path

from symdyn.output.sheet import render

GOLDEN = Path(__file__).parent / "golden"


def test_claim_statuses_match_the_golden_copy(quick_results):
    golden = json.loads((GOLDEN / "claim_statuses.json").read_text())["claims"]
    now = {i: {"status": r.outcome.status, "expected": r.claim.expected, "as_expected": r.as_expected}
           for i, r in quick_results.items()}
    assert set(golden) <= set(now), sorted(set(golden) - set(now))     # no claim lost
    assert {i: now[i] for i in golden} == golden


def test_formula_sheet_matches_the_golden_copy():
    sheets = render()
    for name in ("formulas.md", "formulas-body.tex"):
        assert sheets[name] == (GOLDEN / name).read_text(), name

