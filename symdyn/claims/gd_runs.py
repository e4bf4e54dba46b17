"""Certified evidence from GD runs and closed forms, shared by the limit and bound claims.

* :func:`margins`: side · (bound_k − w_k) along one GD run of :mod:`symdyn.precise.gd_iterate`
  (product map, L = 2, start ``w0``), the bound a sympy form in k evaluated by
  :mod:`symdyn.precise.evaluate` in the same local context (uncertified: for scans).
  ``side = +1`` for an upper bound, ``-1`` for a lower bound: a bound holds at k iff its margin is >= 0.
* :func:`certified_margins`: the same as balls (the proven GD enclosures of
  :func:`~symdyn.precise.gd_iterate.gd_enclosures` minus the bound in ball arithmetic), so a sign
  reported here is proven: a margin with one certified digit has an enclosure that excludes 0.
* :func:`first_violation`: the first k with a negative margin, every margin up to it proven.

Evidence dicts carry ``"proof"``: ``"proven"`` when every number behind the decision is an
enclosure, ``"agreed"`` when some were only agreed between reruns (:func:`proof_label`).
Exact zero margins (k = 0, where every bound equals w0) never certify: callers start at k >= 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from symdyn.claims.base import AGREED, PROVEN
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise.certified import Certified, ball_context, certify
from symdyn.precise.evaluate import certified_evaluate, evaluate, evaluate_in, exact_mpf, local_context
from symdyn.precise.gd_iterate import gd_enclosures, gd_iterates, gd_values

#: Working precisions for certified runs: margins near the fixed point can be 10^-300 and
#: below (the bounds and w_k converge together), so the cap is generous; gmpy2 makes it cheap.
START_PREC, MAX_PREC = 256, 16384


def gd_model(sigma: object, lam: object, eta: object) -> Model:
    """The L = 2 mode with these exact parameters (δ unused: runs start at an explicit w0)."""
    return Model(depth=2, sigma=sigma, lam=lam, eta=eta, delta=0)


def params(sigma: object, lam: object, eta: object, w0: object) -> dict[str, str]:
    """JSON-able exact parameters."""
    m = gd_model(sigma, lam, eta)
    return {"sigma": str(m.sigma), "lambda": str(m.lam), "eta": str(m.eta), "w0": str(sp.Rational(w0))}


def _bound_at(form: sp.Expr, model: Model, w0: object) -> sp.Expr:
    return model.subs(form).subs(S.w0, sp.Rational(w0))


def margins(model: Model, w0: object, form: sp.Expr, side: int, ks: Sequence[int], prec: int) -> list:
    """side · (bound_k − w_k) at each k, at ``prec`` bits (uncertified mpf values)."""
    ctx = local_context(prec)
    bound = _bound_at(form, model, w0)
    ws = gd_iterates(model, list(ks), prec, w0=w0)
    return [side * (exact_mpf(ctx, evaluate(bound, prec, {S.k: k})) - exact_mpf(ctx, w))
            for k, w in zip(ks, ws, strict=True)]


def margin_balls(model: Model, w0: object, form: sp.Expr, side: int, ks: Sequence[int], prec: int) -> list:
    """side · (bound_k − w_k) at each k as balls proven to contain the exact margins."""
    bound = _bound_at(form, model, w0)
    ws = gd_enclosures(model, list(ks), prec, w0=w0)
    with ball_context(prec) as ctx:
        return [side * (evaluate_in(ctx, bound, {S.k: k}) - w) for k, w in zip(ks, ws, strict=True)]


def certified_margins(model: Model, w0: object, form: sp.Expr, side: int, ks: Sequence[int],
                      digits: int = 3) -> list[Certified]:
    """The margins with ``digits`` proven digits each (:func:`margin_balls`; the sign is proven)."""
    return certify(lambda prec: margin_balls(model, w0, form, side, ks, prec), digits,
                   guard_bits=max(ks).bit_length(), start_prec=START_PREC, max_prec=MAX_PREC)


def proof_label(values: Sequence[Certified]) -> str:
    """``"proven"`` when every value is an enclosure's, else ``"agreed"``."""
    return PROVEN if all(v.proven for v in values) else AGREED


def holds_on_run(model: Model, w0: object, form: sp.Expr, side: int, ks: Sequence[int]) -> dict:
    """Evidence that the bound holds at every k in ``ks`` (proven margins >= 0)."""
    ms = certified_margins(model, w0, form, side, ks, 2)
    worst = min(range(len(ks)), key=lambda i: ms[i].fraction)
    return {"steps checked": f"{ks[0]}..{ks[-1]} ({len(ks)} steps)",
            "holds": all(m.fraction >= 0 for m in ms),
            "smallest margin": {"k": ks[worst], "margin": ms[worst].text},
            "precision bits": ms[0].prec, "proof": proof_label(ms)}


def first_violation(model: Model, w0: object, form: sp.Expr, side: int, kmax: int,
                    digits: int = 3) -> dict | None:
    """The first k in 1..kmax with a negative margin, certified with all margins before it.

    ``None`` when no k <= kmax violates the bound (margins scanned at a high working
    precision; the scan is not itself a certificate of holding: see :func:`holds_on_run`).
    """
    scan = margins(model, w0, form, side, range(1, kmax + 1), START_PREC)
    first = next((k for k, m in zip(range(1, kmax + 1), scan, strict=True) if m < 0), None)
    if first is None:
        return None
    ks = list(range(1, first + 1))
    ms = certified_margins(model, w0, form, side, ks, digits)
    before_ok = all(m.fraction > 0 for m in ms[:-1])
    if not (ms[-1].fraction < 0 and before_ok):
        raise RuntimeError("the scan and the certified rerun disagree on the first violation")
    [w_k] = gd_values(model, [first], 12, w0=w0, start_prec=START_PREC, max_prec=MAX_PREC)
    return {"first violating k": first, "w_k": w_k.text,
            "excess w_k - bound" if side > 0 else "shortfall bound - w_k": ms[-1].text.lstrip("-"),
            "margin enclosure": list(ms[-1].enclosure),
            "margin digits certified": ms[-1].digits, "precision bits": ms[-1].prec,
            f"all k < {first} within the bound (certified)": before_ok, "proof": proof_label([*ms, w_k])}


def certified_values(exprs: Sequence[sp.Expr], env: dict, digits: int) -> list[Certified]:
    """Each sympy form certified at ``env`` (exact numbers)."""
    return [certified_evaluate(e, digits, env, max_prec=MAX_PREC) for e in exprs]


def within(c: Certified, target: Fraction, tol: Fraction) -> bool:
    """|c − target| <= tol + one ulp of c (the certified resolution); for a proven value, for every
    point of its enclosure."""
    if c.proven and c.enclosure is not None:
        lo, hi = c.bounds()
        return max(abs(lo - target), abs(hi - target)) <= tol + c.ulp()
    return abs(c.fraction - target) <= tol + c.ulp()
