"""Publication figures (issue #18): column widths, text >= 8 pt at the printed size, mathtext, the
Okabe-Ito palette, one legend a figure, no reference to documents that do not ship, Type 42 fonts (never
Type 3) in the PDF, Fig 2 as the paper's figure with k = 0 drawn at 0, the E14 diagnostic on its own."""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

from symdyn.output import figures as F


def type3_fonts(pdf: bytes) -> list[bytes]:
    """The Type 3 font dictionaries of a PDF, read from its bytes (matplotlib writes no object streams)."""
    return re.findall(rb"/Subtype\s*/Type3", pdf)


def font_types(pdf: bytes) -> set[bytes]:
    return set(re.findall(rb"/Subtype\s*/(Type0|Type1|Type3|TrueType|CIDFontType2|CIDFontType0)", pdf))


@pytest.fixture(scope="module")
def built():
    """Each figure drawn once in the paper style: {name: (Figure, files)}."""
    out = {}
    for name in F.FIGURES:
        with matplotlib.rc_context(F.style_rc("paper")):
            fig, _ = F._BUILD[name](0, "paper")
            fig.canvas.draw()
        out[name] = (fig, F.figure_files(name))
    return out


def test_pdf_fonts_are_truetype_never_type3(built):
    for name, (_, files) in built.items():
        pdf = files[f"{name}.pdf"]
        assert not type3_fonts(pdf), name
        assert b"CIDFontType2" in pdf or b"TrueType" in pdf, (name, font_types(pdf))  # Type 42 = embedded TrueType


def test_type3_check_can_fail():
    """Negative control: the same figure saved with matplotlib's default pdf.fonttype 3 is caught."""
    with matplotlib.rc_context({**F.style_rc("paper"), "pdf.fonttype": 3}):
        fig = F._new(F.SINGLE, 2.0, "paper")
        fig.subplots().set_xlabel("GD step k")
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf")
    assert type3_fonts(buf.getvalue())


def test_the_style_does_not_leak():
    before = matplotlib.rcParams["pdf.fonttype"], matplotlib.rcParams["font.size"]
    F.figure_files("fig3")
    assert (matplotlib.rcParams["pdf.fonttype"], matplotlib.rcParams["font.size"]) == before


def test_column_widths(built):
    """The PDF page is the column width: 3.25 in = 234 pt or 6.75 in = 486 pt (MediaBox)."""
    for name, (_, files) in built.items():
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", files[f"{name}.pdf"])
        assert box, name
        assert float(box.group(1)) in (pytest.approx(72 * F.SINGLE), pytest.approx(72 * F.DOUBLE)), name
    assert built["fig1"][0].get_figwidth() == F.DOUBLE and built["fig3"][0].get_figwidth() == F.SINGLE


def _texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_text_is_at_least_8pt_and_cites_only_shipped_documents(built):
    for name, (fig, _) in built.items():
        texts = _texts(fig)
        assert len(texts) > 5, name
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < F.TEXT_PT]
        assert not small, (name, small)
        joined = " ".join(t.get_text() for t in texts)
        assert "SPEC" not in joined, name
        assert "$" in joined, name  # mathtext labels


def test_text_size_check_can_fail():
    """Negative control: the pre-#18 Fig 1 legend at 7 pt would be caught."""
    with matplotlib.rc_context(F.style_rc("paper")):
        fig = F._new(F.SINGLE, 2.0, "paper")
        ax = fig.subplots()
        ax.plot([0, 1], label="x")
        ax.legend(fontsize=7)
    assert any(t.get_fontsize() < F.TEXT_PT for t in _texts(fig))


def test_one_legend_per_figure_and_colour_blind_safe_lines(built):
    palette = {to_hex(c) for c in F.OKABE_ITO}
    for name, (fig, _) in built.items():
        legends = list(fig.legends) + [a.get_legend() for a in fig.axes if a.get_legend() is not None]
        assert len(legends) == 1, name
        coloured = {to_hex(line.get_color()) for a in fig.axes for line in a.get_lines()
                    if len(line.get_xdata()) > 2}
        grey = {c for c in coloured if len({c[1:3], c[3:5], c[5:7]}) == 1}  # guides and the black iterates
        assert coloured - grey <= palette, (name, coloured - grey - palette)


def test_fig2_is_the_papers_figure_with_k0_at_0(built):
    fig, files = built["fig2"]
    ax_tn, ax_err = fig.axes[:2]
    assert "trace norm" in ax_tn.get_ylabel() and "X - XW" in ax_err.get_ylabel()
    for ax in (ax_tn, ax_err):
        assert ax.get_xscale() == "symlog" and ax.get_xlim()[0] == 0
        for line in ax.get_lines():
            if len(line.get_xdata()) > 2:
                assert line.get_xdata()[0] == 0  # k = 0 drawn at 0, not moved to 0.5
    data = np.loadtxt(io.StringIO(files["fig2.csv"].decode()), delimiter=",", skiprows=2)
    k, rec1, rec2 = data[:, 0], data[:, 3], data[:, 4]
    # independent of the plot: at k = 0, W = e^{-2 delta} I (L = 2) or e^{-delta} I (L = 1), so the relative
    # reconstruction error is (1 - w0)^2 exactly (tr((1-w0)^2 Sx)/tr Sx); the CSV keeps 10 significant digits,
    # so the tolerance is the CSV's rounding, 5e-10 relative (rel=1e-9)
    assert k[0] == 0 and rec2[0] == pytest.approx((1 - np.exp(-12.0)) ** 2, rel=1e-9)
    assert rec1[0] == pytest.approx((1 - np.exp(-6.0)) ** 2, rel=1e-9)
    assert rec2[0] != pytest.approx((1 - np.exp(-6.0)) ** 2, rel=1e-9)  # the check tells the two inits apart
    assert rec2[-1] < 1e-3 and rec1[-1] < 1e-3  # both end at the rank-5 reconstruction (noise 1e-3)
    assert "eq (28)" not in " ".join(t.get_text() for t in _texts(fig))  # the erratum is not in Fig 2


def test_e14_is_its_own_figure(built):
    fig, files = built["e14"]
    data = np.loadtxt(io.StringIO(files["e14.csv"].decode()), delimiter=",", skiprows=2)
    assert data[-1, 1] > 1 and data[-1, 2] > 1  # the literal eq (28) error stays away from 0
    assert "E14" in fig.get_suptitle()


def test_screen_style_is_larger_with_the_same_text():
    with matplotlib.rc_context(F.style_rc("screen")):
        fig = F._new(F.SINGLE, 2.0, "screen")
    assert fig.get_figwidth() == pytest.approx(1.5 * F.SINGLE)
    with pytest.raises(ValueError, match="unknown figure style"):
        F.style_rc("poster")
