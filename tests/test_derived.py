"""Derived results: a verification needs at least one residual, and every residual must be 0."""

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.model import symbols as S


def test_no_residual_is_not_verified():
    # regression (issue #13): all([]) used to make an unchecked result "verified"
    assert not Derived("unchecked", S.w).verified


def test_zero_residuals_verify_and_a_nonzero_one_does_not():
    ok = Derived("ok", S.w, {"identity": residual((S.w + 1) ** 2 - S.w**2 - 2 * S.w - 1)})
    bad = Derived("bad", S.w, {"identity": residual((S.w + 1) ** 2 - S.w**2 - 1)})
    assert ok.verified and ok.residuals["identity"] == 0
    assert not bad.verified and sp.simplify(bad.residuals["identity"] - 2 * S.w) == 0


def test_every_derivation_of_the_paper_has_residuals():
    from symdyn import Model, derive
    for depth in (1, 2, 3):
        d = derive(Model(depth=depth))
        for part in (d.ode, d.gd_map, d.factor_map, d.closed_form, *d.conserved):
            assert part.residuals and part.verified, (depth, part.name)
