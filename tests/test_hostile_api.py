"""Hostile calls of the Python API, each in its own process (tests/hostile_api.py): TypeError/ValueError in one
line or a result, nothing run from a string, never a hang or a blow-up (issue #19)."""

from __future__ import annotations

import pytest

from tests.hostile import Case, register, result, verify

E = 2  # the runner's status for a TypeError/ValueError

CASES = [
    Case("api-to_numpy-injection", ["to_numpy-injection"], E, "BoolOp is not allowed"),
    Case("api-to_numpy-attribute", ["to_numpy-attribute"], E, "Attribute is not allowed"),
    Case("api-to_numpy-log-domain", ["to_numpy-log-domain"], E, "undefined (outside its domain) at w=-1.0"),
    Case("api-to_numpy-pole", ["to_numpy-pole"], E, "beyond float64"),
    Case("api-to_numpy-overflow", ["to_numpy-overflow"], E, "beyond float64"),
    Case("api-to_numpy-duplicate-args", ["to_numpy-duplicate-args"], E, "ValueError: args name a symbol twice"),
    Case("api-to_numpy-args-not-a-list", ["to_numpy-args-not-a-list"], E, "TypeError: args must be a list"),
    Case("api-to_numpy-expr-list", ["to_numpy-expr-list"], E, "TypeError: expr must be"),
    Case("api-to_numpy-ok", ["to_numpy-ok"], 0, "7.0"),  # positive control: 2*3 + 1
    Case("api-derive-string", ["derive-string"], E, "TypeError: model must be a Model, got str"),
    Case("api-derive-int", ["derive-int"], E, "TypeError: model must be a Model, got int"),
    Case("api-derive_model-string", ["derive_model-string"], E, "TypeError: model must be a symdyn.Model or"),
    Case("api-limit-unstable-gd", ["limit-unstable-gd"], E, "step size eta=2 is unstable"),
    Case("api-limit-string", ["limit-string"], E, "TypeError"),
    Case("api-limit-hostile-eta", ["limit-hostile-eta"], 0, "log(15000000001/10000000000)"),
    Case("api-limit-flow-ignores-eta", ["limit-flow-ignores-eta"], 0, "(1,)"),
    Case("api-model_limit-string", ["model_limit-string"], E, "TypeError"),
    # a bare step (trajectory(m, "gd", 5)) is one point by design (issue #17: numpy integers and scalars accepted)
    Case("api-trajectory-unknown-option", ["trajectory-unknown-option"], E, "unknown option 'foo'"),
    Case("api-trajectory-huge-step", ["trajectory-huge-step"], E, "method jump"),
    Case("api-trajectory-huge-thin", ["trajectory-huge-thin"], E, "above the limit points"),
    Case("api-trajectory-digits-string", ["trajectory-digits-string"], E, "digits must be an integer"),
    Case("api-trajectory-flow-unstable-eta", ["trajectory-flow-unstable-eta"], 0, "0."),  # the flow never uses eta
    Case("api-model_trajectory-string", ["model_trajectory-string"], E, "TypeError"),
    Case("api-Model-huge-exponent", ["Model-huge-exponent"], E, "above the limit exponent"),
    Case("api-Model-depth-1000", ["Model-depth-1000"], E, "above the supported maximum 12"),
    Case("api-Model-arabic-digits", ["Model-arabic-digits"], E, "ASCII digits"),
    Case("api-Model-underscore", ["Model-underscore"], E, "ASCII digits"),
    Case("api-from_loss-injection", ["from_loss-injection"], E, "not allowed"),
    Case("api-from_loss-dunder", ["from_loss-dunder"], E, "Attribute is not allowed"),
    Case("api-from_loss-factors-string", ["from_loss-factors-string"], E, "TypeError: factors must be a list"),
    Case("api-from_loss-power-tower", ["from_loss-power-tower"], E, "above the limit exponent"),
    Case("api-from_json-injection", ["from_json-injection"], E, "is not allowed"),
    Case("api-from_json-power", ["from_json-power"], E, "too large"),
    Case("api-serialize-parse-injection", ["serialize-parse-injection"], E, "not allowed"),
    Case("api-parse_expression-names-none", ["parse_expression-names-none"], E, "TypeError: names must be a mapping"),
    Case("api-parse_number-list", ["parse_number-list"], E, "value must be a number"),
    Case("api-flow_numpy-bad-argument", ["flow_numpy-bad-argument"], E, "Error"),
    Case("api-flow_closed_form-string", ["flow_closed_form-string"], E, "depth must be an integer"),
    Case("api-implicit_relation-deep", ["implicit_relation-deep"], E, "above the supported maximum"),
    Case("api-claims-run-one-id", ["claims-run-one-id"], 0, "['E7']"),  # "E7" is one id, not "E" and "7"
    Case("api-claims-run-int", ["claims-run-int"], E, "TypeError: ids must be a list"),
    Case("api-claims-run-huge-cases", ["claims-run-huge-cases"], E, "above the limit cases"),
]
for c in CASES:
    c.api = True


register(CASES)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_api_case(case):
    verify(result(case.id))
