"""Regenerate the formula sheets in this folder: ``python derivations/generate.py``.

Writes ``formulas.tex`` (standalone, compiles with pdflatex), ``formulas-body.tex``
(for ``\\input``) and ``formulas.md``. The files go through symdyn's writer
(``symdyn.output.files.add_files``): each is complete before any is moved into place, and a
file is replaced only when this folder's manifest (``.symdyn-manifest.json``) says symdyn
wrote it; a file of yours is never overwritten. The test suite regenerates them in memory
and fails if the committed files are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from symdyn.output.files import add_files
    from symdyn.output.sheet import render

    try:
        written = add_files(HERE, render(), writer="derivations/generate.py")
    except ValueError as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
