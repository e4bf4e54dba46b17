"""Run a sweep on Dask: chunks of cells as pure tasks, Parquet fragments as they finish, one atomic join.

A :class:`Job` is a list of chunks. Each chunk is one task, ``task(*args) -> rows``: a pure
function of small exact arguments, so any worker gives the same bits and a retried task is
harmless (STYLE §16). The engine (:func:`run_job`):

1. refuses an output it did not write (a Parquet file is replaced only when its metadata
   shows that a symdyn sweep wrote it);
2. keeps the finished chunks in the fragment folder ``<out>.parts/`` beside the output, one
   Parquet file per chunk, each written to a temporary name and renamed; the folder's
   ``job.json`` holds the job's fingerprint, so ``resume=True`` continues only the same job
   and skips the chunks already there;
3. runs the remaining chunks: in this process (``scheduler="serial"``, the reference), on an
   embedded ``LocalCluster`` of processes, one per core (the default), or on a running Dask
   scheduler (``scheduler="tcp://HOST:PORT"``). A lost worker's tasks are rescheduled by Dask;
4. joins the fragments, checks that every cell is there exactly once, writes the table to a
   temporary sibling and renames it over the output, then removes the fragment folder.

An interrupted run (Ctrl-C) cancels the tasks and leaves only whole fragments behind, never a
half-written table. Dask and pyarrow are imported here, when a sweep runs, not on ``import symdyn``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path

from symdyn.output.files import atomic_file, write_file

#: Cells per chunk at most (a chunk of 256 cells of 0.1 s is a task of ~26 s: cheap to lose, cheap to schedule).
MAX_CHUNK = 256
#: Chunks aimed at for a small grid (enough to balance a few workers), and the most chunks for a huge one.
TARGET_CHUNKS, MAX_CHUNKS = 64, 100_000
#: Seconds to wait for a scheduler before giving up.
CONNECT_TIMEOUT = 5.0
#: The key of symdyn's metadata in the Parquet schema.
METADATA_KEY = b"symdyn.sweep"
#: Column types: the Parquet type of each column kind.
ARROW_TYPES = ("int64", "float64", "string", "bool")

_FRAGMENT = re.compile(r"^chunk-(\d{6,})\.parquet$")


class UnfinishedSweep(ValueError):
    """The fragment folder holds the chunks of an unfinished run of this job (resume it or remove the folder)."""


@dataclass(frozen=True)
class Job:
    """A sweep as data: ``tasks[i]`` are the arguments of ``task`` for chunk i, which returns its rows.

    * ``columns``: (name, type) of every column, type one of :data:`ARROW_TYPES`; every row has
      a ``cell`` column (its index, 0 .. cells − 1) and these names;
    * ``sizes``: the cells of each chunk; ``fingerprint``: what identifies the job (JSON-able;
      a resumed run must match it); ``metadata``: stored in the table (command, version, seed).
    """

    task: Callable[..., list[dict]]
    tasks: tuple[tuple, ...]
    sizes: tuple[int, ...]
    columns: tuple[tuple[str, str], ...]
    fingerprint: dict
    metadata: dict = field(default_factory=dict)

    @property
    def cells(self) -> int:
        return sum(self.sizes)


@dataclass(frozen=True)
class Summary:
    """What a run did: cells and chunks (and those resumed from fragments), rows with an error, times.

    ``startup_seconds``: until the workers were ready; ``run_seconds``: from then to the last chunk;
    ``computed_cells``/``cell_seconds``: the cells computed in this run and the seconds they took.
    """

    out: Path
    cells: int
    chunks: int
    resumed: int
    errors: int
    wall_seconds: float
    startup_seconds: float
    run_seconds: float
    computed_cells: int
    cell_seconds: float
    workers: int
    where: str

    @property
    def overhead_ms_per_cell(self) -> float:
        """Worker time not spent in cells (scheduling, transfer, fragments), per computed cell, in ms."""
        if not self.computed_cells:
            return 0.0
        return 1000 * max(0.0, self.run_seconds * self.workers - self.cell_seconds) / self.computed_cells


def chunk_size(cells: int) -> int:
    """Cells per chunk: about :data:`TARGET_CHUNKS` chunks, at most :data:`MAX_CHUNK` cells each, and never
    more than :data:`MAX_CHUNKS` chunks. A function of the cell count alone, so a resumed run cuts the same."""
    return max(1, min(MAX_CHUNK, ceil(cells / TARGET_CHUNKS)), ceil(cells / MAX_CHUNKS))


def chunks(cells: int, size: int | None = None) -> list[tuple[int, int]]:
    """(start, stop) of each chunk of ``cells`` cells (``size`` cells each, default :func:`chunk_size`)."""
    size = chunk_size(cells) if size is None else size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"chunk size must be an integer >= 1, got {size!r}")
    return [(a, min(a + size, cells)) for a in range(0, cells, size)]


def worker_name() -> str:
    """The Dask worker running this task (its address), or ``local`` outside Dask."""
    if "distributed" in sys.modules:
        from distributed import get_worker

        try:
            return str(get_worker().address)
        except ValueError:
            pass
    return "local"


# --------------------------------------------------------------------------- files
def parts_folder(out: Path) -> Path:
    """The fragment folder of ``out``: ``<out>.parts`` beside it."""
    return out.with_name(out.name + ".parts")


def _arrow_schema(columns: Sequence[tuple[str, str]], metadata: dict | None = None):
    import pyarrow as pa

    types = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string(), "bool": pa.bool_()}
    meta = {METADATA_KEY: json.dumps(metadata, sort_keys=True).encode()} if metadata is not None else None
    return pa.schema([(name, types[kind]) for name, kind in columns], metadata=meta)


def _parquet_bytes(table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def sweep_metadata(path: str | os.PathLike) -> dict | None:
    """symdyn's metadata of the Parquet file ``path`` (None when it is not a table written by a sweep)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
        return json.loads(meta[METADATA_KEY])
    except (OSError, KeyError, ValueError):
        return None


