"""The parameter checks and the init rule of ``symdyn.model.checks`` (written once, called everywhere)."""

import numpy as np
import pytest
import sympy as sp

from symdyn.model import symbols as S
from symdyn.model.checks import INITS, MAX_DEPTH, check_depth, check_init, init_exponent
from symdyn.model.core import Model


@pytest.mark.parametrize("depth", [1, 2, 3, MAX_DEPTH])
def test_check_depth_returns_valid_depths(depth):
    assert check_depth(depth) == depth and type(check_depth(depth)) is int


@pytest.mark.parametrize("bad", [0, -1, 2.0, "2", None, True, False, np.float64(2)])
def test_check_depth_rejects_non_integers_and_small(bad):
    # bool is an int subclass: True would silently be depth 1 (negative control for the isinstance test)
    with pytest.raises(ValueError, match="depth must be an integer >= 1") as info:
        check_depth(bad)
    assert "\n" not in str(info.value)


def test_check_depth_bounds_are_the_arguments():
    assert check_depth(3, minimum=3) == 3
    with pytest.raises(ValueError, match=r"integer >= 3, got 2"):
        check_depth(2, minimum=3)
    with pytest.raises(ValueError, match=f"above the supported maximum {MAX_DEPTH}"):
        check_depth(MAX_DEPTH + 1)
    assert check_depth(MAX_DEPTH + 5, maximum=MAX_DEPTH + 5) == MAX_DEPTH + 5


def test_check_init():
    assert INITS == ("layer", "product")
    assert [check_init(i) for i in INITS] == list(INITS)
    for bad in ("Layer", "uniform", "", None, 1):
        with pytest.raises(ValueError, match="init must be one of layer, product"):
            check_init(bad)


@pytest.mark.parametrize("depth", range(1, MAX_DEPTH + 1))
def test_init_exponent_is_the_init_rule(depth):
    # the init rule (the paper's balanced start): "layer" starts every factor at e^{-delta}, so the product starts at
    # (e^{-delta})^L; "product" starts the product itself at e^{-delta}
    d = S.delta
    assert sp.exp(-init_exponent(depth, "layer") * d) == sp.exp(-d) ** depth
    assert sp.exp(-init_exponent(depth, "product") * d) == sp.exp(-d)
    assert init_exponent(depth) == init_exponent(depth, "layer")  # the default is "layer"


def test_init_exponent_rejects_unknown_init():
    with pytest.raises(ValueError, match="init must be one of"):
        init_exponent(2, "balanced")


@pytest.mark.parametrize("init", INITS)
def test_model_uses_the_same_rule(init):
    # each fact once: the model's ln w0 is -init_exponent * delta for every depth
    for depth in (1, 2, 3, 5):
        assert Model(depth=depth, init=init).ln_w0 == -init_exponent(depth, init) * S.delta
