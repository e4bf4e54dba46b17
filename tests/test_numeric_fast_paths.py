"""The numeric boundary's fast paths agree with the careful paths they shortcut.

Each fast path (symdyn.numeric package docstring, "Performance design") must return the
same float64 bits, or raise the same one-line error, as the element-wise path it skips;
exactness claims are checked against exact rational arithmetic (fractions.Fraction).
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symdyn.model import symbols as S
from symdyn.numeric import domain as D
from symdyn.numeric import flow_numpy, gd_numpy, to_numpy
from symdyn.numeric.accurate import log_abs_one_minus_product, minus_product

RANGES = {"t": D.TIME, "k": D.STEP, "delta": D.DELTA, "sigma": D.SIGMA, "lambda": D.LAMBDA,
          "eta": D.ETA}
SPECIAL = [0.0, 1e-9, 1e-8, 1.5, 1e4, 2e4, 1e8, 1e9, 1e15, 2e15, -1.0, np.inf, -np.inf, np.nan]


def _outcome(f, name, a):
    try:
        return ("ok", f(name, a).tobytes())
    except ValueError as e:
        return ("error", str(e))


def _same_outcome(name, values):
    r, a = RANGES[name], np.array(values, dtype=np.float64)
    assert _outcome(r.check, name, a) == _outcome(r._check_each, name, a), (name, values)


@pytest.mark.parametrize("name", sorted(RANGES))
def test_single_pass_check_matches_elementwise_check(name):
    """min/max validation accepts exactly what the element-wise check accepts, with the same
    message, for every special value alone and beside valid ones (a trap found by hand:
    inf passes max <= hi when hi = inf, as for eta)."""
    for v in SPECIAL:
        for values in ([v], [1.0, v], [v, 0.0], [[v, 2.0], [3.0, 1.0]]):
            _same_outcome(name, values)
    _same_outcome(name, [])


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(sorted(RANGES)),
       values=st.lists(st.sampled_from(SPECIAL) | st.floats(0, 1e16), min_size=0, max_size=5))
def test_single_pass_check_matches_elementwise_check_random(name, values):
    _same_outcome(name, values)


def test_scalar_operands_give_the_same_bits_as_full_arrays():
    """0-d operands are kept as scalars (no broadcast copy); the values must not change."""
    t = np.concatenate([np.logspace(-6, 6, 400), [0.0, 1.0, 1e15]])
    ones = np.ones_like(t)
    for depth, log in ((1, False), (2, False), (2, True)):
        f = flow_numpy(depth, log=log)
        with np.errstate(all="raise"):
            assert np.array_equal(f(t, 0.7, 1.3, 4.0), f(t, 0.7 * ones, 1.3 * ones, 4.0 * ones))
    k, full = np.arange(300.0), ones[:300]
    for eta in (0.1, 0.5, 1.2):  # eta*lambda in each regime of ln|1 - eta*lambda| (accurate.py)
        for g in (gd_numpy(), gd_numpy(log=True)) if eta * 1.3 <= 1 else (gd_numpy(),):
            with np.errstate(all="raise"):
                assert np.array_equal(g(k, 0.7, 1.3, eta, 4.0), g(k, 0.7 * full, 1.3 * full, eta * full, 4.0))


def test_fast_path_equals_public_call():
    """flow_numpy validates once and calls NumpyFunction's private path; the public call
    (which validates again) on the same operands gives identical bits."""
    rng = np.random.default_rng(5)
    t, s, l, d = rng.uniform(0, 50, 500), 10 ** rng.uniform(-3, 3, 500), 10 ** rng.uniform(-3, 3, 500), \
        rng.uniform(0, 30, 500)
    f = flow_numpy(2)
    x = minus_product(2 * d, 2 * s, t)
    assert np.array_equal(f(t, s, l, d), f.lowered(t, s, l, d, x))


def test_blocked_evaluation_gives_the_same_bits(monkeypatch):
    """Evaluation in cache-sized blocks (lower.BLOCK) is elementwise, so a block size of 7
    (every block boundary, Piecewise branch mixes and 0-d operands exercised) must give
    the bits of a single whole-array evaluation, on the accuracy harness's samples."""
    from symdyn.numeric import lower
    from tests.numeric_samples import flow_points, gd_points

    flow, gd = flow_points(2, n_random=100), gd_points(n_random=100)
    cases = [(flow_numpy(d, log=log), flow.T) for d in (1, 2) for log in (False, True)]
    cases += [(gd_numpy(), gd.T), (gd_numpy(log=True), gd[gd[:, 2] * gd[:, 3] <= 1].T),
              (flow_numpy(2), (np.linspace(0, 30, 50), 0.5, 2.0, 3.0))]
    with np.errstate(all="raise"):
        whole = [f(*args) for f, args in cases]
        monkeypatch.setattr(lower, "BLOCK", 7)
        for (f, args), expected in zip(cases, whole, strict=True):
            assert np.array_equal(f(*args), expected)


