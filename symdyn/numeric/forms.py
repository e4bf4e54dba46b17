"""Ready-made vectorised evaluators of symdyn's closed forms (docs/conventions.md), via :func:`to_numpy`.

* :func:`flow_numpy` — the flow w(t) at every depth from the init convention's w0
  ("layer": e^{−Lδ}, "product": e^{−δ}; docs/conventions.md), as ``f(t, sigma, lam, delta)``. δ is the
  input, so w0 never underflows as an argument; ``log=True`` gives ln w(t), finite where
  w(t) underflows (δ up to 1e4). For L >= 3 it inverts the implicit closed form in log space
  (:func:`symdyn.numeric.depth.depth_flow_numpy`), vectorised over t at scalar σ, λ, δ.
* :func:`gd_numpy` — the linear model's GD iterates w_k = σ/λ + (w0 − σ/λ)(1 − ηλ)^k
  (L = 1, w0 = e^{−δ}), as ``g(k, sigma, lam, eta, delta)``.

Both take the symbolic closed form from :mod:`symdyn.derive.closed_forms`, substitute w0, and
lower it with :func:`to_numpy`; the only hand-written numerics are the cancellation-free
arguments of :mod:`symdyn.numeric.accurate` (the exponents cδ − 2σt resp. −δ − λt, each
rounded once, and ln|1 − ηλ|).

Domain (``symdyn.numeric.domain``): t, k ∈ [0, 1e15], δ ∈ [0, 1e4], σ ∈ {0} ∪ [1e−8, 1e8],
λ ∈ [1e−8, 1e8], 0 < ηλ < 2 (ηλ ≤ 1 for ``log=True``). On it the evaluators raise no
floating-point exception under ``np.errstate(all="raise")``; the relative error of w is
below 1e−13 where w ≥ 1e−300 and ln w has absolute error below 1e−13·max(1, |ln w|)
(tests/test_numeric_accuracy.py). Values of w below the double range flush to 0.

>>> import numpy as np
>>> f = flow_numpy(2)
>>> f(np.array([0.0, 2.5, 1e15]), 1.0, 1.0, 2.5)   # from w0 = e^{-5}; jump at t = delta
array([0.00673795, 0.50169018, 1.        ])
>>> float(flow_numpy(2, log=True)(0.0, 1.0, 1.0, 1e4))   # ln w0 = -2 delta
-20000.0
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from symdyn.derive.closed_forms import flow_closed_form, gd_closed_form
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, check_init, init_exponent
from symdyn.numeric import domain as D
from symdyn.numeric.accurate import log_abs_one_minus_product, minus_product
from symdyn.numeric.lower import NumpyFunction, to_numpy

#: The accurate exponent of the flow: cδ − 2σt for L = 2 (c = 2 "layer", 1 "product"),
#: −cδ − λt for L = 1 (c = 1).
X = sp.Symbol("x", real=True)
#: ln|1 − ηλ| (≤ 0 on the stable range) and the sign of (1 − ηλ)^k for the GD closed form.
RATE = sp.Symbol("ell", nonpositive=True)
SIGN = sp.Symbol("s", real=True)


def flow_expr(depth: int, init: str = "layer") -> sp.Expr:
    """The closed form w(t) with w0 = e^{−cδ} substituted (exact, symbolic)."""
    return flow_closed_form(depth).expr.subs(S.w0, sp.exp(-init_exponent(depth, init) * S.delta))


def _exponent(depth: int, c: int) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(c0, a, b) with the flow's exponent x = c0 − a·t: cδ − 2σt (L = 2), −cδ − λt (L = 1)."""
    return (c * S.delta, 2 * S.sigma, S.t) if depth == 2 else (-c * S.delta, S.lam, S.t)


@cache
def _flow_lowered(depth: int, init: str, log: bool) -> NumpyFunction:
    c0, a, b = _exponent(depth, init_exponent(depth, init))
    return to_numpy(flow_expr(depth, init), (S.t, S.sigma, S.lam, S.delta, X), log=log,
                    replace={c0 - a * b: X})


def flow_numpy(depth: int, init: str = "layer", *, log: bool = False) -> Callable[..., np.ndarray]:
    """Vectorised w(t) (or ln w(t)) of the depth-L flow: ``f(t, sigma, lam, delta)``.

    Arguments broadcast together and must lie in the documented domain (module doc);
    a one-line ``ValueError`` says which one does not. Depth L >= 3: σ, λ > 0 and δ are scalars
    (the implicit closed form t = G(w) − G(w0), inverted in log space), t an array.

    >>> round(float(flow_numpy(3)(1e6, 1.0, 1.0, 5.0)), 6)   # long after the escape: σ/λ
    1.0
    """
    check_depth(depth)
    if depth >= 3:
        return _deep_flow(depth, init, log)
    c = init_exponent(depth, init)
    lowered = _flow_lowered(depth, init, log)

    def flow(t: object, sigma: object, lam: object, delta: object) -> np.ndarray:
        (t, sigma, lam, delta), shape = D.flatten(
            t=D.TIME.check("t", t), sigma=D.SIGMA.check("sigma", sigma),
            lam=D.LAMBDA.check("lambda", lam), delta=D.DELTA.check("delta", delta))
        return lowered._call_validated((t, sigma, lam, delta), shape, prepare=with_exponent)

    def with_exponent(t: np.ndarray, sigma: np.ndarray, lam: np.ndarray, delta: np.ndarray) -> tuple:
        """The lowered form's arguments: the inputs and the accurate exponent x (one rounding)."""
        x = (minus_product(c * delta, 2.0 * sigma, t) if depth == 2
             else minus_product(-c * delta, lam, t))
        return t, sigma, lam, delta, x

    flow.__doc__ = f"w(t) for L = {depth}, init {init!r}{' (natural log)' if log else ''}."
    flow.lowered = lowered  # the printed stable sympy form, for inspection
    return flow


