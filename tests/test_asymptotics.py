"""The rescaled-limit engine against high-precision evaluation at large δ (SPEC §2, "δ → ∞ limits").

Reference values: the L = 2 closed form w(t) = σw0/((σ − λw0)e^{−2σt} + λw0) (SPEC §2; proven
by substitution in symdyn.closed_forms) evaluated with mpmath in a local context at δ = 200
and 400, at τ 10% below, exactly at, and 10% above each transition.
"""

import mpmath
import pytest
import sympy as sp

from symdyn.asymptotics.engine import GD_RESCALING, Undecidable, evaluate_at, exp_terms, rescaled_limit, sign_of
from symdyn.asymptotics.limits import flow_limit
from symdyn.model import symbols as S
from symdyn.model.core import Model

SLOW = pytest.mark.slow
POINTS = [(1, 1), (2, 1), ("1/2", 3),  # (σ, λ), exact; two more in the slow run
          pytest.param("3/10", "1/10", marks=SLOW), pytest.param(5, "7/2", marks=SLOW)]


def spec_w(ctx, sigma, lam, w0, t):
    """SPEC §2 closed form of the L = 2 flow, in mpmath."""
    return sigma * w0 / ((sigma - lam * w0) * ctx.exp(-2 * sigma * t) + lam * w0)


def engine_value(r, sigma, lam, tau):
    v = evaluate_at(r.expr.subs({S.sigma: sigma, S.lam: lam}), tau)
    return v


@pytest.mark.parametrize("init", ["layer", "product"])
@pytest.mark.parametrize("sigma,lam", POINTS)
def test_flow_limit_matches_mpmath_at_large_delta(init, sigma, lam):
    r = flow_limit(Model(depth=2, init=init))
    (T,) = r.transitions
    ctx = mpmath.MPContext()
    s, l = sp.Rational(sigma), sp.Rational(lam)
    Tv = T.subs({S.sigma: s, S.lam: l})
    c = 2 if init == "layer" else 1  # w0 = e^{-cδ}
    previous = None
    for delta in (200, 400):
        # the error at the step is O(e^{-cδ}) ~ 10^{-0.87cδ}: carry enough digits to resolve it
        ctx.dps = int(0.9 * c * delta) + 30
        w0 = ctx.exp(-c * delta)
        errors = []
        for tau in (Tv * sp.Rational(9, 10), Tv, Tv * sp.Rational(11, 10)):
            exact = spec_w(ctx, ctx.mpf(s), ctx.mpf(l), w0, delta * ctx.mpf(tau))
            errors.append(abs(exact - ctx.mpf(engine_value(r, s, l, tau))))
        # distance to the limit, from the closed form: ~e^{-cδ(1 - τ/T)} below the step,
        # ~(σ/λ)^2 e^{-cδ(τ/T - 1)} above it (|τ/T - 1| = 1/10 here), O(e^{-cδ}) at the step;
        # the factor 2 covers the lower-order terms of the denominator
        tol = 2 * max(1, (s / l) ** 2) * ctx.exp(-c * delta / 10)
        assert max(errors) < tol, (delta, errors)
        assert errors[1] < ctx.exp(-c * delta / 2)
        if previous is not None:  # convergence: the error shrinks as δ doubles
            assert all(e < p for e, p in zip(errors, previous, strict=True))
        previous = errors


def test_flow_limit_values_and_assumptions():
    r = flow_limit(Model(depth=2))
    # Thm 2 (SPEC §2): 0 / σ/(σ+λ) / σ/λ at τ = 1/σ; product init moves the step to 1/(2σ) (E1)
    assert r.transitions == (1 / S.sigma,)
    assert sp.simplify(r.boundary_values[0] - S.sigma / (S.sigma + S.lam)) == 0
    assert flow_limit(Model(depth=2, init="product")).transitions == (1 / (2 * S.sigma),)
    assert "sigma > 0" in r.assumptions and "lambda > 0" in r.assumptions
    assert r.undecided == ()


def test_linear_model_has_no_step():
    r = flow_limit(Model(depth=1))
    # SPEC §2: linear model w(δτ) → σ/λ for every τ > 0
    assert r.transitions == () and r.expr == S.sigma / S.lam


def test_negative_control_plain_sympy_limit_is_wrong():
    """sympy issues #13312, #15673, #30249: plain ``limit`` misses the step in τ."""
    s, l = sp.symbols("sigma lambda", positive=True)
    tau = sp.Symbol("tau", positive=True)
    d = S.delta
    forms = [s * sp.exp(2 * d * s * tau) / (l * sp.exp(2 * d * s * tau) - l + s * sp.exp(2 * d)),
             s * sp.exp(-2 * d) / ((s - l * sp.exp(-2 * d)) * sp.exp(-2 * s * d * tau) + l * sp.exp(-2 * d))]
    truth = flow_limit(Model(depth=2)).expr
    for w in forms:
        naive = sp.limit(w, d, sp.oo)
        assert not naive.has(tau)  # one value for every τ: cannot be the step function
        below, above = (evaluate_at(truth.subs({S.sigma: 1, S.lam: 2}), x) for x in (sp.Rational(1, 2), 2))
        value = naive.subs({s: 1, l: 2})
        assert value != below or value != above
    # with τ >= 0 only, it gives up instead
    with pytest.raises(NotImplementedError):
        sp.limit(forms[0].subs(tau, S.tau), d, sp.oo)


def test_engine_never_guesses_without_positivity():
    w = S.sigma * sp.exp(-2 * S.delta) / ((S.sigma - S.lam * sp.exp(-2 * S.delta))
                                          * sp.exp(-2 * S.sigma * S.t) + S.lam * sp.exp(-2 * S.delta))
    r = rescaled_limit(w, positive=())  # σ only nonnegative: 1/σ may be infinite
    assert r.expr is sp.nan and r.undecided


def test_sign_of_raises_when_undecidable():
    x = sp.Symbol("x", real=True)
    with pytest.raises(Undecidable):
        sign_of(x)


def test_sigma_zero_mode_decays_polynomially():
    # σ = 0 branch w0/(1 + 2λw0 t) (SPEC §2, erratum E3): tends to 0 for every τ (no transition)
    r = flow_limit(Model(depth=2, sigma=0))
    assert r.expr == 0 and r.transitions == ()


def test_exp_terms_reads_powers_and_rejects_other_shapes():
    terms = exp_terms((2 * sp.exp(-2 * S.delta) * S.delta ** 2).subs({}))
    assert terms[0].power == 2 and terms[0].rate == -2 and terms[0].coeff == 2
    with pytest.raises(ValueError, match="cannot write"):
        exp_terms(sp.sin(S.delta))
    with pytest.raises(ValueError, match="not linear"):
        exp_terms(sp.exp(S.delta ** 2))


def test_gd_rescaling_uses_eta_k_equals_delta_tau():
    # μ^k w0 with μ = (1+ησ)^2, w0 = e^{-2δ}: rate τ ln μ/η − 2 vanishes at T^η = η/ln(1+ησ) (SPEC §2)
    r = rescaled_limit((1 + S.eta * S.sigma) ** (2 * S.k) * sp.exp(-2 * S.delta), GD_RESCALING,
                       positive=(S.sigma,))
    assert sp.simplify(r.transitions[0] - S.eta / sp.log(1 + S.eta * S.sigma)) == 0
    assert r.boundary_values == (1,)
