"""Expressions as data: ``srepr`` round trips (hypergeometric functions included) and ``parse`` with ``lambda``."""

import pytest
import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form, implicit_relation
from symdyn.model import symbols as S
from symdyn.model.serialize import expr_json, from_json, parse, srepr

#: The L = 3 hypergeometric term of the implicit flow (sympy's srepr prints its parameters as TupleArg).
HYPER = sp.hyper([-sp.Rational(1, 3), 1], [sp.Rational(2, 3)], S.lam * S.w / S.sigma) / (
    S.sigma * S.w ** sp.Rational(1, 3))


@pytest.mark.parametrize("expr", [
    2 * S.w * (S.sigma - S.lam * S.w),
    S.w * (1 + S.eta * (S.sigma - S.lam * S.w)) ** 2,
    sp.exp(-2 * S.delta) + sp.Rational(1, 3) * S.k * S.t,
    sp.Piecewise((0, S.tau < 1 / S.sigma), (S.sigma / S.lam, True)),
    HYPER,
])
def test_srepr_round_trip_keeps_structure_and_assumptions(expr):
    back = sp.sympify(srepr(expr))
    assert back == expr  # structural equality: same tree, same symbols
    # the symbols come back with their assumptions (a bare Symbol('sigma') would compare unequal)
    assert {s: s.assumptions0 for s in back.free_symbols} == {s: s.assumptions0 for s in expr.free_symbols}


def test_hyper_needs_the_tuple_fix():
    # negative control: sympy's own srepr prints hyper's parameters as TupleArg, which sympify cannot rebuild
    with pytest.raises(TypeError):
        sp.sympify(sp.srepr(HYPER))
    assert "TupleArg" not in srepr(HYPER) and "Tuple(" in srepr(HYPER)


@pytest.mark.parametrize("expr", [flow_closed_form(2).expr, implicit_relation(3).expr])
def test_json_round_trip_of_derived_results(expr):
    d = expr_json(expr)
    assert set(d) == {"srepr", "latex", "text"}
    assert from_json(d) == expr
    # the LaTeX is symdyn's printer (issue #18: one printer everywhere), not sympy's default
    from symdyn.model.printing import latex
    assert d["latex"] == latex(expr) and d["text"] == sp.sstr(expr)


def test_parse_with_lambda_gives_symdyns_symbols():
    e = parse("2*w*(sigma - lambda*w)")
    assert e == 2 * S.w * (S.sigma - S.lam * S.w)
    assert S.lam in e.free_symbols and S.lam.is_nonnegative
    # negative control: plain sympify makes assumption-free symbols that do not combine with symdyn's
    assert sp.sympify("2*w*(sigma - lam*w)") != e


def test_parse_every_name():
    names = "w w0 t tau k sigma lambda eta delta".split()
    got = parse(" + ".join(names))
    assert got == sum((S.BY_NAME[n] for n in names), sp.S.Zero)
    assert parse("exp(-2*delta)*w0") == sp.exp(-2 * S.delta) * S.w0