def _deep_flow(depth: int, init: str, log: bool) -> Callable[..., np.ndarray]:
    from symdyn.numeric.depth import depth_flow_numpy, log_w0_of  # scipy, loaded only for L >= 3

    check_init(init)

    def flow(t: object, sigma: object, lam: object, delta: object) -> np.ndarray:
        if any(np.ndim(v) for v in (sigma, lam, delta)):
            raise ValueError(f"flow_numpy({depth}) takes scalar sigma, lam and delta (t may be an array)")
        D.DELTA.check("delta", delta)
        return depth_flow_numpy(depth, float(sigma), float(lam), D.TIME.check("t", t),
                                log_w0=log_w0_of(depth, float(delta), init), log=log)

    flow.__doc__ = f"w(t) for L = {depth}, init {init!r}{' (natural log)' if log else ''}."
    return flow


def gd_expr(sign: int) -> sp.Expr:
    """The L = 1 GD closed form with w0 = e^{−δ} and (1 − ηλ)^k = s·e^{kℓ}, s = ``sign``."""
    main = gd_closed_form(1).expr.args[0][0].subs(S.w0, sp.exp(-S.delta))
    return main.subs((1 - S.eta * S.lam) ** S.k, sign * sp.exp(S.k * RATE))


@cache
def _gd_lowered(log: bool) -> NumpyFunction:
    args = (S.k, S.sigma, S.lam, S.delta, RATE, SIGN)
    if log:  # the log form needs w > 0: the monotone regime s = +1 (eta*lambda <= 1)
        return to_numpy(gd_expr(1), args, log=True, time=S.k)
    return to_numpy(sp.Piecewise((gd_expr(1), SIGN > 0), (gd_expr(-1), True)), args, time=S.k)


def gd_numpy(*, log: bool = False) -> Callable[..., np.ndarray]:
    """Vectorised iterates w_k (or ln w_k) of GD on the linear model (L = 1, w0 = e^{−δ}).

    ``g(k, sigma, lam, eta, delta)``; the λ = 0 branch of the closed form is outside the
    domain. ``log=True`` requires ηλ ≤ 1 (for ηλ > 1 the iterates oscillate and can be
    negative).
    """
    lowered = _gd_lowered(log)

    def gd(k: object, sigma: object, lam: object, eta: object, delta: object) -> np.ndarray:
        (k, sigma, lam, eta, delta), shape = D.flatten(
            k=D.STEP.check("k", k), sigma=D.SIGMA.check("sigma", sigma),
            lam=D.LAMBDA.check("lambda", lam), eta=D.ETA.check("eta", eta),
            delta=D.DELTA.check("delta", delta))
        with np.errstate(under="ignore", over="ignore"):
            prod = np.asarray(eta * lam)
        limit = 1.0 if log else 2.0
        fast_ok = eta.min() > 0 and (prod.max() <= limit if log else prod.max() < limit)
        bad = False if fast_ok else ~(
            (eta > 0) & (prod < limit) if not log else (eta > 0) & (prod <= limit))
        if np.any(bad):
            need = "eta*lambda <= 1 for log=True" if log else "0 < eta*lambda < 2"
            raise ValueError(f"step size outside the stable range: need {need} "
                             f"(got eta*lambda={prod[bad].flat[0]:g})")
        return lowered._call_validated((k, sigma, lam, delta, eta), shape, prepare=with_rate)

    def with_rate(k: np.ndarray, sigma: np.ndarray, lam: np.ndarray, delta: np.ndarray,
                  eta: np.ndarray) -> tuple:
        """The lowered form's arguments: ℓ = ln|1 − ηλ| and the sign of (1 − ηλ)^k for η."""
        rate, sign = log_abs_one_minus_product(eta, lam)
        negative = sign < 0
        # (1 − ηλ)^k < 0 needs ηλ > 1 and k odd; the common case skips the costly k % 2
        sign = np.where(negative & (k % 2 == 1), -1.0, 1.0) if negative.any() else np.ones(())
        return k, sigma, lam, delta, rate, sign

    gd.__doc__ = f"GD iterates w_k for L = 1{' (natural log)' if log else ''}."
    gd.lowered = lowered
    return gd
