"""The high-precision engine: GD iteration, flow evaluation, certified digits, local precision."""

from __future__ import annotations

import json
from fractions import Fraction

import gmpy2
import mpmath
import pytest
import sympy as sp

from symdyn.cli import main
from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form
from symdyn.derive.dynamics import balanced_factor_map, product_map
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise.certified import CertificationError, agreeing_digits, certify
from symdyn.precise.evaluate import certified_evaluate, evaluate
from symdyn.precise.flow_ode import flow_values, integrate
from symdyn.precise.gd_iterate import KERNELS, gd_iterates, gd_values
from symdyn.precise.trajectory import trajectory

SPEC = dict(sigma="1/2", lam=2, eta="1/10")  # the acceptance parameters


def exact_iterates(w0: Fraction, sigma: Fraction, lam: Fraction, eta: Fraction, k: int, depth: int):
    """Independent reference: the product map in exact Fraction arithmetic (SPEC §2)."""
    out, w = [w0], w0
    for _ in range(k):
        w = w + eta * (sigma - lam * w) if depth == 1 else w * (1 + eta * (sigma - lam * w)) ** 2
        out.append(w)
    return out


def as_fraction(x) -> Fraction:
    """The exact binary value of an mpf (man·2^exp)."""
    man, exp = x.man_exp
    return Fraction(man) * Fraction(2) ** exp


def within_last_digit(c, exact: Fraction) -> bool:
    # the certified string is a rounding (half an ulp) of a value whose error is far below an ulp
    return abs(c.fraction - exact) <= c.ulp()


# --- the maps are the derived ones ------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(KERNELS))
def test_kernels_are_the_derived_maps(key):
    depth, kind = key
    kernel = KERNELS[key]
    x = sp.Symbol("x", positive=True)
    mine = kernel.map_expr().subs(sp.Symbol("x"), x)
    derived = (product_map(depth) if kind == "product" or depth == 1 else balanced_factor_map(depth)).expr
    var = S.w if kind == "product" or depth == 1 else sp.Symbol("a", positive=True)
    assert sp.expand(mine - derived.subs(var, x)) == 0


# --- GD against independent computations -------------------------------------------------------

@pytest.mark.parametrize("depth,sigma,lam", [(2, "3", "1/2"), (1, "3", "1/2"), (2, "0", "1/2")])
def test_iteration_matches_exact_fractions(depth, sigma, lam):
    # δ = 0 makes the start w0 = 1 rational, so the exact Fraction iteration is a reference
    m = Model(depth=depth, sigma=sigma, lam=lam, eta="1/10", delta=0)
    ref = exact_iterates(Fraction(1), Fraction(sigma), Fraction(lam), Fraction(1, 10), 7, depth)
    got = gd_values(m, list(range(8)), 45)
    assert all(c.digits == 45 for c in got)
    assert all(within_last_digit(c, r) for c, r in zip(got, ref, strict=True))


def test_factor_and_product_maps_agree_at_large_delta():
    m = Model(depth=2, delta=300, **SPEC)
    steps = [0, 1000, 6000, 7000, 20000]
    prod = gd_values(m, steps, 40, map="product")
    fac = gd_values(m, steps, 40, map="factor")
    # independent roundings: the two certified strings may differ by one unit in the last place
    assert all(abs(p.fraction - f.fraction) <= p.ulp() for p, f in zip(prod, fac, strict=True))
    assert prod[-1].text == "0." + "25" + "0" * 38  # converged to σ/λ (SPEC §2 fixed point)


def test_engines_are_bitwise_identical():
    # both engines round to nearest after each operation, in the same order
    m = Model(depth=2, delta=50, **SPEC)
    a = gd_iterates(m, [0, 500, 1500], 150, engine="gmpy2")
    b = gd_iterates(m, [0, 500, 1500], 150, engine="mpmath")
    assert [x._mpf_ for x in a] == [y._mpf_ for y in b]


def test_linear_model_matches_rsolve_closed_form():
    # reference: gd_closed_form(1), derived by sympy's rsolve, evaluated in a local context
    m = Model(depth=1, sigma="1/2", lam=2, eta="1/10", delta=300)
    expr = m.subs(gd_closed_form(1).expr).subs(S.w0, m.subs(m.w0))
    got = gd_values(m, [0, 3, 50, 400], 50)
    for k, c in zip([0, 3, 50, 400], got, strict=True):
        assert c.text == certified_evaluate(expr, 50, {S.k: k}).text


