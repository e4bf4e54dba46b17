"""The Poincaré function Ψ of the L = 2 GD map at 0 (SPEC §2, "Discrete step profile")."""

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from symdyn.cli import main
from symdyn.derive.linearisation import koenigs_coefficients, poincare_coefficients, series_residual
from symdyn.derive.poincare import flow_poincare_function, koenigs_function, map_coefficients, poincare_function
from symdyn.model.core import Model
from symdyn.precise.certified import certify
from symdyn.precise.poincare import psi, transition_interval

M = Model(depth=2, sigma=1, lam=1, eta="0.1")


def _ctx(dps):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx


def _plain_orbit(ctx, w, k, eta="0.1", sigma=1, lam=1):
    """Independent reference: the GD product map iterated in mpmath (SPEC §2)."""
    eta, sigma, lam = ctx.mpf(eta), ctx.mpf(sigma), ctx.mpf(lam)
    for _ in range(k):
        w = w * (1 + eta * (sigma - lam * w)) ** 2
    return w


def _psi_by_limit(ctx, z, n, eta="0.1", sigma=1, lam=1):
    """Ψ(z) = lim fⁿ(z/μⁿ) (SPEC §2) without any series: error O(z/μⁿ)."""
    mu = (1 + ctx.mpf(eta) * sigma) ** 2
    return _plain_orbit(ctx, z / mu**n, n, eta, sigma, lam)


def test_symbolic_series_solves_functional_equation():
    d = poincare_function(order=4)  # exact in sigma, lambda, eta
    assert d.verified, d.residuals
    assert "eta -> 0 limit equals the flow's Psi" in d.residuals
    for at in ("zero", "fixed"):
        assert koenigs_function(order=3, at=at).verified


def test_numeric_series_and_negative_control():
    d = poincare_function(M, order=16)
    assert d.verified
    b = map_coefficients(M, "zero")
    c = list(poincare_coefficients(b, 8))
    c[5] += Fraction(1, 10**30)  # a tiny error in c_6 must show up in the residual at z^6
    assert series_residual(b, c, "poincare") != 0
    k = list(koenigs_coefficients(b, 8))
    k[3] *= -1
    assert series_residual(b, k, "koenigs") != 0


def test_flow_poincare_function():
    d = flow_poincare_function()
    assert d.verified, d.residuals


def test_psi_two_independent_ways():
    ctx = _ctx(60)
    # n = 1000: the limit's error ~ |c_2| μ^{-1000} ~ 1e-83, far below 40 digits
    for z in ("0.3", "1", "25"):
        ref = _psi_by_limit(ctx, ctx.mpf(z), 1000)
        val = psi(M, sp.Rational(z), digits=40)
        assert abs(ctx.mpf(val.text) - ref) <= 10**-39 * abs(ref)  # 40 certified digits


def test_interval_endpoints():
    lo, hi = transition_interval(M, digits=30)
    ctx = _ctx(60)
    mu = ctx.mpf("1.21")
    # independent: the limit definition, and Ψ(1) = f(Ψ(1/μ)) (functional equation at z = 1/μ)
    assert abs(ctx.mpf(lo.text) - _psi_by_limit(ctx, 1 / mu, 1000)) < ctx.mpf(10) ** -29
    assert abs(ctx.mpf(hi.text) - _psi_by_limit(ctx, ctx.mpf(1), 1000)) < ctx.mpf(10) ** -29
    assert abs(_plain_orbit(ctx, lo.mpf(), 1) - ctx.mpf(hi.text)) < ctx.mpf(10) ** -29
    assert lo.text.startswith("0.4743") and hi.text.startswith("0.5255")  # issue #9's values
    assert hi.mpf() - lo.mpf() > 0.05  # not the flow's single value sigma/(sigma+lambda) = 1/2