def test_result_never_aliases_an_input():
    t = np.array([1.0, 2.0])
    out = to_numpy(S.t, [S.t])(t)
    if out.flags.writeable:
        out[0] = 99.0
    assert t[0] == 1.0


def _exact_rel_error(x, c, a, b):
    exact = Fraction(float(c)) - Fraction(float(a)) * Fraction(float(b))
    return abs(Fraction(float(x)) - exact) / abs(exact) if exact else abs(Fraction(float(x)))


def test_index_restricted_two_product_is_exact_where_it_cancels():
    """c − ab near cancellation (t within 1e-9 of the transition cδ/(2σ)): the TwoProduct,
    applied only at the cancelling indices, gives ~1 ulp (bound 2^-52 relative); the plain
    fl(c − fl(ab)) on the same samples is off by orders of magnitude (negative control)."""
    rng = np.random.default_rng(11)
    b = 10 ** rng.uniform(-3, 3, 300)                       # 2*sigma
    c = 10 ** rng.uniform(0, 4, 300)                        # c*delta
    a = c / b * (1 + rng.uniform(-1e-9, 1e-9, 300))         # t near the transition
    far = np.concatenate([a, c / b * 7.0])                  # plus points that do not cancel
    cc, bb = np.concatenate([c, c]), np.concatenate([b, b])
    x = minus_product(cc, far, bb)
    errors = [_exact_rel_error(*v) for v in zip(x, cc, far, bb, strict=True)]
    assert max(errors) <= Fraction(1, 2**52)
    naive = cc - far * bb
    assert max(_exact_rel_error(*v) for v in zip(naive, cc, far, bb, strict=True)) > 1e3 * 2.0**-52


def test_common_regime_of_log_rate_equals_mixed_path():
    """ln|1 − ηλ|: the whole-array path (every ηλ < 1/2) and the index-set path (a mixed
    input) compute the same formula, so the same bits."""
    rng = np.random.default_rng(2)
    eta, lam = rng.uniform(0, 0.5, 200), 10 ** rng.uniform(-3, 3, 200)
    eta = eta / lam
    common, sign = log_abs_one_minus_product(eta, lam)
    mixed, mixed_sign = log_abs_one_minus_product(np.append(eta, 1.7), np.append(lam, 1.0))
    assert np.array_equal(common, mixed[:-1]) and np.all(sign == 1) and mixed_sign[-1] == -1
    # and accurate against 40-digit mpmath (local context) on the exact products:
    # bound 2 ulps = log1p's ~1 ulp plus the first-order correction's rounding
    ctx = mpmath.MPContext()
    ctx.dps = 40
    ref = [ctx.log(1 - ctx.mpf(float(a)) * ctx.mpf(float(b))) for a, b in zip(eta, lam, strict=True)]
    assert max(abs((v - r) / r) for v, r in zip(common, ref, strict=True)) <= 2 * 2.0**-52


@pytest.mark.parametrize("depth", [1, 2])
def test_no_floating_point_exception_on_empty_and_tiny_inputs(depth):
    with np.errstate(all="raise"):
        assert flow_numpy(depth)(np.array([]), 1.0, 1.0, 1.0).shape == (0,)
        assert flow_numpy(depth)(np.array([1e-300]), 1.0, 1.0, 1e4).shape == (1,)


