"""``symdyn verify``: check the paper's claims; exit 0 when every outcome is the expected one."""

from __future__ import annotations

import argparse
import json
import sys

from symdyn.claims.base import DEFAULT_SEED, FULL_CASES, QUICK_CASES

HELP = "check every claim of the paper (errata are expected to fail)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help=HELP,
                       description="Run the executable claims. Exit status 0 when every claim's outcome "
                                   "is the expected one (printed errata are expected to fail), 1 otherwise.")
    p.add_argument("--quick", action="store_true", help="cheaper parameter sets (seconds, not minutes)")
    p.add_argument("--only", nargs="+", metavar="ID", help="check only these claim ids")
    p.add_argument("--depth", type=int, default=None, metavar="L",
                   help="check only the claims about depth L (1: linear model, 2: the paper's network, "
                        ">= 3: deeper networks)")
    p.add_argument("--model", metavar="FILE.toml", default=None,
                   help="check your own model's derived statements instead (residuals, conservation along a "
                        "certified trajectory, the reduction, the limit against certified values at large delta)")
    p.add_argument("--dynamics", nargs="+", choices=("flow", "gd"), default=["flow"],
                   help="with --model: the limits to check (default flow)")
    p.add_argument("--list", action="store_true", help="list the claim ids and sources, then exit")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"seed of the random sweeps (default {DEFAULT_SEED}); each claim's cases come from "
                        "(seed, claim id), so --only replays the same cases")
    p.add_argument("--cases", type=int, default=None,
                   help=f"random cases per sweep (default {QUICK_CASES} with --quick, {FULL_CASES} without; "
                        "0 skips the sweeps)")
    p.set_defaults(run=main_verify)


class _ClaimBar:
    """``progress(claim_id)`` of :func:`symdyn.claims.run` as a tqdm bar with an i/N count (silent in JSON
    and when stderr is not a terminal)."""

    def __init__(self, fmt: str, total: int) -> None:
        from symdyn.precise.progress import ProgressBar

        self.bar = ProgressBar(enabled=False if fmt == "json" else None, delay=0.0, unit="claim", desc="verify")
        self.total, self.done = total, 0

    def __call__(self, cid: str) -> None:
        self.bar(self.done, self.total, f"checking {cid}")
        self.done += 1

    def close(self) -> None:
        self.bar(self.done, self.total, "")
        self.bar.close()


def _short(evidence: dict, width: int = 70) -> str:
    text = json.dumps(evidence, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _sweep_cell(sw: dict | None) -> str:
    if not sw:
        return "-"
    if "error" in sw:
        return "error"
    cell = f"{sw['passed']}/{sw['cases']}"
    return cell + (f" p:{sw['printed_failures']}" if "printed_failures" in sw else "")


def _main(evidence: dict) -> dict:
    """The evidence to summarise in the table: a sweep counterexample first, else the fixed check's."""
    sw = evidence.get("sweep") or {}
    if sw.get("counterexample"):
        return {"sweep counterexample": sw["counterexample"]["params"]}
    return {k: v for k, v in evidence.items() if k != "sweep"}


def _verify_model(args: argparse.Namespace) -> int:
    from symdyn.claims.model_claims import HOLDS, SKIPPED, verify_model
    from symdyn.cli.model import load

    checks = verify_model(load(args), dynamics=tuple(args.dynamics))
    if args.format == "json":
        json.dump([{"name": c.name, "status": c.status, "evidence": c.evidence} for c in checks], sys.stdout,
                  indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        for c in checks:
            print(f"{c.name:<14} {c.status:<12} {_short(c.evidence, 90)}")
    return 0 if all(c.status in (HOLDS, SKIPPED) for c in checks) else 1


def main_verify(args: argparse.Namespace) -> int:
    from symdyn.claims import catalog, run

    if args.model is not None:
        return _verify_model(args)
    ids = args.only
    if args.depth is not None:
        if args.depth < 1:
            raise ValueError(f"depth must be an integer >= 1, got {args.depth}")
        ids = [c.id for c in catalog().values() if c.depth == args.depth and (not ids or c.id in ids)]
        if not ids:
            raise ValueError(f"no claim is about depth {args.depth}; see `symdyn verify --list`")
    if args.list:
        listed = [c for c in catalog().values() if ids is None or c.id in ids]
        if args.format == "json":
            json.dump([{"id": c.id, "depth": c.depth, "expected": c.expected, "source": c.source, "method": c.method,
                        "printed": c.printed, "corrected": c.corrected, "slow": c.slow} for c in listed],
                      sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
            return 0
        for c in listed:
            print(f"{c.id:<20} L={c.depth:<3} {c.expected:<16} {c.source}")
        return 0
    bar = _ClaimBar(args.format, len(ids) if ids is not None else len(catalog()))
    try:
        results = run(ids, quick=args.quick, progress=bar, seed=args.seed, cases=args.cases)
    finally:
        bar.close()
    cases = args.cases if args.cases is not None else (QUICK_CASES if args.quick else FULL_CASES)
    return print_results(results, args.seed, cases, args.format)


def print_results(results: list, seed: int, cases: int, fmt: str) -> int:
    """Print the claims' results (a table, or JSON); 0 when each outcome is the expected one, else 1."""
    if fmt == "json":
        json.dump([r.json() for r in results], sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print(f"seed {seed} (random sweeps: {cases} cases per claim; "
              "sweep = passed/cases, p:N = cases where the printed form fails; "
              "numbers: proven = by enclosures, agreed = only between reruns)")
        print(f"{'id':<14} {'status':<16} {'expected':<16} {'':2} {'numbers':<8} {'sweep':<12} {'source':<34} evidence")
        for r in results:
            mark, proof = "ok" if r.as_expected else "!!", r.outcome.proof or "-"
            print(f"{r.claim.id:<14} {r.outcome.status:<16} {r.claim.expected:<16} {mark:2} {proof:<8} "
                  f"{_sweep_cell(r.sweep):<12} {r.claim.source[:34]:<34} {_short(_main(r.outcome.evidence), 56)}")
        bad = [r.claim.id for r in results if not r.as_expected]
        print(f"\n{len(results) - len(bad)}/{len(results)} claims as expected"
              + (f"; unexpected: {', '.join(bad)}" if bad else ""))
    return 0 if all(r.as_expected for r in results) else 1
