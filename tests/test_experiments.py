"""The paper's experiments (SPEC §4): Fig 1, Fig 2, Table 1, and the CLI that writes them."""

import json
import os

import numpy as np
import pytest

from symdyn.cli import main
from symdyn.matrix.data import load_npz
from symdyn.matrix.experiments import crossings, fig1_data, fig2_data, table1_claim, table1_rows


@pytest.fixture(scope="module")
def fig1():
    return fig1_data(points=600)


@pytest.fixture(scope="module")
def fig2():
    return fig2_data()


@pytest.mark.parametrize("init", ["layer", "product"])
def test_fig1_plateaus_and_jumps(fig1, init):
    curve = fig1.curves[(2, init, 12.0)]
    jumps = fig1.jumps(init)  # 10, 100, 1000 (layer) / 5, 50, 500 (product): Thm 2, SPEC E1/E2
    assert np.allclose(jumps, (10, 100, 1000) if init == "layer" else (5, 50, 500))
    mids = np.sqrt(np.concatenate([[1.0], jumps]) * np.concatenate([jumps, [1e4]]))
    plateau = np.interp(np.log(mids), np.log(fig1.tau), curve)
    # Cor 1: 0, 1, 2, 3; at δ = 12 the logistic tails at the midpoints are < e^{-12·0.6}
    assert np.allclose(plateau, fig1.plateaus(), atol=2e-3)
    assert np.allclose(fig1.plateaus(), [0, 1, 2, 3])
    found = crossings(fig1.tau, curve, [0.5, 1.5, 2.5])
    # finite δ: crossing of ‖·‖² = j − ½ is shifted by ln(1+√2)/(2σδ)·(2 for layer) ≈ 4 %/7 % of 1/σ
    assert np.allclose(found, jumps, rtol=0.08)
    # δ → ∞ property: the δ = 12 steps sit closer to the limit than the δ = 3 steps
    found3 = crossings(fig1.tau, fig1.curves[(2, init, 3.0)], [0.5, 1.5, 2.5])
    assert np.all(np.abs(found / jumps - 1) < np.abs(found3 / jumps - 1))


def test_fig1_linear_model_has_no_plateau(fig1):
    """Negative control: the linear model's ‖W‖² is not a staircase (SPEC §2: no step)."""
    curve = fig1.curves[(1, "layer", 12.0)]
    mids = np.interp(np.log([31.6, 316.0]), np.log(fig1.tau), curve)
    assert np.all(np.abs(mids - [1, 2]) > 0.1)


def test_fig2_staircase(fig2):
    assert fig2.eta == pytest.approx(0.9 / (2 * fig2.lam[0]), rel=1e-15)
    # plateaus within 0.05 of 1..5 (issue #7 acceptance) at the geometric midpoints of the jumps
    assert np.allclose(fig2.plateau_values(), [1, 2, 3, 4, 5], atol=0.05)
    # jumps near k_i = δ/ln(1+ηλ_i) (T^η, SPEC §2): finite-δ shift O(1/δ) of the log-scale, < 5 %
    assert np.allclose(fig2.measured_jumps(), fig2.predicted_jumps, rtol=0.05)


def test_fig2_linear_is_smooth_and_eq28_does_not_vanish(fig2):
    k, tn1, tn2 = fig2.steps, fig2.trace_norm[1], fig2.trace_norm[2]
    window = (k >= fig2.predicted_jumps[0]) & (k <= fig2.predicted_jumps[3])
    slope1 = np.gradient(tn1, np.log(np.maximum(k, 0.5)))[window]
    slope2 = np.gradient(tn2, np.log(np.maximum(k, 0.5)))[window]
    assert slope1.min() > 0.1  # L = 1 keeps rising: no plateau
    assert slope2.min() < 0.01  # L = 2 has flat plateaus (negative control for the L = 1 check)
    # SPEC E14: ‖W − BDBᵀ‖ stays near the top eigenvalue of BDBᵀ (~53), never near 0
    assert fig2.eq28_error[2][-1] > 10


def test_table1_on_bundled_data():
    pytest.importorskip("sklearn")
    from symdyn.matrix.data import load_classification
    rows = table1_rows({"iris": load_classification("iris"), "wine": load_classification("wine")})
    assert len(rows) == 4
    for r in rows:
        assert 0 < r.delta_x < 1 and all(v >= 0 for v in r.delta_xy.values())
        # centring removes one rank from one-hot Y (the class indicators sum to 1)
        assert r.rank_xy == (r.p - 1 if r.centred else r.p)
    choices = {(c, m) for c in (False, True) for m in ("complement", "lapack", "block")}
    assert set(table1_claim(rows)) == choices


def test_cli_figures_atomic(tmp_path):
    assert main(["figures", "--out", str(tmp_path), "--only", "fig1"]) == 0
    # no temp dir left; the manifest records what symdyn wrote (so a rerun may overwrite only those)
    assert sorted(os.listdir(tmp_path)) == [".symdyn-manifest.json", "fig1.csv", "fig1.pdf", "fig1.png"]
    assert (tmp_path / "fig1.png").read_bytes()[:4] == b"\x89PNG"
    header = (tmp_path / "fig1.csv").read_text().splitlines()[0].split(",")
    assert header[0] == "tau" and len(header) == 1 + 12


def test_cli_bad_input(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["figures", "--out", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a folder" in err
    with pytest.raises(SystemExit) as e:
        main(["figures", "--only", "fig9"])  # not a figure
    assert e.value.code == 2


def test_cli_table1_json(capsys):
    pytest.importorskip("sklearn")
    assert main(["table1", "--format", "json", "--datasets", "iris"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["dataset"] for r in out["rows"]] == ["iris", "iris"]
    assert len(out["claim_survives"]) == 6


def test_load_npz_errors(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a zip")
    with pytest.raises(ValueError, match="cannot read"):
        load_npz(bad)
    np.savez(tmp_path / "noY.npz", X=np.ones((3, 2)))
    with pytest.raises(ValueError, match="missing array"):
        load_npz(tmp_path / "noY.npz")
    np.savez(tmp_path / "nan.npz", X=np.array([[np.nan, 1.0]]), Y=np.array([0]))
    with pytest.raises(ValueError, match="finite"):
        load_npz(tmp_path / "nan.npz")


def test_cli_simulate(tmp_path, capsys):
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((300, 3)))
    X = Q * np.sqrt(300) * np.array([1.5, 1.0, 0.5])  # Σx = diag(2.25, 1, .25): Assumption 1 holds
    np.savez(tmp_path / "a1.npz", X=X, Y=X[:, :2] * np.array([1.0, 0.3]))
    assert main(["simulate", str(tmp_path / "a1.npz"), "--steps", "300", "--format", "json"]) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    assert out["max_mode_error"] < 1e-12 and "warning" not in cap.err  # rounding only, 300 steps
    np.savez(tmp_path / "far.npz", X=rng.standard_normal((100, 4)), Y=rng.standard_normal((100, 3)))
    assert main(["simulate", str(tmp_path / "far.npz"), "--steps", "50", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "warning: data far from Assumption 1: Delta_xy =" in err
    assert main(["simulate", str(tmp_path / "missing.npz")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
