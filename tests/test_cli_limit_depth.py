"""`symdyn limit --depth L` for L >= 3 (issue #10): JSON round trip, certified transition value, text."""

import json

import mpmath
import pytest
import sympy as sp

from symdyn.asymptotics.depth import depth_rescaled_limit, transition_symbol
from symdyn.cli import main
from symdyn.model import symbols as S
from symdyn.model.serialize import from_json


def run_json(capsys, *argv):
    assert main(["limit", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _x_distance(depth: int, value: str) -> mpmath.mpf:
    """|value − x_L|, x_L by an independent mpmath findroot (secant from 0.8) on 2F1(1, a; a+1; x),
    a = 2/L − 1, at 45 digits in a local context."""
    ctx = mpmath.MPContext()
    ctx.dps = 45
    a = ctx.mpf(2) / depth - 1
    x = ctx.findroot(lambda x: ctx.re(ctx.hyp2f1(1, a, a + 1, x)), ctx.mpf("0.8"))
    return abs(ctx.mpf(value) - x)


@pytest.mark.parametrize("depth, scale, tau_star", [(3, sp.exp(S.delta), 1 / S.sigma),
                                                    (4, sp.exp(2 * S.delta), 1 / (2 * S.sigma))])
def test_flow_json_round_trip(capsys, depth, scale, tau_star):
    out = run_json(capsys, "--dynamics", "flow", "--depth", str(depth))
    # issue #10: escape at t ~ e^{(L-2) delta}/((L-2) sigma), i.e. tau* = 1/((L-2) sigma)
    assert from_json(out["scale"]) == scale and from_json(out["transitions"][0]) == tau_star
    expr = from_json(out["limit"])
    assert expr == depth_rescaled_limit(depth).expr and isinstance(expr, sp.Piecewise)
    num = {S.sigma: 2, S.lam: 3}
    assert expr.subs(num).subs(S.tau, tau_star.subs(num) / 2) == 0
    assert expr.subs(num).subs(S.tau, 2 * tau_star.subs(num)) == sp.Rational(2, 3)
    x = from_json(out["boundary_values"][0]) * S.lam / S.sigma
    c = out["transition_constant"]
    # the limit names the constant x_L; its certified value rides beside it
    assert x == transition_symbol(depth) and c["digits"] == 30 and len(c["value"].lstrip("0.")) >= 30
    # 30 certified digits: within one unit of the 30th digit of the independent 45-digit root
    assert _x_distance(depth, c["value"]) < mpmath.mpf(10) ** -30
    assert from_json(c["equation"]).has(sp.hyper)


def test_numbers_substituted_and_init_product(capsys):
    out = run_json(capsys, "--dynamics", "flow", "--depth", "3", "--sigma", "1/2", "--lambda", "2")
    assert from_json(out["transitions"][0]) == 2                      # 1/((3-2) * 1/2)
    b = from_json(out["boundary_values"][0])
    assert b * 4 == transition_symbol(3)                                 # sigma/lambda = 1/4
    out = run_json(capsys, "--dynamics", "flow", "--depth", "3", "--init", "product")
    assert from_json(out["scale"]) == sp.exp(S.delta / 3)             # w0 = e^{-delta}: e^{(L-2) delta/L}


def test_gd_value_zero_at_transition_and_step_check(capsys):
    out = run_json(capsys, "--dynamics", "gd", "--depth", "3", "--sigma", "1", "--lambda", "1", "--eta", "1/10")
    assert from_json(out["boundary_values"][0]) == 0 and from_json(out["transitions"][0]) == 1
    assert out["time"] == "eta*k = scale*tau" and "GD lags" in out["transition_constant"]["note"]
    # multiplier 1 - 3 eta at sigma = lambda = 1 (depth.gd_step_bound): eta = 0.7 is unstable
    assert main(["limit", "--dynamics", "gd", "--depth", "3", "--sigma", "1", "--lambda", "1", "--eta", "0.7"]) == 2
    assert "unstable" in capsys.readouterr().err


def test_text_output(capsys):
    assert main(["limit", "--dynamics", "flow", "--depth", "3"]) == 0
    text = capsys.readouterr().out
    assert "w(exp(delta)*tau)" in text and "0.908222166479862990155941140095" in text
    assert main(["limit", "--dynamics", "flow"]) == 0                # L = 2 unchanged
    assert "w(delta*tau)" in capsys.readouterr().out


def test_bad_input(capsys):
    assert main(["limit", "--dynamics", "flow", "--depth", "3", "--sigma", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sigma > 0" in err
