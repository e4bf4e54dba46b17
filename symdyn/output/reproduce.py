"""The main job as a pipeline of pure stages: each returns files (name -> content) and a summary.

``symdyn reproduce`` runs the stages in order and writes what they return; the
stages themselves never touch the disk. A stage is a function ``(quick) -> StageResult``
registered in :data:`STAGES`; later results (figures, tables) are one more stage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from symdyn.claims import run as run_claims
from symdyn.claims.sweep import DEFAULT_SEED, FULL_CASES, QUICK_CASES
from symdyn.output.sheet import render


@dataclass(frozen=True)
class StageResult:
    """Files to write (relative path -> str or bytes), summary numbers, and a report section."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    summary: dict[str, object] = field(default_factory=dict)
    report: str = ""
    ok: bool = True


def stage_derivations(quick: bool) -> StageResult:
    files = {f"derivations/{k}": v for k, v in render().items()}
    md = ("## Formula sheet\n\nEvery result derived by sympy from the per-mode loss and checked by "
          "substitution: [formulas.md](derivations/formulas.md), [formulas.tex](derivations/formulas.tex) "
          "(standalone, pdflatex), [formulas-body.tex](derivations/formulas-body.tex) (for `\\input`).\n")
    return StageResult(files, {"formula files": len(files)}, md)


def stage_verify(quick: bool, seed: int = DEFAULT_SEED) -> StageResult:
    results = run_claims(quick=quick, seed=seed)
    cases = QUICK_CASES if quick else FULL_CASES
    rows = [r.json() for r in results]
    errata = [r for r in results if r.claim.id.startswith("E")]
    claims = [r for r in results if not r.claim.id.startswith("E")]
    lines = ["## Claims", "", f"Mode: {'quick' if quick else 'full'}. Random sweeps: seed {seed}, {cases} cases "
             f"per claim (`symdyn verify --seed {seed} --cases {cases}` replays them). "
             "Status `holds-corrected`: the printed form fails and the corrected form holds.", "",
             "| id | source | status | expected | sweep (passed/cases) | |", "|---|---|---|---|---|---|"]
    for r in claims:
        sw = r.sweep
        cell = f"{sw['passed']}/{sw['cases']}" if sw and "passed" in sw else "-"
        lines.append(f"| {r.claim.id} | {r.claim.source} | {r.outcome.status} | {r.claim.expected} | {cell} | "
                     f"{'ok' if r.as_expected else '**unexpected**'} |")
    lines += ["", "## Errata of the printed paper", ""]
    for r in errata:
        lines += [f"### {r.claim.id}: {r.claim.source}", "",
                  f"- printed: {r.claim.printed}", f"- corrected: {r.claim.corrected}",
                  f"- outcome: **{r.outcome.status}** (expected {r.claim.expected})",
                  f"- evidence: `{json.dumps(r.outcome.evidence, ensure_ascii=False, default=str)}`", ""]
    summary = {
        "claims as expected": f"{sum(r.as_expected for r in claims)}/{len(claims)}",
        "errata confirmed": f"{sum(r.as_expected for r in errata)}/{len(errata)}",
        "sweep seed": seed,
    }
    ok = all(r.as_expected for r in results)
    return StageResult({"claims.json": json.dumps(rows, indent=2, ensure_ascii=False, default=str) + "\n"},
                       summary, "\n".join(lines) + "\n", ok)


def stage_figures(quick: bool) -> StageResult:
    from symdyn.output.figures import FIGURES, figure_files

    files: dict[str, str | bytes] = {}
    lines = ["## Figures", ""]
    for name in FIGURES:
        for fname, content in figure_files(name).items():
            files[f"figures/{fname}"] = content
        lines += [f"![{name}](figures/{name}.png)", "",
                  f"{name}: [PNG](figures/{name}.png), [PDF](figures/{name}.pdf), "
                  f"[data (CSV)](figures/{name}.csv).", ""]
    lines += ["Fig 1 draws both inits: the paper's caption init (product e^{-delta}) jumps at "
              "tau = 5, 50, 500; the default init (every factor e^{-delta}) at 10, 100, 1000 (erratum E2).", ""]
    return StageResult(files, {"figures": len(FIGURES)}, "\n".join(lines))


def stage_table1(quick: bool) -> StageResult:
    from symdyn.matrix.data import BUNDLED, load_classification
    from symdyn.matrix.experiments import table1_claim, table1_json, table1_rows, table1_text

    try:
        data = {name: load_classification(name) for name in BUNDLED}
    except ImportError as exc:  # the data sets ship with scikit-learn (the `data` extra)
        msg = f"skipped: {exc}"
        return StageResult({}, {"table 1": msg}, f"## Table 1\n\n{msg}\n")
    rows = table1_rows(data)
    claim = table1_claim(rows)
    survives = sum(claim.values())
    md = (f"## Table 1\n\nAssumption-1 diagnostics on real data. The printed claim (Delta_xy about two "
          f"orders of magnitude below Delta_x) survives under {survives} of {len(claim)} choices of "
          f"centring and completion of U.\n\n```\n{table1_text(rows, claim)}\n```\n")
    files = {"table1.json": json.dumps(table1_json(rows, claim), indent=2) + "\n",
             "table1.txt": table1_text(rows, claim) + "\n"}
    return StageResult(files, {"data sets": len(BUNDLED), "claim survives": f"{survives}/{len(claim)} choices"}, md)


#: The stages of ``symdyn reproduce``, in order: (name, function).
STAGES: list[tuple[str, Callable[[bool], StageResult]]] = [
    ("derivations", stage_derivations),
    ("verify", stage_verify),
    ("figures", stage_figures),
    ("table1", stage_table1),
]


def report(sections: list[str], summary: dict[str, dict]) -> str:
    """The report's Markdown: the summary table, then each stage's section."""
    head = ["# symdyn reproduction report", "",
            "Gidel, Bach & Lacoste-Julien, NeurIPS 2019, reproduced by `symdyn reproduce`.", "",
            "| stage | result |", "|---|---|"]
    for stage, items in summary.items():
        head.append(f"| {stage} | {'; '.join(f'{k}: {v}' for k, v in items.items())} |")
    return "\n".join(head) + "\n\n" + "\n".join(sections)
