"""Regenerate the formula sheets in this folder: ``python derivations/generate.py``.

Writes ``formulas.tex`` (standalone, compiles with pdflatex), ``formulas-body.tex``
(for ``\\input``) and ``formulas.md``. Each file is written to a temporary name and
renamed, so an interrupted run never leaves a half-written sheet. The test suite
regenerates them in memory and fails if the committed files are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from symdyn.output.files import write_file
    from symdyn.output.sheet import render

    for name, text in render().items():
        write_file(HERE / name, text)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
