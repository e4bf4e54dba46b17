"""Regenerate the formula sheets in this folder: ``python derivations/generate.py``.

Writes ``formulas.tex`` (standalone, compiles with pdflatex), ``formulas-body.tex``
(for ``\\input``) and ``formulas.md``. Each file is written to a temporary name and
renamed, so an interrupted run never leaves a half-written sheet. The test suite
regenerates them in memory and fails if the committed files are stale.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from symdyn.output.sheet import render

    for name, text in render().items():
        write_atomically(HERE / name, text)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
