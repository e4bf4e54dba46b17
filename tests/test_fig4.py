"""fig4 (issue #10): depths L = 1..4 on one rescaled axis; the CSV data checked against the limits."""

import csv
import io

import pytest

from symdyn.output.figures import FIG4, FIGURES, figure_files
from symdyn.precise.constants import transition_constant


@pytest.fixture(scope="module")
def files():
    return figure_files("fig4")


def _rows(files):
    text = files["fig4.csv"].decode()
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    table = csv.DictReader(io.StringIO("\n".join(lines)))
    return text.splitlines()[0], {float(r["tau_over_tau_star"]): r for r in table}


def test_files_and_caption(files):
    assert "fig4" in FIGURES and files["fig4.png"][:4] == b"\x89PNG" and files["fig4.pdf"][:4] == b"%PDF"
    comment, _ = _rows(files)
    assert "delta=8" in comment and "L3: t=exp(delta)*tau" in comment and "L4: t=exp(2*delta)*tau tau*=0.5" in comment


def test_values_at_the_transition_and_plateaus(files):
    _, rows = _rows(files)
    at = rows[1.0]
    # L >= 3: w(tau* scale)/(sigma/lambda) -> x_L with error ~ e^{-2 delta} = 1e-7 at delta = 8 (claims
    # transition-value-L3/L4); the CSV keeps 10 significant digits
    for L in (3, 4):
        assert abs(float(at[f"w_rel_L{L}"]) - float(transition_constant(L))) < 1e-6
    # L = 2 (Thm 2, SPEC §2): lambda/(sigma + lambda - lambda w0) = 2/3 up to w0 = e^{-16}
    s, l = FIG4["sigma"], FIG4["lam"]
    assert abs(float(at["w_rel_L2"]) - l / (s + l)) < 1e-6
    # plateaus: 0 before tau*, sigma/lambda after, for every L >= 2 (L = 2 is only at e^{-2 delta tau} ~ 1e-4 there)
    for L, tol in ((2, 1e-3), (3, 1e-9), (4, 1e-9)):
        assert float(rows[0.5][f"w_rel_L{L}"]) < tol and float(rows[1.5][f"w_rel_L{L}"]) > 1 - tol
    # L = 1 has no step: already at sigma/lambda (1 - e^{-lambda delta tau}) halfway through
    assert float(rows[0.5]["w_rel_L1"]) > 0.99
