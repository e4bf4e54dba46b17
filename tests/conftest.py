"""Session fixtures: the claims run once per test session, not once per test file."""

from __future__ import annotations

import pytest

from symdyn.claims import run


@pytest.fixture(scope="session")
def quick_results() -> dict:
    """Every catalogued claim, quick mode, seed 0 (what `symdyn verify --quick` checks), by id."""
    return {r.claim.id: r for r in run(quick=True)}


def pytest_collection_finish(session: pytest.Session) -> None:
    """The hostile-input suite runs only the cases whose tests are selected (tests/hostile.py)."""
    from tests import hostile

    hostile.select({item.callspec.params["case"].id for item in session.items
                    if "case" in getattr(getattr(item, "callspec", None), "params", {})
                    and isinstance(item.callspec.params["case"], hostile.Case)})


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests import hostile

    hostile.cleanup()