def test_tiny_start_matches_profile_at_40_digits():
    """w_k = Ψ(μ^k w0)(1 + O(w0)): from w0 = 1e-200 the two agree to 40 digits (issue #9)."""
    ctx = _ctx(60)
    w0 = ctx.mpf("1e-200")
    kstar = int(200 * math.log(10) / math.log(1.21))  # μ^k w0 ≈ 1
    for k in (kstar - 30, kstar, kstar + 10, kstar + 60):
        ref = _plain_orbit(ctx, w0, k)
        val = psi(M, sp.Rational(121, 100) ** k / 10**200, digits=40)
        assert abs(ctx.mpf(val.text) - ref) <= 10**-39 * ref, k


def test_profile_error_is_order_w0():
    """Relative error of w_k ≈ Ψ(μ^k w0) at μ^k w0 ≈ 1 shrinks like w0 (slope 1 in log-log)."""
    ctx = _ctx(40)
    w0s = [10.0**-e for e in (3, 4, 5, 6)]
    errs, flow_errs = [], []
    for w0 in w0s:
        k = round(math.log(1 / w0) / math.log(1.21))
        zk = sp.Rational(121, 100) ** k * sp.Rational(1, round(1 / w0))
        ref = _plain_orbit(ctx, ctx.mpf(1) / round(1 / w0), k)
        errs.append(float(abs(ctx.mpf(psi(M, zk, digits=20).text) - ref) / ref))
        zf = float(zk)
        flow_errs.append(abs(zf / (1 + zf) - float(ref)) / float(ref))
    slope = np.polyfit(np.log(w0s), np.log(errs), 1)[0]
    assert abs(slope - 1) < 0.1, (slope, errs)  # O(w0); 0.1: the fit over 3 decades is tight
    # negative control: the flow profile Ψ_flow = z/(1+z) has an O(eta) error that does not shrink
    assert min(flow_errs) > 1e-3 and np.polyfit(np.log(w0s), np.log(flow_errs), 1)[0] < 0.1


def test_eta_to_zero_limit_is_the_flow():
    """Ψ_GD(z) − Ψ_flow(z) = O(η): fit the slope over η = 1/50 .. 1/400 at z = 1 and z = 3."""
    etas = [sp.Rational(1, n) for n in (50, 100, 200, 400)]
    for zval in (1, 3):
        errs = []
        for eta in etas:
            m = Model(depth=2, sigma=1, lam=1, eta=eta)
            errs.append(abs(float(psi(m, zval, digits=12).fraction) - zval / (1 + zval)))
        slope = np.polyfit(np.log([float(e) for e in etas]), np.log(errs), 1)[0]
        assert abs(slope - 1) < 0.05, (slope, errs)  # first order in eta; 0.05 covers the O(eta^2) term


def test_oscillation_at_transition_long_runs():
    """w_k at k = ⌊δT^η/η⌋ over δ spread so that {δ/ln(1+ησ)} fills [0,1) evenly: inside and filling."""
    lo, hi = transition_interval(M, digits=20)
    ctx = _ctx(30)
    L = ctx.log(ctx.mpf("1.1"))
    n, vals = 24, []
    for j in range(n):
        delta = 40 + j * L / n  # frac(δ/L) = frac(40/L) + j/n
        k = int(ctx.floor(delta / L))  # k = ⌊δ T^η/η⌋, T^η = η/ln(1+ησ)
        vals.append(_plain_orbit(ctx, ctx.exp(-2 * delta), k))
    width = hi.mpf() - lo.mpf()
    # O(w0) = O(e^{-80}) corrections are far below the 1e-12 slack used for the endpoints
    assert all(lo.mpf() - 1e-12 <= v <= hi.mpf() + 1e-12 for v in vals)
    assert min(vals) - lo.mpf() < width / 8 and hi.mpf() - max(vals) < width / 8  # gaps ≈ width/n


