"""report.html (issue #18): one self-contained page written by `symdyn reproduce` beside report.md, with the
formulas as MathML, figures inline, the claims table and the errata side by side with readable evidence.

The browser test opens it in headless Chromium (Debian's `chromium`, installed by .ci/run), takes a
screenshot, and reads measurements that a probe script (added to a copy of the page, not to the report)
writes into the DOM: every <math> is a MathML element with a non-zero box, every image loaded, and the page
made no network request. Where no Chromium is installed the test is skipped with the reason printed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from symdyn.cli import main
from symdyn.output import reproduce as R

PROBE = """<script>
window.addEventListener("load", () => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const maths = [...document.querySelectorAll("math")];
  const imgs = [...document.images];
  const out = {
    math: maths.length,
    math_mathml: maths.filter(m => m instanceof MathMLElement).length,
    math_sized: maths.filter(m => { const [w, h] = box(m); return w > 0 && h > 0; }).length,
    math_stacked: maths.filter(m => {  // a fraction's numerator is laid out above its denominator
      const f = m.querySelector("mfrac");
      return f && f.children.length == 2
        && f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1;
    }).length,
    fractions: maths.filter(m => m.querySelector("mfrac")).length,
    images: imgs.length,
    images_loaded: imgs.filter(i => i.complete && i.naturalWidth > 0 && box(i)[0] > 0).length,
    requests: performance.getEntriesByType("resource").map(r => r.name).filter(n => !n.startsWith("data:")),
    title: document.title,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """`symdyn reproduce` once, with two claims (every claim's outcome is tested elsewhere)."""
    mp = pytest.MonkeyPatch()
    real = R.run_claims
    mp.setattr(R, "run_claims", lambda **kw: real(["ode-L2", "E3"], **kw))
    out = tmp_path_factory.mktemp("reproduce") / "out"
    try:
        assert main(["reproduce", "--out", str(out)]) == 0
    finally:
        mp.undo()
    return out


def test_report_html_is_written_beside_report_md(report):
    assert (report / "report.html").is_file() and (report / "report.md").is_file()
    manifest = json.loads((report / ".symdyn-manifest.json").read_text())
    assert "report.html" in json.dumps(manifest)


def test_report_html_is_self_contained(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    # no script, stylesheet link, frame or external URL: the only "http" is the MathML namespace name
    assert not re.search(r"<script|<link|<iframe|@import|url\(", page, flags=re.I)
    urls = set(re.findall(r"(?:src|href)\s*=\s*\"([^\"]*)\"", page))
    assert all(u.startswith(("data:image/png;base64,", "#")) for u in urls), urls
    assert set(re.findall(r"https?://[^\"'\s<]+", page)) == {"http://www.w3.org/1998/Math/MathML"}
    assert page.count("<math") > 60 and page.count('<img alt="') == 5
    assert "SPEC" not in page


def test_errata_side_by_side_with_evidence_table(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    e3 = page[page.index('<h3 id="E3">'):]
    assert '<div class="side">' in e3 and "as printed" in e3 and "corrected" in e3
    assert '<table class="ev">' in e3 and "printed ODE residual" in e3
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "| as printed | corrected |" in md and "| quantity | value |" in md
    assert '{"printed"' not in md  # the evidence is a table, not a one-line JSON blob


def _chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def _run(browser: str, args: list[str], profile) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
             f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND"]  # nothing resolves: no network
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=180)


def _no_browser() -> None:
    """Where .ci/run installed Chromium (SYMDYN_REQUIRE_BROWSER=1) its absence fails; elsewhere it is a skip
    with the reason printed (the issue allows a skip only where no Chromium can be installed)."""
    reason = "no Chromium installed (apt-get install chromium; .ci/run installs it)"
    if os.environ.get("SYMDYN_REQUIRE_BROWSER"):
        pytest.fail(reason)
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)


def test_report_renders_in_chromium(report, tmp_path):
    browser = _chromium()
    if browser is None:
        _no_browser()
    page = (report / "report.html").read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _run(browser, ["--virtual-time-budget=20000", "--dump-dom", probed.as_uri()], tmp_path / "p1")
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, flags=re.S)
    assert m, dom.stderr[-2000:]
    probe = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["math"] > 60 and probe["math_mathml"] == probe["math"]  # MathML elements, not text
    assert probe["math_sized"] == probe["math"]                          # each with a non-zero box
    assert probe["fractions"] > 10 and probe["math_stacked"] == probe["fractions"]  # fractions laid out in 2-D
    assert probe["images"] == 5 and probe["images_loaded"] == 5
    assert probe["requests"] == []

    shot = tmp_path / "report.png"
    _run(browser, ["--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}",
                   (report / "report.html").as_uri()], tmp_path / "p2")
    assert shot.is_file() and shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 50_000
    print(f"screenshot: {shot}")


def _probe_page(tmp_path, head: str, body: str) -> dict:
    """The probe's measurements of a small page (for the negative controls)."""
    browser = _chromium()
    if browser is None:
        _no_browser()
    page = tmp_path / "page.html"
    page.write_text(f"<!DOCTYPE html><html><head>{head}</head><body>{body}{PROBE}</body></html>")
    dom = _run(browser, ["--virtual-time-budget=5000", "--dump-dom", page.as_uri()], tmp_path / "p")
    return json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, flags=re.S).group(1)
                      .replace("&quot;", '"').replace("&amp;", "&"))


def test_probe_can_fail(tmp_path):
    """Negative control: a page whose image is missing and whose formula is plain text is caught."""
    probe = _probe_page(tmp_path, "", "<p>x/y</p><img src='data:image/png;base64,AAAA'><math><mi>x</mi></math>")
    assert probe["images"] == 1 and probe["images_loaded"] == 0
    assert probe["math"] == 1 and probe["fractions"] == 0


def test_stacked_fraction_check_can_fail(tmp_path):
    """Negative control for the 2-D layout check: an <mfrac> shown as inline boxes is not stacked."""
    probe = _probe_page(tmp_path, "<style>mfrac, mfrac > * {display: inline !important}</style>",
                        "<math><mfrac><mi>x</mi><mi>y</mi></mfrac></math>")
    assert probe["fractions"] == 1 and probe["math_stacked"] == 0
