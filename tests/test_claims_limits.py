"""The limit, transition and discrete-bound claims: outcomes, evidence against independent values,
negative controls (a counterexample at too low a precision is refused; the corrected bound has no
violation; a wrong bound is reported)."""

import math
from fractions import Fraction

import pytest
import sympy as sp

from symdyn.claims import catalog
from symdyn.claims.gd_runs import certified_margins, first_violation, gd_model, holds_on_run
from symdyn.derive.bounds import printed_forms, thm3_bounds
from symdyn.model import symbols as S
from symdyn.precise.certified import CertificationError

IDS = ("thm2", "E1", "E5", "cor1", "E11", "cor2", "E10", "gd-transition", "E15", "gd-limit",
       "ratio-identity", "thm3-lower", "thm3-upper", "E7", "E8", "thm3-sigma0", "E9")


@pytest.fixture(scope="module")
def results(quick_results):
    return {i: quick_results[i] for i in IDS if i in quick_results}


def test_every_claim_quick_outcome_is_expected(results):
    assert set(IDS) <= set(catalog())
    bad = {i: (r.outcome.status, r.claim.expected) for i, r in results.items() if not r.as_expected}
    assert not bad
    for i in IDS:  # errata are shown both ways
        c = catalog()[i]
        assert c.source and c.printed and c.method in ("symbolic", "high-precision", "gd-run")
        if c.expected == "holds-corrected":
            assert c.corrected


def test_e1_transition_is_half(results):
    ev = results["E1"].outcome.evidence
    assert sp.sympify(ev["transition (init product)"], locals={"sigma": S.sigma}) == 1 / (2 * S.sigma)
    # counterexample: under w(0) = e^{-δ}, at τ = 3/(4σ) (below the printed 1/σ) the flow has already
    # reached σ/λ = 1/4 (σ = 1/2, λ = 2): the independent value is σ/λ, to the certified digits
    cx = ev["counterexample"]
    # the distance to σ/λ decays like e^{-2σδ(τ − 1/(2σ))} = e^{-100} at δ = 200: 1e-12 is loose
    assert Fraction(cx["w(delta tau) (certified)"]) == pytest.approx(Fraction(1, 4), abs=1e-12)


def test_e5_printed_negative_and_half_time_reached(results):
    ev = results["E5"].outcome.evidence["sigma=1/2 lambda=1 delta=10"]
    # eq (17) printed: (δ/σ) ln σ = 20 ln(1/2) (math.log, independent)
    assert float(ev["printed T"]) == pytest.approx(20 * math.log(0.5), rel=1e-14)
    # corrected half-time: δ/σ + ln(σ/λ − e^{−2δ})/(2σ) = 20 + ln(1/2 − e^{−20}) (math.log)
    assert float(ev["corrected T_half"]) == pytest.approx(20 + math.log(0.5 - math.exp(-20)), rel=1e-14)
    assert Fraction(ev["w(T_half)"]) == Fraction(1, 4)


def test_e10_losses(results):
    ev = results["E10"].outcome.evidence
    # SPEC §3 E10: the plateau has loss −0.2, the rank-1 optimum −0.5
    assert Fraction(ev["loss at the plateau"]) == Fraction(-1, 5)
    assert Fraction(ev["rank-1 RRR loss"]) == Fraction(-1, 2)
    assert float(ev["flow loss at tau=3/4, delta=200 (certified)"]) == pytest.approx(-0.2, abs=1e-14)


def test_e11_plateaus(results):
    ev = results["E11"].outcome.evidence
    assert ev["autoencoder"]["plateaus"] == ["0", "1", "2", "3"]
    # Σ_{i<=k} σ_i²/λ_i² for σ = (2, 1, 1/2), λ = (10, 1, 1): 0, 1/25, 1/25 + 1, 1/25 + 1 + 1/4
    assert ev["sigma-lambda example"]["plateaus"] == ["0", "1/25", "26/25", "129/100"]


def test_e7_spec_numbers(results):
    ev = results["E7"].outcome.evidence
    pr = ev["printed (rate e^{(-2 eta sigma - eta^2 sigma^2) k})"]
    assert pr["first violating k"] == 181  # SPEC §3 E7
    assert pr["excess w_k - bound"] == "2.09e-13"  # SPEC §3 E7 (3 digits)
    assert ev["corrected (rate (1 - 2 eta sigma)^k)"]["holds"]


def test_gd_transition_gap_shrinks_like_one_over_delta(results):
    run0 = results["gd-transition"].outcome.evidence["runs"][0]
    # T^η = η/ln(1 + ησ) at σ = 1, η = 1/10 (math.log1p, independent)
    assert float(run0["T^eta (certified)"]) == pytest.approx(0.1 / math.log1p(0.1), rel=1e-11)
    gaps = [abs(float(r["tau_half - T^eta"])) for r in run0["runs"]]
    assert all(0.4 < b / a < 0.6 for a, b in zip(gaps, gaps[1:], strict=False))  # C/δ, δ doubles


def test_e8_and_e9_counterexamples(results):
    e8 = results["E8"].outcome.evidence
    # SPEC E8 divergent run: w1 = 0.95 (1 + 4.9 (0.1 − 4.75))² (exact Fraction, independent)
    w1 = Fraction(95, 100) * (1 + Fraction(49, 10) * (Fraction(1, 10) - 5 * Fraction(95, 100))) ** 2
    assert Fraction(e8["divergent run"]["w_1, w_2, w_3 (certified)"][0]) == pytest.approx(w1, rel=1e-5)
    e9 = results["E9"].outcome.evidence
    # ηλw0 = 8/5 > 3/2 fails at k = 1: w1 = w0 (1 − 8/5)² = 0.576 (exact)
    assert e9["eta lambda w0 > 3/2: first failing iterate"]["8/5"]["first violating k"] == 1
    assert Fraction(e9["eta lambda w0 > 3/2: first failing iterate"]["8/5"]["w_k"]) == Fraction(576, 1000)


# ------------------------------------------------------------------------- negative controls
def test_corrected_upper_bound_has_no_violation():
    # the E7 checker, run on the corrected bound over the same range, finds nothing
    assert first_violation(gd_model(1, 1, "1/10"), "1e-6", thm3_bounds()[1].expr, 1, 400) is None


def test_checker_reports_a_wrong_bound():
    # a bound that is false from k = 1 (the start value w0 itself as an upper bound of a growing run)
    ev = holds_on_run(gd_model(1, 1, "1/10"), "1e-6", S.w0 + 0 * S.k, 1, [1, 2, 3])
    assert not ev["holds"]


def test_low_precision_counterexample_is_refused():
    # the E7 margin (2.09e-13 on values near 1) cannot be certified when the precision cap is too low
    from symdyn.claims.gd_runs import margins
    from symdyn.precise.certified import certify

    printed = next(p for p in printed_forms() if p.name == "printed Thm 3 upper bound").expr
    m = gd_model(1, 1, "1/10")
    with pytest.raises(CertificationError):
        certify(lambda prec: margins(m, "1e-6", printed, 1, [181], prec), 3, start_prec=30, max_prec=40)
    # at an adequate precision the same margin certifies with the SPEC's value
    [c] = certified_margins(m, "1e-6", printed, 1, [181])
    assert c.text == "-2.09e-13"
