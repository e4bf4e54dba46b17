"""Ready-made vectorised evaluators of symdyn's closed forms (symdyn.derive.closed_forms), via :func:`to_numpy`.

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
from symdyn.numeric.lower import NumpyFunction, check_workers, to_numpy
from symdyn.numeric.workspace import Workspace

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
    """Vectorised w(t) (or ln w(t)) of the depth-L flow: ``f(t, sigma, lam, delta, *, workers=None)``.

    Arguments broadcast together and must lie in the documented domain (module doc);
    a one-line ``ValueError`` says which one does not. ``workers`` threads evaluate large
    arrays (default: every available core; the result does not depend on it). Depth L >= 3: σ, λ > 0 and δ
    are scalars (the implicit closed form t = G(w) − G(w0), inverted in log space), t an array.

    >>> round(float(flow_numpy(3)(1e6, 1.0, 1.0, 5.0)), 6)   # long after the escape: σ/λ
    1.0
    """
    check_depth(depth)
    if depth >= 3:
        return _deep_flow(depth, init, log)
    c = init_exponent(depth, init)
    lowered = _flow_lowered(depth, init, log)

    def flow(t: object, sigma: object, lam: object, delta: object, *, workers: int | None = None) -> np.ndarray:
        workers = check_workers(workers)
        flat, shape = _operands(FLOW_RANGES, (t, sigma, lam, delta))
        return lowered._call_validated(flat, shape, prepare=with_exponent, workers=workers)

    def with_exponent(ops: tuple[np.ndarray, ...], work: Workspace) -> tuple:
        """The block's arrays checked, then the lowered form's arguments: the inputs and
        the accurate exponent x (one rounding)."""
        D.check_operands(FLOW_RANGES, ops, arrays=True, work=work)
        t, sigma, lam, delta = ops
        m = max(t.size, sigma.size, lam.size, delta.size)
        x = work.buffer("x", m) if t.ndim or sigma.ndim or lam.ndim or delta.ndim else None
        if depth == 2:  # x = cδ − 2σt
            x = minus_product(delta if c == 1 else _times(c, delta, work, "c"), _times(2.0, sigma, work, "a"), t,
                              out=x, work=work)
        else:  # x = −cδ − λt
            x = minus_product(_times(-c, delta, work, "c"), lam, t, out=x, work=work)
        return t, sigma, lam, delta, x

    flow.__doc__ = f"w(t) for L = {depth}, init {init!r}{' (natural log)' if log else ''}."
    flow.lowered = lowered  # the printed stable sympy form, for inspection
    return flow


FLOW_RANGES = (("t", D.TIME), ("sigma", D.SIGMA), ("lambda", D.LAMBDA), ("delta", D.DELTA))
GD_RANGES = (("k", D.STEP), ("sigma", D.SIGMA), ("lambda", D.LAMBDA), ("delta", D.DELTA), ("eta", D.ETA))


def _operands(ranges: tuple, values: tuple) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """The values as float64 operands (0-d or 1-d, :func:`~symdyn.numeric.domain.flatten`),
    the 0-d ones checked against their ranges (the arrays are checked a block at a time)."""
    arrays = {}
    for (name, _), v in zip(ranges, values, strict=True):
        try:
            arrays[name] = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number or an array of them") from None
    flat, shape = D.flatten(**arrays)
    D.check_operands(ranges, flat, arrays=False)
    return flat, shape


def _times(c: float, v: np.ndarray, work: Workspace, key: str) -> np.ndarray:
    """c·v (exact for c = ±1, ±2), into the buffer ``key`` of ``work`` when v is an array."""
    return c * v if v.ndim == 0 else np.multiply(v, c, out=work.buffer(("times", key), v.shape[0]))


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

    ``g(k, sigma, lam, eta, delta, *, workers=None)``; the λ = 0 branch of the closed form is
    outside the domain. ``log=True`` requires ηλ ≤ 1 (for ηλ > 1 the iterates oscillate and
    can be negative). ``workers`` as for :func:`flow_numpy`.
    """
    lowered = _gd_lowered(log)
    limit = 1.0 if log else 2.0

    def gd(k: object, sigma: object, lam: object, eta: object, delta: object, *,
           workers: int | None = None) -> np.ndarray:
        workers = check_workers(workers)
        flat, shape = _operands(GD_RANGES, (k, sigma, lam, delta, eta))
        eta, lam = flat[4], flat[2]
        if eta.ndim == lam.ndim == 0:  # scalar step: checked once, here
            with np.errstate(over="ignore"):
                prod = eta * lam
            if eta <= 0 or (prod > limit if log else prod >= limit):
                _stable_range_error(prod, eta, limit, log)
        return lowered._call_validated(flat, shape, prepare=with_rate, workers=workers)

    def with_rate(ops: tuple[np.ndarray, ...], work: Workspace) -> tuple:
        """The lowered form's arguments: ℓ = ln|1 − ηλ| and the sign of (1 − ηλ)^k for η.

        The stable range 0 < ηλ < 2 (≤ 1 for ``log``) is checked here, a block at a time,
        on the same rounded product fl(ηλ) the whole-array check would form.
        """
        D.check_operands(GD_RANGES, ops, arrays=True, work=work)
        k, sigma, lam, delta, eta = ops
        with np.errstate(over="ignore"):
            prod = eta * lam if eta.ndim == lam.ndim == 0 else \
                np.multiply(eta, lam, out=work.buffer("prod", max(eta.size, lam.size)))
        if eta.min() <= 0 or (prod.max() > limit if log else prod.max() >= limit):
            _stable_range_error(prod, eta, limit, log)
        rate, sign = log_abs_one_minus_product(eta, lam, k=k, work=work, product=prod if prod.ndim else None)
        negative = sign < 0
        # (1 − ηλ)^k < 0 needs ηλ > 1 and k odd; the common case skips the costly k % 2
        sign = np.where(negative & (k % 2 == 1), -1.0, 1.0) if negative.any() else np.ones(())
        return k, sigma, lam, delta, rate, sign

    gd.__doc__ = f"GD iterates w_k for L = 1{' (natural log)' if log else ''}."
    gd.lowered = lowered
    return gd


def _stable_range_error(prod: np.ndarray, eta: np.ndarray, limit: float, log: bool) -> None:
    """The one-line error for a step size outside the stable range (the first offending point)."""
    bad = ~((eta > 0) & (prod <= limit if log else prod < limit))
    if np.any(bad):
        need = "eta*lambda <= 1 for log=True" if log else "0 < eta*lambda < 2"
        raise ValueError(f"step size outside the stable range: need {need} "
                         f"(got eta*lambda={np.broadcast_to(prod, bad.shape)[bad].flat[0]:g})")
