"""Start-up of the command line: ``symdyn --help``, ``--version`` and each subcommand's ``--help``,
against ``python -c "import sympy"`` (issue #17: each under 1.5x), measured side by side in one run.

Each command runs as a fresh interpreter, the baseline and the commands interleaved, ``REPEATS`` times;
the time of a command is its fastest run (the least disturbed by other load on the machine), and the
ratio is that over the baseline's fastest run. Prints one JSON line of ratios; exit status 1 when a
ratio is above ``LIMIT``.

    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPEATS = 5
LIMIT = 1.5
ROOT = Path(__file__).resolve().parents[1]


def commands() -> dict[str, list[str]]:
    from symdyn.cli import COMMANDS

    out = {"--help": ["--help"], "--version": ["--version"]}
    out.update({f"{c} --help": [c, "--help"] for c in COMMANDS})
    return out


def _time(argv: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - t0


def measure(repeats: int = REPEATS) -> dict[str, float]:
    """{command: fastest time / fastest ``import sympy``}, interleaved so both see the same load."""
    base = [sys.executable, "-c", "import sympy"]
    cmds = commands()
    best = {name: float("inf") for name in ["import sympy", *cmds]}
    for _ in range(repeats):
        best["import sympy"] = min(best["import sympy"], _time(base))
        for name, args in cmds.items():
            best[name] = min(best[name], _time([sys.executable, "-m", "symdyn", *args]))
    ratios = {name: round(t / best["import sympy"], 3) for name, t in best.items() if name != "import sympy"}
    return {**ratios, "import sympy seconds": round(best["import sympy"], 3)}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    ratios = measure()
    print(json.dumps(ratios))
    worst = max(v for k, v in ratios.items() if k != "import sympy seconds")
    sys.exit(0 if worst <= LIMIT else 1)