def _rate_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(eta, lambda) with eta*lambda in every regime of ln|1 - eta*lambda| (accurate.py): tiny,
    below 1/2, around 1 (within 1e-8 and 1e-14), up to 2."""
    rng = np.random.default_rng(seed)
    p = np.concatenate([10 ** rng.uniform(-300, -10, 300), rng.uniform(1e-10, 0.5, 300), rng.uniform(0.5, 1.5, 300),
                        1 + rng.uniform(-1e-8, 1e-8, 300), 1 + rng.uniform(-1e-14, 1e-14, 300),
                        rng.uniform(1.5, 2 - 1e-15, 300)])
    lam = 10 ** rng.uniform(-8, 8, p.size)
    eta = p / lam
    keep = eta * lam < 2
    return eta[keep], lam[keep]


def _log_rate_reference(eta, lam):
    """ln|1 - eta*lambda| of the exact product of the doubles, in a local 1200-bit context."""
    ctx = mpmath.MPContext()
    ctx.prec = 1200
    out = []
    for e, l in zip(eta, lam, strict=True):
        p = ctx.mpf(float(e)) * ctx.mpf(float(l))
        out.append(ctx.log1p(-p) if p < 1 else ctx.log(p - 1) if p > 1 else ctx.ninf)
    return out


def test_log_rate_is_accurate_in_every_regime():
    """One formula ln|s| + c/s (and ln|s + c| within 2^-26 of 1): relative error <= 2 ulps
    (np.log's ~0.6 ulp, then a division and a subtraction whose terms are at most ~|ln|);
    measured 0.9 ulp. The sign is that of 1 - eta*lambda. Negative control: ln|1 - fl(eta*lambda)|
    is off by more than 1e3 ulps near 1 (and by 1e15 where the product is tiny)."""
    eta, lam = _rate_points(6)
    ell, sign = log_abs_one_minus_product(eta, lam)
    ref = _log_rate_reference(eta, lam)
    ulp = 2.0**-52
    finite = [i for i, r in enumerate(ref) if r != mpmath.ninf]
    worst = max(float(abs((ell[i] - ref[i]) / ref[i])) for i in finite)
    assert worst <= 2 * ulp, worst / ulp
    assert all((sign[i] < 0) == (eta[i] * lam[i] > 1) for i in finite if abs(eta[i] * lam[i] - 1) > 1e-15)
    with np.errstate(divide="ignore"):
        naive = np.log(np.abs(1 - eta * lam))
    assert max(float(abs((naive[i] - ref[i]) / ref[i])) for i in finite if np.isfinite(naive[i])) > 1e3 * ulp


def test_log_rate_skips_the_product_error_only_where_k_makes_it_negligible():
    """With k, e is dropped where k*2^b <= 64|1 - p| (2^b <= p < 2^(b+1), so |e| <= 2^(b-53)):
    the exponent k*l then errs by at most 2^-47 beyond the 2-ulp error of l (the minus_product
    budget); k is taken at that threshold. Negative control: dropping e where k is 1e8 times
    larger exceeds the budget on the same points."""
    eta, lam = _rate_points(9)
    ref = _log_rate_reference(eta, lam)
    p = eta * lam
    binade = 2.0 ** np.floor(np.log2(np.maximum(p, 1e-300)))
    k = np.floor(64 * np.abs(1 - p) / binade)
    k = np.minimum(k, 1e15)
    ell, _ = log_abs_one_minus_product(eta, lam, k=k)
    skip, _ = log_abs_one_minus_product(eta, lam, k=np.zeros_like(k))
    big = np.minimum(k * 1e8, 1e15)
    worst, control = 0.0, 0.0
    for i, r in enumerate(ref):
        if r == mpmath.ninf or abs(p[i] - 1) < 2.0**-26:
            continue
        budget = 2.0**-47 + 2 * 2.0**-52 * float(abs(k[i] * r))
        worst = max(worst, float(abs(k[i] * (ell[i] - r))) / budget)
        control = max(control, float(abs(big[i] * (skip[i] - r))) / (2.0**-47 + 2 * 2.0**-52 * float(abs(big[i] * r))))
    assert worst <= 1.0, worst
    assert control > 1.0, control
    # the decision is point by point: one (eta, lambda) with many k gives the array path's bits
    one, _ = log_abs_one_minus_product(eta[5], lam[5], k=k)
    many, _ = log_abs_one_minus_product(np.full_like(k, eta[5]), np.full_like(k, lam[5]), k=k)
    assert np.array_equal(np.broadcast_to(one, k.shape).view(np.uint64), many.view(np.uint64))
