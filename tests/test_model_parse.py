"""symdyn's exact expression parser: a whitelist over Python's ast, nothing evaluated."""

import os

import pytest
import sympy as sp

from symdyn.model.parse import parse_expression

x, lam, delta = sp.Symbol("x"), sp.Symbol("lambda"), sp.Symbol("delta")
NAMES = {"x": x, "lambda": lam, "delta": delta}


@pytest.mark.parametrize("text, value", [
    ("0.1*x", x / 10), ("1e-3", sp.Rational(1, 1000)), ("lambda*x**2/2", lam * x**2 / 2),
    ("exp(-delta)", sp.exp(-delta)), ("-(x - 1/3)", sp.Rational(1, 3) - x), ("sqrt(4)", 2),
])
def test_exact_values(text, value):
    assert parse_expression(text, NAMES) == value


@pytest.mark.parametrize("text, piece", [
    ("x.real", "Attribute"), ("x[0]", "Subscript"), ("'a'", "str"), ("[x for x in x]", "ListComp"),
    ("f(x)", "'f'"), ("exp(x, x)", "exactly one"), ("x < 1", "Compare"), ("y", "unknown symbol 'y'"),
    ("10**10**10", "exponent"), ("(10**1000)**1000", "bits"), ("1e5000", "exponent"), ("0x10", "decimal"),
    ("x @ x", "MatMult"), ("1/0", "division by zero"), ("lambda x: x", "not a formula"), ("\u0661", "ASCII"),
])
def test_refused_with_the_offending_piece(text, piece):
    with pytest.raises(ValueError, match=piece):
        parse_expression(text, NAMES)


def test_injection_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for text in ["__import__('os').system('touch F')", "exec('open(\"F\",\"w\")')", "open('F', 'w')",
                 "().__class__.__bases__[0].__subclasses__()"]:
        with pytest.raises(ValueError):
            parse_expression(text, NAMES)
    assert not os.path.exists(tmp_path / "F")


def test_lambda_is_a_name_but_not_inside_other_names():
    assert parse_expression("lambda", NAMES) == lam
    with pytest.raises(ValueError, match="unknown symbol 'lambdax'"):
        parse_expression("lambdax", NAMES)
