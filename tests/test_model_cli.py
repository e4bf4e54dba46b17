"""The CLI contract of --model: JSON keys, parameter flags, bad files (one line, exit 2)."""

import json
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from symdyn.cli import main

ZOO = Path(__file__).resolve().parents[1] / "examples" / "models"


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_derive_limit_trajectory_keys(capsys):
    f = str(ZOO / "diagonal.toml")
    d = run_json(capsys, "derive", "--model", f, "--format", "json")
    assert {"flow", "gd_map", "conserved", "reduced", "closed_form", "relation", "fixed_points",
            "residuals"} <= d.keys()
    assert all(sp.sympify(r["srepr"]) == 0 for r in d["residuals"].values())
    lim = run_json(capsys, "limit", "--model", f, "--dynamics", "flow", "--format", "json", "--beta", "1/2")
    assert {"limit", "scale", "transitions", "assumptions"} <= lim.keys()
    assert lim["scale"]["text"] == "delta" and lim["transitions"][0]["text"] == "1"  # tau* = 1/(2 beta)
    tr = run_json(capsys, "trajectory", "--model", f, "--dynamics", "gd", "--at", "10", "--delta", "3",
                  "--eta", "1/10", "--digits", "20", "--format", "json")
    # independent reference: 10 GD steps on (u, v) in a 60-digit mpmath context, written here
    ctx = mpmath.MPContext()
    ctx.dps = 60
    u = v = ctx.exp(-3)
    eta, beta = ctx.mpf(1) / 10, ctx.mpf(3) / 2
    for _ in range(10):
        r = u**2 - v**2 - beta
        u, v = u - eta * 2 * u * r, v + eta * 2 * v * r
    assert tr["digits"] == [20] and tr["values"][0] == ctx.nstr(u**2 - v**2, 20, strip_zeros=False)


def test_unknown_parameter_and_bad_files(capsys, tmp_path):
    f = str(ZOO / "diagonal.toml")
    assert main(["limit", "--model", f, "--dynamics", "flow", "--gamma", "2"]) == 2
    assert "unknown parameter 'gamma'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # without --model an unknown flag stays a usage error
        main(["derive", "--gamma", "2"])
    assert exc.value.code == 2
    capsys.readouterr()
    for text, key in [('factors = ["a"]\nloss = "exp(a)"', "loss"), ('factors = ["a", "b"]\nloss = "a*b"\n'
                      '[init]\na = "1"', "init"), ('factors = ["a"]\nloss = "a*z"', "unknown symbol 'z'"),
                      ("factors = [", "not a valid TOML")]:
        p = tmp_path / "m.toml"
        p.write_text(text)
        assert main(["derive", "--model", str(p)]) == 2
        err = capsys.readouterr().err
        assert key in err and err.count("\n") == 1


@pytest.mark.parametrize("cmd", [["verify"], ["latex"]])
def test_verify_and_latex(capsys, cmd):
    assert main([*cmd, "--model", str(ZOO / "weight_decay.toml")]) == 0
    out = capsys.readouterr().out
    assert ("holds" in out) if cmd == ["verify"] else ("\\begin{equation}" in out and "\\dot{w}" in out)
