"""`symdyn trajectory --depth L` for L >= 3 (issue #10): certified flow and GD against independent references."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from symdyn.cli import main
from symdyn.derive.depth import elementary_relation
from symdyn.derive.dynamics import balanced_factor_map, product_map
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.numeric.trajectory import numpy_trajectory
from symdyn.precise.gd_iterate import deep_kernel, gd_values
from symdyn.precise.trajectory import trajectory


def _odefun(depth, sigma, lam, w0_exp, times, dps):
    """Reference: mpmath odefun (Taylor integrator) of dw/dt = L w^{2-2/L}(sigma - lambda w), w0 = e^{w0_exp}."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    s, l = ctx.mpf(sigma), ctx.mpf(lam)
    p = 2 - ctx.mpf(2) / depth
    f = ctx.odefun(lambda t, w: depth * w**p * (s - l * w), 0, ctx.exp(w0_exp))
    return ctx, [f(ctx.mpf(t)) for t in times]


@pytest.mark.parametrize("depth", [3, 4])
def test_certified_flow_matches_odefun_40_digits(depth):
    # delta = 1/2, sigma = lambda = 1: w0 = e^{-L/2}; times across the escape (t* = e^{(L-2)/2}/(L-2))
    m = Model(depth=depth, sigma=1, lam=1, delta="1/2")
    times = ["1/2", "1", "2"]
    tr = trajectory(m, "flow", times, digits=40)
    assert all(v.digits == 40 for v in tr.values)
    ctx, ref = _odefun(depth, 1, 1, -sp.Rational(depth, 2), [sp.Rational(t) for t in times], 45)
    for v, r in zip(tr.values, ref, strict=True):
        # certified to 40 digits: |value − reference| within one unit of the 40th digit (reference at 45)
        assert abs(v.mpf(ctx) - r) <= 2 * ctx.mpf(v.ulp().numerator) / v.ulp().denominator


def test_certified_flow_satisfies_implicit_relation_at_large_delta():
    # delta = 20 (w0 = e^{-80}, L = 4): odefun is hopeless there, so check t = G(w) − G(w0) at the returned w
    m = Model(depth=4, sigma="1/2", lam=3, delta=20)
    t_star = sp.exp(40)   # tau* = 1/((L−2) sigma) = 1: the transition itself, t = e^{2 delta}
    at = [sp.Rational(sp.floor(t_star.evalf(60) * 10**30), 10**30), sp.Rational(10**17)]
    vals = trajectory(m, "flow", at, digits=30).values
    rel = elementary_relation(4).expr
    for t, v in zip(at, vals, strict=True):
        g = rel.rhs.subs({S.sigma: m.sigma, S.lam: m.lam, S.w0: sp.exp(-80), S.w: sp.Rational(v.fraction)})
        # |dG/dw| * ulp(w) bounds the effect of rounding w to 30 digits: relative 1e-28 of t suffices
        assert abs(g.evalf(80) - t) < 1e-27 * t
    # near tau* the value is close to w* = x_4 sigma/lambda (error O(e^{-2 delta}) relative, SPEC-free: issue #10)
    assert abs(float(vals[0].fraction) * 6 - 0.6948165380537966) < 1e-6


def test_special_modes_explicit():
    # sigma = 0, L = 3: w = (w0^{-4/3} + 4 lambda t)^{-3/4} (Bernoulli, by hand: dv/dt = (4/3)*3*lambda)
    m = Model(depth=3, sigma=0, lam=2, delta=1)
    [v] = trajectory(m, "flow", ["3/2"], digits=25).values
    ref = (sp.exp(4) + 4 * 2 * sp.Rational(3, 2)) ** sp.Rational(-3, 4)
    assert abs(v.fraction - sp.Rational(ref.evalf(40))) <= v.ulp()
    with pytest.raises(ValueError, match="blows up"):   # lambda = 0: blow-up at t = w0^{-1/3}/sigma = e
        trajectory(Model(depth=3, sigma=1, lam=0, delta=1), "flow", ["3"], digits=10)


