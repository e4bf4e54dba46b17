"""A sweep on an embedded Dask LocalCluster of 2 processes vs the serial loop, side by side in one run (issue #16).

The grid: GD transitions (``symdyn sweep grid --measure transition``) at σ = λ = 1 over η and δ chosen so a
cell takes about 0.1 s (~10^5 certified GD steps, rerun at a higher precision). The baseline is what an expert
writes without Dask: one process, a plain loop over the cells calling the same cell function, one Parquet
write at the end, its caches warmed first. The cluster run is the engine as ``symdyn sweep`` runs it (chunks as
tasks, a Parquet fragment per chunk, the atomic join); its start-up (the LocalCluster's processes) is timed and
counted, and so is each worker's warm-up (its first cell: imports and the symbolic limit), which the serial
loop does before its timing starts. Both tables are compared, bit for bit, without the ``seconds`` and
``worker`` columns.

Printed, one JSON line: ``speedup_vs_serial`` (serial wall / (start-up + warm-up + cluster wall));
``overhead_ms_per_cell`` (worker time not spent in cells, per cell: scheduling, transfer, fragments);
``task_roundtrip_ms`` (a no-op task on the same cluster); ``cell_slowdown_on_workers`` (a cell's time on a worker
over its time in the serial loop: above 1 the two cores were not free); a projection from the measured cell time
plus overhead: ``cells_per_hour_per_worker`` and ``workers_for_1e6_cells_in_1h``. The machine is shared: compare
within one run only (``loadavg`` says how busy); serial and cluster runs alternate ``--repeat`` times and the
fastest of each counts (timeit's convention: the slower ones measure the machine's load).

    python benchmarks/bench_sweep.py [--eta 1/150:1/80:20] [--delta 400:1000:15] [--workers 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path


def _serial(spec, out: Path) -> tuple[float, float]:
    """(wall, seconds in cells) of the plain loop, its process warmed first."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from symdyn.output.sweep.grid import cell_row

    cell_row(spec, 0, "local")  # this process's imports and symbolic limit: the baseline at its best
    t0 = time.perf_counter()
    rows = [cell_row(spec, i, "local") for i in range(spec.cells)]
    pq.write_table(pa.Table.from_pylist(rows), out)
    return time.perf_counter() - t0, sum(r["seconds"] for r in rows)


def _cluster(spec, job, workers: int, out: Path) -> dict:
    """The engine on a fresh LocalCluster: start-up, each worker's warm-up, the run, a no-op task's round trip."""
    from distributed import Client, LocalCluster

    from symdyn.output.sweep.engine import run_job
    from symdyn.output.sweep.grid import cell_row

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        startup = time.perf_counter() - t0
        with Client(cluster) as client:  # each worker's first cell: imports and the symbolic limit, once
            t0 = time.perf_counter()
            client.run(cell_row, spec, 0, "warm")
            warm = time.perf_counter() - t0
        s = run_job(job, out, scheduler=cluster.scheduler_address)
        with Client(cluster) as client:
            client.gather(client.map(abs, range(20)))
            t0 = time.perf_counter()
            client.gather(client.map(abs, range(-200, 0)))
            roundtrip = (time.perf_counter() - t0) / 200
    return {"startup": startup, "warm": warm, "summary": s, "roundtrip": roundtrip,
            "total": startup + warm + s.wall_seconds}


def main() -> None:
    import pyarrow.parquet as pq

    from symdyn.numeric.measures import Subject
    from symdyn.output.sweep.grid import grid_job, grid_spec, parse_axis

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eta", default="1/150:1/80:20", help="the eta axis (START:STOP:NUM or a list)")
    ap.add_argument("--delta", default="400:1000:15", help="the delta axis")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--digits", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=2, help="serial and cluster runs, alternated; the fastest counts")
    a = ap.parse_args()
    spec = grid_spec(Subject(), "gd", "transition", [parse_axis(f"eta={a.eta}"), parse_axis(f"delta={a.delta}")],
                     {"sigma": 1, "lambda": 1}, digits=a.digits)
    job = grid_job(spec)
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    serials, clusters = [], []
    for _ in range(a.repeat):  # alternated, so a change of the machine's load falls on both
        serials.append(_serial(spec, tmp / "serial.parquet"))
        clusters.append(_cluster(spec, job, a.workers, tmp / "cluster.parquet"))
    serial, cell_seconds = min(serials)
    c = min(clusters, key=lambda r: r["total"])
    s = c["summary"]
    tables = [pq.read_table(tmp / f"{n}.parquet").drop_columns(["seconds", "worker"]).to_pylist()
              for n in ("serial", "cluster")]

    mean_cell = cell_seconds / spec.cells
    per_cell = mean_cell + s.overhead_ms_per_cell / 1000  # what a worker spends per cell, all in
    per_hour = 3600 / per_cell
    out = {
        "cells": spec.cells, "chunk_cells": job.sizes[0], "chunks": len(job.sizes), "workers": s.workers,
        "repeat": a.repeat, "mean_cell_s": round(mean_cell, 4), "serial_s": round(serial, 2),
        "startup_s": round(c["startup"], 2), "worker_warmup_s": round(c["warm"], 2),
        "cluster_s": round(s.wall_seconds, 2),
        "speedup_vs_serial": round(serial / c["total"], 3),
        "speedup_without_startup": round(serial / s.wall_seconds, 3),
        "overhead_ms_per_cell": round(s.overhead_ms_per_cell, 2),
        "task_roundtrip_ms": round(1000 * c["roundtrip"], 2),
        "cells_per_hour_per_worker": round(per_hour),
        "workers_for_1e6_cells_in_1h": math.ceil(1e6 / per_hour),
        # > 1 when the workers' cells ran slower than the serial loop's: the cores were shared with other work
        "cell_slowdown_on_workers": round(s.cell_seconds / s.computed_cells / mean_cell, 3),
        "same_table": tables[0] == tables[1], "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
