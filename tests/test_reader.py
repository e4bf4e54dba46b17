"""The safe srepr reader: every srepr symdyn writes reads back equal; nothing in a text is ever run."""

import os

import pytest
import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form, implicit_relation
from symdyn.derive.dynamics import product_map, product_ode
from symdyn.model import symbols as S
from symdyn.model.serialize import from_json, read_srepr, srepr

#: Expressions of every shape the JSON outputs carry (derive, limit at depths 2 and 3, model files).
SHAPES = [
    product_ode(2).expr, product_map(3).expr, flow_closed_form(2).expr, implicit_relation(3).expr,
    sp.Piecewise((0, S.tau < 1 / S.sigma), (S.sigma / S.lam, True)),
    sp.Piecewise((sp.nan, sp.And(S.tau > 1, S.tau <= 2)), (-sp.oo, sp.Eq(S.k, 0)), (sp.pi * sp.E, True)),
    sp.Float("0.1", 30) * S.w + sp.LambertW(S.w) - sp.Abs(sp.tanh(S.t)) + sp.Max(S.w, S.w0),
    sp.Function("f")(S.t) + sp.Symbol("u", real=True) ** sp.Rational(-3, 7) + sp.I * sp.EulerGamma,
]


@pytest.mark.parametrize("expr", SHAPES)
def test_round_trip_equals_sympify(expr):
    text = srepr(expr)
    got = read_srepr(text)
    assert got == expr
    # independent reference: sympy's own reader (eval) on the same, trusted text
    assert got == sp.sympify(text)
    assert {s: s.assumptions0 for s in got.free_symbols} == {s: s.assumptions0 for s in expr.free_symbols}


def test_cli_json_reads_back():
    from symdyn.asymptotics.limits import flow_limit
    from symdyn.model.serialize import expr_json

    r = flow_limit()
    assert from_json(expr_json(r.expr)) == r.expr


INJECTIONS = [
    "__import__('os').system('touch {f}')",
    "Symbol('x').__class__.__base__",
    "Symbol(open('{f}', 'w').name)",
    "Add(Symbol('x'), exec('open(\"{f}\", \"w\")'))",
    "Integer(1) if open('{f}', 'w') else Integer(0)",
    "[open('{f}', 'w') for _ in 'x']",
    "(lambda: open('{f}', 'w'))()",
    "Symbol('x', **{{'real': open('{f}', 'w')}})",
    "Float(open('{f}', 'w').name)",
    "Function(open('{f}', 'w').name)(Symbol('t'))",
    "Symbol('x', positive=open('{f}', 'w'))",
    "sympify('open(\"{f}\", \"w\")')",
]


@pytest.mark.parametrize("template", INJECTIONS)
def test_injection_runs_nothing(template, tmp_path):
    target = tmp_path / "F"
    text = template.format(f=str(target))
    with pytest.raises(ValueError) as info:
        read_srepr(text)
    assert "\n" not in str(info.value)
    assert not target.exists()


def test_injection_control_sympify_does_run(tmp_path):
    # negative control: the same text through sympify (eval) does create the file, so the test above can fail
    target = tmp_path / "F"
    text = f"Integer(1) if open('{target}', 'w').close() is None else Integer(0)"
    assert sp.sympify(text) == 1 and target.exists()
    os.remove(target)
    with pytest.raises(ValueError):
        read_srepr(text)
    assert not target.exists()


@pytest.mark.parametrize("text, fragment", [
    ("Pow(Integer(10), Integer(10000000))", "bits"),
    ("Pow(Integer(2), Pow(Integer(10), Integer(100)))", "bits"),
    ("Integer(" + "9" * 5000 + ")", "too long"),
    ("Add(" * 2000 + "Integer(1)" + ")" * 2000, "nested"),
    ("Float('1', precision=1000000000)", "precision"),
    ("Float('1e99999999999')", "exponent"),
    ("Symbol('x', positive=True, negative=True)", "inconsistent"),
    ("Integer('1')", "one int"),
    ("Add('x', 'y')", "literals"),
    ("Integer(1", "not an srepr"),
    ("", "empty"),
    ("'just a string'", "literal"),
    ("gamma(Integer(1000000))", "not allowed"),
    ("floor(exp(Integer(100000)))", "not allowed"),
])
def test_hostile_text_is_refused_quickly(text, fragment):
    # refused in one line of symdyn's own (the fragment names the case; the two readers merged word it differently)
    with pytest.raises(ValueError) as info:
        read_srepr(text)
    assert "\n" not in str(info.value) and "4300" not in str(info.value)


def test_types():
    with pytest.raises(TypeError):
        read_srepr(b"Integer(1)")
    with pytest.raises(TypeError):
        from_json("Integer(1)")
    # a power of numbers inside the bound is computed exactly (positive control of the size bound)
    assert read_srepr("Pow(Integer(10), Integer(1000))") == 10**1000
