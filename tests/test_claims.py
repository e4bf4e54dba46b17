"""The claims catalog and `symdyn verify`: outcomes, JSON shape, exit status."""

import json

import pytest

from symdyn.claims import catalog, run
from symdyn.claims.base import FAILS, HOLDS, Outcome, claim
from symdyn.claims.derivations import _same
from symdyn.cli import main


def test_every_claim_has_its_record():
    for c in catalog().values():
        assert c.source and c.printed and c.method and c.expected
        if c.expected == "holds-corrected":
            assert c.corrected, c.id


def test_quick_run_derivation_claims_as_expected(quick_results):
    # the other claim modules have their own outcome tests (test_claims_matrix, _limits, _depth, test_sweeps)
    ids = [c.id for c in catalog().values() if c.check.__module__.endswith(".derivations")]
    assert len(ids) >= 9
    bad = [(i, quick_results[i].outcome) for i in ids if not quick_results[i].as_expected]
    assert not bad


def test_same_detects_a_wrong_printed_form():
    # negative control for the comparison every 'printed form' claim uses
    from symdyn.derive.dynamics import product_ode

    assert _same(product_ode(2).expr, "2*w*(sigma - lambda*w)").status == HOLDS
    assert _same(product_ode(2).expr, "w*(sigma - lambda*w)").status == FAILS


def test_errata_evidence_is_concrete():
    (r,) = run(["E3"])
    ev = r.outcome.evidence
    assert ev["corrected ODE residual"] == "0"
    # printed residual at delta = 1, lambda = 1, t = 1: -2(e-1)e^{-2}/(2+e)^2, an independent closed form
    import math

    ref = -2 * (math.e - 1) * math.exp(-2) / (2 + math.e) ** 2
    assert float(ev["printed residual at witness"]) == pytest.approx(ref, rel=1e-14)


def test_verify_json_keys_and_exit_codes(capsys, monkeypatch):
    assert main(["verify", "--only", "ode-L2", "E6", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in out] == ["ode-L2", "E6"]
    assert {"id", "source", "status", "expected", "evidence"} <= out[0].keys()
    # an unexpected outcome makes verify exit 1
    from symdyn.claims import base

    @claim("test-always-fails", source="test", printed="false", expected=HOLDS)
    def _bad(quick):
        return Outcome(FAILS, {"why": "test"})

    try:
        assert main(["verify", "--only", "test-always-fails"]) == 1
        assert "unexpected: test-always-fails" in capsys.readouterr().out
    finally:
        base.CATALOG.pop("test-always-fails")


def test_verify_unknown_id_exit_2(capsys):
    assert main(["verify", "--only", "no-such-claim"]) == 2
    assert "unknown claim id" in capsys.readouterr().err


def test_verify_depth_filter(capsys):
    assert main(["verify", "--list", "--depth", "3"]) == 0
    out = capsys.readouterr().out
    assert "escape-L3" in out and "escape-L4" not in out and "thm2" not in out
    assert {c.id for c in catalog().values() if c.depth == 1} >= {"ode-L1", "map-L1", "prop1", "eq21", "E12"}
    assert catalog()["thm2"].depth == 2
    assert main(["verify", "--depth", "9"]) == 2
    assert "no claim is about depth 9" in capsys.readouterr().err
