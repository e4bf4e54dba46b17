"""``symdyn derive``: the flow ODE, the GD map, the closed forms and every residual."""

from __future__ import annotations

import argparse

from symdyn.cli.common import add_model_args, model_from_args, output_key

HELP = "derive the dynamics of one mode from the loss"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("derive", help=HELP,
                       description="Derive, from the per-mode loss, the gradient flow, the GD map, "
                                   "the conserved quantities and the closed forms, each with its "
                                   "residual (0 = verified).")
    add_model_args(p)
    p.set_defaults(run=run)


def _payload(args: argparse.Namespace) -> dict:
    from symdyn.derive.derivation import derive, substitute
    from symdyn.model.serialize import expr_json

    model = model_from_args(args)
    d = derive(model)
    sub = lambda e: substitute(model, e)  # noqa: E731
    closed_key = "rhs" if model.depth <= 2 else "relation"
    out = {
        "depth": model.depth,
        "init": model.init,
        "parameters": {s.name: expr_json(v) for s, v in model.values.items()},
        "w0": expr_json(sub(model.w0)),
        "loss": expr_json(sub(d.loss)),
        "ode": {"lhs": "dw/dt", "rhs": expr_json(sub(d.ode.expr))},
        "gd_map": {"lhs": "w_next", "rhs": expr_json(sub(d.gd_map.expr))},
        "factor_map": {"lhs": "a_next", "rhs": expr_json(sub(d.factor_map.expr))},
        "conserved": [expr_json(c.expr) for c in d.conserved],
        "closed_form": {closed_key: expr_json(sub(d.closed_form.expr)),
                        "hypotheses": list(d.closed_form.hypotheses)},
        "residuals": {k: expr_json(v) for k, v in d.residuals.items()},
        "verified": all(v == 0 for v in d.residuals.values()),
    }
    if d.gd_closed_form is not None:
        out["gd_closed_form"] = {"rhs": expr_json(sub(d.gd_closed_form.expr))}
    return out


def run(args: argparse.Namespace) -> int:
    if args.model is not None:
        from symdyn.cli.model import run_derive

        return run_derive(args)
    out = _payload(args)
    key = output_key(args, out)
    if key is None:
        return 0
    import sympy as sp

    from symdyn.model import symbols as S

    w_t = sp.Function("w")(S.t)
    lines = [f"depth L = {out['depth']}, init = {out['init']}, w0 = {out['w0'][key]}"]
    rows = [("loss", out["loss"]), ("ode  dw/dt =", out["ode"]["rhs"]),
            ("GD   w+ =", out["gd_map"]["rhs"]), ("factor a+ =", out["factor_map"]["rhs"])]
    cf = out["closed_form"]
    rows.append((f"flow {sp.sstr(w_t) if 'rhs' in cf else 'implicit'} =" if key == "text"
                 else "flow", cf.get("rhs") or cf.get("relation")))
    if "gd_closed_form" in out:
        rows.append(("GD   w_k =", out["gd_closed_form"]["rhs"]))
    rows += [(f"conserved {i + 1}", c) for i, c in enumerate(out["conserved"])]
    for label, e in rows:
        lines.append(f"{label:<14} {e[key]}")
    lines.append("residuals (0 = verified):")
    for name, r in out["residuals"].items():
        lines.append(f"  {name:<40} {r[key]}")
    print("\n".join(lines))
    return 0
