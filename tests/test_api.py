"""A researcher's API (issue #17): the three notebook tasks through public names only, then each piece.

The notebook tasks use ``import symdyn`` and nothing else from symdyn (no private import):
the depth-3 LaTeX, a GD trajectory against the flow on the rescaled axis as numpy arrays, and a claim of
one's own that finds the overshoot counterexample and then passes with the corrected condition.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symdyn

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ the three notebook tasks (public API only)
def test_task_depth3_latex():
    lim = symdyn.limit(symdyn.Model(depth=3))
    tex = lim.latex()
    # the time scaling e^{δ} of L = 3 (escape scale e^{(L−2)δ}) and the constant x_3 with its equation
    assert tex.startswith(r"\lim_{\delta \to \infty} w\left(") and r"e^{\delta}" in tex and "x_{3}" in tex
    d = symdyn.derive(symdyn.Model(depth=3))
    assert r"\dot{w}" in d.latex() and "every residual is 0" in d.latex()
    assert symdyn.latex(d.ode.expr) in d.latex()      # the one printer, the same string everywhere


def test_task_gd_against_flow_on_the_rescaled_axis():
    m = symdyn.Model(depth=2, sigma=1, lam=2, eta="1/20", delta=25)
    tau = np.linspace(0, 2, 41)
    gd = symdyn.trajectory(m, "gd", tau=tau, backend="numpy").to_numpy()
    flow = symdyn.trajectory(m, "flow", tau=tau, backend="numpy").to_numpy()
    assert set(gd) >= {"tau", "at", "w"} and all(isinstance(v, np.ndarray) for v in gd.values())
    assert np.array_equal(gd["tau"], tau) and np.array_equal(flow["tau"], tau)
    # the axes are the rescaled ones: t = δτ for the flow, k = ⌊δτ/η⌋ for GD (time_scale is the limit's scale)
    assert np.allclose(flow["at"], 25 * tau) and np.array_equal(gd["at"], np.floor(25 * tau / 0.05 + 1e-9))
    # both follow the δ → ∞ limit (0 before τ = 1/σ, σ/λ after) away from the transition; GD lags the flow
    far = np.abs(tau - 1) > 0.3
    limit = np.where(tau < 1, 0.0, 0.5)
    assert np.allclose(gd["w"][far], limit[far], atol=1e-3) and np.allclose(flow["w"][far], limit[far], atol=1e-3)
    near = (tau > 0.9) & (tau < 1.1)
    assert np.all(gd["w"][near] <= flow["w"][near])  # T^η = 1/σ + η/2 + ... > 1/σ: GD escapes later
    # the certified backend gives the same arrays (to float64 rounding; the numpy form errs < 1e-13 relative)
    cert = symdyn.trajectory(m, "gd", tau=tau[::8], digits=20).to_numpy()
    assert np.allclose(cert["w"], gd["w"][::8], rtol=1e-11, atol=0)


def _monotone(p: dict) -> bool:
    """GD from p's start is monotone: w_{k+1} <= w_k and w_k >= σ/λ over 200 steps (float64; 1e-12 slack for
    rounding at the fixed point: the decisive first step moves w by far more)."""
    m = symdyn.Model(depth=2, sigma=p["sigma"], lam=p["lambda"], eta=p["eta"], w0=p["w0"])
    w = symdyn.trajectory(m, "gd", range(200), backend="numpy").to_numpy()["w"]
    target = float(Fraction(p["sigma"]) / Fraction(p["lambda"]))
    return bool(np.all(np.diff(w) <= 1e-12 * w[1:]) and np.all(w >= target * (1 - 1e-12)))


def _draw(upper):
    def draw(rng: np.random.Generator) -> dict:
        sigma, lam = Fraction(int(rng.integers(50, 500)), 500), Fraction(int(rng.integers(50, 500)), 500)
        eta = Fraction(int(rng.integers(10, 500)), 1000) / sigma          # ησ in [0.01, 0.5)
        top = upper(sigma, lam, eta)
        w0 = sigma / lam + Fraction(int(rng.integers(1, 1000)), 1000) * (top - sigma / lam)
        return {"sigma": sigma, "lambda": lam, "eta": eta, "w0": w0}
    return draw


def test_task_own_claim_finds_the_overshoot_then_passes_corrected():
    naive = symdyn.check(_monotone, _draw(lambda s, l, e: 3 * s / l), cases=40, seed=1, name="monotone")
    assert not naive.holds and naive.counterexample is not None
    ce = naive.counterexample["params"]
    m = symdyn.Model(depth=2, sigma=ce["sigma"], lam=ce["lambda"], eta=ce["eta"], w0=ce["w0"])
    assert symdyn.classify(m) == "overshoot"                    # symdyn says why: the first step crosses σ/λ
    replay = symdyn.check(_monotone, _draw(lambda s, l, e: 3 * s / l), cases=naive.counterexample["case"],
                          seed=1, name="monotone")
    assert replay.counterexample == naive.counterexample        # the seed replays it

    bound = symdyn.monotone_from_above().expr.rhs                # ((2 + ησ) − √(ησ(ησ + 4)))/(2ηλ)

    def corrected_top(s, l, e):
        b = bound.subs({symdyn.Model().sigma: s, symdyn.Model().lam: l, symdyn.Model().eta: e})
        return Fraction(str(b.evalf(30))) * Fraction(999, 1000)
    fixed = symdyn.check(_monotone, _draw(corrected_top), cases=40, seed=1, name="monotone")
    assert fixed.holds and fixed.passed == 40, str(fixed)


# ------------------------------------------------------------------ arrays
def test_trajectory_accepts_numpy_integers_and_arrays():
    m = symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10", delta=3)
    a = symdyn.trajectory(m, "gd", np.arange(0, 30, 10), digits=12)
    b = symdyn.trajectory(m, "gd", [np.int64(0), np.int32(10), 20], digits=12)
    c = symdyn.trajectory(m, "gd", [0, 10, 20], digits=12)
    assert a.values == b.values == c.values and a.at == (0, 10, 20) and type(a.at[1]) is int
    assert symdyn.trajectory(m, "gd", np.int64(10), digits=12).values[0].text == c.values[1].text
    with pytest.raises(ValueError, match="steps must be integers"):
        symdyn.trajectory(m, "gd", np.array([1.5]))
    flow = symdyn.trajectory(m, "flow", np.array([0.5, 1.0]), digits=12)
    assert flow.at == (sp.Rational(1, 2), 1)


def test_backends_agree_at_every_depth():
    for depth, eta in ((1, "1/2"), (2, "1/10"), (3, "1/50"), (4, "1/50")):
        m = symdyn.Model(depth=depth, sigma=1, lam=2, eta=eta, delta=1)
        for dyn, at in (("gd", [0, 5, 40]), ("flow", [0, "1/2", 3])):
            fast = symdyn.trajectory(m, dyn, at, backend="numpy")
            sure = symdyn.trajectory(m, dyn, at, digits=20)
            assert isinstance(fast, symdyn.FloatTrajectory) and isinstance(sure, symdyn.Trajectory)
            # float64 against 20 certified digits: the log-space forms keep ~1e-13 relative
            assert np.allclose(fast.to_numpy()["w"], sure.to_numpy()["w"], rtol=1e-10, atol=0), (depth, dyn)
    with pytest.raises(ValueError, match="belongs to backend='mpmath'"):
        symdyn.trajectory(symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10", delta=1), "gd", [1], digits=5,
                          backend="numpy")
    with pytest.raises(ValueError, match="backend must be one of"):
        symdyn.trajectory(symdyn.Model(), "gd", [1], backend="float32")


def test_flow_numpy_at_depth_three_matches_the_certified_flow():
    t = np.array([0.0, 50.0, 148.0, 1e4])
    w = symdyn.flow_numpy(3)(t, 1.0, 2.0, 2.5)
    m = symdyn.Model(depth=3, sigma=1, lam=2, delta="2.5")
    ref = symdyn.trajectory(m, "flow", [0, 50, 148, 10000], digits=20).to_numpy()["w"]
    assert np.allclose(w, ref, rtol=1e-10, atol=0)
    with pytest.raises(ValueError, match="scalar sigma"):
        symdyn.flow_numpy(3)(t, np.array([1.0, 2.0]), 1.0, 1.0)


def test_time_scale_is_the_limits_scale():
    for depth in (1, 2, 3, 4):
        for init in ("layer", "product"):
            for dyn in ("flow", "gd"):
                m = symdyn.Model(depth=depth, init=init)
                assert symdyn.time_scale(depth, init) == symdyn.limit(m, dyn).scale, (depth, init, dyn)


def test_rescaled_points_depth_three_certified():
    m = symdyn.Model(depth=3, sigma=1, lam=1, delta=4)
    tr = symdyn.trajectory(m, "flow", tau=[1], digits=15)
    assert tr.tau == (1,) and tr.at == (sp.exp(4),)
    x3 = symdyn.limit(symdyn.Model(depth=3)).boundary_values[0]
    assert x3 is not None  # the limit has a value at τ* = 1; δ = 4 is near it already (O(e^{-δ}) off)
    with pytest.raises(ValueError, match="give the points once"):
        symdyn.trajectory(m, "flow", [1], tau=[1])
    with pytest.raises(ValueError, match="delta"):
        symdyn.trajectory(symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10"), "gd", tau=[1])


def test_certified_values_convert_format_and_compare():
    [v] = symdyn.trajectory(symdyn.Model(depth=2, sigma=1, lam=3, eta="1/10", delta=2), "flow", [100],
                            digits=25).values
    assert float(v) == 1 / 3 and f"{v:.5f}" == "0.33333" and f"{v:.3e}" == "3.333e-1" and f"{v}" == v.text
    assert v < Fraction(1, 3)   # 0.333…3 (25 digits) is below 1/3, exactly
    assert v > 0.3333 and v <= 1 and not v > 1 and sorted([v, 0.5, 0.1])[1] is v
    tiny = symdyn.Certified("1.25e-4342944819032518", 3, 64)   # beyond float64: float is 0, format exact
    assert float(tiny) == 0.0 and f"{tiny:.1e}" == "1.2e-4342944819032518" and tiny > 0
    unknown = symdyn.Certified("?", 0, 64)
    with pytest.raises(ValueError, match="no certified digits"):
        float(unknown)
    with pytest.raises(TypeError):
        _ = v < "0.3"


# ------------------------------------------------------------------ the start
def test_model_w0_is_the_start_and_is_recorded():
    m = symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10", w0="0.3")
    assert m.w0 == sp.Rational(3, 10) and m.ln_w0 == sp.log(sp.Rational(3, 10)) and m.start == sp.Rational(3, 10)
    assert m.factor0 ** 2 == m.w0
    tr = symdyn.trajectory(m, "gd", [0, 1], digits=10)
    assert tr.values[0].text == "0.3000000000"
    assert json.loads(tr.to_json())["model"]["w0"] == "3/10"
    assert symdyn.load(tr.to_json()).model == m
    # the old keyword of gd_iterates is the same start
    w1 = symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10", delta=0).starting_at("0.3")
    assert w1 == m
    with pytest.raises(ValueError, match="give the start once"):
        symdyn.Model(depth=2, delta=1, w0="0.3")
    with pytest.raises(ValueError, match="w0 must be > 0"):
        symdyn.Model(w0=0)
    with pytest.raises(ValueError, match="follows the delta-based start"):
        symdyn.limit(m)
    with pytest.raises(ValueError, match="part of the model"):
        symdyn.trajectory(symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10", delta=1), "gd", [1], w0="0.3")


def test_classify_takes_the_start_into_account():
    s, l = sp.Rational(152, 1000), sp.Rational(475, 1000)
    m = symdyn.Model(depth=2, sigma=s, lam=l, eta=sp.Rational(41, 100) / s)
    assert symdyn.classify(m) == "monotone"                      # the paper's small start
    r = symdyn.monotone_from_above()
    assert r.verified
    bound = float(r.expr.rhs.subs({symdyn.Model().sigma: s, symdyn.Model().lam: l, symdyn.Model().eta: m.eta}))
    fixed_point = float(s / l)
    # exact orbits, against the classification, on a grid of starts above σ/λ (below the third fixed point)
    top = float((2 + m.eta * s) / (m.eta * l))
    for w0 in np.linspace(fixed_point * 1.001, top * 0.999, 60):
        q = Fraction(float(w0)).limit_denominator(10**6)
        kind = symdyn.classify(m.starting_at(q))
        x, steps = q, []
        for _ in range(8):  # exact rationals: the first steps decide
            x = x * (1 + Fraction(41, 100) * (1 - x * Fraction(475, 152))) ** 2
            steps.append(x)
        overshoot = any(v < Fraction(152, 475) for v in steps)
        assert (kind == "overshoot") == overshoot and kind in ("monotone", "overshoot"), (q, kind)
        if q <= bound * 0.999:
            assert kind == "monotone"
    # negative control: the start-blind rule (ησ <= 1/2 -> monotone) is wrong at the start 2σ/λ
    assert symdyn.classify(m.starting_at(2 * s / l)) == "overshoot"
    assert symdyn.classify(m.starting_at(3 * top)) == "unstable"


def test_monotone_above_claim_and_its_sweep():
    from symdyn.claims import run

    [r] = run(["monotone-above"], cases=12, seed=3)
    assert r.outcome.status == "holds-corrected" and r.as_expected
    sw = r.sweep
    assert sw["passed"] == sw["cases"] == 12 and sw["printed_failures"] > 0   # the printed form fails somewhere
    ev = r.outcome.evidence["issue counterexample (w0 = 2 sigma/lambda)"]
    assert ev["classify"] == "overshoot" and not ev["monotone"] and float(ev["w1 - sigma/lambda"]) < 0


def test_monotone_sweep_negative_control(monkeypatch):
    """A wrong bound (the outer root r+ instead of r−) must make the sweep find a counterexample."""
    from symdyn.claims import regimes as RC
    from symdyn.claims.sweep import claim_rng

    monkeypatch.setattr(RC, "_predicted", lambda p: "monotone" if p["w0"] <= Fraction(
        RC.roots(p["sigma"], p["lambda"], p["eta"])[1]) else "overshoot")
    report = RC.sweep_monotone_above(claim_rng(0, "monotone-above"), 12)
    assert report.counterexample is not None


# ------------------------------------------------------------------ check
def test_check_leaves_the_catalogue_alone_and_reports():
    from symdyn.claims.base import CATALOG

    before = set(CATALOG)
    v = symdyn.check(lambda p: p["x"] < 0.9, lambda rng: {"x": Fraction(int(rng.integers(0, 100)), 100)},
                     cases=30, seed=7, name="x<0.9")
    assert set(CATALOG) == before and not v.holds and v.seed == 7
    assert Fraction(v.counterexample["params"]["x"]) >= Fraction(9, 10)
    assert "seed=7" in v.replay and symdyn.Verdict.from_json(v.to_json()) == v
    assert symdyn.check(lambda p: (True, {"seen": p["x"]}), lambda rng: {"x": 1}, cases=3).passed == 3
    with pytest.raises(TypeError, match="must return a bool"):
        symdyn.check(lambda p: "yes", lambda rng: {}, cases=1)
    with pytest.raises(ValueError, match="cases must be an integer"):
        symdyn.check(lambda p: True, lambda rng: {}, cases=-1)


# ------------------------------------------------------------------ save and load
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_derivation_and_limit_round_trip(depth):
    d = symdyn.derive(symdyn.Model(depth=depth))
    back = symdyn.load(d.to_json())
    assert back == d and back.residuals == d.residuals
    for dyn in ("flow", "gd"):
        lim = symdyn.limit(symdyn.Model(depth=depth), dyn)
        again = symdyn.RescaledLimit.from_json(lim.to_json())
        assert again == lim and again.latex() == lim.latex()
        assert [getattr(h, "parts", h) for h in again.assumptions] == [getattr(h, "parts", h) for h in lim.assumptions]


def test_trajectory_and_result_round_trip():
    m = symdyn.Model(depth=2, sigma="1/2", lam=1, eta="1/10", delta=5, init="product")
    for tr in (symdyn.trajectory(m, "gd", tau=[0, 1, 3], digits=12),
               symdyn.trajectory(m, "flow", [0, "1/3"], digits=12, method="ode")):
        assert symdyn.Trajectory.from_json(tr.to_json()) == tr
    fl = symdyn.trajectory(m, "gd", [0, 100], backend="numpy")
    again = symdyn.load(fl.to_json())
    assert all(np.array_equal(a, b) for a, b in zip(again.to_numpy().values(), fl.to_numpy().values(), strict=True))
    own = symdyn.Model.from_loss("(a*b - 1)**2/2", ["a", "b"], parameters={"eta": "1/10", "delta": 2})
    mt = symdyn.trajectory(own, "gd", [0, 3], digits=10)
    assert symdyn.load(mt.to_json()) == mt
    from symdyn.claims import run

    [r] = run(["E3"], cases=0)
    back = symdyn.load(r.to_json())
    assert back.json() == r.json() and back.outcome == r.outcome
    with pytest.raises(ValueError, match="was loaded from JSON"):
        back.claim.run()


def test_loading_never_evaluates_and_says_what_is_wrong():
    from symdyn.model.serialize import read_srepr

    for bad, match in (("__import__('os').system('echo hi')", "not allowed"),
                       ("Symbol('x').__class__", "not allowed"),
                       ("Pow(Integer(10), Integer(10000000000))", "too large"),
                       ("Add(" * 600 + ")" * 600, "nested|srepr")):
        with pytest.raises(ValueError, match=match):
            read_srepr(bad)
    with pytest.raises(ValueError, match="expected a Trajectory"):
        symdyn.Trajectory.from_json(json.dumps({"type": "Derivation"}))
    with pytest.raises(ValueError, match="not a symdyn result"):
        symdyn.load("{}")
    good = json.loads(symdyn.derive(symdyn.Model(depth=1)).to_json())
    good["loss"] = "eval('1')"
    with pytest.raises(ValueError, match="srepr"):
        symdyn.load(good)


# ------------------------------------------------------------------ progress
def test_progress_is_one_monotone_count_across_reruns():
    seen = []
    m = symdyn.Model(depth=2, sigma=1, lam=1, eta="1/10", delta=30)
    symdyn.trajectory(m, "gd", [40000], digits=30, progress=lambda d, t, s: seen.append((d, t)))
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1][0] == seen[-1][1]   # never goes back, ends at the whole
    # GD values are proven by an enclosure in one run (issue #15), so the count ends at the run's 40000 steps
    assert max(done) >= 40000
    # negative control: the raw per-run reports (what a hand-written bar saw) go back at each rerun
    from symdyn.precise.gd_iterate import gd_iterates

    raw = []
    for prec in (120, 160):
        gd_iterates(m, [40000], prec, progress=lambda d, t, s: raw.append(d))
    assert raw != sorted(raw)


def test_progress_bar_silent_off_a_terminal(capsys):
    bar = symdyn.ProgressBar()  # stderr is captured: not a terminal
    bar(1, 2, "x")
    bar.close()
    assert capsys.readouterr().err == ""
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    with symdyn.ProgressBar(stream=out, delay=0) as bar:
        bar(1, 4, "run at 120 bits")
        bar(3, 4, "run at 152 bits")
        bar(2, 6, "run at 304 bits")   # a third run: the total grows, the count never goes back
        assert (bar.bar.n, bar.bar.total) == (3, 6)
    assert "/4" in out.getvalue() and bar.bar is None


# ------------------------------------------------------------------ the command line
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdyn", *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=600)


def test_version():
    r = _cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"symdyn {symdyn.__version__}"


def test_every_subcommand_answers_json(tmp_path, monkeypatch, capsys):
    from symdyn.cli import COMMANDS, main
    from symdyn.output import reproduce as R
    from symdyn.output.reproduce import StageResult

    np.savez(tmp_path / "d.npz", X=np.random.default_rng(0).normal(size=(40, 3)),
             Y=np.random.default_rng(1).normal(size=(40, 2)))
    monkeypatch.setattr(R, "STAGES", [("cheap", lambda quick: StageResult({"a.txt": "a\n"}, {"n": 1}, "# a\n"))])
    runs = {
        "reproduce": ["reproduce", "--out", str(tmp_path / "out"), "--format", "json"],
        "derive": ["derive", "--depth", "1", "--format", "json"],
        "limit": ["limit", "--dynamics", "flow", "--format", "json"],
        "latex": ["latex", "--only", "flow-L2", "--format", "json"],
        "verify": ["verify", "--only", "ode-L2", "--cases", "0", "--format", "json"],
        "trajectory": ["trajectory", "--dynamics", "gd", "--at", "0", "5", "--sigma", "1", "--lambda", "1",
                       "--eta", "1/10", "--w0", "0.3", "--digits", "8", "--format", "json"],
        "figures": ["figures", "--only", "fig3", "--out", str(tmp_path / "figs"), "--format", "json"],
        "table1": ["table1", "--datasets", "iris", "--format", "json"],
        "simulate": [str(tmp_path / "d.npz"), "--steps", "10", "--format", "json"],
        "sweep": ["sweep", "grid", "--dynamics", "gd", "--param", "eta=1/10,1/5", "--fixed", "sigma=1",
                  "--fixed", "lambda=1", "--fixed", "delta=5", "--measure", "regime", "--serial",
                  "--out", str(tmp_path / "s.parquet"),
                  "--format", "json"],
    }
    runs["simulate"].insert(0, "simulate")
    extra = {"verify --list": ["verify", "--list", "--format", "json"],
             "latex --list": ["latex", "--list", "--format", "json"]}
    assert set(runs) == set(COMMANDS)
    for name, argv in {**runs, **extra}.items():
        code = main(argv)
        out = capsys.readouterr()
        assert code == 0, (name, out.err)
        json.loads(out.out)  # valid JSON, nothing else on stdout
        # silent in JSON mode (no bar, no stage lines); simulate's data warnings stay on stderr by contract
        assert all(line.startswith("symdyn simulate: warning:") for line in out.err.splitlines()), (name, out.err)
    code = main(runs["trajectory"])
    data = json.loads(capsys.readouterr().out)
    assert data["w0"] == "3/10" and data["values"][0] == "0.30000000"
    main(["verify", "--list", "--format", "json"])
    listed = json.loads(capsys.readouterr().out)
    assert "monotone-above" in {c["id"] for c in listed}


def test_cli_speaks_flags_where_the_library_speaks_api_terms(capsys):
    from symdyn.cli import main

    code = main(["trajectory", "--dynamics", "gd", "--at", "1", "--sigma", "1", "--lambda", "1", "--delta", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "give --eta" in err and "Model(" not in err
    with pytest.raises(ValueError, match=r"give Model\(eta=\.\.\.\)"):  # the library's own words
        symdyn.trajectory(symdyn.Model(depth=2, sigma=1, lam=1, delta=1), "gd", [1])


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["verify", "--help"], ["latex", "--help"],
                                  ["reproduce", "--help"], ["derive", "--help"], ["trajectory", "--help"],
                                  ["limit", "--help"], ["figures", "--help"], ["table1", "--help"],
                                  ["simulate", "--help"]])
def test_help_imports_only_what_it_needs(argv):
    """No --help loads scipy or matplotlib; only trajectory and limit (whose choices come from the engine)
    load sympy; the timing against `import sympy` is benchmarks/bench_startup.py."""
    code = (f"import sys, runpy; sys.argv = ['symdyn', *{argv!r}]\n"
            "try:\n    runpy.run_module('symdyn', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "import json; print(json.dumps([m for m in ('sympy', 'numpy', 'scipy', 'matplotlib') if m in sys.modules]),"
            " file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    loaded = json.loads(r.stderr.strip().splitlines()[-1])
    assert "scipy" not in loaded and "matplotlib" not in loaded, loaded
    if argv[0] not in ("trajectory", "limit"):
        assert "sympy" not in loaded, loaded
    if argv[0] not in ("figures", "table1"):
        assert "numpy" not in loaded, loaded


def test_claims_json_has_a_header(monkeypatch):
    from symdyn.claims import run
    from symdyn.output import reproduce

    monkeypatch.setattr(reproduce, "run_claims", lambda quick, seed: run(["E3"], quick=quick, seed=seed, cases=0))
    doc = json.loads(reproduce.stage_verify(True, seed=4).files["claims.json"])
    assert {"symdyn", "mode", "seed", "date", "command", "claims"} <= set(doc)
    assert doc["mode"] == "quick" and doc["seed"] == 4 and doc["symdyn"] == symdyn.__version__
    assert doc["claims"][0]["id"] == "E3" and math.isfinite(len(doc["date"]))
