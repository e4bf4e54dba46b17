"""``symdyn limit``: the δ → ∞ limit under rescaled time, its transitions and assumptions."""

from __future__ import annotations

import argparse

from symdyn.cli.common import AGREED_MARK, add_model_args, certified_fields, model_from_args, output_key
from symdyn.model.checks import LimitError, check_limit

HELP = "delta -> infinity limit of one mode under rescaled time"


def _digits(text: str) -> int:
    from symdyn.model.exact import parse_integer

    try:
        value = parse_integer(text, "digits")
        if value < 1:
            raise ValueError(f"digits must be an integer >= 1, got {value}")
        return check_limit("digits", value, "certified digits")
    except LimitError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (raise it on purpose with --limit digits=N)") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction) -> None:
    from symdyn.asymptotics.limits import DYNAMICS


    p = sub.add_parser("limit", help=HELP,
                       description="The limit of w(delta*tau) (flow) or w_k at eta*k = delta*tau (GD) as "
                                   "delta -> infinity: a Piecewise in tau, its transitions, the exact value "
                                   "at each transition (None: no limit there), and the assumptions used. "
                                   "Depth L >= 3: t = e^((L-2) delta) tau (init layer), the value at the "
                                   "transition a certified root of the transition equation.")
    add_model_args(p)
    p.add_argument("--dynamics", choices=DYNAMICS, required=True, help="gradient flow or gradient descent")
    p.add_argument("--digits", type=_digits, default=30, metavar="D",
                   help="GD, L = 2, numeric sigma, lambda, eta: certified digits of the oscillation interval "
                        "[Psi(1/mu), Psi(1)] at T^eta (default 30)")
    p.set_defaults(run=run)


def _maybe(e) -> dict[str, str] | None:
    from symdyn.model.serialize import expr_json

    return None if e is None else expr_json(e)


def payload(args: argparse.Namespace) -> dict:
    from symdyn.asymptotics.limits import gd_transition, gd_transition_series, limit
    from symdyn.model import symbols as S
    from symdyn.model.printing import hypothesis_latex
    from symdyn.model.serialize import expr_json

    model = model_from_args(args)
    for name, value in (("sigma", model.sigma), ("lambda", model.lam)):
        if value == 0:
            raise ValueError(f"the rescaled limit needs {name} > 0 (a {name} = 0 mode has no transition; "
                             "see `symdyn derive` for its closed form)")
    r = limit(model, args.dynamics)
    out = {
        "dynamics": r.dynamics, "depth": r.depth, "init": r.init,
        "parameters": {s.name: expr_json(v) for s, v in model.values.items()},
        "w0": expr_json(model.w0),
        "scale": expr_json(r.scale),
        "time": "t = scale*tau" if r.dynamics == "flow" else "eta*k = scale*tau",
        "limit": expr_json(r.expr),
        "equation_latex": r.latex(),  # the limit with its time scaling and named constants, as one equation
        "transitions": [expr_json(t) for t in r.transitions],
        "boundary_values": [_maybe(b) for b in r.boundary_values],
        "assumptions": list(r.assumptions),
        "assumptions_latex": [hypothesis_latex(h) for h in r.assumptions],  # words, with $math$
        "undecided": list(r.undecided),
    }
    if r.dynamics == "gd" and r.depth == 2:
        out["transition_exact"] = expr_json(model.subs(gd_transition(model.init).expr))
        if model.eta == S.eta:  # a series in eta only makes sense while eta is a symbol
            out["transition_series"] = expr_json(model.subs(gd_transition_series(4, model.init).expr))
        out.update(_oscillation(model, args.digits))
    if r.depth >= 3:
        out["transition_constant"] = _transition_constant(r.depth, r.dynamics)
    return out


