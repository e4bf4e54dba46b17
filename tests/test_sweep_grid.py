"""`symdyn sweep grid`: exact axes, cell decoding, the measures against independent computations, the table."""

import itertools
import json
import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symdyn.cli import main
from symdyn.model.checks import check_cells
from symdyn.numeric.measures import Subject, measure
from symdyn.output.sweep.engine import chunk_size, chunks, run_job, sweep_metadata
from symdyn.output.sweep.grid import grid_job, grid_spec, linear_axis, parse_axis
from symdyn.precise.crossing import gd_crossing

PAPER = Subject(depth=2)
with open("examples/models/diagonal.toml", encoding="utf-8") as fh:
    DIAGONAL = fh.read()


# ------------------------------------------------------------------ axes and cells
def test_linear_axis_is_exact_and_inclusive():
    a = parse_axis("eta=1/100:1/2:8")
    vals = [a.value(i) for i in range(len(a))]
    assert vals[0] == sp.Rational(1, 100) and vals[-1] == sp.Rational(1, 2) and len(vals) == 8
    assert len({b - c for b, c in zip(vals[1:], vals, strict=False)}) == 1  # equal exact steps: 7/100 each
    assert vals[1] - vals[0] == sp.Rational(7, 100)
    assert parse_axis("delta=20,40,0.1").values == ("20", "40", "1/10")  # decimals are exact
    assert len(parse_axis("x=1/3:1/3:1")) == 1


@pytest.mark.parametrize("text, words", [
    ("eta=1/2:1/100:8", "reversed"), ("eta=1/100:1/2:0", "empty"), ("eta=", "empty"),
    ("eta=1:2:x", "integer"), ("eta=1:1:3", "repeat"), ("eta=1:2:1", "cannot span"), ("eta=1,2,1", "twice"),
    ("eta1:2:3", "NAME="), ("eta=1:2", "START:STOP:NUM"), ("eta=0.1.2:1:2", "decimal number"),
])
def test_bad_axes_are_one_line_errors(text, words):
    with pytest.raises(ValueError, match=words) as info:
        parse_axis(text)
    assert "\n" not in str(info.value)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_cells_enumerate_the_product_last_axis_fastest(sizes):
    axes = [linear_axis(n, 1, k, k) if k > 1 else parse_axis(f"{n}={','.join(map(str, range(1, k + 1)))}")
            for n, k in zip(("eta", "delta", "sigma"), sizes, strict=False)]
    fixed = {n: 1 for n in ("eta", "delta", "sigma", "lambda") if n not in [a.name for a in axes]}
    g = grid_spec(PAPER, "gd", "regime", axes, fixed, digits=5)
    expected = list(itertools.product(*[[a.value(i) for i in range(len(a))] for a in axes]))
    got = [tuple(g.point(i)[a.name] for a in axes) for i in range(g.cells)]
    assert g.cells == math.prod(sizes) and got == expected  # itertools.product is the independent enumeration


def test_chunks_cover_every_cell_once_and_depend_on_the_count_only():
    for n in (1, 7, 64, 65, 1000, 10**6):
        cut = chunks(n)
        assert cut[0][0] == 0 and cut[-1][1] == n and all(a[1] == b[0] for a, b in zip(cut, cut[1:], strict=False))
        assert len({b - a for a, b in cut[:-1]}) <= 1 and max(b - a for a, b in cut) <= 256
    assert chunk_size(400) == 7 and chunk_size(10**6) == 256 and chunk_size(10**8) == 1000


def test_check_cells():
    assert check_cells(10**7) == 10**7
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="at least one cell"):
            check_cells(bad)
    with pytest.raises(ValueError, match="more than the limit of 5"):
        check_cells(6, 5)


def test_grid_spec_rejects_unknown_repeated_and_missing_names():
    eta = parse_axis("eta=1/10,1/5")
    with pytest.raises(ValueError, match="unknown parameter 'beta'"):
        grid_spec(PAPER, "gd", "transition", [eta], {"beta": 1, "sigma": 1, "lambda": 1, "delta": 5})
    with pytest.raises(ValueError, match="given twice"):
        grid_spec(PAPER, "gd", "transition", [eta], {"eta": 1, "sigma": 1, "lambda": 1, "delta": 5})
    with pytest.raises(ValueError, match="'delta' has no value"):
        grid_spec(PAPER, "gd", "transition", [eta], {"sigma": 1, "lambda": 1})
    with pytest.raises(ValueError, match="eta must be > 0"):  # an axis end outside the model's range fails once
        grid_spec(PAPER, "gd", "transition", [parse_axis("eta=0:1/2:3")], {"sigma": 1, "lambda": 1, "delta": 5})
    with pytest.raises(ValueError, match="unknown measure 'speed'"):
        grid_spec(PAPER, "gd", "speed", [eta], {"sigma": 1, "lambda": 1, "delta": 5})
    with pytest.raises(ValueError, match="for gd dynamics"):
        grid_spec(PAPER, "flow", "regime", [parse_axis("delta=1,2")], {"sigma": 1, "lambda": 1})
    with pytest.raises(ValueError, match="needs the points"):
        grid_spec(PAPER, "gd", "value", [eta], {"sigma": 1, "lambda": 1, "delta": 5})


