"""The report as one self-contained HTML page (``report.html``), and evidence as readable tables.

Formulas are symdyn's LaTeX (:mod:`symdyn.model.printing`, the printer of the formula sheet)
converted to presentation MathML by ``latex2mathml``, so the page shows exactly the sheet's
mathematics and a browser renders it natively: no script, no CDN, no external font. Figures are
inline PNGs (``data:`` URIs). Everything here returns strings; ``symdyn reproduce`` writes them.

>>> math(r"\\frac{\\sigma}{\\lambda}").startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
True
>>> evidence_markdown({"k": 181, "printed": {"holds": False}})
'| quantity | value |\\n|---|---|\\n| k | 181 |\\n| printed › holds | False |'
"""

from __future__ import annotations

import base64
import html

import sympy as sp

from symdyn.model.printing import Hypothesis, latex


def math(tex: str, display: bool = False) -> str:
    """Presentation MathML of a LaTeX string (symdyn's printer's output)."""
    from latex2mathml.converter import convert

    return convert(tex, display="block" if display else "inline")


def mixed(text: str | sp.Basic) -> str:
    """Words and sympy expressions (a :class:`Hypothesis`, a str or an expression) as HTML with inline MathML."""
    parts = text.parts if isinstance(text, Hypothesis) else (text,)
    return "".join(html.escape(p) if isinstance(p, str) else math(latex(p)) for p in parts)


def _scalar(value: object) -> str:
    if value is None:
        return "<i>none</i>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"<code>{value:.6g}</code>"
    if isinstance(value, int):
        return f"<code>{value}</code>"
    return html.escape(str(value))


def evidence_table(value: object) -> str:
    """Evidence (JSON-like data) as nested HTML tables: a dict is a key/value table, a list of dicts a table
    with one row per item."""
    if isinstance(value, dict):
        if not value:
            return "<i>empty</i>"
        rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{evidence_table(v)}</td></tr>" for k, v in value.items())
        return f'<table class="ev">{rows}</table>'
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
            body = "".join("<tr>" + "".join(f"<td>{evidence_table(v.get(k))}</td>" for k in keys) + "</tr>"
                           for v in value)
            return f'<table class="ev"><tr>{head}</tr>{body}</table>'
        return ", ".join(evidence_table(v) for v in value) or "<i>empty</i>"
    return _scalar(value)


def _flatten(value: object, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [row for k, v in value.items() for row in _flatten(v, f"{path} › {k}" if path else str(k))]
    if isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value):
        return [row for i, v in enumerate(value, 1) for row in _flatten(v, f"{path} [{i}]")]
    if isinstance(value, list | tuple):
        return [(path, ", ".join(map(str, value)))]
    return [(path, str(value))]


def evidence_markdown(value: object) -> str:
    """Evidence as a two-column Markdown table, nested keys joined by ›."""
    rows = ["| quantity | value |", "|---|---|"]
    rows += [f"| {k.replace('|', '/')} | {v.replace('|', '/')} |" for k, v in _flatten(value)]
    return "\n".join(rows)


def png(data: bytes, alt: str, dpi: float = 300.0, css_per_inch: float = 150.0) -> str:
    """An inline PNG image, shown at ``css_per_inch`` CSS pixels per inch of the figure (its width is read from
    the PNG header, so a single-column figure stays half as wide as a double-column one)."""
    width = int.from_bytes(data[16:20], "big") * css_per_inch / dpi
    b64 = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" style="width: {width:.0f}px" src="data:image/png;base64,{b64}">'


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45;
       color: #1a1a1a; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #ccc; padding: .2rem .45rem;
       vertical-align: top; text-align: left; }
th { background: #f3f3f3; font-weight: 600; }
table.ev { font-size: .88rem; } table.ev table.ev { margin: 0; }
.formula { overflow-x: auto; margin: .4rem 0 1rem; } .hyp { color: #444; font-size: .92rem; }
.ok { color: #00704a; font-weight: 600; } .bad { color: #b3400b; font-weight: 600; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side > div { border: 1px solid #ddd; padding: .5rem; overflow-x: auto; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .92rem; color: #333; } pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; }
math[display="block"] { font-size: 1.08em; }
"""


def document(title: str, summary: dict[str, dict], sections: list[str]) -> str:
    """The whole page: a summary table, then each stage's section (HTML fragments)."""
    def cells(items: dict) -> str:
        return html.escape("; ".join(f"{k}: {v}" for k, v in items.items()))

    rows = "".join(f"<tr><th>{html.escape(stage)}</th><td>{cells(items)}</td></tr>" for stage, items in summary.items())
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Gidel, Bach &amp; Lacoste-Julien, <i>Implicit Regularization of Discrete Gradient Dynamics in Linear "
        "Neural Networks</i>, NeurIPS 2019, reproduced by <code>symdyn reproduce</code>. Symbols, inits, "
        "rescalings and the errata list: <code>docs/conventions.md</code> in the symdyn repository.</p>",
        f"<table>{rows}</table>", *sections, "</body>", "</html>", ""])
