"""The model zoo (examples/models/*.toml) against independent computations written here.

References: the built-in paper derivation and limits (symdyn.derive.dynamics, symdyn.asymptotics);
mpmath.odefun on the factor system at 45 digits (independent of symdyn's Taylor stepping);
hand derivations of the weight-decay and diagonal limits in the comments below.
"""

from pathlib import Path

import mpmath
import pytest
import sympy as sp

from symdyn.asymptotics.general import W_STAR, model_limit
from symdyn.asymptotics.limits import flow_limit, gd_limit
from symdyn.claims.model_claims import FAILS, HOLDS, verify_model
from symdyn.derive.dynamics import conserved_quantities, product_map, product_ode
from symdyn.derive.general import derive_model
from symdyn.model import FactorModel, Model, from_toml
from symdyn.model import symbols as S
from symdyn.precise.constants import transition_constant
from symdyn.precise.factor_system import model_trajectory
from symdyn.precise.trajectory import trajectory

ZOO = Path(__file__).resolve().parents[1] / "examples" / "models"


def zoo(name: str, **over) -> FactorModel:
    return from_toml((ZOO / f"{name}.toml").read_text(), over)


def odefun_output(model: FactorModel, times, dps: int = 45) -> list:
    """Independent reference: mpmath.odefun on the factor system ȧ = −∇ℓ at ``dps`` digits."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    ell = model.subs(model.loss)
    grad = [sp.lambdify(model.factors, -sp.diff(ell, a), modules=ctx) for a in model.factors]
    out = sp.lambdify(model.factors, model.subs(model.output), modules=ctx)
    start = [ctx.mpf(sp.N(a0, dps + 10)) for a0 in model.start.values()]
    sol = ctx.odefun(lambda t, y: [g(*y) for g in grad], 0, start)
    return [out(*sol(ctx.mpf(sp.Rational(t).p) / sp.Rational(t).q)) for t in times]


def agree_digits(text: str, ref) -> float:
    """Decimal digits on which ``text`` and the reference agree (relative), in a 60-digit local context."""
    ctx = mpmath.MPContext()
    ctx.dps = 60
    value, ref = ctx.mpf(text), ctx.mpf(ref)
    return float(-ctx.log10(abs(value - ref) / abs(ref))) if value != ref else 99.0


# ----------------------------------------------------------------------------- paper as a file
@pytest.mark.parametrize("depth", [1, 2])
def test_paper_file_derivation_equals_builtin(depth):
    d = derive_model(zoo(f"paper_depth{depth}"))
    assert d.verified
    assert sp.simplify(d.reduced.expr.subs(d.w, S.w) - product_ode(depth).expr) == 0
    assert sp.simplify(d.reduced_gd.expr.subs(d.w, S.w) - product_map(depth).expr) == 0
    built = [c.expr for c in conserved_quantities(depth)]
    assert len(d.conserved) == len(built)


def test_paper_file_limits_equal_builtin():
    m = zoo("paper_depth2")
    assert model_limit(m, "flow").expr == flow_limit(Model(depth=2)).expr
    mine, built = model_limit(m, "gd"), gd_limit(Model(depth=2))
    assert mine.transitions[0] == sp.simplify(built.transitions[0]) and mine.boundary_values == (None,)
    assert mine.expr.args[-1][0] == built.expr.args[-1][0]
    # depth 1: the start is not small in the sense that matters (dw/dt = sigma at 0): scale 1, and the
    # built-in limit in t = delta*tau (sigma/lambda) is this limit as tau -> oo
    lin = model_limit(zoo("paper_depth1"))
    assert lin.scale == 1 and sp.simplify(lin.expr - S.sigma / S.lam * (1 - sp.exp(-S.lam * S.tau))) == 0
    assert flow_limit(Model(depth=1)).expr == S.sigma / S.lam  # = the O(1) limit as tau -> oo (lambda > 0)


@pytest.mark.slow
def test_paper_depth3_file_limit_equals_builtin():
    r = model_limit(zoo("paper_depth3", sigma=1, **{"lambda": 2}))
    assert r.scale == sp.exp(S.delta) and r.transitions == (1,)  # built-in: e^{(L-2)delta}, 1/((L-2)sigma)
    # the named constant w_* solves its own equation; built-in: w* = x_3 sigma/lambda (certified x_3)
    eq = r.constants[W_STAR].lhs
    x3 = mpmath.mpf(str(transition_constant(3, 30))) / 2
    f = sp.lambdify(W_STAR, eq.replace(sp.Integral, lambda body, lim: sp.Integral(body, lim)), modules="mpmath")
    with mpmath.workdps(30):
        value = mpmath.quad(sp.lambdify(lim_var := eq.atoms(sp.Integral).pop().limits[0][0],
                                        eq.atoms(sp.Integral).pop().function, "mpmath"), [0, x3])
        rest = sp.lambdify(W_STAR, eq - eq.atoms(sp.Integral).pop(), "mpmath")(x3)
        assert abs(value + rest) < mpmath.mpf(10) ** -25
    del f, lim_var


def test_paper_file_trajectories_equal_builtin():
    m = Model(depth=2, sigma="1/2", lam=2, eta="1/10", delta=20)
    f = zoo("paper_depth2", sigma="1/2", eta="1/10", delta=20, **{"lambda": 2})
    assert [v.text for v in model_trajectory(f, "flow", [0, 40, 80], digits=25).values] == \
        [v.text for v in trajectory(m, "flow", [0, 40, 80], digits=25).values]
    assert [v.text for v in model_trajectory(f, "gd", [0, 400, 1000], digits=25).values] == \
        [v.text for v in trajectory(m, "gd", [0, 400, 1000], digits=25).values]


# ----------------------------------------------------------------------------- 30 digits vs odefun
@pytest.mark.parametrize("name", ["unbalanced", "diagonal"])
def test_certified_trajectory_agrees_with_odefun(name):
    m = zoo(name, delta=3)
    times = ["1/2", "1", "3"]
    values = model_trajectory(m, "flow", times, digits=32, method="ode").values
    refs = odefun_output(m, times)
    for v, ref in zip(values, refs, strict=True):
        assert v.digits == 32 and agree_digits(v.text, ref) >= 30


# ----------------------------------------------------------------------------- hand derivations
def test_weight_decay_limit_matches_hand_derivation():
    # hand: a^2 - b^2 decays as e^{-2 mu t} and starts at 0, so a = b and w = a^2 obeys
    # dw/dt = 2w(sigma - mu - lambda w): logistic with rate r = sigma - mu from w0 = e^{-2 delta};
    # w(delta tau) -> 0 before tau* = 1/r, r/(r + lambda) at tau*, r/lambda after.
    sig, lam, mu = 1, 1, sp.Rational(1, 4)
    r = sig - mu
    lim = model_limit(zoo("weight_decay"))
    assert lim.scale == S.delta and lim.transitions == (1 / r,)
    assert lim.boundary_values == (r / (r + lam),) and lim.expr.args[-1][0] == r / lam
    d = derive_model(zoo("weight_decay"))
    assert [c.expr for c in d.exponential] == [S.factors(1)[0] ** 0 * sp.Symbol("a", real=True) ** 2
                                               - sp.Symbol("b", real=True) ** 2]
    # at large delta the hand closed form is at the limit (delta = 30: error e^{-15} before tau*)
    w = lambda t, delta: r * sp.exp(-2 * delta) / (lam * sp.exp(-2 * delta) + (r - lam * sp.exp(-2 * delta))  # noqa
                                                   * sp.exp(-2 * r * t))
    assert abs(sp.N(w(30 / r, 30)) - r / (r + lam)) < 1e-12
    # another mu: the engine is not a table of the zoo
    other = model_limit(zoo("weight_decay", mu="1/2"))
    assert other.transitions == (2,) and other.boundary_values == (sp.Rational(1, 3),)


@pytest.mark.parametrize("beta", ["3/2", "1/2"])
def test_diagonal_limit_matches_hand_derivation(beta):
    # hand: du/dt = -2u r, dv/dt = 2v r (r = w - beta), so uv = c = e^{-2 delta} and, with Y = ln(u/v),
    # w = 2c sinh Y. Outside the inner region W = c e^Y = u^2 obeys dW/dt = 4W(beta - W), a logistic
    # from W ~ c: W(t) = beta c / (c + (beta - c) e^{-4 beta t}). At t = delta tau: tau* = 1/(2 beta);
    # at tau*, e^{-4 beta t} = c, so W -> beta/(1 + beta); after tau*, w -> beta.
    b = sp.Rational(beta)
    lim = model_limit(zoo("diagonal", beta=beta))
    assert lim.scale == S.delta and lim.transitions == (1 / (2 * b),)
    assert lim.boundary_values == (b / (1 + b),) and lim.expr.args[-1][0] == b


def test_depth3_diagonal_what_the_engine_cannot_say():
    m = zoo("diagonal_depth3")
    d = derive_model(m)
    assert d.conserved == () and d.reduced is None and d.undecided
    # the true invariant is rational: d/dt (1/u + 1/v) = 0 (hand: du/dt = -3u^2 r, dv/dt = 3v^2 r)
    u, v = m.factors
    F = d.flow.expr
    assert sp.simplify(sp.diff(1 / u + 1 / v, u) * F[0] + sp.diff(1 / u + 1 / v, v) * F[1]) == 0
    r = model_limit(m)
    assert r.expr is sp.nan and any("certified trajectories" in x for x in r.undecided)
    # the factor system still gives certified numbers
    mm = zoo("diagonal_depth3", delta=1)
    [value] = model_trajectory(mm, "flow", [2], digits=20, method="ode").values
    assert agree_digits(value.text, odefun_output(mm, [2], 30)[0]) >= 19


# ----------------------------------------------------------------------------- outside the zoo
def test_three_factors_and_another_loss():
    three = FactorModel.from_loss("(a*b*c - 1)**2/2", ["a", "b", "c"],
                                  init={"a": "1", "b": "exp(-delta)", "c": "exp(-delta)"})
    d = derive_model(three)
    assert d.verified and len(d.conserved) == 2
    m = three.with_values(delta=1)
    [value] = model_trajectory(m, "flow", [1], digits=20).values
    assert agree_digits(value.text, odefun_output(m, [1], 30)[0]) >= 19
    other = FactorModel.from_loss("a**4/4 - a**2/2 + b**2/2", ["a", "b"], output="a",
                                  init={"a": "exp(-delta)", "b": "1"})
    r = model_limit(other)  # da/dt = a - a^3: escape at t = delta*tau, tau* = 1, to a = 1
    assert r.transitions == (1,) and r.expr.args[-1][0] == 1


def test_bad_models_name_the_key():
    with pytest.raises(ValueError, match="loss: must be a real polynomial"):
        FactorModel.from_loss("exp(a)", ["a"])
    with pytest.raises(ValueError, match="init: no start given for the factor 'b'"):
        FactorModel.from_loss("a*b", ["a", "b"], init={"a": "1"})
    with pytest.raises(ValueError, match="unknown symbol 'beta'"):
        FactorModel.from_loss("a*beta", ["a"])
    with pytest.raises(ValueError, match="factors: missing|factors"):
        from_toml('loss = "a"')
    with pytest.raises(ValueError, match="colour: unknown key"):
        from_toml('factors = ["a"]\nloss = "a**2"\ncolour = "red"')


# ----------------------------------------------------------------------------- the checker
def test_verify_holds_and_negative_controls():
    m = zoo("paper_depth2")
    assert all(c.status == HOLDS for c in verify_model(m))
    a, b = m.factors
    wrong = {c.name: c.status for c in verify_model(m, conserved=[a**2 + b**2])}
    assert wrong["conserved"] == FAILS
    good = model_limit(m)
    bad = good.__class__(**{**good.__dict__, "expr": good.expr.subs(S.sigma / S.lam, 2 * S.sigma / S.lam)})
    assert {c.name: c.status for c in verify_model(m, limit=bad)}["limit (flow)"] == FAILS