@pytest.mark.parametrize("depth,kind", [(3, "product"), (3, "factor"), (4, "product"), (4, "factor")])
def test_deep_kernels_are_the_derived_maps(depth, kind):
    x = sp.Symbol("x", positive=True)
    mine = deep_kernel(depth, kind).map_expr().subs(sp.Symbol("x"), x)
    derived, var = ((product_map(depth).expr, S.w) if kind == "product"
                    else (balanced_factor_map(depth).expr, sp.Symbol("a", positive=True)))
    assert sp.simplify(mine - derived.subs(var, x)) == 0


def test_gd_factor_map_matches_exact_fractions():
    # delta = 0: every factor starts at 1 (rational): exact Fraction iteration of a+ = a + eta a^2 (sigma − lambda a^3)
    sig, lam, eta = Fraction(3, 2), Fraction(1, 2), Fraction(1, 10)
    a, ref = Fraction(1), [Fraction(1)]
    for _ in range(5):
        a = a + eta * a**2 * (sig - lam * a**3)
        ref.append(a**3)
    got = gd_values(Model(depth=3, sigma="3/2", lam="1/2", eta="1/10", delta=0), list(range(6)), 40, map="factor")
    assert all(abs(c.fraction - r) <= c.ulp() for c, r in zip(got, ref, strict=True))


@pytest.mark.parametrize("depth,steps", [(3, [0, 1000, 2000, 2500]), (4, [0, 3000, 4500, 6000])])
def test_gd_product_and_factor_maps_agree_and_numpy_close(depth, steps):
    # two different iterations (w with an L-th root per step, a polynomial in a): a wrong kernel disagrees
    m = Model(depth=depth, sigma=1, lam=1, eta="1/100", delta=3)
    prod = gd_values(m, steps, 30, map="product")
    fac = gd_values(m, steps, 30, map="factor")
    # independent roundings of the same balanced iteration: one unit in the last place
    assert all(abs(p.fraction - f.fraction) <= p.ulp() for p, f in zip(prod, fac, strict=True))
    r = numpy_trajectory(m, "gd", steps)
    # float64 over 2500 steps: relative error ~ steps * 1e-16 * growth; 1e-10 is loose but meaningful
    assert np.allclose(r["w"], [float(p.fraction) for p in prod], rtol=1e-10, atol=0)


def test_numpy_flow_matches_certified_and_survives_huge_delta():
    m = Model(depth=3, sigma=1, lam=1, delta=3)
    at = ["0", "10", "20", "25"]
    cert = trajectory(m, "flow", at, digits=20).values
    r = numpy_trajectory(m, "flow", at)
    # bisection to float resolution in log space: relative 1e-12 (condition number of the inversion is moderate)
    assert np.allclose(r["w"], [float(c.fraction) for c in cert], rtol=1e-12, atol=0)
    big = numpy_trajectory(Model(depth=4, sigma=1, lam=1, delta=300), "flow", ["0"])
    assert big["w"][0] == 0.0 and big["ln_w"][0] == -1200.0        # ln w0 = −L delta, w underflows


def test_cli_json_flow_and_gd(capsys):
    assert main(["trajectory", "--dynamics", "flow", "--depth", "3", "--sigma", "1", "--lambda", "1",
                 "--delta", "3", "--at", "0", "20", "--digits", "25", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["depth"] == 3 and out["digits"] == [25, 25] and out["values"][0].startswith("0.000123409804")
    assert main(["trajectory", "--dynamics", "gd", "--depth", "4", "--sigma", "1", "--lambda", "1",
                 "--eta", "1/10", "--delta", "1", "--at", "50", "--backend", "numpy", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["depth"] == 4 and 0 < out["values"][0] <= 1
    # unstable step for L = 3 at sigma = lambda = 1 (multiplier 1 − 3 eta): exit 2, one line
    assert main(["trajectory", "--dynamics", "gd", "--depth", "3", "--sigma", "1", "--lambda", "1",
                 "--eta", "0.7", "--delta", "1", "--at", "5"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
