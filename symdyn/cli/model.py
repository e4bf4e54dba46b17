"""``--model FILE.toml``: derive, limit, trajectory, verify and latex for your own model.

Parameter flags set or override values of the file: ``--sigma``, ``--lambda``, ``--eta``,
``--delta`` as everywhere, and ``--NAME VALUE`` for any parameter the file declares.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sympy as sp

from symdyn.asymptotics.general import model_limit
from symdyn.asymptotics.result import RescaledLimit
from symdyn.cli.common import certified_fields, certified_rows, emit_json
from symdyn.derive.general import derive_model, exponential_rate
from symdyn.model import symbols as S
from symdyn.model.factor_model import FactorModel, from_toml
from symdyn.model.serialize import expr_json


def add_model_file_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="FILE.toml", default=None,
                   help="your own model (factors, loss, output, init, parameters; see examples/models/); "
                        "--NAME VALUE sets a parameter it declares")


def load(args: argparse.Namespace) -> FactorModel:
    """The model of ``--model`` with the parameter flags applied (one-line errors name the key)."""
    from symdyn.matrix.data import read_text_file  # a regular file of bounded size (never a pipe)

    path = Path(args.model)
    text = read_text_file(path)
    overrides = dict(getattr(args, "model_params", {}) or {})
    for flag, name in (("sigma", "sigma"), ("lam", "lambda"), ("eta", "eta"), ("delta", "delta")):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[name] = value
    try:
        return from_toml(text, overrides)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None


def _shown(model: FactorModel, e: sp.Basic) -> dict[str, str]:
    return expr_json(model.subs(e))


def header(model: FactorModel) -> dict:
    return {
        "model": model.name,
        "factors": [f.name for f in model.factors],
        "parameters": {s.name: expr_json(v) for s, v in model.values.items()},
        "loss": _shown(model, model.loss),
        "output": _shown(model, model.output),
        "init": {f.name: _shown(model, a0) for f, a0 in zip(model.factors, model.init, strict=True)},
        "w0": _shown(model, model.w0),
    }


# --------------------------------------------------------------------------- derive
def derive_payload(model: FactorModel) -> dict:
    d = derive_model(model)
    sub = lambda e: _shown(model, e)  # noqa: E731
    closed = {"lhs": "w(t)", "rhs": sub(d.closed_form.expr), "hypotheses": list(d.closed_form.hypotheses)} \
        if d.closed_form else None
    relation = {"relation": sub(d.relation.expr), "hypotheses": list(d.relation.hypotheses)} if d.relation else None
    out = {
        **header(model),
        "flow": [{"lhs": f"d{a}/dt", "rhs": sub(f)} for a, f in zip(model.factors, d.flow.expr, strict=True)],
        "gd_map": [{"lhs": f"{a}_next", "rhs": sub(f)} for a, f in zip(model.factors, d.gd_map.expr, strict=True)],
        "conserved": [expr_json(c.expr) for c in d.conserved],
        "exponential": [{"quantity": expr_json(c.expr), "rate": expr_json(exponential_rate(c)),
                         "law": "I(t) = I(0)*exp(rate*t)"} for c in d.exponential],
        "output_symbol": {"name": d.w.name, "positive": bool(d.w.is_positive)},
        "reduced": {"lhs": "dw/dt", "rhs": sub(d.reduced.expr), "hypotheses": list(d.reduced.hypotheses)}
        if d.reduced else None,
        "reduced_gd": {"lhs": "w_next", "rhs": sub(d.reduced_gd.expr), "hypotheses": list(d.reduced_gd.hypotheses)}
        if d.reduced_gd else None,
        "closed_form": closed,
        "relation": relation,
        "fixed_points": [{"value": expr_json(p.value), "flow_slope": expr_json(p.slope),
                          "gd_multiplier": sub(p.gd_multiplier),
                          "eta_threshold": None if p.threshold is None else expr_json(p.threshold),
                          "notes": list(p.checks.hypotheses)} for p in d.fixed_points],
        "residuals": {k: expr_json(v) for k, v in d.residuals.items()},
        "verified": d.verified,
        "undecided": list(d.undecided),
    }
    return out


def run_derive(args: argparse.Namespace) -> int:
    model = load(args)
    out = derive_payload(model)
    if args.format == "json":
        emit_json(out)
        return 0
    key = "latex" if args.format == "latex" else "text"
    lines = [f"model: {out['model'] or args.model}", f"loss           {out['loss'][key]}",
             f"output w =     {out['output'][key]}, w0 = {out['w0'][key]}"]
    lines += [f"flow {r['lhs']:<9} {r['rhs'][key]}" for r in out["flow"]]
    lines += [f"GD   {r['lhs']:<9} {r['rhs'][key]}" for r in out["gd_map"]]
    none = ["conserved      none (polynomials of degree <= 4)"]
    lines += [f"conserved      {c[key]}" for c in out["conserved"]] or none
    lines += [f"exponential    {e['quantity'][key]}: dI/dt = ({e['rate'][key]})*I" for e in out["exponential"]]
    for label, k in (("reduced dw/dt =", "reduced"), ("reduced w+ =", "reduced_gd")):
        r = out[k]
        lines.append(f"{label:<15} {r['rhs'][key] if r else 'not closed'}")
    if out["closed_form"]:
        lines.append(f"closed w(t) =   {out['closed_form']['rhs'][key]}")
    if out["relation"]:
        lines.append(f"relation        {out['relation']['relation'][key]}")
    for p in out["fixed_points"]:
        gd = (f"GD stable for eta < {p['eta_threshold'][key]}" if p["eta_threshold"]
              else "no step size where the GD multiplier reaches -1")
        lines.append(f"fixed point     w* = {p['value'][key]}: R'(w*) = {p['flow_slope'][key]}, "
                     f"GD multiplier {p['gd_multiplier'][key]}, {gd}")
    lines.append("residuals (0 = verified):")
    lines += [f"  {name:<58} {r[key]}" for name, r in out["residuals"].items()]
    if out["undecided"]:
        lines.append("undecided (not guessed):")
        lines += [f"  - {u}" for u in out["undecided"]]
    print("\n".join(lines))
    return 0


# --------------------------------------------------------------------------- limit
def limit_payload(model: FactorModel, r: RescaledLimit) -> dict:
    scale = None if r.scale is sp.nan else expr_json(r.scale)
    return {
        **header(model),
        "dynamics": r.dynamics,
        "scale": scale,
        "time": "t = scale*tau" if r.dynamics == "flow" else "eta*k = scale*tau",
        "limit": None if r.expr is sp.nan else expr_json(r.expr),
        "transitions": [expr_json(t) for t in r.transitions],
        "boundary_values": [None if b is None or b is sp.nan else expr_json(b) for b in r.boundary_values],
        "constants": {str(k): expr_json(v) for k, v in r.constants.items()},
        "assumptions": [str(a) for a in r.assumptions],
        "undecided": list(r.undecided),
    }


def run_limit(args: argparse.Namespace) -> int:
    model = load(args)
    r = model_limit(model, args.dynamics)
    out = limit_payload(model, r)
    if args.format == "json":
        emit_json(out)
        return 0
    key = "latex" if args.format == "latex" else "text"
    scale = out["scale"][key] if out["scale"] else "undecided"
    lines = [f"model: {out['model'] or args.model}, {out['dynamics']}, w0 = {out['w0'][key]}",
             f"time: {out['time']}, scale = {scale}",
             f"lim_(delta->oo) = {out['limit'][key] if out['limit'] else 'undecided'}"]
    for t, b in zip(out["transitions"], out["boundary_values"], strict=True):
        lines.append(f"transition tau = {t[key]}:  value there {b[key] if b else 'no limit (None)'}")
    for name, eq in out["constants"].items():
        lines.append(f"  {name} defined by {eq[key]}")
    lines.append("assumptions:")
    lines += [f"  - {a}" for a in out["assumptions"]]
    if out["undecided"]:
        lines.append("undecided (not guessed):")
        lines += [f"  - {u}" for u in out["undecided"]]
    print("\n".join(lines))
    return 0


# --------------------------------------------------------------------------- trajectory
def run_trajectory(args: argparse.Namespace, points: list, bar) -> int:
    from symdyn.numeric.factor_system import factor_trajectory
    from symdyn.precise.factor_system import model_trajectory

    model = load(args)
    if args.backend == "numpy":
        r = factor_trajectory(model, args.dynamics, points)
        payload = {**header(model), "dynamics": args.dynamics, "backend": "numpy", "certified": False,
                   "variable": "k" if args.dynamics == "gd" else "t",
                   "at": [p if isinstance(p, int) else str(p) for p in points],
                   "values": [float(v) for v in r["w"]]}
        if args.format == "json":
            emit_json(payload)
        else:
            print(f"{args.dynamics} (numpy float64, not certified), output {payload['output']['text']}")
            for p, v in zip(payload["at"], payload["values"], strict=True):
                print(f"{p!s:>12}  {v!r}")
        return 0
    options = {"max_prec": args.max_prec, "progress": bar}
    if args.dynamics == "gd":
        options["engine"] = args.engine
    try:
        tr = model_trajectory(model, args.dynamics, points, digits=args.digits, method=args.method, **options)
    finally:
        bar.close()
    out = {**header(model), "dynamics": tr.dynamics, "method": tr.method, "backend": "mpmath",
           "digits_requested": tr.digits, "variable": tr.variable,
           "at": [p if isinstance(p, int) else str(p) for p in tr.at], **certified_fields(tr.values)}
    if args.format == "json":
        emit_json(out)
        return 0
    print(f"{tr.dynamics} ({tr.method}), model {out['model'] or args.model}, output w = {out['output']['text']}, "
          f"w0 = {out['w0']['text']}")
    print("\n".join(certified_rows(tr.variable, out["at"], tr.values, tr.digits + 8)))
    return 0


def uses_model(args: argparse.Namespace) -> bool:
    return getattr(args, "model", None) is not None


def symbolic_delta(model: FactorModel) -> bool:
    return model.delta == S.delta