# ------------------------------------------------------------------ measures
def _float_k_half(sigma: float, lam: float, eta: float, delta: float) -> int:
    """First k with w_k >= sigma/(2 lambda), by a plain float64 loop of w+ = w(1 + eta(sigma - lambda w))^2."""
    w, k = math.exp(-2 * delta), 0
    while w < sigma / (2 * lam):
        w, k = w * (1 + eta * (sigma - lam * w)) ** 2, k + 1
    return k


@pytest.mark.parametrize("sigma, lam, eta, delta", [(1, 1, "1/10", 8), ("1/2", 2, "1/5", 12), (3, 1, "1/10", 5)])
def test_gd_transition_matches_a_float_loop(sigma, lam, eta, delta):
    r = measure("transition", PAPER.model({"sigma": sigma, "lambda": lam, "eta": eta, "delta": delta}), "gd", 15)
    # float64 over a few hundred steps errs ~1e-13 relative; every crossing here is >= 1e-3 away from the level
    k = _float_k_half(float(Fraction(sigma)), float(Fraction(lam)), float(Fraction(eta)), delta)
    assert r["k_half"] == k and r["limit"] == str(sp.Rational(sigma) / sp.Rational(lam))
    tau = r["tau_half"]
    assert abs(Fraction(tau.text) - Fraction(eta) * k / delta) <= tau.ulp() / 2  # eta k/delta, correctly rounded
    assert Fraction(r["w_half"].text) >= Fraction(sigma) / (2 * Fraction(lam))


def test_gd_tau_half_tends_to_t_eta_not_to_the_flow():
    """tau_half = eta k_half/delta -> T^eta = eta/ln(1 + eta sigma) (Cor 3, §4): k_half = delta/ln(1 + eta sigma)
    + O(1), so the gap is O(eta/delta); at sigma = lambda = 1 the O(1) is the rounding up to a step (< 1) plus
    a correction measured below 0.45 (2 eta/delta leaves room). The flow's 1/sigma is the negative control."""
    eta = Fraction(3, 10)
    t_eta = float(eta) / math.log1p(float(eta))
    for delta in (50, 200, 800):
        r = measure("transition", PAPER.model({"sigma": 1, "lambda": 1, "eta": eta, "delta": delta}), "gd", 12)
        tau = float(r["tau_half"].text)
        assert abs(tau - t_eta) < 2 * float(eta) / delta
        assert abs(tau - 1) > 20 * float(eta) / delta  # the flow's transition 1/sigma is far away


def test_flow_transition_is_the_exact_half_time():
    """L = 2: t_half = delta/sigma + ln(sigma/lambda - e^{-2 delta})/(2 sigma) (eq (17) corrected, erratum E5),
    typed here; L = 1: t_half = ln((sigma/lambda - w0)/(sigma/lambda - h))/lambda from w = s/l + (w0 - s/l)e^{-lt}."""
    s, l, d = Fraction(3, 2), Fraction(1, 2), 4
    r = measure("transition", PAPER.model({"sigma": s, "lambda": l, "delta": d}), "flow", 20)
    t = sp.Rational(d) / sp.Rational(s) + sp.log(sp.Rational(s / l) - sp.exp(-2 * d)) / (2 * sp.Rational(s))
    assert abs(Fraction(r["t_half"].text) - Fraction(str(sp.N(t, 30)))) < Fraction(1, 10**17)
    assert r["k_half"] is None and Fraction(r["tau_half"].text) - Fraction(r["t_half"].text) / d < Fraction(1, 10**17)
    r1 = measure("transition", Subject(depth=1).model({"sigma": s, "lambda": l, "delta": d}), "flow", 20)
    w0, fix = sp.exp(-d), sp.Rational(s / l)
    t1 = sp.log((fix - w0) / (fix - fix / 2)) / sp.Rational(l)
    assert abs(Fraction(r1["t_half"].text) - Fraction(str(sp.N(t1, 30)))) < Fraction(1, 10**17)


