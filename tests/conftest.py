"""Session fixtures: the claims run once per test session, not once per test file."""

from __future__ import annotations

import pytest

from symdyn.claims import run


@pytest.fixture(scope="session")
def quick_results() -> dict:
    """Every catalogued claim, quick mode, seed 0 (what `symdyn verify --quick` checks), by id."""
    return {r.claim.id: r for r in run(quick=True)}
