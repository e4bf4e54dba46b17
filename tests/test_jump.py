"""Jump-ahead evaluation of the L = 2 GD trajectory against plain iteration (issue #9)."""

import json
import math
import time

import mpmath
import pytest
import sympy as sp

from symdyn.cli import main
from symdyn.model.core import Model
from symdyn.precise.gd_iterate import gd_values
from symdyn.precise.jump import jump
from symdyn.precise.poincare import psi, transition_interval
from symdyn.precise.trajectory import trajectory


def _mp(text, dps=60):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx.mpf(text)


def iterated(model, k, digits, w0=None):
    """The reference: plain iteration of the map in mpmath (gd_values, engine "mpmath"), certified."""
    [value] = gd_values(model, [k], digits, engine="mpmath", w0=w0)
    return value


def _agree(a, b, digits):
    """The certified strings agree to `digits` significant digits (last digit ±1 for rounding)."""
    x, y = _mp(a.text), _mp(b.text)
    return abs(x - y) <= 2 * 10 ** (1 - digits) * abs(y)


@pytest.mark.parametrize("delta", [5, 20, 50])
def test_jump_matches_iteration_across_transition(delta):
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=delta)
    kstar = delta / math.log(1.1)  # transition step δT^η/η (SPEC §2), init "layer"
    for k in (0, 1, int(kstar / 2), int(kstar) - 5, int(kstar), int(kstar) + 5, int(2 * kstar), 3000):
        a, b = jump(m, k, 25), iterated(m, k, 25)  # plain mpmath loop, the reference
        assert _agree(a, b, 25), (k, a.text, b.text)


@pytest.mark.parametrize("eta,w0", [("0.3", "1/1000"), ("0.7", "1/100"), ("0.5", "1/100"),
                                    ("0.1", "3/10"), ("0.1", "3/2"), ("0.9", "1/7")])
def test_regimes_and_starts(eta, w0):
    """Oscillating (ν < 0), superattracting ησ = ½ (no chart), starts outside the 0-chart, above σ/λ."""
    m = Model(depth=2, sigma=1, lam=2, eta=eta)
    for k in (3, 40, 400, 4000):
        assert _agree(jump(m, k, 20, w0=w0), iterated(m, k, 20, w0=w0), 20), (eta, w0, k)


def test_jump_is_exact_not_the_profile_approximation():
    """Negative control: Ψ(μ^k w0) differs from w_k by O(w0); jump does not."""
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=2)  # w0 = e^{-4} ≈ 0.018: not vanishing
    k = 20  # μ^k w0 ≈ 0.8: mid-transition, where the O(w0) error is largest
    ref = iterated(m, k, 20)
    approx = psi(m, sp.Rational(121, 100) ** k * sp.exp(-4), 20)
    assert abs(approx.mpf() - ref.mpf()) > 1e-3 * ref.mpf()  # the O(w0) = O(0.018) error is visible
    assert _agree(jump(m, k, 20), ref, 20)


def test_huge_k_and_delta_time_independent_of_k():
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=10**5)
    lo, hi = transition_interval(m, 20)
    t0 = time.perf_counter()
    far = jump(m, 10**9, 40)
    at = jump(m, int(10**5 / math.log(1.1)), 30)  # k = ⌊δT^η/η⌋
    early = jump(m, 10**6, 30)
    elapsed = time.perf_counter() - t0
    assert far.text.startswith("1.0000000000")  # ν^{k} underflows every digit: w_k = σ/λ to 40 digits
    assert lo.mpf() <= at.mpf() <= hi.mpf()
    # k = 10^6 < k* ≈ 1.049e6: w_k ≈ μ^{k-k*} (tiny), the 0-chart's linear regime
    kstar = 10**5 / mpmath.log(mpmath.mpf("1.1"))
    assert abs(early.mpf() / mpmath.power(mpmath.mpf("1.21"), 10**6 - kstar) - 1) < 1e-6
    assert elapsed < 20  # a few chart evaluations; iteration would take ~ k·10 µs = hours


@pytest.mark.slow
@pytest.mark.parametrize("k", [10**5, 104_900, 104_930, 300_000])
def test_jump_matches_long_iteration(k):
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=10**4)  # k* = 10^4/ln 1.1 ≈ 104920
    assert _agree(jump(m, k, 30), iterated(m, k, 30), 30)


def test_trajectory_dispatch_and_bad_input():
    m = Model(depth=2, sigma=1, lam=1, eta="0.1", delta=3)
    ks = [0, 10, 100]
    a = trajectory(m, "gd", ks, digits=15, method="jump")
    b = trajectory(m, "gd", ks, digits=15, method="iterate")  # gd_iterate (gmpy2): the project's engine
    assert [v.text for v in a.values] == [v.text for v in b.values]
    with pytest.raises(ValueError, match="product map only"):
        trajectory(m, "gd", ks, method="jump", map="factor")
    with pytest.raises(ValueError, match="steps must be"):
        jump(m, -1)
    with pytest.raises(ValueError, match="delta"):
        jump(Model(depth=2, sigma=1, lam=1, eta="0.1"), 5)
    with pytest.raises(ValueError, match="stable fixed point"):
        jump(Model(depth=2, sigma=1, lam=1, eta="1.5", delta=1), 10**6)
    with pytest.raises(ValueError, match="diverges"):
        jump(Model(depth=2, sigma=1, lam=1, eta="0.5"), 10, w0=40)


def _cli_values(capsys, method, ks, delta="20"):
    argv = ["trajectory", "--dynamics", "gd", "--backend", "mpmath", "--method", method,
            "--at", *map(str, ks), "--delta", delta, "--sigma", "1", "--lambda", "1", "--eta", "0.1",
            "--digits", "30", "--format", "json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == method and out["digits"] == [30] * len(ks)
    return out["values"]


def test_cli_jump_matches_iterate_around_transition(capsys):
    kstar = round(20 / math.log(1.1))  # δT^η/η with T^η = η/ln(1+ησ) (SPEC §2): ≈ 210
    ks = [kstar - 20, kstar - 2, kstar, kstar + 3, kstar + 40]
    jumped, plain = _cli_values(capsys, "jump", ks), _cli_values(capsys, "iterate", ks)
    assert jumped == plain  # the same 30 certified digits, two independent methods
    assert 0 < float(jumped[0]) < 0.1 < float(jumped[2]) < 0.9 < float(jumped[-1])  # spans the rise


def test_cli_jump_bad_input_exit_2(capsys):
    base = ["trajectory", "--dynamics", "gd", "--method", "jump", "--at", "10", "--delta", "5",
            "--sigma", "1", "--lambda", "1"]
    for eta in ("1", "1.5"):  # ησ >= 1: no stable fixed point
        assert main([*base, "--eta", eta]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "eta" in err and "Traceback" not in err
    assert main([*base, "--eta", "0.1", "--map", "factor"]) == 2
    assert "product map only" in capsys.readouterr().err
