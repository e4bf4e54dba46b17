"""Certified evidence from GD runs and closed forms, shared by the limit and bound claims.

* :func:`margins`: side · (bound_k − w_k) along one GD run of :mod:`symdyn.gd_iterate`
  (product map, L = 2, start ``w0``), the bound a sympy form in k evaluated by
  :mod:`symdyn.mp_eval` in the same local context. ``side = +1`` for an upper bound,
  ``-1`` for a lower bound: a bound holds at k iff its margin is >= 0.
* :func:`certified_margins`: the same, certified by :func:`symdyn.certified.certify`
  (rerun at rising precision), so a sign reported here is never a rounding artefact.
* :func:`first_violation`: the first k with a negative margin, every margin up to it certified.

Exact zero margins (k = 0, where every bound equals w0) never certify: callers start at k >= 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise.certified import Certified, certify
from symdyn.precise.evaluate import certified_evaluate, evaluate, exact_mpf, local_context
from symdyn.precise.gd_iterate import gd_iterates

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


def certified_margins(model: Model, w0: object, form: sp.Expr, side: int, ks: Sequence[int],
                      digits: int = 3) -> list[Certified]:
    """:func:`margins` with ``digits`` certified digits each (sign included)."""
    return certify(lambda prec: margins(model, w0, form, side, ks, prec), digits,
                   guard_bits=max(ks).bit_length(), start_prec=START_PREC, max_prec=MAX_PREC)


def holds_on_run(model: Model, w0: object, form: sp.Expr, side: int, ks: Sequence[int]) -> dict:
    """Evidence that the bound holds at every k in ``ks`` (certified margins >= 0)."""
    ms = certified_margins(model, w0, form, side, ks, 2)
    worst = min(range(len(ks)), key=lambda i: ms[i].fraction)
    return {"steps checked": f"{ks[0]}..{ks[-1]} ({len(ks)} steps)",
            "holds": all(m.fraction >= 0 for m in ms),
            "smallest margin": {"k": ks[worst], "margin": ms[worst].text},
            "precision bits": ms[0].prec}


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
    [w_k] = certify(lambda prec: gd_iterates(model, [first], prec, w0=w0), 12, start_prec=START_PREC,
                    max_prec=MAX_PREC)
    return {"first violating k": first, "w_k": w_k.text,
            "excess w_k - bound" if side > 0 else "shortfall bound - w_k": ms[-1].text.lstrip("-"),
            "margin digits certified": ms[-1].digits, "precision bits": ms[-1].prec,
            f"all k < {first} within the bound (certified)": before_ok}


def certified_values(exprs: Sequence[sp.Expr], env: dict, digits: int) -> list[Certified]:
    """Each sympy form certified at ``env`` (exact numbers)."""
    return [certified_evaluate(e, digits, env, max_prec=MAX_PREC) for e in exprs]


def within(c: Certified, target: Fraction, tol: Fraction) -> bool:
    """|c − target| <= tol + one ulp of c (the certified resolution)."""
    return abs(c.fraction - target) <= tol + c.ulp()
