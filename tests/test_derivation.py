"""``derive()``: the whole derivation of one model as one value, every residual 0 (``derive.derivation``)."""

from dataclasses import replace

import pytest
import sympy as sp

from symdyn.derive.derivation import Derivation, derive, substitute
from symdyn.derive.derived import Derived, residual
from symdyn.model import symbols as S
from symdyn.model.core import Model


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_every_residual_is_zero_and_every_part_is_checked(depth):
    d = derive(Model(depth=depth))
    assert isinstance(d, Derivation) and d.model == Model(depth=depth)
    assert d.residuals and all(r == 0 for r in d.residuals.values())
    # every part contributes at least one check under its own label (a part without one is unverified)
    labels = {k.split(": ")[0] for k in d.residuals}
    parts = {"ode", "gd_map", "factor_map", "closed_form"} | {f"conserved {c.name}" for c in d.conserved}
    assert labels == parts | ({"gd_closed_form"} if depth == 1 else set())
    assert all(p.verified for p in (d.ode, d.gd_map, d.factor_map, d.closed_form, *d.conserved))


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_fields(depth):
    d = derive(Model(depth=depth))
    a = S.factors(depth)
    prod = sp.Mul(*a)
    assert sp.expand(d.loss - (S.lam * prod**2 / 2 - S.sigma * prod)) == 0  # ½λ(∏a)² − σ∏a
    # the flow of the product: L w^{2−2/L}(σ − λw) for the balanced start
    assert sp.expand(d.ode.expr - depth * S.w ** (2 - sp.Rational(2, depth)) * (S.sigma - S.lam * S.w)) == 0
    # a conserved quantity a_i² − a_j² for each of the L(L−1)/2 pairs, none for the linear model
    assert len(d.conserved) == depth * (depth - 1) // 2
    assert {c.expr for c in d.conserved} == {a[i] ** 2 - a[j] ** 2 for i in range(depth) for j in range(i + 1, depth)}
    # only the linear model's GD has a closed form in k; L <= 2 flows are explicit, deeper ones implicit (t = …)
    assert (d.gd_closed_form is not None) == (depth == 1)
    assert isinstance(d.closed_form.expr, sp.Eq) == (depth >= 3)


def test_derive_defaults_to_the_two_layer_model():
    assert derive().model == Model(depth=2)


def test_a_wrong_part_shows_in_the_residuals():
    # negative control: swap in a wrong ODE with its (nonzero) residual; the derivation reports it by label
    d = derive(Model(depth=2))
    wrong = Derived("ode", S.w * (S.sigma - S.lam * S.w),
                    {"reduction": residual(S.w * (S.sigma - S.lam * S.w) - d.ode.expr)})
    bad = replace(d, ode=wrong)
    assert sp.simplify(bad.residuals["ode: reduction"] + S.w * (S.sigma - S.lam * S.w)) == 0
    assert [k for k, v in bad.residuals.items() if v != 0] == ["ode: reduction"]


def test_substitute_puts_in_numbers_and_the_start():
    m = Model(depth=2, sigma="1/2", lam=2, delta=3)
    w = substitute(m, derive(m).closed_form.expr)
    assert w.free_symbols == {S.t}
    assert w.subs(S.t, 0) == sp.exp(-6)  # w(0) = w0 = e^{-2δ} under "layer" init
    # closed form for σ > 0: σw0/((σ − λw0)e^{−2σt} + λw0) with σ = 1/2, λ = 2, w0 = e^{−6}
    w0 = sp.exp(-6)
    ref = sp.Rational(1, 2) * w0 / ((sp.Rational(1, 2) - 2 * w0) * sp.exp(-S.t) + 2 * w0)
    assert sp.simplify(w - ref) == 0
    # without δ, w0 stays a symbol; under "product" init it becomes e^{-δ}
    assert S.w0 in substitute(Model(depth=2, sigma=1), derive().closed_form.expr).free_symbols
    prod = Model(depth=2, sigma="1/2", lam=2, delta=3, init="product")
    assert substitute(prod, derive(prod).closed_form.expr).subs(S.t, 0) == sp.exp(-3)
