"""`symdyn sweep` on Dask: clusters give the serial table bit for bit; a lost worker, an interrupt, bad input.

Every process a test starts (scheduler, workers, the CLI) is started with subprocess, on 127.0.0.1 with
ports the OS picks, and killed in a ``finally``; the workers import this checkout (PYTHONPATH).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from symdyn.cli import main
from symdyn.numeric.measures import Subject
from symdyn.output.sweep.engine import run_job
from symdyn.output.sweep.grid import grid_job, grid_spec, parse_axis

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}

#: A grid whose cells take ~0.1-0.3 s (GD transitions of ~10^5 steps, certified by a rerun), so a run lasts
#: long enough to be interrupted or to lose a worker in the middle.
SLOW = ["--dynamics", "gd", "--param", "eta=1/1000:1/200:12", "--param", "delta=100,200", "--fixed", "sigma=1",
        "--fixed", "lambda=1", "--measure", "transition", "--digits", "20", "--chunk", "2"]


def _sweep(*args: str) -> list[str]:
    return [sys.executable, "-m", "symdyn", "sweep", "grid", *args]


def _table(path: Path):
    """The table without the two columns that depend on where and when a cell ran."""
    return pq.read_table(path).drop_columns(["seconds", "worker"])


@pytest.fixture(scope="module")
def serial_slow(tmp_path_factory) -> Path:
    """The reference: the SLOW grid computed in this process, without Dask."""
    out = tmp_path_factory.mktemp("ref") / "ref.parquet"
    assert main(["sweep", "grid", *SLOW, "--out", str(out), "--serial"]) == 0
    return out


def _wait_for(cond, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def _fragments(out: Path) -> list[str]:
    parts = out.with_name(out.name + ".parts")
    return sorted(p.name for p in parts.glob("chunk-*.parquet")) if parts.exists() else []


# ------------------------------------------------------------------ bit for bit
def test_local_cluster_equals_serial_bit_for_bit(tmp_path):
    from distributed import LocalCluster

    spec = grid_spec(Subject(), "gd", "transition", [parse_axis("eta=1/20:1/2:5"), parse_axis("delta=4,8")],
                     {"sigma": 1, "lambda": "1/2"}, digits=25)
    job = grid_job(spec, chunk=3)
    run_job(job, tmp_path / "serial.parquet", scheduler="serial")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        s = run_job(job, tmp_path / "dask.parquet", scheduler=cluster.scheduler_address)
    assert s.workers == 2 and s.cells == 10 and s.errors == 0
    assert _table(tmp_path / "dask.parquet").equals(_table(tmp_path / "serial.parquet"))
    workers = set(pq.read_table(tmp_path / "dask.parquet").column("worker").to_pylist())
    assert workers and all(w.startswith("inproc://") or w.startswith("tcp://") for w in workers)
    # negative control: the comparison sees a change of one cell's digits
    other = grid_job(grid_spec(Subject(), "gd", "transition", [parse_axis("eta=1/20:1/2:5"), parse_axis("delta=4,8")],
                               {"sigma": 1, "lambda": "1/2"}, digits=24), chunk=3)
    run_job(other, tmp_path / "other.parquet", scheduler="serial")
    assert not _table(tmp_path / "other.parquet").equals(_table(tmp_path / "serial.parquet"))


def test_interrupted_sweep_resumes_without_missing_or_duplicated_rows(tmp_path, serial_slow):
    """The default engine (an embedded LocalCluster of 2 processes), Ctrl-C after a few chunks, then --resume."""
    out = tmp_path / "r.parquet"
    cmd = _sweep(*SLOW, "--workers", "2", "--out", str(out))
    p = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: len(_fragments(out)) >= 2 or p.poll() is not None, 120, "two fragments")
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        _stop([p])
    assert p.returncode == 130 and "--resume" in err and err.count("\n") == 1, err
    kept = _fragments(out)
    assert not out.exists() and 2 <= len(kept) < 12  # only whole fragments, never a half-written table
    parts = out.with_name(out.name + ".parts")
    assert sorted(q.name for q in parts.iterdir()) == sorted([*kept, "job.json"])  # no temporary file left
    again = subprocess.run(cmd + ["--resume", "--format", "json"], cwd=ROOT, env=ENV, capture_output=True, text=True,
                           timeout=180)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["resumed_chunks"] == len(kept) and summary["computed_cells"] == 24 - 2 * len(kept)
    t = pq.read_table(out)
    assert t.column("cell").to_pylist() == list(range(24))  # every cell once, in order
    assert _table(out).equals(_table(serial_slow)) and not parts.exists()


def test_real_scheduler_survives_a_killed_worker(tmp_path, serial_slow):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1; one worker is killed mid-run."""
    info = tmp_path / "scheduler.json"
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--no-dashboard", "--scheduler-file", str(info)], cwd=tmp_path, env=ENV,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for(lambda: info.exists() and info.stat().st_size > 0, 60, "the scheduler")
        time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        workers = [subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--no-nanny",
                                     "--no-dashboard", "--name", f"w{i}", "--host", "127.0.0.1"],
                                    cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for i in range(2)]
        procs += workers
        out = tmp_path / "k.parquet"
        sweep = subprocess.Popen(_sweep(*SLOW, "--scheduler", address, "--out", str(out), "--format", "json"),
                                 cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(sweep)
        _wait_for(lambda: len(_fragments(out)) >= 1 or sweep.poll() is not None, 120, "the first fragment")
        assert sweep.poll() is None, "the sweep ended before a worker could be killed"
        workers[0].kill()  # SIGKILL: the worker dies with its task unfinished; Dask reschedules it
        stdout, stderr = sweep.communicate(timeout=180)
        assert sweep.returncode == 0, stderr
        assert workers[0].wait(timeout=10) == -signal.SIGKILL and workers[1].poll() is None
        summary = json.loads(stdout)
        assert summary["cells"] == 24 and summary["where"] == address
        assert pq.read_table(out).column("cell").to_pylist() == list(range(24))
        assert _table(out).equals(_table(serial_slow))  # complete and equal to the serial table
    finally:
        _stop(procs)


# ------------------------------------------------------------------ bad input: one line, exit 2, fast, nothing written
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BASE = ["sweep", "grid", "--dynamics", "gd", "--fixed", "sigma=1", "--fixed", "lambda=1", "--measure", "transition"]


@pytest.mark.parametrize("args, words", [
    (["--param", "eta=1/2:1/100:8", "--fixed", "delta=20"], "reversed"),
    (["--param", "eta=1/100:1/2:0", "--fixed", "delta=20"], "empty"),
    (["--param", "eta=", "--fixed", "delta=20"], "empty"),
    (["--param", "eta=1/1000:1/2:100000", "--param", "delta=1:1000:1000"],
     "more than the limit of 10000000; pass --yes"),
    (["--param", "eta=1/10,1/5", "--fixed", "delta=20", "--measure", "speed"], "unknown measure 'speed'"),
    (["--param", "eta=1/10", "--fixed", "delta=20", "--scheduler", "tcp://127.0.0.1:{port}", "--connect-timeout", "2"],
     "cannot reach a Dask scheduler"),
    (["--param", "eta=1/10", "--fixed", "delta=20", "--scheduler", "localhost:8786"], "tcp://HOST:PORT"),
    (["--param", "eta=1/10,1/5", "--fixed", "delta=20", "--plot"], "two parameters"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, words):
    out = tmp_path / "x.parquet"
    argv = [*BASE, *[a.format(port=_free_port()) for a in args], "--out", str(out)]
    start = time.monotonic()
    assert main(argv) == 2
    elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and err.startswith("symdyn sweep: error:"), err
    assert elapsed < 15  # a connect timeout of 2 s, never a hang
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_outputs_symdyn_did_not_write_are_refused(tmp_path, capsys):
    out = tmp_path / "mine.parquet"
    out.write_text("my data")
    argv = [*BASE, "--param", "eta=1/10", "--fixed", "delta=3", "--out", str(out), "--serial"]
    assert main(argv) == 2 and "symdyn did not write it" in capsys.readouterr().err
    assert out.read_text() == "my data"
    out.unlink()
    assert main(argv) == 0  # a table symdyn wrote may be replaced
    assert main(argv) == 0
    capsys.readouterr()
    parts = tmp_path / "mine.parquet.parts"
    parts.mkdir()
    (parts / "job.json").write_text(json.dumps({"fingerprint": {}, "chunks": 1, "cells": 1}))
    assert main(argv) == 2 and "different sweep" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 2
