"""The main job as a pipeline of pure stages: each returns files (name -> content) and a summary.

``symdyn reproduce`` runs the stages in order and writes what they return; the
stages themselves never touch the disk. A stage is a function ``(quick) -> StageResult``
registered in :data:`STAGES`; later results (figures, tables) are one more stage. Each stage
gives its section of ``report.md`` (Markdown) and of ``report.html`` (an HTML fragment with
MathML formulas and inline figures, :mod:`symdyn.output.html`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from symdyn.claims import run as run_claims
from symdyn.claims.sweep import DEFAULT_SEED, FULL_CASES, QUICK_CASES
from symdyn.output import html as H
from symdyn.output.sheet import build, render


@dataclass(frozen=True)
class StageResult:
    """Files to write (relative path -> str or bytes), summary numbers, and a report section."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    summary: dict[str, object] = field(default_factory=dict)
    report: str = ""
    ok: bool = True
    html: str = ""


def stage_derivations(quick: bool) -> StageResult:
    files = {f"derivations/{k}": v for k, v in render().items()}
    md = ("## Formula sheet\n\nEvery result derived by sympy from the per-mode loss and checked by "
          "substitution: [formulas.md](derivations/formulas.md), [formulas.tex](derivations/formulas.tex) "
          "(standalone, pdflatex), [formulas-body.tex](derivations/formulas-body.tex) (for `\\input`).\n")
    parts = ['<h2 id="formulas">Formula sheet</h2>',
             "<p>Every result derived by sympy from the per-mode loss and checked by substitution; the same "
             "formulas as <code>derivations/formulas.tex</code>, typeset as MathML.</p>"]
    for sec in build():
        parts.append(f'<h3 id="sec-{sec.key}">{H.mixed(sec.title)}</h3>')
        if sec.intro:
            parts.append(f"<p>{H.mixed(sec.intro)}</p>")
        for e in sec.entries:
            hyps = "; ".join(H.mixed(h) for h in e.hypotheses) or "none"
            claim = f" Claim <code>{e.claim}</code>." if e.claim else ""
            parts.append(f'<p id="eq-{e.label}"><b>{H.mixed(e.title)}</b> (<code>{e.label}</code>). '
                         f'<span class="hyp">Hypotheses: {hyps}.{claim}</span></p>'
                         f'<div class="formula">{H.math(e.latex(), display=True)}</div>')
    return StageResult(files, {"formula files": len(files)}, md, html="\n".join(parts))


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
                  "| as printed | corrected |", "|---|---|",
                  f"| {r.claim.printed.replace('|', '/')} | {(r.claim.corrected or '').replace('|', '/')} |", "",
                  f"Outcome: **{r.outcome.status}** (expected {r.claim.expected}). Evidence:", "",
                  H.evidence_markdown(r.outcome.evidence), ""]
    summary = {
        "claims as expected": f"{sum(r.as_expected for r in claims)}/{len(claims)}",
        "errata confirmed": f"{sum(r.as_expected for r in errata)}/{len(errata)}",
        "sweep seed": seed,
    }
    ok = all(r.as_expected for r in results)
    doc = {**claims_header(quick, seed, cases), "claims": rows}
    return StageResult({"claims.json": json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"},
                       summary, "\n".join(lines) + "\n", ok, _claims_html(claims, errata, seed, cases, quick))


def claims_header(quick: bool, seed: int, cases: int) -> dict:
    """The header of ``claims.json``: what produced it and how to replay it."""
    import datetime

    from symdyn import __version__

    mode = "quick" if quick else "full"
    return {"symdyn": __version__, "mode": mode, "seed": seed, "cases": cases,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": f"symdyn reproduce --{mode}",
            "replay": f"symdyn verify{' --quick' if quick else ''} --seed {seed} --cases {cases} --format json"}


def _status(r) -> str:
    mark = '<span class="ok">as expected</span>' if r.as_expected else '<span class="bad">unexpected</span>'
    return f"<b>{r.outcome.status}</b> (expected {r.claim.expected}) {mark}"


def _claims_html(claims: list, errata: list, seed: int, cases: int, quick: bool) -> str:
    """The claims table, then each erratum: printed and corrected side by side, the evidence as a table."""
    import html

    rows = "".join(
        f"<tr><td><code>{r.claim.id}</code></td><td>{html.escape(r.claim.source)}</td><td>{_status(r)}</td>"
        f"<td>{html.escape(r.claim.method)}</td><td>{_sweep_cell(r)}</td></tr>" for r in claims)
    out = ['<h2 id="claims">Claims</h2>',
           f"<p>Mode: {'quick' if quick else 'full'}. Random sweeps: seed {seed}, {cases} cases per claim "
           f"(<code>symdyn verify --seed {seed} --cases {cases}</code> replays them).</p>",
           "<table><tr><th>id</th><th>source</th><th>status</th><th>method</th><th>sweep (passed/cases)</th></tr>"
           f"{rows}</table>", '<h2 id="errata">Errata of the printed paper</h2>']
    for r in errata:
        typeset = {e.label.rsplit("-", 1)[1]: e for sec in build((f"{r.claim.id}-",)) for e in sec.entries}
        cols = []
        for key, words in (("printed", r.claim.printed), ("corrected", r.claim.corrected or "")):
            formula = (f'<div class="formula">{H.math(typeset[key].latex(), display=True)}</div>'
                       if key in typeset else "")
            cols.append(f"<div><h4>{'as printed' if key == 'printed' else 'corrected'}</h4>{formula}"
                        f"<p>{html.escape(words)}</p></div>")
        out += [f'<h3 id="{r.claim.id}">{r.claim.id}: {html.escape(r.claim.source)}</h3>',
                f'<div class="side">{"".join(cols)}</div>', f"<p>Outcome: {_status(r)}</p>",
                f"<details open><summary>evidence</summary>{H.evidence_table(r.outcome.evidence)}</details>"]
    return "\n".join(out)


def _sweep_cell(r) -> str:
    sw = r.sweep
    return f"{sw['passed']}/{sw['cases']}" if sw and "passed" in sw else "-"


def stage_figures(quick: bool) -> StageResult:
    from symdyn.output.figures import CAPTIONS, FIGURES, figure_files

    files: dict[str, str | bytes] = {}
    lines = ["## Figures", ""]
    parts = ['<h2 id="figures">Figures</h2>',
             "<p>Paper style: journal column widths (3.25 in, 6.75 in), 8 pt text, Type 42 fonts in the PDFs.</p>"]
    for name in FIGURES:
        made = figure_files(name)
        for fname, content in made.items():
            files[f"figures/{fname}"] = content
        lines += [f"![{name}](figures/{name}.png)", "",
                  f"{name}: {CAPTIONS[name]}. [PNG](figures/{name}.png), [PDF](figures/{name}.pdf), "
                  f"[data (CSV)](figures/{name}.csv).", ""]
        parts.append(f'<figure id="{name}">{H.png(made[f"{name}.png"], CAPTIONS[name])}<figcaption><b>{name}</b>: '
                     f'{CAPTIONS[name]}. Files: <code>figures/{name}.pdf</code>, <code>figures/{name}.csv</code>.'
                     "</figcaption></figure>")
    note = ("Fig 1 draws both inits: the paper's caption init (product e^{-delta}) jumps at "
            "tau = 5, 50, 500; the default init (every factor e^{-delta}) at 10, 100, 1000 (erratum E2).")
    lines += [note, ""]
    parts.append(f"<p>{note}</p>")
    return StageResult(files, {"figures": len(FIGURES)}, "\n".join(lines), html="\n".join(parts))


def stage_table1(quick: bool) -> StageResult:
    from symdyn.matrix.data import BUNDLED, load_classification
    from symdyn.matrix.experiments import table1_claim, table1_json, table1_rows, table1_text

    try:
        data = {name: load_classification(name) for name in BUNDLED}
    except ImportError as exc:  # the data sets ship with scikit-learn (the `data` extra)
        msg = f"skipped: {exc}"
        return StageResult({}, {"table 1": msg}, f"## Table 1\n\n{msg}\n", html=f"<h2>Table 1</h2><p>{msg}</p>")
    rows = table1_rows(data)
    claim = table1_claim(rows)
    survives = sum(claim.values())
    md = (f"## Table 1\n\nAssumption-1 diagnostics on real data. The printed claim (Delta_xy about two "
          f"orders of magnitude below Delta_x) survives under {survives} of {len(claim)} choices of "
          f"centring and completion of U.\n\n```\n{table1_text(rows, claim)}\n```\n")
    files = {"table1.json": json.dumps(table1_json(rows, claim), indent=2) + "\n",
             "table1.txt": table1_text(rows, claim) + "\n"}
    import html

    page = (f'<h2 id="table1">Table 1</h2><p>Assumption-1 diagnostics on real data. The printed claim survives '
            f"under {survives} of {len(claim)} choices of centring and completion of U.</p>"
            f"<pre>{html.escape(table1_text(rows, claim))}</pre>")
    return StageResult(files, {"data sets": len(BUNDLED), "claim survives": f"{survives}/{len(claim)} choices"}, md,
                       html=page)


#: The stages of ``symdyn reproduce``, in order: (name, function).
STAGES: list[tuple[str, Callable[[bool], StageResult]]] = [
    ("derivations", stage_derivations),
    ("verify", stage_verify),
    ("figures", stage_figures),
    ("table1", stage_table1),
]


def report_html(sections: list[str], summary: dict[str, dict]) -> str:
    """``report.html``: the summary, then each stage's HTML section; self-contained (no network request)."""
    return H.document("symdyn reproduction report", summary, sections)


def report(sections: list[str], summary: dict[str, dict]) -> str:
    """The report's Markdown: the summary table, then each stage's section."""
    head = ["# symdyn reproduction report", "",
            "Gidel, Bach & Lacoste-Julien, NeurIPS 2019, reproduced by `symdyn reproduce`.", "",
            "| stage | result |", "|---|---|"]
    for stage, items in summary.items():
        head.append(f"| {stage} | {'; '.join(f'{k}: {v}' for k, v in items.items())} |")
    return "\n".join(head) + "\n\n" + "\n".join(sections)
