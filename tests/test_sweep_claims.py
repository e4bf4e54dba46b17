"""`symdyn sweep claims`: the cases and verdicts of `symdyn verify --seed S --cases N`, one row per case."""

import json

import pyarrow.parquet as pq
import pytest

from symdyn.claims import catalog, fixed_outcome, run
from symdyn.claims.sweep import as_text, sweep_cases
from symdyn.cli import main
from symdyn.output.sweep.claims import claims_job, verdicts
from symdyn.output.sweep.engine import run_job

#: A flow sweep, an erratum whose printed form fails on every draw, and a GD sweep with a sharp threshold.
IDS = ["map-L1", "E3", "thm3-sigma0"]


def _plain(x):
    return json.loads(json.dumps(x, default=str, sort_keys=True))


@pytest.fixture(scope="module")
def verified():
    """What `symdyn verify --only map-L1 E3 thm3-sigma0 --seed 7 --cases 4 --quick` finds, by claim."""
    return {r.claim.id: r for r in run(IDS, quick=True, seed=7, cases=4)}


def test_same_cases_and_verdicts_as_verify(tmp_path, capsys, verified):
    out = tmp_path / "c.parquet"
    status = main(["sweep", "claims", "--only", *IDS, "--seed", "7", "--cases", "4", "--quick", "--out", str(out),
                   "--serial", "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == 0 and payload["cells"] == len(IDS) * 5
    got = {c["id"]: c for c in payload["claims"]}
    for cid, r in verified.items():
        assert got[cid]["status"] == r.outcome.status and got[cid]["as_expected"] == r.as_expected
        sweep = _plain(r.sweep)
        mine = got[cid]["evidence"]["sweep"]
        for key in ("seed", "cases", "passed", "printed_failures"):
            assert mine.get(key) == sweep.get(key), (cid, key)
        for key in ("counterexample", "printed_failure_example"):  # the same first failing case, same parameters
            assert (mine.get(key) or {}).get("params") == (sweep.get(key) or {}).get("params"), (cid, key)
    rows = pq.read_table(out).to_pylist()
    for cid in IDS:  # one row per drawn case, with the parameters verify drew, plus the fixed check (case 0)
        mine = [r for r in rows if r["claim"] == cid]
        assert [r["case"] for r in mine] == [0, 1, 2, 3, 4]
        assert mine[0]["status"] == fixed_outcome(catalog()[cid], True).status
        drawn = [_plain(as_text(p)) for p in sweep_cases(cid, 7, 4).params()]
        assert [json.loads(r["params"]) for r in mine[1:]] == drawn
    # negative control: another seed draws other cases
    assert [_plain(as_text(p)) for p in sweep_cases("E3", 8, 4).params()] != \
        [_plain(as_text(p)) for p in sweep_cases("E3", 7, 4).params()]


def test_claims_on_a_local_cluster_give_the_serial_rows(tmp_path):
    from distributed import LocalCluster

    job = claims_job(["E3", "map-L2"], seed=3, cases=5, quick=True, chunk=2)
    run_job(job, tmp_path / "serial.parquet", scheduler="serial")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        run_job(job, tmp_path / "dask.parquet", scheduler=cluster.scheduler_address)
    a, b = (pq.read_table(tmp_path / f"{n}.parquet").drop_columns(["seconds", "worker"]) for n in ("serial", "dask"))
    assert a.equals(b) and a.num_rows == 2 * 6
    assert [r.outcome.status for r in verdicts(pq.read_table(tmp_path / "dask.parquet"), 3)] == \
        [r.outcome.status for r in run(["E3", "map-L2"], quick=True, seed=3, cases=5)]


def test_a_case_that_raises_makes_the_sweep_an_error():
    """Rebuilt from rows as symdyn.claims.run does it: an exception in a check is never a pass."""
    import pyarrow as pa

    from symdyn.output.sweep.claims import COLUMNS

    rows = [{"cell": 0, "claim": "E3", "case": 0, "params": None, "ok": None, "printed_ok": None,
             "status": "holds-corrected", "evidence": "{}", "error": None, "seconds": 0.0, "worker": "x"},
            {"cell": 1, "claim": "E3", "case": 1, "params": "{}", "ok": None, "printed_ok": None, "status": None,
             "evidence": None, "error": "ZeroDivisionError: division by zero", "seconds": 0.0, "worker": "x"}]
    types = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string(), "bool": pa.bool_()}
    table = pa.Table.from_pylist(rows, schema=pa.schema([(n, types[t]) for n, t in COLUMNS]))
    [r] = verdicts(table, 0)
    assert r.outcome.status == "error" and r.sweep["error"] == "ZeroDivisionError: division by zero"


def test_unknown_claim_and_bad_cases_are_one_line(capsys, tmp_path):
    assert main(["sweep", "claims", "--only", "nope", "--cases", "2", "--out", str(tmp_path / "x.parquet")]) == 2
    assert "unknown claim id(s): nope" in capsys.readouterr().err
    assert main(["sweep", "claims", "--cases", "-1", "--out", str(tmp_path / "x.parquet")]) == 2
    assert "cases must be an integer >= 0" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
