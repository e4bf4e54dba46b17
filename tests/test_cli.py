"""The CLI contract of `symdyn derive`: JSON round trip, formats, bad input."""

import json
import subprocess
import sys

import pytest
import sympy as sp

from symdyn.cli import main
from symdyn.model import symbols as S
from symdyn.model.printing import latex
from symdyn.model.serialize import parse, srepr


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def _all_exprs(node):
    if isinstance(node, dict):
        if "srepr" in node:
            yield node
        else:
            for v in node.values():
                yield from _all_exprs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _all_exprs(v)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_json_round_trip(capsys, depth):
    out = run_json(capsys, "derive", "--depth", str(depth), "--format", "json")
    assert {"depth", "ode", "gd_map", "closed_form", "residuals"} <= out.keys()
    assert out["depth"] == depth
    exprs = list(_all_exprs(out))
    assert len(exprs) > 8
    for e in exprs:
        back = sp.sympify(e["srepr"])
        assert srepr(back) == e["srepr"]
        assert latex(back) == e["latex"]  # the latex field is symdyn's printer applied to the srepr's expression
    assert all(sp.sympify(r["srepr"]) == 0 for r in out["residuals"].values())
    assert ("rhs" if depth <= 2 else "relation") in out["closed_form"]


def test_depth2_acceptance(capsys):
    out = run_json(capsys, "derive", "--depth", "2", "--format", "json")
    assert sp.sympify(out["ode"]["rhs"]["srepr"]) == parse("2*w*(sigma - lambda*w)")
    assert sp.sympify(out["gd_map"]["rhs"]["srepr"]) == parse("w*(1 + eta*(sigma - lambda*w))**2")


def test_exact_substitution(capsys):
    out = run_json(capsys, "derive", "--sigma", "1/3", "--lambda", "0.1", "--delta", "2",
                   "--format", "json")
    ode = sp.sympify(out["ode"]["rhs"]["srepr"])
    assert ode == 2 * S.w * (sp.Rational(1, 3) - S.w / 10)
    assert sp.sympify(out["w0"]["srepr"]) == sp.exp(-4)


@pytest.mark.parametrize("fmt", ["text", "latex"])
def test_text_formats(capsys, fmt):
    assert main(["derive", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "residuals" in out and ("\\lambda" in out if fmt == "latex" else "lambda" in out)


@pytest.mark.parametrize("argv, needle", [
    (["derive", "--depth", "0"], "depth must be an integer >= 1"),
    (["derive", "--depth", "two"], "depth must be an integer"),
    (["derive", "--sigma", "-1"], "sigma must be >= 0"),
    (["derive", "--eta", "0"], "eta must be > 0"),
    (["derive", "--lambda", "abc"], "lambda must be a decimal number"),
    (["derive", "--format", "yaml"], "invalid choice"),
    (["nosuchcommand"], "invalid choice"),
])
def test_bad_input_one_line_exit_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_python_dash_m_and_no_traceback():
    p = subprocess.run([sys.executable, "-m", "symdyn", "derive", "--sigma", "nan"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.count("\n") == 1
