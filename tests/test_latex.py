"""The LaTeX printer (``symdyn.output.latex``): term order as in the paper, ``cases`` wording, names."""

import pytest
import sympy as sp

from symdyn.model import symbols as S
from symdyn.output.latex import SymdynLatexPrinter, latex

x = sp.Symbol("x")


@pytest.mark.parametrize("expr, expected", [
    # the paper writes σ − λw, 1 + η(σ − λw), 2w(σ − λw): positive terms first
    (S.sigma - S.lam * S.w, r"\sigma - \lambda w"),
    (1 + S.eta * (S.sigma - S.lam * S.w), r"1 + \eta \left(\sigma - \lambda w\right)"),
    (2 * S.w * (S.sigma - S.lam * S.w), r"2 w \left(\sigma - \lambda w\right)"),
    (S.delta - S.sigma * S.tau, r"\delta - \sigma \tau"),
    (-S.lam * S.w0 + S.sigma + S.lam * S.w0 * sp.exp(-2 * S.sigma * S.t),
     r"\sigma + \lambda w_{0} e^{- 2 \sigma t} - \lambda w_{0}"),  # simplest positive term leads
    (-S.sigma - S.lam, r"- \lambda - \sigma"),  # nothing positive: sympy's order is kept
])
def test_reader_order(expr, expected):
    assert latex(expr) == expected


def test_negative_control_sympy_prints_otherwise():
    # without the printer, sympy leads with the negative term: the tests above would not pass by default
    assert sp.latex(S.sigma - S.lam * S.w) == r"- \lambda w + \sigma"
    assert sp.latex(S.sigma - S.lam * S.w) != latex(S.sigma - S.lam * S.w)


def test_piecewise_as_cases_with_no_limit():
    lim = sp.Piecewise((0, S.tau < 1 / S.sigma), (sp.nan, sp.Eq(S.tau, 1 / S.sigma)), (S.sigma / S.lam, True))
    assert latex(lim) == (r"\begin{cases} 0 & \text{if } \tau < \frac{1}{\sigma} \\ "
                          r"\text{no limit} & \text{if } \tau = \frac{1}{\sigma} \\ "
                          r"\frac{\sigma}{\lambda} & \text{otherwise} \end{cases}")
    assert r"\text{for}" in sp.latex(lim)  # sympy's own wording, which the printer replaces


def test_ascending_powers_for_series():
    series = 1 / S.sigma + S.eta / 2 - S.eta**2 * S.sigma / 12
    assert latex(series, ascending_in=S.eta) == r"\frac{1}{\sigma} + \frac{\eta}{2} - \frac{\eta^{2} \sigma}{12}"
    assert latex(x**3 + x + 2, ascending_in=x) == "2 + x + x^{3}"
    assert sp.latex(x**3 + x + 2) == "x^{3} + x + 2"  # negative control: sympy's descending order
    assert latex(x + sp.O(x**2), ascending_in=x) == sp.latex(x + sp.O(x**2))  # the order term stays last


def test_the_printer_is_a_latex_printer():
    # printer protocol (not string glue): other sympy settings pass through
    assert SymdynLatexPrinter({"fold_short_frac": True}).doprint(S.sigma / S.lam) == r"\sigma / \lambda"
    assert latex(S.sigma / S.lam) == r"\frac{\sigma}{\lambda}"