def _transition_constant(depth: int, dynamics: str) -> dict:
    """x_L = λw*/σ, the flow's value at τ* in units of σ/λ (depth.transition_constant, 30 digits)."""
    from symdyn.derive.depth import transition_equation
    from symdyn.model.serialize import expr_json
    from symdyn.precise.constants import certified_transition_constant

    x = certified_transition_constant(depth)
    note = ("the flow's limit at tau* is x*sigma/lambda" if dynamics == "flow" else
            "the flow's limit at tau* is x*sigma/lambda; GD lags by O(delta) there, so its limit is 0")
    fields = certified_fields([x])
    return {"symbol": f"x_{depth}", "value": x.text, "digits": x.digits, "definition": "lambda*w*/sigma",
            "enclosure": fields["enclosure"][0], "proof": fields["proof"][0],
            "equation": expr_json(transition_equation(depth).expr), "note": note}


def _oscillation(model, digits: int) -> dict:
    """At T^η the iterate oscillates in [Ψ(1/μ), Ψ(1)] (docs/conventions.md, discrete step profile)."""
    from symdyn.precise.certified import CertificationError
    from symdyn.precise.poincare import transition_interval


    if not all(v.is_Number for v in (model.sigma, model.lam, model.eta)):
        return {"oscillation_interval": None,
                "oscillation_note": "at T^eta w_k oscillates in [Psi(1/mu), Psi(1)], mu = (1 + eta*sigma)^2; "
                                    "give numeric --sigma, --lambda, --eta to certify it"}
    try:
        lo, hi = transition_interval(model, digits)
    except CertificationError:
        raise
    except ValueError as exc:  # outside its hypotheses (eta*sigma > 1/2, sigma = 0): say why, keep the limit
        return {"oscillation_interval": None, "oscillation_note": f"no oscillation interval: {exc}"}
    fields = certified_fields([lo, hi])
    return {"oscillation_interval": fields["values"], "digits": min(fields["digits"]),
            "oscillation_enclosure": fields["enclosure"], "oscillation_proof": fields["proof"]}


def run(args: argparse.Namespace) -> int:
    from symdyn.precise.certified import AGREEMENT

    if args.model is not None:
        from symdyn.cli.model import run_limit

        return run_limit(args)
    out = payload(args)
    key = output_key(args, out)
    if key is None:
        return 0
    scale = out["scale"]["text"]
    var = f"w({scale}*tau)" if out["dynamics"] == "flow" else f"w_k, eta*k = {scale}*tau"
    head = [f"lim_(delta->oo) {var} =", f"  {out['limit'][key]}"] if key == "text" else [out["equation_latex"]]
    lines = [f"{out['dynamics']}, depth L = {out['depth']}, init = {out['init']}, w0 = {out['w0'][key]}", *head]
    for t, b in zip(out["transitions"], out["boundary_values"], strict=True):
        value = "no limit (None)" if b is None else b[key]
        lines.append(f"transition tau = {t[key]}:  value there {value}")
    if not out["transitions"]:
        lines.append("transitions: none")
    if out.get("oscillation_interval"):
        lo, hi = out["oscillation_interval"]
        agreed = f", {AGREED_MARK}" if AGREEMENT in out["oscillation_proof"] else ""
        lines.append(f"  at T^eta w_k oscillates in [Psi(1/mu), Psi(1)] = [{lo}, {hi}] "
                     f"({out['digits']} certified digits{agreed})")
    elif "oscillation_note" in out:
        lines.append(f"  {out['oscillation_note']}")
    if "transition_constant" in out:
        c = out["transition_constant"]
        agreed = f", {AGREED_MARK}" if c["proof"] == AGREEMENT else ""
        lines.append(f"  {c['symbol']} = {c['definition']} = {c['value']} ({c['digits']} certified digits{agreed}), "
                     f"root in (0, 1) of {c['equation'][key]}; {c['note']}")
    if "transition_series" in out:
        lines.append(f"T^eta series: {out['transition_series'][key]} + O(eta^4)")
    lines.append("assumptions:")
    lines += [f"  - {a}" for a in out["assumptions" if key == "text" else "assumptions_latex"]]
    if out["undecided"]:
        lines.append("undecided (not guessed):")
        lines += [f"  - {u}" for u in out["undecided"]]
    print("\n".join(lines))
    return 0
