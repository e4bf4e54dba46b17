"""The float64 trajectory backend against the certified mpmath engine."""

import json

import numpy as np
import pytest

from symdyn.cli import main
from symdyn.model.core import Model
from symdyn.numeric.trajectory import numpy_trajectory
from symdyn.precise.trajectory import trajectory


@pytest.mark.parametrize("depth, dynamics, at", [
    (2, "gd", [0, 100, 3000, 3900, 4500]),
    (2, "flow", [0, 100, 350, 400, 700]),
    (1, "gd", [0, 3, 50]),
    (1, "flow", [0, "1/2", 30]),
])
def test_numpy_backend_matches_certified(depth, dynamics, at):
    m = Model(depth=depth, sigma="1", lam="2", eta="1/10", delta=200)
    ref = trajectory(m, dynamics, at, digits=20)
    got = numpy_trajectory(m, dynamics, ref.at)
    ref_w = np.array([float(v.text) for v in ref.values])
    # w: 1e-12 relative where representable -- the log-space iteration adds ~k*eps*|ln w| (Kahan keeps
    # it at a few ulps of |ln w| <= 400), the closed forms are within 1e-13 (numeric boundary harness)
    ok = ref_w > 1e-300
    np.testing.assert_allclose(got["w"][ok], ref_w[ok], rtol=1e-12)
    np.testing.assert_allclose(got["ln_w"][ok], np.log(ref_w[ok]), rtol=1e-12, atol=1e-14)


def test_log_output_survives_underflow():
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=2000)
    r = numpy_trajectory(m, "gd", [0, 1000])
    assert r["w"][0] == 0.0 and r["ln_w"][0] == -4000.0
    # after k steps of the linear regime ln w grows by 2 k ln(1 + eta sigma) (SPEC §2, multiplier at 0)
    assert r["ln_w"][1] == pytest.approx(-4000 + 2000 * np.log1p(0.1), rel=1e-12)
    # negative control: the plain float iteration is stuck at the underflowed start
    w = np.exp(-4000.0)
    for _ in range(1000):
        w = w * (1 + 0.1 * (1 - w)) ** 2
    assert w == 0.0


def test_cli_numpy_json(capsys):
    assert main(["trajectory", "--dynamics", "gd", "--backend", "numpy", "--sigma", "1", "--lambda", "1",
                 "--eta", "0.1", "--delta", "400", "--at", "0", "5000", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certified"] is False and out["values"][0] == 0.0
    assert out["values"][1] == pytest.approx(1.0, abs=1e-14)
    assert main(["trajectory", "--dynamics", "flow", "--backend", "numpy", "--sigma", "1", "--lambda", "1",
                 "--delta", "1e4", "--at", "0", "--log", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["log"] is True and out["values"] == [-20000.0]  # ln w0 = -2 delta (layer init)


@pytest.mark.parametrize("argv, needle", [
    # depth 3: multiplier 1 − 3 eta at sigma = lambda = 1 (depth.gd_step_bound), so eta = 0.7 is unstable
    (["--depth", "3", "--sigma", "1", "--lambda", "1", "--eta", "0.7", "--delta", "1"], "unstable"),
    # the library names the parameter (eta), the CLI may translate it to the flag (--eta)
    (["--sigma", "1", "--lambda", "1", "--delta", "1"], "needs a number for"),
    (["--sigma", "1", "--lambda", "1", "--eta", "1", "--delta", "1"], "need eta*sigma < 1"),
])
def test_cli_numpy_bad_input(capsys, argv, needle):
    assert main(["trajectory", "--dynamics", "gd", "--backend", "numpy", "--at", "3", *argv]) == 2
    assert needle in capsys.readouterr().err