@pytest.mark.slow
def test_oscillation_at_large_delta():
    lo, hi = transition_interval(M, digits=20)
    ctx = _ctx(30)
    L = ctx.log(ctx.mpf("1.1"))
    for delta in (5000, 5000.3, 5000.7):
        k = int(ctx.floor(delta / L))
        v = _plain_orbit(ctx, ctx.exp(-2 * ctx.mpf(delta)), k)
        assert lo.mpf() <= v <= hi.mpf()


def test_bad_input():
    with pytest.raises(ValueError, match="symbolic"):
        psi(Model(depth=2), 1)
    with pytest.raises(ValueError, match="depth 2"):
        psi(Model(depth=1, sigma=1, lam=1, eta="0.1"), 1)


def test_certify_vary_catches_truncation():
    """Negative control for certify(vary=True): a truncated series is stable under a precision
    change (the rerun test alone certifies wrong digits), but not under a change of order."""
    def e_series(prec, terms):  # Σ_{n<terms} 1/n!: truncation error ~ 1/terms!, independent of prec
        ctx = _ctx(10)
        ctx.prec = prec
        return [ctx.fsum(1 / ctx.factorial(n) for n in range(terms))]

    exact = mpmath.e
    [fixed] = certify(lambda prec: e_series(prec, 12), 20, strict=False)
    assert abs(fixed.mpf() - exact) > 1e-10  # 20 "certified" digits that are wrong after ~9
    [varied] = certify(lambda prec, attempt: e_series(prec, (12, 40)[attempt % 2]), 20,
                       strict=False, vary=True)
    # varying the order exposes the truncation: the digits it certifies are correct
    assert 5 <= varied.digits < 20  # 1/12! ≈ 2e-9: about 8 digits survive the order change
    assert abs(varied.mpf() - exact) <= float(varied.ulp())


def _limit_json(capsys, *extra):
    assert main(["limit", "--dynamics", "gd", *extra, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_limit_oscillation_interval(capsys):
    out = _limit_json(capsys, "--sigma", "1", "--lambda", "1", "--eta", "0.1", "--digits", "30")
    lo, hi = out["oscillation_interval"]
    assert out["digits"] == 30 and out["boundary_values"] == [None]  # still no limit at T^eta
    assert lo.startswith("0.4743") and hi.startswith("0.5255")  # issue #9's values
    assert [lo, hi] == [v.text for v in transition_interval(M, 30)]
    # independent long run: δ = n ln(1+ησ) makes μ^k w0 = μ^{n-k} exactly at k = n (init "layer",
    # w0 = e^{-2δ} = μ^{-n}); w_n = fⁿ(μ^{-n}) → Ψ(1) and fⁿ(μ^{-n-1}) → Ψ(1/μ), error O(μ^{-n})
    ctx = _ctx(80)
    mu, n = ctx.mpf("1.21"), 1200  # μ^{-1200} ≈ 1e-99: far below the 30 digits compared
    assert abs(_plain_orbit(ctx, mu**-n, n) - ctx.mpf(hi)) < 10**-29
    assert abs(_plain_orbit(ctx, mu ** -(n + 1), n) - ctx.mpf(lo)) < 10**-29
    # negative control: the flow's single value σ/(σ+λ) = 1/2 lies strictly inside, not at an end
    assert ctx.mpf(lo) < 0.5 - 0.02 and ctx.mpf(hi) > 0.5 + 0.02


def test_cli_limit_oscillation_needs_numbers(capsys):
    out = _limit_json(capsys)
    assert out["oscillation_interval"] is None and "numeric" in out["oscillation_note"]
    out = _limit_json(capsys, "--sigma", "1", "--lambda", "1", "--eta", "0.7")  # ησ > 1/2: not established
    assert out["oscillation_interval"] is None and "1/2" in out["oscillation_note"]
    with pytest.raises(ValueError, match="eta\\*sigma <= 1/2"):
        transition_interval(Model(depth=2, sigma=1, lam=1, eta="0.7"))
