"""The depth L >= 3 claims (issue #10): quick outcomes, evidence against independent values, negative controls."""

from fractions import Fraction

import pytest
import sympy as sp

from symdyn.claims import catalog
from symdyn.claims import depth as D
from symdyn.claims.base import FAILS, HOLDS

IDS = ("escape-L3", "escape-L4", "transition-value-L3", "transition-value-L4", "gd-vs-flow-L3")


@pytest.fixture(scope="module")
def results(quick_results):
    return {i: quick_results[i] for i in IDS if i in quick_results}


def test_quick_outcomes_hold_and_metadata(results):
    bad = {i: (r.outcome.status, r.outcome.evidence) for i, r in results.items() if not r.as_expected}
    assert not bad
    for i in IDS:
        c = catalog()[i]
        assert c.id.endswith(("-L3", "-L4")) and c.expected == HOLDS and c.method == "high-precision"
        assert c.source.startswith("beyond the paper") and "docs/conventions.md, rescalings at depth L" in c.source


def test_escape_values_against_asymptotics(results):
    # below tau*: G(w) = -0.1 tau* scale + O(1), so w^{-1/3} ~ (L-2) sigma * 0.1 tau* e^{delta} = 0.1 e^{delta}
    # (depth.escape_scale), i.e. w ~ 1000 e^{-3 delta}; at delta = 20: 1000 e^{-60} = 8.756e-24
    ev = results["escape-L3"].outcome.evidence["certified values (15 digits)"]["delta=20"]
    w = Fraction(ev["w at 0.9 tau* (limit 0)"])
    assert abs(w / (1000 * Fraction(sp.Rational(sp.exp(-60).evalf(30)))) - 1) < Fraction(1, 1000)  # O(w0^{1/3})


def test_transition_rate_is_two(results):
    for i in ("transition-value-L3", "transition-value-L4"):
        rates = [float(r) for r in results[i].outcome.evidence["measured rate -d ln(w - w*)/d delta (predicted 2)"]]
        assert all(abs(r - 2) < 1e-3 for r in rates[1:])   # O(e^{-2 delta}) corrections at delta >= 6


def test_wrong_transition_value_is_reported(monkeypatch):
    # negative control: x_L off by 1e-9 leaves 2F1(1, a; a+1; x) ~ 1e-8, far above the 1e-27 the claim allows
    true = D.transition_constant(4)
    monkeypatch.setattr(D, "transition_constant", lambda L: true + sp.Float("1e-9", 30))
    assert D._transition_value(4, True).status == FAILS


def test_gd_lag_shrinks_with_eta(results):
    runs = results["gd-vs-flow-L3"].outcome.evidence["runs"]
    lags = [float(Fraction(v["lag/eta"])) * float(Fraction(e.split("=")[1])) for e, v in runs.items()]
    assert lags[-1] < 0.3 * lags[0]     # eta / 4: the lag (first order in eta) drops by about 4