def check_output(out: Path) -> None:
    """Raise unless ``out`` is absent or a table that a symdyn sweep wrote (which may be replaced)."""
    if out.is_dir():
        raise ValueError(f"{out} is a folder, expected a file name such as results.parquet")
    if out.exists() and sweep_metadata(out) is None:
        raise ValueError(f"{out} exists and symdyn did not write it; choose another name or move it away")


def _check_parts(job: Job, parts: Path, resume: bool) -> bool:
    """Whether the fragment folder exists for this job; raise if it belongs to another job, or to an
    unfinished run of this one that is not resumed (read only)."""
    if not parts.exists():
        return False
    stamp = {"fingerprint": job.fingerprint, "chunks": len(job.tasks), "cells": job.cells}
    try:
        found = json.loads((parts / "job.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValueError(f"{parts} exists and is not a sweep's fragment folder; move it away") from None
    if found != json.loads(json.dumps(stamp)):
        raise ValueError(f"{parts} holds the fragments of a different sweep; remove it or choose another output")
    if not resume:
        raise UnfinishedSweep(f"{parts} holds the fragments of an unfinished run of this sweep; "
                              "resume it or remove the folder")
    return True


def _open_parts(job: Job, parts: Path) -> set[int]:
    """Create the fragment folder for ``job`` if needed; the chunks already in it."""
    if not parts.exists():
        parts.mkdir(parents=True)
        stamp = {"fingerprint": job.fingerprint, "chunks": len(job.tasks), "cells": job.cells}
        write_file(parts / "job.json", json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    done = set()
    for p in parts.iterdir():
        m = _FRAGMENT.match(p.name)
        if m and int(m.group(1)) < len(job.tasks):
            done.add(int(m.group(1)))
    return done


def _fragment(parts: Path, i: int) -> Path:
    return parts / f"chunk-{i:06d}.parquet"


def _write_fragment(job: Job, parts: Path, i: int, rows: list[dict]) -> None:
    import pyarrow as pa

    if len(rows) != job.sizes[i]:
        raise RuntimeError(f"chunk {i} returned {len(rows)} rows for {job.sizes[i]} cells")
    table = pa.Table.from_pylist(rows, schema=_arrow_schema(job.columns))
    write_file(_fragment(parts, i), _parquet_bytes(table))


#: Rows gathered into one Parquet row group of the joined table.
ROW_GROUP = 65536


def _join(job: Job, out: Path, parts: Path, metadata: dict) -> int:
    """Stream the fragments, in chunk order, into ``out`` (a temporary sibling renamed at the end), checking that
    they hold every cell exactly once, in order; returns the rows with an error."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(job.columns)
    errors, expected, pending = 0, 0, []
    with atomic_file(out) as tmp, pq.ParquetWriter(tmp, _arrow_schema(job.columns, metadata)) as writer:
        for i in range(len(job.tasks)):
            t = pq.read_table(_fragment(parts, i), schema=schema)
            if t.column("cell").to_pylist() != list(range(expected, expected + job.sizes[i])):
                raise RuntimeError(f"fragment {i} in {parts} does not hold cells {expected} .. "
                                   f"{expected + job.sizes[i] - 1}; remove the folder and run the sweep again")
            expected += t.num_rows
            errors += t.num_rows - t.column("error").null_count if "error" in t.column_names else 0
            pending.append(t)
            if sum(p.num_rows for p in pending) >= ROW_GROUP or i == len(job.tasks) - 1:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
                pending = []
        if not job.tasks:
            writer.write_table(schema.empty_table())
    return errors


# --------------------------------------------------------------------------- engines
def _client(scheduler: str | None, workers: int | None, connect_timeout: float):
    """(client, cluster or None, workers) for the embedded LocalCluster (scheduler None) or a scheduler address."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is None:
        n = workers or _cores()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1", silence_logs=logging.ERROR)
        try:
            return Client(cluster), cluster, n
        except BaseException:
            cluster.close()
            raise
    try:
        with dask.config.set({"distributed.comm.timeouts.connect": f"{connect_timeout}s"}):
            client = Client(scheduler, timeout=connect_timeout)
    except Exception as exc:  # refused, timed out, or something else answers there (a proxy's bytes as a frame)
        raise ValueError(f"cannot reach a Dask scheduler at {scheduler} within {connect_timeout:g} s "
                         f"({type(exc).__name__})") from None
    return client, None, len(client.scheduler_info().get("workers", {}))


def _cores() -> int:
    """The cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def check_scheduler(address: str) -> str:
    """A scheduler address ``PROTOCOL://HOST:PORT`` (tcp, tls, ucx, inproc, ws, wss), else ``ValueError``."""
    m = re.fullmatch(r"(tcp|tls|ucx|ws|wss)://[^\s/]+/?|inproc://\S+", address or "")
    if not m:
        raise ValueError(f"a scheduler address looks like tcp://HOST:PORT, got {address!r}")
    return address


def _run_serial(job: Job, todo: list[int], done_chunk: Callable[[int, list[dict]], None]) -> None:
    for i in todo:
        done_chunk(i, job.task(*job.tasks[i]))


def _run_dask(job: Job, todo: list[int], done_chunk, client) -> None:
    from distributed import KilledWorker, as_completed

    token = job.fingerprint.get("id", "sweep")
    futures = {client.submit(job.task, *job.tasks[i], key=f"symdyn-{token}-{i}", pure=False, retries=0): i
               for i in todo}
    try:
        for fut in as_completed(futures):
            i = futures.pop(fut)
            try:
                rows = fut.result()
            except KilledWorker:
                raise ValueError(f"chunk {i} was running on every worker that died; the finished chunks "
                                 "are kept, resume the sweep once the workers are healthy") from None
            fut.release()
            done_chunk(i, rows)
    finally:
        if futures:
            client.cancel(list(futures))


def run_job(job: Job, out: str | os.PathLike, *, scheduler: str | None = None, workers: int | None = None,
            resume: bool = False, connect_timeout: float = CONNECT_TIMEOUT,
            progress: Callable[[int], None] | None = None, on_start: Callable[[int, int], None] | None = None,
            ) -> Summary:
    """Run ``job`` and write its table to ``out`` (module docstring).

    ``scheduler``: None (an embedded LocalCluster of ``workers`` processes, default one per core),
    ``"serial"`` (this process, no Dask) or a scheduler address. ``progress(n)`` is called with the
    cells of each chunk as it finishes; ``on_start(cells_done, workers)`` once the workers are ready.
    """
    out = Path(out)
    if scheduler not in (None, "serial"):
        check_scheduler(scheduler)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if workers is not None and scheduler is not None:
        raise ValueError("workers sets the size of the embedded LocalCluster; a scheduler or a serial run has its own")
    check_output(out)
    parts = parts_folder(out)
    _check_parts(job, parts, resume)  # before any worker starts: a refused run costs nothing
    start = time.perf_counter()
    client = cluster = None
    where, n_workers = "serial", 1
    if scheduler != "serial":  # connect before touching the disk: an unreachable scheduler leaves nothing
        client, cluster, n_workers = _client(scheduler, workers, connect_timeout)
        where = scheduler or f"LocalCluster({n_workers} processes)"
    ready = time.perf_counter()
    computed = [0, 0.0]  # cells, seconds
    try:
        done = _open_parts(job, parts)
        resumed = len(done)
        if on_start is not None:
            on_start(sum(job.sizes[i] for i in done), n_workers)

        def done_chunk(i: int, rows: list[dict]) -> None:
            _write_fragment(job, parts, i, rows)
            computed[0] += len(rows)
            computed[1] += sum(r.get("seconds") or 0.0 for r in rows)
            if progress is not None:
                progress(job.sizes[i])

        todo = [i for i in range(len(job.tasks)) if i not in done]
        if client is None:
            _run_serial(job, todo, done_chunk)
        else:
            _run_dask(job, todo, done_chunk, client)
        finished = time.perf_counter()
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    metadata = {**job.metadata, "fingerprint": job.fingerprint, "cells": job.cells}
    errors = _join(job, out, parts, metadata)
    shutil.rmtree(parts, ignore_errors=True)
    return Summary(out, job.cells, len(job.tasks), resumed, errors, time.perf_counter() - start, ready - start,
                   finished - ready, computed[0], computed[1], n_workers, where)