def test_u_ratio_identity_step_by_step():
    # SPEC §2 (Thm 3 proof device): u_{k+1}/u_k = 1 − ησ(2+y)/(1+y)², y = η(σ − λw_k)
    m = Model(depth=2, delta=40, **SPEC)
    ks = [0, 100, 400, 700, 800, 850, 900, 1500]  # before, across and after the transition
    ws = gd_iterates(m, [j for k in ks for j in (k, k + 1)], 260)
    ctx = ws[0].context
    s, l, eta = ctx.mpf(1) / 2, ctx.mpf(2), ctx.mpf(1) / 10
    for w, w1 in zip(ws[::2], ws[1::2], strict=True):
        y = eta * (s - l * w)
        u, u1 = 1 / w - l / s, 1 / w1 - l / s
        # w_k carries k·2^-260 relative error (k < 2^11, so 2^-240 with slack); u = 1/w − λ/σ then
        # has relative error 2^-240·(1/w)/|u|: near the fixed point u → 0 and the bound grows
        tol = ctx.mpf(2) ** -240 * (1 / (w * abs(u)) + 1 / (w1 * abs(u1)))
        assert abs(u1 / u - (1 - eta * s * (2 + y) / (1 + y) ** 2)) < tol


def test_corrected_thm3_bounds_hold():
    # SPEC §2 discrete bounds (corrected Thm 3), 0 < w0 < σ/λ and 2ησ <= 1
    m = Model(depth=2, delta=20, **SPEC)
    ks = list(range(0, 1200, 37))
    ws = gd_iterates(m, ks, 200)
    ctx = mpmath.MPContext()
    ctx.prec = 200
    s, l, eta, w0 = ctx.mpf(1) / 2, ctx.mpf(2), ctx.mpf(1) / 10, ctx.exp(-40)
    for k, w in zip(ks, ws, strict=True):
        lower = s * w0 / ((s - l * w0) * (1 + eta * s) ** (-2 * k) + l * w0)
        upper = s * w0 / ((s - l * w0) * (1 - 2 * eta * s) ** k + l * w0)
        assert lower <= w <= upper


def test_sigma_zero_mode_bound():
    # SPEC §2: σ = 0 modes satisfy w_k <= w0/(1 + 2ηλ w0 k) when ηλw0 <= 3/2
    m = Model(depth=2, sigma=0, lam=3, eta="1/10", delta=0)
    ks = [0, 1, 10, 100, 1000]
    for k, c in zip(ks, gd_values(m, ks, 30), strict=True):
        assert c.fraction <= Fraction(1) / (1 + Fraction(6, 10) * k)


# --- the flow ----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1, 2])
def test_closed_form_matches_ode_integration(depth):
    # reference: Taylor integration of the derived ODE (independent of the closed form)
    m = Model(depth=depth, sigma="1/2", lam=2, delta=20)
    times = [0, "7/3", 40, 45, 80]
    ode = flow_values(m, times, 40)
    tr = trajectory(m, "flow", times, digits=40)
    assert [c.text for c in ode] == [c.text for c in tr.values]


@pytest.mark.slow
def test_closed_form_matches_ode_at_large_delta_60_digits():
    m = Model(depth=2, delta=300, **SPEC)
    times = [0, 600, 601, 650, 900]
    ode = flow_values(m, times, 60)
    tr = trajectory(m, "flow", times, digits=60)
    assert [c.text for c in ode] == [c.text for c in tr.values]


def test_flow_transition_value():
    # SPEC §2 Thm 2: at τ = 1/σ the flow tends to σ/(σ+λ); at t = δ/σ with w0 = e^{-2δ} the
    # closed form gives σ/(σ + λ − λ e^{−2δ}·…) which is 1/5 up to e^{−2δ}
    tr = trajectory(Model(depth=2, delta=300, **SPEC), "flow", [600], digits=50)
    assert tr.values[0].text == "0.2" + "0" * 49


# --- certified digits are honest ---------------------------------------------------------------

def test_low_precision_certifies_fewer_digits_and_those_are_right():
    m = Model(depth=2, delta=300, **SPEC)
    steps = [6000, 20000]
    reference = gd_values(m, steps, 60)
    poor = gd_values(m, steps, 40, start_prec=60, max_prec=70, strict=False)
    assert all(0 < c.digits < 40 for c in poor)  # 60-70 bits cannot carry 40 digits
    for c, r in zip(poor, reference, strict=True):
        assert abs(c.fraction - r.fraction) <= c.ulp()  # the digits it did certify are correct


def test_precision_cap_raises():
    m = Model(depth=2, delta=300, **SPEC)
    with pytest.raises(CertificationError, match="could not certify 40 digits"):
        gd_values(m, [6000], 40, start_prec=60, max_prec=70)


def test_agreeing_digits_counts_rounded_agreement():
    ctx = mpmath.MPContext()
    ctx.prec = 200
    a, b = ctx.mpf("1.23456789"), ctx.mpf("1.23456781")
    assert agreeing_digits(a, b, 30) == 7  # both round to 1.234568 at 7 digits, not at 8
    assert agreeing_digits(a, -a, 30) == 0


