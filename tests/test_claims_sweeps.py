"""One sweep from each sweep module (flow, GD, matrix): a few seeded cases, replayed bit for bit."""

from fractions import Fraction

import numpy as np
import pytest

from symdyn.claims import catalog, sweeps_flow, sweeps_gd, sweeps_matrix
from symdyn.claims.sweep import SWEEPS, as_text, claim_rng

#: (claim id, the module that defines its sweep, cases): one claim per module, a few cases each.
CHOSEN = [("map-L2", sweeps_flow, 4), ("thm3-sigma0", sweeps_gd, 8), ("eq21", sweeps_matrix, 4)]


@pytest.fixture
def record(monkeypatch):
    """Run a sweep and return (report, cases): every drawn point with its verdict and measurements.

    The sweep module's ``run_cases`` is wrapped (not replaced), so the sweep runs as in ``symdyn verify``.
    """
    def run(cid: str, module, n: int, seed: int):
        seen = []
        real = module.run_cases

        def recording(rng, n, draw, check):
            def checked(p):
                case = check(p)
                seen.append({"params": as_text(p), "ok": case.ok, "printed_ok": case.printed_ok,
                             "measured": case.measured})
                return case
            return real(rng, n, draw, checked)

        monkeypatch.setattr(module, "run_cases", recording)
        try:
            report = SWEEPS[cid](claim_rng(seed, cid), n)
        finally:
            monkeypatch.setattr(module, "run_cases", real)
        return report, seen

    catalog()  # registers every sweep
    return run


@pytest.mark.parametrize("cid, module, n", CHOSEN)
def test_same_seed_replays_the_same_cases(record, cid, module, n):
    report, cases = record(cid, module, n, seed=3)
    assert report.cases == len(cases) == n
    assert report.passed == sum(c["ok"] for c in cases) == n  # the claim's correct statement holds on each
    again, cases_again = record(cid, module, n, seed=3)
    assert cases_again == cases and again == report  # same points, same measurements, same report
    # negative control: another seed draws other points, so the equality above is not vacuous
    _, other = record(cid, module, n, seed=4)
    assert [c["params"] for c in other] != [c["params"] for c in cases]


def test_map_sweep_draws_in_its_region_and_catches_a_wrong_map(record, monkeypatch):
    _, cases = record("map-L2", sweeps_flow, 6, seed=0)
    for c in cases:  # the region its docstring states
        p = {k: Fraction(v) if isinstance(v, str) else v for k, v in c["params"].items()}
        assert 0 <= p["sigma"] <= 3 and Fraction(5, 100) <= p["lambda"] <= 3
        assert Fraction(1, 1000) <= p["eta"] <= 1 and Fraction(1, 1000) <= p["w"] <= 3 and 1 <= p["steps"] <= 5
    # negative control: a derived map off by 1e-9 relative (far above float64 rounding) is caught
    real = sweeps_flow.scalar_gd
    monkeypatch.setattr(sweeps_flow, "scalar_gd", lambda *a, **k: real(*a, **k) * (1 + 1e-9))
    report, _ = record("map-L2", sweeps_flow, 6, seed=0)
    assert report.passed == 0 and report.counterexample is not None


def test_sigma0_sweep_verdict_follows_the_sharp_threshold(record):
    # σ = 0, k = 1: w_1 = w0(1 − x)² <= w0/(1 + 2x) iff x²(2x − 3) <= 0 iff x = ηλw0 <= 3/2 (expanded by hand)
    _, cases = record("thm3-sigma0", sweeps_gd, 8, seed=3)
    xs = [Fraction(c["params"]["x = eta lambda w0"]) for c in cases]
    assert any(x > Fraction(3, 2) for x in xs) and any(x <= Fraction(3, 2) for x in xs)  # both sides drawn
    for x, c in zip(xs, cases, strict=True):
        assert c["measured"]["k=1: w_1 <= bound"] == (x <= Fraction(3, 2))
        assert c["printed_ok"] == (x <= Fraction(3, 2))  # the printed statement has no threshold: fails above


def test_eq21_sweep_counts_the_printed_erratum(record):
    report, cases = record("eq21", sweeps_matrix, 4, seed=3)
    # the printed eq (21) puts the power on the right; with Σx and W0 − Σx†Σxy not commuting it is wrong
    wrong = [c for c in cases if isinstance(c["measured"]["printed_rel_error"], float | np.floating)
             and c["measured"]["commutator"] > 0.1]
    assert wrong and report.printed_failures == sum(not c["printed_ok"] for c in cases) >= len(wrong)
    assert all(c["measured"]["corrected_rel_error"] < c["measured"]["tolerance"] for c in cases)