def test_model_file_gd_transition_matches_a_float_loop_of_its_factor_map():
    """diagonal.toml: loss (u^2 - v^2 - beta)^2/2, output u^2 - v^2 -> beta; the factor map written out here."""
    cell = Subject(toml=DIAGONAL).model({"eta": "1/20", "delta": 4, "beta": "3/2"})
    r = measure("transition", cell, "gd", 15)
    u = v = math.exp(-4)
    k, eta, beta = 0, 0.05, 1.5
    while u * u - v * v < beta / 2:
        g = u * u - v * v - beta
        u, v, k = u - eta * 2 * u * g, v + eta * 2 * v * g, k + 1
    assert r["limit"] == "3/2" and r["k_half"] == k


def test_crossing_needs_the_level_reached_and_decided():
    m = PAPER.model({"sigma": 1, "lambda": 1, "eta": "1/10", "delta": 5})
    with pytest.raises(ValueError, match="stays below 2 for 100 steps"):  # above the limit 1: never reached
        gd_crossing(m, 2, 10, max_steps=100)
    assert gd_crossing(m, 0, 10).step == 0  # the start is already above: step 0, no earlier iterate


def test_regime_oscillation_and_value():
    m = PAPER.model({"sigma": 1, "lambda": 1, "eta": "7/10", "delta": 3})
    r = measure("regime", m, "gd", 10)
    assert r["regime"] == "oscillating" and r["multiplier"].text == "-0.4000000000"  # 1 - 2 eta sigma
    osc = measure("oscillation", PAPER.model({"sigma": 1, "lambda": 1, "eta": "1/10", "delta": 3}), "gd", 5)
    assert (osc["psi_low"].text, osc["psi_high"].text) == ("0.47437", "0.52554")  # README: [0.47436..., 0.52554...]
    v = measure("value", PAPER.model({"sigma": 1, "lambda": 1, "eta": "1/10", "delta": 3}), "gd", 12, at=["0", "3"])
    w = math.exp(-6)
    for _ in range(3):
        w = w * (1 + 0.1 * (1 - w)) ** 2
    # w_0 = e^-6 to 12 digits; w_3 within float64's ~1e-15 per step of the loop above (1e-12 leaves room)
    assert float(v["w_at_0"].text) == float(f"{math.exp(-6):.11e}") and abs(float(v["w_at_3"].text) / w - 1) < 1e-12


# ------------------------------------------------------------------ the table
def test_serial_table_rows_metadata_and_cell_errors(tmp_path):
    spec = grid_spec(PAPER, "gd", "transition", [parse_axis("eta=1/10,1/2,1"), parse_axis("delta=3,6")],
                     {"sigma": 1, "lambda": 1}, digits=12)
    out = tmp_path / "t.parquet"
    s = run_job(grid_job(spec, metadata={"command": "test", "seed": None}), out, scheduler="serial")
    t = pq.read_table(out)
    assert s.cells == t.num_rows == 6 and t.column("cell").to_pylist() == list(range(6))
    rows = t.to_pylist()
    assert [r["eta"] for r in rows] == ["1/10", "1/10", "1/2", "1/2", "1", "1"] and rows[3]["delta_float"] == 6.0
    # eta*sigma = 1 is outside GD's stable range: the cell says why, the sweep goes on
    assert rows[4]["error"].startswith("step size eta=1 is unstable") and rows[4]["tau_half"] is None
    assert s.errors == 2 and all(r["error"] is None and r["digits"] == 12 for r in rows[:4])
    assert rows[0]["k_half"] == _float_k_half(1, 1, 0.1, 3)
    meta = sweep_metadata(out)
    assert meta["command"] == "test" and meta["fingerprint"]["measure"] == "transition" and meta["cells"] == 6
    assert not (tmp_path / "t.parquet.parts").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]


