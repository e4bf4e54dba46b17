"""Bad input to ``simulate``, ``latex``, ``verify`` and ``table1``: one line on stderr, exit status 2.

(The commands' normal runs are tested in test_experiments.py, test_sheet.py, test_claims.py and test_sweeps.py.)
"""

import numpy as np
import pytest

from symdyn.cli import main


def status_and_err(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own checks exit directly
        status = exc.code
    cap = capsys.readouterr()
    return status, cap.out, cap.err


@pytest.fixture(scope="module")
def a1_file(tmp_path_factory):
    """Data with Σx diagonal and Σxy = Σx-columns: Assumption 1 holds (as in test_experiments.py)."""
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((300, 3)))
    X = Q * np.sqrt(300) * np.array([1.5, 1.0, 0.5])
    path = tmp_path_factory.mktemp("data") / "a1.npz"
    np.savez(path, X=X, Y=X[:, :2] * np.array([1.0, 0.3]))
    return str(path)


@pytest.mark.parametrize("flags, needle", [
    (["--steps", "-1"], "--steps must be >= 0"),
    (["--delta", "nan"], "--delta: the value must be a decimal number"),  # read exactly: no nan, inf
    (["--delta", "-1"], "--delta must be a finite number >= 0"),
    (["--delta", "400"], "underflow; use delta <= 600/depth"),  # e^{-800} is 0 in float64
    (["--eta", "0"], "--eta must be a finite number > 0"),
    (["--eta", "inf"], "--eta: the value must be a decimal number"),
])
def test_simulate_checks_flags_before_reading_the_file(flags, needle, capsys, tmp_path):
    # the file does not exist: the flag's message (not the file's) shows the flags are checked first
    status, out, err = status_and_err(["simulate", str(tmp_path / "missing.npz"), *flags], capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_simulate_diverging_step_is_one_line(a1_file, capsys):
    # η = 10 with σ_max = 2.25: the map's fixed point has multiplier 1 − 2ησ = −44, so GD blows up
    status, out, err = status_and_err(["simulate", a1_file, "--eta", "10", "--steps", "500"], capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "GD diverged with eta = 10" in err
    # positive control: a stable step on the same file runs
    status, out, err = status_and_err(["simulate", a1_file, "--eta", "0.1", "--steps", "20"], capsys)
    assert status == 0 and "max_mode_error" in out and err == ""


@pytest.mark.parametrize("argv, needle", [
    (["latex", "--depth", "0"], "depth must be an integer >= 1, got 0"),
    (["verify", "--depth", "0"], "depth must be an integer >= 1, got 0"),
    (["verify", "--depth", "x"], "must be an integer (ASCII digits)"),
    (["table1", "--datasets", "nosuch"], "invalid choice: 'nosuch'"),
    (["figures", "--seed", "x"], "must be an integer (ASCII digits)"),
])
def test_bad_flags_exit_2_with_one_line(argv, needle, capsys):
    status, out, err = status_and_err(argv, capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
