"""symdyn's one LaTeX printer (symdyn.model.printing): \\ln, "no limit", chains, typed hypotheses, the time
scaling in every limit, named constants, and the notebook displays (_repr_latex_)."""

from __future__ import annotations

import pickle
import re

import sympy as sp

import symdyn
from symdyn.model import symbols as S
from symdyn.model.printing import Hypothesis, chain, hypotheses_latex, hypothesis_latex, latex, rel, text
from symdyn.model.serialize import expr_json


def test_ln_not_log_and_sympy_default_differs():
    e = S.eta / sp.log(1 + S.eta * S.sigma)
    assert r"\ln" in latex(e) and r"\log" not in latex(e)
    assert r"\log" in sp.latex(e)  # negative control: sympy's own printer says \log, so the check above can fail


def test_nan_is_no_limit_not_NaN():
    r = symdyn.limit(symdyn.Model(depth=2), "gd")
    out = r.latex()
    assert r"\text{no limit}" in out and "NaN" not in out
    assert "NaN" in sp.latex(r.expr)  # negative control


def test_chain_prints_as_one_chain_whatever_sympy_orders():
    c = chain(0, "<", S.w0, "<", S.sigma / S.lam)
    assert latex(c) == r"0 < w_{0} < \frac{\sigma}{\lambda}"
    assert text(c) == "0 < w0 < sigma/lambda"
    assert latex(rel(S.eta, ">", 0)) == r"\eta > 0"  # kept as written although eta is positive


def test_hypothesis_is_text_and_typesets_its_math():
    h = Hypothesis(rel(2 * S.eta * S.sigma, "<=", 1), " (step-size condition of Thm 3)")
    assert h == "2*eta*sigma <= 1 (step-size condition of Thm 3)"
    assert hypothesis_latex(h) == r"$2 \eta \sigma \leq 1$ (step-size condition of Thm 3)"
    assert hypothesis_latex(h, math_mode=True) == r"2 \eta \sigma \leq 1\text{ (step-size condition of Thm 3)}"
    back = pickle.loads(pickle.dumps(h))
    assert back == h and back.parts == h.parts
    nested = Hypothesis(h, "; ", rel(S.sigma, ">", 0))
    assert all(not isinstance(p, Hypothesis) for p in nested.parts)


def test_words_escape_tex_specials():
    assert hypothesis_latex("a_i^2 & 50%") == r"a\_i\^{}2 \& 50\%"


def test_limit_hypotheses_have_no_ascii_math_left():
    """Every limit's assumptions typeset with relations in math: no '<=', '->' or '*' left in the words."""
    for model, dyn in [(symdyn.Model(depth=2), "flow"), (symdyn.Model(depth=2), "gd"),
                       (symdyn.Model(depth=2, init="product"), "flow"), (symdyn.Model(depth=3), "flow")]:
        words = re.sub(r"\$[^$]*\$", "", hypotheses_latex(symdyn.limit(model, dyn).assumptions))
        assert not re.search(r"<=|>=|->|\*|\^", words), words


def test_depth3_limit_keeps_x3_and_the_time_scaling():
    r = symdyn.limit(symdyn.Model(depth=3))
    out = r.latex()
    assert out.startswith(r"\lim_{\delta \to \infty} w\left(e^{\delta} \tau\right) = \begin{cases}")
    assert r"\frac{\sigma x_{3}}{\lambda}" in out
    assert r"{}_{2}F_{1}" in out and "0.908" not in out          # the constant by name, with its equation
    assert r"\lim_{\delta \to \infty} w\left(e^{2 \delta} \tau\right)" in symdyn.limit(symdyn.Model(depth=4)).latex()
    assert r"w\left(\delta \tau\right)" in symdyn.limit(symdyn.Model(depth=2)).latex()
    assert r"w_{\left\lfloor \delta \tau / \eta \right\rfloor}" in symdyn.limit(symdyn.Model(depth=2), "gd").latex()


def test_json_latex_field_is_symdyns_printer():
    e = 2 * S.w * (S.sigma - S.lam * S.w)
    assert expr_json(e)["latex"] == latex(e) == r"2 w \left(\sigma - \lambda w\right)"


def test_notebook_displays():
    d = symdyn.derive(symdyn.Model(depth=2))
    r = symdyn.limit(symdyn.Model(depth=3))
    from symdyn.claims import run

    res = run(["E3"], cases=0)[0]
    for obj in (d, d.ode, r, res):
        out = obj._repr_latex_()
        assert out.startswith("$") and out.endswith("$") and out.count("$") == 2
        assert out.count(r"\begin{") == out.count(r"\end{")
    assert r"\checkmark" in d.ode._repr_latex_()
    assert r"\text{not verified}" in symdyn.Derived("unchecked", S.w)._repr_latex_()  # no residual, not verified


def test_cli_limit_latex_has_the_time_scaling_and_typeset_assumptions(capsys):
    from symdyn.cli import main

    assert main(["limit", "--dynamics", "flow", "--depth", "3", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"\lim_{\delta \to \infty} w\left(e^{\delta} \tau\right) = \begin{cases}" in out
    assert r"$0 < w_{0} < \frac{\sigma}{\lambda}$" in out and "0.908" in out  # digits only on the x_3 line
    assert "\\text{for}" not in out and "NaN" not in out
