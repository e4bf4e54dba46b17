"""The harness of the hostile-input suite (tests/test_hostile_*.py); not a test module itself.

Every case runs in its own subprocess, in its own empty working folder, with a memory limit
(``RLIMIT_AS``, set in ``preexec_fn``) and a time limit, and is checked the same way:

* the exit status is the expected one;
* stderr holds no traceback, and exactly one line for an error (zero for a success); progress
  lines of ``symdyn reproduce`` (``[i/n] stage …``) are not counted;
* no file is left behind: the folder holds exactly what it held before (plus what a successful
  case is expected to write), hidden staging folders included.

Cases run two at a time in threads (the machine is shared); a test waits for its own case.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Address-space limit of every case: symdyn's imports (sympy, numpy, scipy, matplotlib) take ~1 GB of
#: address space; 3 GB leaves room for honest work and stops a blow-up (the issue's cases took 4-6 GB).
MEMORY = 3 * 2**30

#: Seconds a case may take (each finished in under 10 s when measured; the limit only catches a hang).
TIMEOUT = 60

_POOL: ThreadPoolExecutor | None = None
_BASE: Path | None = None


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0",
             MPLCONFIGDIR=str(base() / "mpl"), MPLBACKEND="Agg")
    e.pop("SYMDYN_TRACEBACK", None)
    return e


def base() -> Path:
    global _BASE
    if _BASE is None:
        _BASE = Path(tempfile.mkdtemp(prefix="symdyn-hostile-"))
    return _BASE


def pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hostile")
    return _POOL


def tree(folder: Path) -> set[str]:
    """Every path under ``folder`` (hidden ones too), relative, folders marked with a trailing /."""
    out = set()
    for dirpath, dirs, files in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        out.update(f"{(rel / d).as_posix()}/" for d in dirs)
        out.update((rel / f).as_posix() for f in files)
    return out


@dataclass
class Case:
    """One hostile input: the command (``symdyn`` argv, or an API case name), what to expect."""

    id: str
    argv: list[str]
    status: int = 2
    says: str = ""                       # a fragment the stderr line must contain
    setup: Callable[[Path], None] | None = None
    check: Callable[[Path], None] | None = None   # extra assertions on the folder afterwards
    writes: set[str] = field(default_factory=set)  # paths a successful case is expected to add
    api: bool = False                    # argv[0] names a case of tests/hostile_api.py
    during: Callable[[subprocess.Popen, Path], None] | None = None  # acts on the running process
    timeout: float = TIMEOUT


@dataclass
class Result:
    case: Case
    status: int
    stdout: str
    stderr: str
    seconds: float
    before: set[str]
    after: set[str]
    folder: Path


def command(case: Case) -> list[str]:
    if case.api:
        return [sys.executable, str(ROOT / "tests" / "hostile_api.py"), *case.argv]
    return [sys.executable, "-m", "symdyn", *case.argv]


def run(case: Case) -> Result:
    folder = base() / "cases" / case.id
    folder.mkdir(parents=True)
    if case.setup:
        case.setup(folder)
    before = tree(folder)
    t0 = time.perf_counter()
    p = subprocess.Popen(command(case), cwd=folder, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True, preexec_fn=_limits)
    try:
        if case.during:
            case.during(p, folder)
        out, err = p.communicate(timeout=case.timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        err += f"\n[harness] killed after {case.timeout} s"
    return Result(case, p.returncode, out, err, time.perf_counter() - t0, before, tree(folder), folder)


_REGISTERED: dict[str, Case] = {}
_FUTURES: dict[str, Future] = {}
_SELECTED: set[str] | None = None


def register(cases: list[Case]) -> list[Case]:
    """Add a module's cases (at import, i.e. collection): the first test to run starts them all, so the
    cases of every collected module share the two workers (the longest first)."""
    for c in cases:  # a module imported twice (tests and doctests) registers the same cases again
        old = _REGISTERED.get(c.id)
        assert old is None or (old.argv, old.status) == (c.argv, c.status), f"case ids must be unique: {c.id}"
        _REGISTERED[c.id] = c
    return cases


def select(case_ids: set[str]) -> None:
    """Run only these cases (the ones whose tests pytest selected; tests/conftest.py)."""
    global _SELECTED
    _SELECTED = set(case_ids)


def result(case_id: str) -> Result:
    if not _FUTURES:
        chosen = [c for c in _REGISTERED.values() if _SELECTED is None or c.id in _SELECTED]
        for c in sorted(chosen, key=lambda c: -c.timeout):
            _FUTURES[c.id] = pool().submit(run, c)
    if case_id not in _FUTURES:
        _FUTURES[case_id] = pool().submit(run, _REGISTERED[case_id])
    return _FUTURES[case_id].result()


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("[")]


def verify(r: Result) -> None:
    """The checks every case shares (see the module docstring)."""
    c = r.case
    where = f"{c.id}: status {r.status}, {r.seconds:.1f} s, stderr {r.stderr[-600:]!r}"
    assert "Traceback" not in r.stderr and "[harness]" not in r.stderr, where
    assert r.status == c.status, where
    lines = error_lines(r.stderr)
    assert len(lines) == (1 if c.status != 0 else 0), where
    if c.says:
        assert c.says in lines[0] if c.status != 0 else c.says in r.stdout, where
    left, lost = sorted(r.after - r.before - c.writes), sorted(r.before - r.after)
    assert r.after == r.before | c.writes, f"{c.id}: left {left}, lost {lost}"
    if c.check:
        c.check(r.folder)


def wait_for(folder: Path, pattern: str, timeout: float = 30) -> bool:
    """Poll until a path matching ``pattern`` (hidden ones too) exists under ``folder``."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if list(folder.glob(pattern)):
            return True
        time.sleep(0.02)
    return False


def signal_when(pattern: str | None, signum: int, delay: float = 0.0):
    """A ``during`` action: wait for ``pattern`` to appear (or ``delay`` seconds), then send ``signum``."""
    def act(p: subprocess.Popen, folder: Path) -> None:
        if pattern is not None:
            assert wait_for(folder, pattern), f"{pattern} never appeared"
        time.sleep(delay)
        if p.poll() is None:
            p.send_signal(signum)
    return act


def cleanup() -> None:
    """End of the session: cancel what has not started, remove the cases' folders."""
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
    if _BASE is not None:
        shutil.rmtree(_BASE, ignore_errors=True)


SIGNALS = {"SIGINT": (signal.SIGINT, 130), "SIGTERM": (signal.SIGTERM, 143), "SIGHUP": (signal.SIGHUP, 129)}
