"""Hostile command lines for every subcommand (issue #19): each in its own process with a memory and a time
limit; exit status, one stderr line, no traceback, nothing left behind (tests/hostile.py)."""

from __future__ import annotations

import pytest

from tests.hostile import Case, register, result, verify

GD = ["--sigma", "1", "--lambda", "1", "--eta", "0.1", "--delta", "1"]
NUMBERS = "must be a decimal number or a fraction like 1/3 (ASCII digits)"

CASES = [
    # numbers: bounded exponents, ASCII digits only, no separators, no nan/inf
    Case("sigma-1e99999999", ["derive", "--sigma", "1e99999999"], says="above the limit exponent = 1000"),
    Case("delta-1e-99999999", ["derive", "--delta", "1e-99999999"], says="above the limit exponent"),
    Case("sigma-5000-digits", ["derive", "--sigma", "9" * 5000], says="more than 4000 characters"),
    Case("sigma-long-exponent", ["derive", "--sigma", "1e" + "9" * 3000], says="above the limit exponent"),
    Case("sigma-arabic-digits", ["derive", "--sigma", "\u0661\u0662"], says=NUMBERS),
    Case("sigma-fullwidth-digit", ["derive", "--sigma", "\uff11"], says=NUMBERS),
    Case("sigma-underscore", ["derive", "--sigma", "1_0"], says=NUMBERS),
    Case("sigma-nan", ["derive", "--sigma", "nan"], says=NUMBERS),
    Case("sigma-negative", ["derive", "--sigma", "-1"], says="sigma must be >= 0"),
    Case("sigma-division-by-zero", ["derive", "--sigma", "1/0"], says="division by zero"),
    Case("sigma-code", ["derive", "--sigma", "__import__('os').system('touch F')"], says=NUMBERS),
    Case("eta-zero", ["derive", "--eta", "0"], says="eta must be > 0"),
    Case("exponent-raised-on-purpose", ["derive", "--sigma", "1e-1500", "--limit", "exponent=2000",
                                        "--format", "json"], status=0),
    # depth
    Case("depth-30", ["derive", "--depth", "30"], says="--limit depth=N"),
    Case("depth-1000", ["derive", "--depth", "1000"], says="above the supported maximum 12"),
    Case("depth-arabic", ["derive", "--depth", "\u0661\u0662"], says="depth must be an integer"),
    Case("depth-underscore", ["derive", "--depth", "1_0"], says="depth must be an integer"),
    Case("depth-zero", ["derive", "--depth", "0"], says="depth must be an integer >= 1"),
    Case("depth-huge", ["derive", "--depth", "9" * 30], says="depth must be an integer"),
    Case("latex-depth-zero", ["latex", "--depth", "0"], says="depth must be an integer >= 1"),
    Case("latex-unknown-label", ["latex", "--only", "nosuch"], says="nosuch"),
    # flags and limits
    Case("flag-unknown", ["derive", "--bogus", "1"], says="unrecognized"),
    Case("limit-unknown-name", ["derive", "--limit", "foo=3"], says="expected NAME=N"),
    Case("limit-zero", ["derive", "--limit", "depth=0"], says="limit depth must be >= 1"),
    Case("no-command", [], says="required"),
    # limit: signs by numbers, never a 4 GB simplification; refusals where the library refuses
    Case("limit-gd-eta-0.5000000001", ["limit", "--dynamics", "gd", "--sigma", "1", "--lambda", "1", "--eta",
                                       "0.5000000001", "--format", "json"], status=0, says="undecided"),
    Case("limit-gd-eta-sqrt5-2", ["limit", "--dynamics", "gd", "--sigma", "1", "--lambda", "1", "--eta",
                                  "0.2360679774997896964", "--format", "json", "--digits", "10"], status=0,
         says="oscillation_interval"),
    Case("limit-gd-unstable", ["limit", "--dynamics", "gd", "--sigma", "1", "--lambda", "1", "--eta", "2"],
         says="unstable"),
    Case("limit-flow-unused-eta", ["limit", "--dynamics", "flow", "--sigma", "1", "--lambda", "1", "--eta", "5"],
         status=0, says="transition"),
    Case("limit-digits-huge", ["limit", "--dynamics", "gd", "--sigma", "1", "--lambda", "1", "--eta", "0.1",
                               "--digits", "100000"], says="above the limit digits"),
    Case("limit-digits-zero", ["limit", "--dynamics", "gd", "--digits", "0"], says="digits must be an integer >= 1"),
    Case("limit-sigma-zero", ["limit", "--dynamics", "flow", "--sigma", "0"], says="needs sigma > 0"),
    Case("limit-numeric-delta", ["limit", "--dynamics", "flow", "--delta", "3"], says="delta must stay symbolic"),
    Case("limit-depth-13", ["limit", "--dynamics", "flow", "--depth", "13"], says="--limit depth=N"),
    # trajectory
    Case("trajectory-at-1e18", ["trajectory", "--dynamics", "gd", "--at", "1000000000000000000", *GD],
         says="method jump evaluates L = 2 GD"),
    Case("trajectory-thin-1e11", ["trajectory", "--dynamics", "gd", "--at", "100", "--thin", "100000000000", *GD],
         says="above the limit points"),
    Case("trajectory-digits-1e7", ["trajectory", "--dynamics", "gd", "--at", "100", "--digits", "10000000", *GD],
         says="above the limit digits"),
    Case("trajectory-max-prec-1e8", ["trajectory", "--dynamics", "gd", "--at", "100", "--max-prec", "100000000",
                                     *GD], says="above the limit bits"),
    Case("trajectory-flow-unstable-eta", ["trajectory", "--dynamics", "flow", "--at", "1", "--sigma", "1",
                                          "--lambda", "1", "--eta", "5", "--delta", "1", "--digits", "10"],
         status=0, says="0.5362894417"),  # 1/(2 - e^-2): the L = 2 logistic flow at t = 1
    Case("trajectory-negative-step", ["trajectory", "--dynamics", "gd", "--at", "-1", *GD], says=">= 0"),
    Case("trajectory-fractional-step", ["trajectory", "--dynamics", "gd", "--at", "1.5", *GD],
         says="GD steps must be integers"),
    Case("trajectory-step-text", ["trajectory", "--dynamics", "gd", "--at", "abc", *GD], says=NUMBERS.split(" (")[0]),
    Case("trajectory-delta-1e1000", ["trajectory", "--dynamics", "gd", "--at", "10", "--sigma", "1", "--lambda",
                                     "1", "--eta", "0.1", "--delta", "1e1000"], says="exponent range"),
    Case("trajectory-jump-delta-1e1000", ["trajectory", "--dynamics", "gd", "--method", "jump", "--at", "10",
                                          "--sigma", "1", "--lambda", "1", "--eta", "0.1", "--delta", "1e1000"],
         says="exponent range"),
    Case("trajectory-flow-delta-1e1000", ["trajectory", "--dynamics", "flow", "--at", "10", "--sigma", "1",
                                          "--lambda", "1", "--delta", "1e1000"], says="exponent range"),
    Case("trajectory-symbolic-sigma", ["trajectory", "--dynamics", "flow", "--at", "1"], says="sigma must be a number"),
    Case("trajectory-numpy-at-1e18", ["trajectory", "--dynamics", "gd", "--backend", "numpy", "--at",
                                      "1000000000000000000", *GD], says="above the limit steps"),
    Case("trajectory-numpy-depth3-at-1e18", ["trajectory", "--dynamics", "gd", "--backend", "numpy", "--depth", "3",
                                             "--at", "1000000000000000000", *GD], says="above the limit steps"),
    Case("trajectory-numpy-thin-1e9", ["trajectory", "--dynamics", "gd", "--backend", "numpy", "--at", "10",
                                       "--thin", "1000000000", *GD], says="above the limit points"),
    Case("trajectory-jump-factor-map", ["trajectory", "--dynamics", "gd", "--method", "jump", "--map", "factor",
                                        "--at", "10", *GD], says="product map only"),
    Case("trajectory-log-mpmath", ["trajectory", "--dynamics", "gd", "--log", "--at", "10", *GD],
         says="--log belongs to the numpy backend"),
    Case("trajectory-thin-1", ["trajectory", "--dynamics", "gd", "--at", "10", "--thin", "1", *GD],
         says="thin must be an integer >= 2"),
    Case("trajectory-digits-zero", ["trajectory", "--dynamics", "gd", "--at", "10", "--digits", "0", *GD],
         says="digits must be an integer >= 1"),
    Case("trajectory-gd-unstable", ["trajectory", "--dynamics", "gd", "--at", "5", "--sigma", "1", "--lambda", "1",
                                    "--eta", "1.5", "--delta", "1"], says="unstable"),
    Case("trajectory-steps-raised", ["trajectory", "--dynamics", "gd", "--at", "1000001", "--digits", "5",
                                     "--limit", "steps=1000001", *GD], status=0, says="1000001"),
    # verify
    Case("verify-cases-1e8", ["verify", "--cases", "100000000", "--only", "E7"], says="above the limit cases"),
    Case("verify-cases-negative", ["verify", "--cases", "-1", "--only", "E7"], says="cases must be an integer >= 0"),
    Case("verify-seed-negative", ["verify", "--seed", "-1", "--only", "E7"], says="seed must be an integer >= 0"),
    Case("verify-unknown-id", ["verify", "--only", "NOPE"], says="unknown claim id"),
    Case("verify-model-missing", ["verify", "--model", "missing.toml"], says="missing.toml"),
    # figures (the folder must not appear when the run fails)
    Case("figures-seed-negative", ["figures", "--out", "figs", "--seed", "-1"], says="seed must be an integer >= 0"),
    Case("figures-unknown", ["figures", "--out", "figs", "--only", "fig9"], says="invalid choice"),
    Case("figures-out-is-a-file", ["figures", "--out", "afile", "--only", "fig1"], says="not a folder",
         setup=lambda d: (d / "afile").write_text("mine")),
    # reproduce (refused before any work)
    Case("reproduce-out-dev-null", ["reproduce", "--out", "/dev/null"], says="not a folder"),
    Case("reproduce-quick-and-full", ["reproduce", "--quick", "--full"], says="not allowed with"),
    Case("reproduce-out-in-proc", ["reproduce", "--out", "/proc/symdyn-nope"], says="cannot write next to"),
    # table1
    Case("table1-unknown-dataset", ["table1", "--datasets", "nosuch"], says="invalid choice"),
]


register(CASES)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_case(case):
    verify(result(case.id))


def test_every_limit_is_named_in_every_help():
    # issue #19: each limit is named in --help and can be raised with a flag (--limit NAME=N)
    from dataclasses import fields

    from symdyn.cli import COMMANDS, build_parser
    from symdyn.model.checks import Limits

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in COMMANDS:
        text = " ".join(sub.choices[name].format_help().split())
        assert "--limit NAME=N" in text, name
        for f in fields(Limits):
            assert f"{f.name}={getattr(Limits(), f.name)}" in text, (name, f.name)