def test_printing_shows_only_certified_digits():
    [v] = certify(lambda prec: [evaluate(sp.Rational(1, 3), prec)], 12)
    assert str(v) == "0.333333333333" and v.digits == 12


# --- global state is untouched -------------------------------------------------------------------

@pytest.mark.parametrize("global_prec", [53, 77])
def test_global_contexts_untouched(global_prec, capsys):
    saved = mpmath.mp.prec
    gsaved = gmpy2.get_context().precision
    try:
        mpmath.mp.prec = global_prec
        m = Model(depth=2, delta=30, **SPEC)
        gd_values(m, [0, 100], 20)
        gd_values(m, [0, 100], 20, engine="mpmath", map="factor")
        flow_values(m, [0, 60], 20)
        trajectory(m, "flow", [60], digits=20)
        certified_evaluate(sp.exp(-S.delta), 20, {S.delta: 800})
        evaluate(sp.pi, 300)
        assert main(["trajectory", "--dynamics", "gd", "--at", "10", "--sigma", "1", "--lambda", "1",
                     "--eta", "0.1", "--delta", "3", "--format", "json"]) == 0
        capsys.readouterr()
        assert mpmath.mp.prec == global_prec
        assert gmpy2.get_context().precision == gsaved
    finally:
        mpmath.mp.prec = saved


# --- bad input and the CLI ------------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: gd_iterates(Model(depth=2, delta=3, **SPEC), [3], 0), "precision"),
    (lambda: Model(depth=2, sigma=-1, lam=1, eta="0.1", delta=1), "sigma must be >= 0"),
    (lambda: gd_values(Model(depth=2, sigma=1, lam=1, eta=2, delta=1), [3], 10), "unstable"),
    (lambda: Model(depth=2, sigma=float("inf"), lam=1, eta="0.1", delta=1), "finite"),
    (lambda: gd_values(Model(depth=2, delta=3, **SPEC), [-1], 10), "integers >= 0"),
    (lambda: gd_values(Model(depth=3, delta=3, sigma=1, lam=1, eta="0.7"), [1], 10), "unstable"),
    (lambda: integrate(Model(depth=2, delta=3, **SPEC), ["inf"], 60), "decimal number"),
])
def test_bad_input_is_one_line_value_error(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("extra", [["--max-prec", "0"], ["--eta", "3"], ["--sigma", "-1"],
                                   ["--sigma", "nan"], ["--digits", "0"], ["--at", "1.5"]])
def test_cli_bad_input_exit_2(capsys, extra):
    argv = ["trajectory", "--dynamics", "gd", "--sigma", "0.5", "--lambda", "2", "--eta", "0.1",
            "--delta", "3", "--at", "5", *extra]
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_acceptance_json(capsys):
    # the "done when" command
    argv = ["trajectory", "--dynamics", "gd", "--backend", "mpmath", "--dps", "40", "--sigma", "0.5",
            "--lambda", "2", "--eta", "0.1", "--delta", "300", "--at", "0", "1000", "6000", "20000",
            "--format", "json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert captured.err == ""  # no progress bar in JSON mode
    assert out["digits"] == [40] * 4 and out["at"] == [0, 1000, 6000, 20000]
    expect = gd_values(Model(depth=2, delta=300, **SPEC), [0, 1000, 6000, 20000], 40)
    assert out["values"] == [c.text for c in expect]
    assert len(out["values"][0].split("e")[0].replace(".", "")) == 40  # exactly the certified digits


def test_cli_thin_and_text(capsys):
    argv = ["trajectory", "--dynamics", "flow", "--method", "ode", "--sigma", "1", "--lambda", "1",
            "--delta", "2", "--times", "4", "--thin", "5", "--digits", "12"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 5  # header, column names, t = 0, 1, 2, 3, 4
    assert lines[-1].split()[0] == "4"


def test_progress_callback_reports():
    seen = []
    m = Model(depth=2, delta=30, **SPEC)
    gd_iterates(m, [40000], 100, progress=lambda d, t, s: seen.append((d, t)))
    assert seen[-1] == (40000, 40000) and len(seen) >= 3


def test_start_value_enters_exactly():
    # w0 = e^{-1600} (δ = 800) is far below float64; mpmath in a 400-bit context is the reference
    ctx = mpmath.MPContext()
    ctx.prec = 400
    [w0] = gd_iterates(Model(depth=2, delta=800, **SPEC), [0], 300)
    assert abs(as_fraction(w0) / as_fraction(ctx.exp(-1600)) - 1) < Fraction(1, 2**290)  # 10 bits slack
    assert flow_closed_form(2).verified
