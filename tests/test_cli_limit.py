"""The CLI contract of `symdyn limit`: JSON keys, srepr round trip, text output, bad input."""

import json

import sympy as sp

from symdyn.cli import main
from symdyn.model import symbols as S
from symdyn.model.serialize import from_json


def run_json(capsys, *argv):
    assert main(["limit", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_flow_json_round_trip(capsys):
    out = run_json(capsys, "--dynamics", "flow")
    for key in ("limit", "transitions", "assumptions", "boundary_values", "scale", "undecided"):
        assert key in out
    assert from_json(out["transitions"][0]) == 1 / S.sigma  # Thm 2 (SPEC §2)
    expr = from_json(out["limit"])
    assert isinstance(expr, sp.Piecewise) and expr.has(S.tau)
    assert from_json(out["boundary_values"][0]) == S.sigma / (S.sigma + S.lam)
    assert "latex" in out["limit"] and from_json(out["scale"]) == S.delta


def test_gd_json_no_limit_at_transition(capsys):
    out = run_json(capsys, "--dynamics", "gd", "--init", "product")
    assert out["boundary_values"] == [None]
    assert from_json(out["transitions"][0]) == S.eta / (2 * sp.log(1 + S.eta * S.sigma))
    assert "transition_series" in out


def test_exact_substitution(capsys):
    out = run_json(capsys, "--dynamics", "flow", "--sigma", "0.5", "--lambda", "2")
    assert from_json(out["transitions"][0]) == 2
    assert from_json(out["boundary_values"][0]) == sp.Rational(1, 5)


def test_text_output(capsys):
    assert main(["limit", "--dynamics", "gd"]) == 0
    text = capsys.readouterr().out
    assert "no limit (None)" in text and "eta/log(eta*sigma + 1)" in text


def test_bad_input_one_line_exit_2(capsys):
    assert main(["limit", "--dynamics", "flow", "--depth", "3", "--delta", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "delta" in err
    assert main(["limit", "--dynamics", "gd", "--sigma", "2", "--eta", "1"]) == 2  # ησ >= 1 unstable
    assert main(["limit", "--dynamics", "flow", "--delta", "3"]) == 2  # δ must stay symbolic
