"""The first GD step at which the output reaches a level, with the iterates around it certified.

A transition is read off a GD run as the first step k with w_k >= h (for instance h half the
limit, Gidel et al. 2019 §4, docs/conventions.md "discrete transition"). The scan runs the same
kernels as :mod:`symdyn.precise.gd_iterate` (the paper's modes: the depth-L product or factor map)
and :mod:`symdyn.precise.factor_system` (a model's factor map), one step at a time, comparing
w_k with h at the working precision.

Certification is the rerun test of :func:`symdyn.precise.certified.certify`: the scan is repeated
at a higher precision, the step k must be the same, and w_{k−1}, w_k must agree to the requested
digits. The crossing is *decided* when the certified decimals, widened by one unit in their last
place, still lie on either side of h: w_{k−1} + ulp < h <= w_k − ulp. Otherwise the digits asked
for cannot tell the step, and a ``ValueError`` says so.

>>> from symdyn.model.core import Model
>>> c = gd_crossing(Model(depth=2, sigma=1, lam=1, eta="1/10", delta=5), "1/2", 12)
>>> c.step, str(c.before), str(c.at)
(52, '0.451068185436', '0.501948507279')
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdyn.model.core import Model
from symdyn.model.factor_model import FactorModel
from symdyn.precise.certified import CertificationError, Certified, certify, local_context
from symdyn.precise.evaluate import evaluate
from symdyn.precise.factor_system import _evaluate, _starts, polynomials, step_loop, trapped
from symdyn.precise.gd_iterate import (
    CHUNK,
    DEFAULT_ENGINE,
    EXP_LIMIT,
    Numbers,
    _check_engine,
    _start,
    gmpy2,
    kernel_for,
    numeric_model,
)

#: Steps scanned before giving up (about 5 s per run at 30 digits).
MAX_STEPS = 10**7


@dataclass(frozen=True)
class Crossing:
    """The first step ``step`` with w_k >= ``level``; ``before`` = w_{k−1} (None at k = 0), ``at`` = w_k."""

    step: int
    level: sp.Expr
    before: Certified | None
    at: Certified


def _mode_stepper(model: Model, prec: int, engine: str, map: str) -> tuple:
    """(x0, step, output, to_mpf, exponent) of the mode's kernel on the engine's numbers at ``prec`` bits."""
    numeric_model(model)
    model.check_step_size()
    kernel = kernel_for(model, map)
    nums = Numbers(engine, prec)
    c, d = (nums.exact(sp.S(v)) for v in kernel.constants(model.sigma, model.lam, model.eta))
    x0 = nums.from_mpf(evaluate(_start(model, kernel, None), prec + 32))
    power = kernel.output_power

    def output(x):
        return x if power == 1 else x**power

    return x0, (lambda x: kernel.steps(x, c, d)), output, nums.to_mpf, nums.exponent


def _factor_stepper(model: FactorModel, prec: int, engine: str, map: str) -> tuple:
    model.numeric(("eta", "delta"))
    ell = model.subs(model.loss)
    step = polynomials([a - model.eta * sp.diff(ell, a) for a in model.factors], model.factors)
    out = polynomials([model.subs(model.output)], model.factors)
    loop = step_loop(step)
    ar = Numbers(engine, prec)
    flat = [ar.exact(c) for ts in step.terms for c, _ in ts]
    co = [[ar.exact(c) for c, _ in out.terms[0]]]
    one = ar.exact(sp.S.One)
    x0 = [ar.from_mpf(v) for v in _starts(model, prec, local_context(prec))]
    return (x0, (lambda x: loop(x, 1, flat)), (lambda x: _evaluate(out, x, co, one)[0]), ar.to_mpf,
            lambda x: max(ar.exponent(v) for v in x))


def _scan(model: Model | FactorModel, level: sp.Expr, prec: int, max_steps: int, engine: str, map: str) -> tuple:
    """(k, w_{k−1} or None, w_k) at ``prec`` bits: the first k <= max_steps with w_k >= level."""
    make = _factor_stepper if isinstance(model, FactorModel) else _mode_stepper

    def run():
        x, step, output, to_mpf, exponent = make(model, prec, engine, map)
        h = _engine_number(level, prec, engine)
        prev, w = None, output(x)
        for k in range(max_steps + 1):
            if w >= h:
                return k, None if prev is None else to_mpf(prev), to_mpf(w)
            if k == max_steps:
                break
            x = step(x)
            prev, w = w, output(x)
            if not (k + 1) % CHUNK and abs(exponent(x)) > EXP_LIMIT:
                raise ValueError(f"the GD iteration diverged by step {k + 1}; the step size is too large")
        raise ValueError(f"the output stays below {level} for {max_steps} steps; raise max_steps")

    return trapped(run, prec, engine)


def _engine_number(level: sp.Expr, prec: int, engine: str):
    """``level`` rounded to ``prec`` bits in the engine's arithmetic."""
    v = evaluate(level, prec + 32)
    if engine == "gmpy2":
        sign, man, exp, _ = v._mpf_
        y = gmpy2.mul_2exp(gmpy2.mpfr(man), exp)
        return -y if sign else y
    return +local_context(prec).make_mpf(v._mpf_)


def gd_crossing(model: Model | FactorModel, level: object, digits: int, *, max_steps: int = MAX_STEPS,
                engine: str = DEFAULT_ENGINE, map: str = "product", max_prec: int | None = None) -> Crossing:
    """The first GD step k with output w_k >= ``level``, and w_{k−1}, w_k to ``digits`` certified digits.

    ``model``: one of the paper's modes (:class:`~symdyn.model.core.Model`; ``map`` "product" or
    "factor") or a model from its loss (:class:`~symdyn.model.factor_model.FactorModel`, factor
    map). ``level``: an exact number or a sympy expression free of symbols. Raises ``ValueError``
    when the output stays below the level for ``max_steps`` steps, when the run diverges, and
    :class:`~symdyn.precise.certified.CertificationError` when the step or the digits do not
    survive the rerun, or the digits cannot decide the crossing (module docstring).
    """
    level = sp.sympify(level)
    if level.free_symbols or not level.is_real:
        raise ValueError(f"level must be a real number, got {level}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 0:
        raise ValueError(f"max_steps must be an integer >= 0, got {max_steps!r}")
    if not isinstance(model, FactorModel):
        _check_engine(engine)
    engine = engine if gmpy2 is not None else "mpmath"
    steps: list[int] = []

    def compute(prec: int) -> list:
        k, before, at = _scan(model, level, prec, max_steps, engine, map)
        steps.append(k)
        return [at if before is None else before, at]

    before, at = certify(compute, digits, guard_bits=max(max_steps, 1).bit_length(), max_prec=max_prec)
    if steps[-1] != steps[-2]:
        raise CertificationError(f"the first step at or above {level} moved between precisions "
                                 f"({steps[-2]} then {steps[-1]}); ask for more digits")
    k = steps[-1]
    if k == 0:
        return Crossing(0, level, None, at)
    below = sp.Rational(before.fraction) + sp.Rational(before.ulp()) < level
    above = sp.Rational(at.fraction) - sp.Rational(at.ulp()) >= level
    if not (bool(below) and bool(above)):
        raise CertificationError(f"{digits} digits cannot decide the crossing of {level} at step {k} "
                                 f"(w = {before.text}, {at.text}); ask for more digits")
    return Crossing(k, level, before, at)
