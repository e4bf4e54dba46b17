"""Hostile calls of symdyn's Python API, one per process: ``python tests/hostile_api.py CASE``.

The API's contract: a bad call raises ``TypeError`` or ``ValueError`` with a message in API terms. This
runner prints that message as one line on stderr and exits 2; a call that succeeds prints its result and
exits 0; any other exception escapes with its traceback (the suite then fails: tests/test_hostile_api.py).
Strings with code in them must not run it: a payload ``touch F`` would leave a file F in the folder.
"""

from __future__ import annotations

import sys

PAYLOAD = "__import__('os').system('touch F') or 1"


def _cases() -> dict:

    import symdyn
    from symdyn import Model

    def gd_model(**kw):
        return Model(**{"sigma": 1, "lam": 1, "eta": "1/10", "delta": 1, **kw})

    def claims_run(*a, **kw):
        from symdyn.claims import run
        return [r.claim.id for r in run(*a, **kw)]

    def from_json(srepr):
        from symdyn.model.serialize import from_json
        return from_json({"srepr": srepr})

    def serialize_parse(text):
        from symdyn.model.serialize import parse
        return parse(text)

    return {
        "to_numpy-injection": lambda: symdyn.to_numpy(PAYLOAD, []),
        "to_numpy-attribute": lambda: symdyn.to_numpy("w.__class__", ["w"]),
        "to_numpy-log-domain": lambda: symdyn.to_numpy("log(w)", ["w"])(-1.0),
        "to_numpy-pole": lambda: symdyn.to_numpy("1/t", ["t"])(0.0),
        "to_numpy-overflow": lambda: symdyn.to_numpy("exp(t)", ["t"])(1000.0),
        "to_numpy-duplicate-args": lambda: symdyn.to_numpy("x", ["x", "x"]),
        "to_numpy-args-not-a-list": lambda: symdyn.to_numpy("x", 5),
        "to_numpy-expr-list": lambda: symdyn.to_numpy([1], []),
        "to_numpy-ok": lambda: float(symdyn.to_numpy("2*w + lambda", ["w", "lambda"])(3.0, 1.0)),
        "derive-string": lambda: symdyn.derive("Model(depth=2)"),
        "derive-int": lambda: symdyn.derive(2),
        "derive_model-string": lambda: symdyn.derive_model(PAYLOAD),
        "limit-unstable-gd": lambda: symdyn.limit(Model(eta=2, sigma=1, lam=1), "gd"),
        "limit-string": lambda: symdyn.limit("x"),
        "limit-hostile-eta": lambda: str(symdyn.limit(Model(sigma=1, lam=1, eta="0.5000000001"), "gd").transitions),
        "limit-flow-ignores-eta": lambda: str(symdyn.limit(Model(sigma=1, lam=1, eta=50), "flow").transitions),
        "model_limit-string": lambda: symdyn.model_limit("x"),
        "trajectory-at-int": lambda: symdyn.trajectory(gd_model(), "gd", 5),
        "trajectory-unknown-option": lambda: symdyn.trajectory(gd_model(), "gd", [1], foo=1),
        "trajectory-huge-step": lambda: symdyn.trajectory(gd_model(), "gd", [10**18]),
        "trajectory-huge-thin": lambda: symdyn.trajectory(gd_model(), "gd", [10], thin=10**11),
        "trajectory-digits-string": lambda: symdyn.trajectory(gd_model(), "gd", [1], digits="30"),
        "trajectory-flow-unstable-eta": lambda: symdyn.trajectory(gd_model(eta=7), "flow", [1], digits=10).values[0],
        "model_trajectory-string": lambda: symdyn.model_trajectory("x", "gd", [1]),
        "Model-huge-exponent": lambda: Model(sigma="1e99999999"),
        "Model-depth-1000": lambda: Model(depth=1000),
        "Model-arabic-digits": lambda: Model(sigma="\u0661\u0662"),
        "Model-underscore": lambda: Model(sigma="1_0"),
        "from_loss-injection": lambda: Model.from_loss(PAYLOAD, ["a"]),
        "from_loss-dunder": lambda: Model.from_loss("a.__class__", ["a"]),
        "from_loss-factors-string": lambda: Model.from_loss("a*b", "ab"),
        "from_loss-power-tower": lambda: Model.from_loss("a**10**10**10", ["a"]),
        "from_json-injection": lambda: from_json(PAYLOAD),
        "from_json-power": lambda: from_json("Pow(Integer(10), Integer(10000000000))"),
        "serialize-parse-injection": lambda: serialize_parse(PAYLOAD),
        "parse_expression-names-none": lambda: symdyn.parse_expression("x", None),
        "parse_number-list": lambda: symdyn.parse_number([1]),
        "flow_numpy-bad-argument": lambda: symdyn.flow_numpy(2)(1.0, "a", 1.0, 1.0),
        "flow_closed_form-string": lambda: symdyn.flow_closed_form("2"),
        "implicit_relation-deep": lambda: symdyn.implicit_relation(1000),
        "claims-run-one-id": lambda: claims_run("E7", cases=0),
        "claims-run-int": lambda: claims_run(5),
        "claims-run-huge-cases": lambda: claims_run(["E7"], cases=10**9),
    }


def main(name: str) -> int:
    cases = _cases()
    if name not in cases:
        print(f"hostile_api: unknown case {name!r}", file=sys.stderr)
        return 3
    try:
        result = cases[name]()
    except (TypeError, ValueError) as exc:
        print(f"{type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