def test_cli_grid_with_a_model_file_and_plot(tmp_path, capsys):
    out = tmp_path / "d.parquet"
    argv = ["sweep", "grid", "--model", "examples/models/diagonal.toml", "--dynamics", "gd", "--param",
            "eta=1/20,1/10", "--param", "beta=1,3/2", "--fixed", "delta=3", "--measure", "transition",
            "--digits", "10", "--out", str(out), "--serial", "--plot", "--format", "json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["cells"] == 4 and summary["errors"] == 0 and summary["plot"] == str(tmp_path / "d.png")
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    t = pq.read_table(out).to_pylist()
    assert [r["limit"] for r in t] == ["1", "3/2", "1", "3/2"]  # the limit is beta
    assert sweep_metadata(out)["command"].startswith("symdyn sweep grid --model examples/models/diagonal.toml")
    # the model file's own parameter flag (--beta) works here as everywhere
    base = ["sweep", "grid", "--model", "examples/models/diagonal.toml", "--dynamics", "gd", "--param", "eta=1/20",
            "--fixed", "delta=3", "--digits", "10", "--out", str(out), "--serial"]
    assert main([*base, "--beta", "1", "--measure", "transition"]) == 0
    capsys.readouterr()
    assert pq.read_table(out).column("limit").to_pylist() == ["1"]
    assert main([*base, "--measure", "regime"]) == 2
    err = capsys.readouterr().err
    assert "derived for the paper's modes only" in err and err.count("\n") == 1


def test_dask_and_pyarrow_load_only_when_a_sweep_runs():
    code = ("import sys; from symdyn.cli import build_parser; build_parser(); "
            "print(sorted({'dask', 'distributed', 'pyarrow'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert out.stdout.strip() == "[]"


def test_model_file_flow_transition_against_the_integrated_flow():
    """weight_decay.toml has an explicit w(t); the half-time solved from it is checked on the factor flow
    integrated by Taylor steps (model_flow_values, which never sees the closed form)."""
    from symdyn.precise.factor_system import model_flow_values

    with open("examples/models/weight_decay.toml", encoding="utf-8") as fh:
        cell = Subject(toml=fh.read()).model({"delta": 3})
    r = measure("transition", cell, "flow", 20)
    [w] = model_flow_values(cell, [sp.Rational(Fraction(r["t_half"].text))], 12)
    half = Fraction(r["limit"]) / 2
    # t_half carries 20 digits, so w(t_half) is half the limit to ~1e-19 relative; 12 digits are certified
    assert abs(Fraction(w.text) - half) <= w.ulp() and Fraction(r["w_half"].text) == half


def test_progress_bar_on_a_terminal_only(tmp_path):
    """tqdm's bar (cells, rate, ETA) on a terminal; nothing on stderr otherwise (the runs above)."""
    import fcntl
    import pty
    import struct
    import termios

    m, s = pty.openpty()
    fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a terminal 120 columns wide
    cmd = [sys.executable, "-m", "symdyn", "sweep", "grid", "--dynamics", "gd", "--param", "eta=1/10,1/5,3/10",
           "--fixed", "delta=3", "--fixed", "sigma=1", "--fixed", "lambda=1", "--measure", "regime", "--serial",
           "--out", str(tmp_path / "p.parquet")]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=s, env=env)
    os.close(s)
    seen = b""
    while True:
        try:
            chunk = os.read(m, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        seen += chunk
    os.close(m)
    assert p.wait(timeout=60) == 0
    text = seen.decode(errors="replace")
    assert "3/3" in text and "cell/s" in text and "100%" in text


def test_atomic_file_replaces_whole_or_not_at_all(tmp_path):
    from symdyn.output.files import atomic_file

    target = tmp_path / "t.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_file(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["t.bin"]
    with atomic_file(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["t.bin"]


def test_resume_checks_the_fragments_it_joins(tmp_path):
    """A fragment holding other cells than its chunk's is refused at the join, never silently joined."""
    import shutil

    spec = grid_spec(PAPER, "gd", "regime", [parse_axis("eta=1/10,1/5,3/10,2/5")], {"sigma": 1, "lambda": 1,
                                                                                   "delta": 3}, digits=5)
    job = grid_job(spec, chunk=2)
    out = tmp_path / "g.parquet"
    parts = tmp_path / "g.parquet.parts"
    parts.mkdir()
    (parts / "job.json").write_text(json.dumps({"fingerprint": job.fingerprint, "chunks": 2, "cells": 4}))
    run_job(grid_job(spec, chunk=2), tmp_path / "ref.parquet", scheduler="serial")
    whole = pq.read_table(tmp_path / "ref.parquet")
    pq.write_table(whole.slice(2, 2), parts / "chunk-000000.parquet")  # cells 2, 3 where 0, 1 belong
    with pytest.raises(RuntimeError, match="does not hold cells 0 .. 1"):
        run_job(job, out, scheduler="serial", resume=True)
    assert not out.exists()
    shutil.rmtree(parts)
    s = run_job(job, out, scheduler="serial")
    assert s.resumed == 0 and pq.read_table(out).column("cell").to_pylist() == [0, 1, 2, 3]
