"""``symdyn reproduce``: the whole pipeline on built-in defaults, written atomically to --out."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from symdyn.output import reproduce as R


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reproduce", help="run the whole pipeline (the main job)",
                       description="Derivations, claims (quick by default), figures and tables, and a "
                                   "report. Output goes to a temporary folder that is moved into place "
                                   "at the end, so an interrupted run leaves nothing half-written.")
    p.add_argument("--out", default="symdyn-out",
                   help="output folder (default ./symdyn-out); replaced whole if symdyn wrote it, "
                        "refused if it is a non-empty folder of yours")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="full", action="store_false", help="quick claims (the default)")
    mode.add_argument("--full", dest="full", action="store_true", help="full claims (slower)")
    p.set_defaults(run=run, full=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


#: Written into every output folder; only a folder that has it (or an empty one) is replaced.
MARKER = ".symdyn-reproduce"


def run(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {args.out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ValueError(f"--out {args.out} is a non-empty folder that symdyn reproduce did not write; "
                         "choose a new or empty folder (it is replaced whole)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        sections, summary, written, ok = [], {}, 0, True
        for i, (name, stage) in enumerate(R.STAGES, 1):
            t0 = time.perf_counter()
            print(f"[{i}/{len(R.STAGES)}] {name} …", file=sys.stderr, flush=True)
            res = stage(not args.full)
            _write(tmp, res.files)
            written += len(res.files)
            sections.append(res.report)
            summary[name] = {**res.summary, "seconds": f"{time.perf_counter() - t0:.1f}"}
            ok &= res.ok
        _write(tmp, {"report.md": R.report(sections, summary), MARKER: "written by symdyn reproduce\n"})
        written += 1
        os.chmod(tmp, 0o777 & ~_umask())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / "x")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"symdyn reproduce: wrote {written} files to {out}")
    for name, items in summary.items():
        print(f"  {name:<12} " + "; ".join(f"{k}: {v}" for k, v in items.items()))
    if not ok:
        print("symdyn reproduce: some claims did not have their expected outcome (see report.md)",
              file=sys.stderr)
    return 0 if ok else 1
