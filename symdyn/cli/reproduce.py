"""``symdyn reproduce``: the whole pipeline on built-in defaults, written atomically to --out."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HELP = "run the whole pipeline (the main job)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reproduce", help=HELP,
                       description="Derivations, claims (quick by default), figures and tables, and a "
                                   "report. Output goes to a temporary folder that is moved into place "
                                   "at the end, so an interrupted run leaves nothing half-written.")
    p.add_argument("--out", default="symdyn-out",
                   help="output folder (default ./symdyn-out); replaced whole if symdyn wrote it, "
                        "refused if it is a non-empty folder of yours")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="full", action="store_false", help="quick claims (the default)")
    mode.add_argument("--full", dest="full", action="store_true", help="full claims (slower)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: stage lines on stderr, then a summary (default); json: the summary as JSON")
    p.set_defaults(run=run, full=False)


def run(args: argparse.Namespace) -> int:
    from symdyn.output import reproduce as R
    from symdyn.output.files import check_replaceable, put_file, staging_folder, write_folder

    quiet = args.format == "json"
    out = Path(args.out).resolve()
    check_replaceable(out)             # refuse before any work, and again before the final swap
    existed = out.exists()
    tmp = staging_folder(out)
    try:
        sections, pages, summary, written, ok = [], [], {}, 0, True
        for i, (name, stage) in enumerate(R.STAGES, 1):
            t0 = time.perf_counter()
            if not quiet:
                print(f"[{i}/{len(R.STAGES)}] {name} …", file=sys.stderr, flush=True)
            res = stage(not args.full)
            for fname, content in res.files.items():
                put_file(tmp / fname, content)
            written += len(res.files)
            sections.append(res.report)
            pages.append(res.html)
            summary[name] = {**res.summary, "seconds": f"{time.perf_counter() - t0:.1f}"}
            ok &= res.ok
        reports = {"report.md": R.report(sections, summary), "report.html": R.report_html(pages, summary)}
        try:
            write_folder(out, reports, writer="symdyn reproduce", staging=tmp)
        except ValueError as exc:
            if existed or not out.exists():
                raise
            raise ValueError(f"{out} appeared during the run and was left untouched; nothing was written "
                             "(choose another folder, or remove it and rerun)") from exc
        written += len(reports)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if quiet:
        from symdyn.cli.common import emit_json

        emit_json({"out": str(out), "files": written, "mode": "full" if args.full else "quick", "ok": ok,
                   "summary": summary})
        return 0 if ok else 1
    print(f"symdyn reproduce: wrote {written} files to {out}")
    for name, items in summary.items():
        print(f"  {name:<12} " + "; ".join(f"{k}: {v}" for k, v in items.items()))
    if not ok:
        print("symdyn reproduce: some claims did not have their expected outcome (see report.md)",
              file=sys.stderr)
    return 0 if ok else 1
