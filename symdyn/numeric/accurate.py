"""Cancellation-free arguments in float64: error-free products (Dekker 1971).

Near the flow's transition t ≈ cδ/(2σ) the exponent x = cδ − 2σt cancels: computed
naively its absolute error is ~ε·cδ (up to 2e−12 for δ = 1e4), which becomes the relative
error of w. With the exact product 2σt = p + e (TwoProduct by Veltkamp splitting) the
difference cδ − p is exact by Sterbenz's lemma where it cancels, so x is accurate to about
one ulp of x itself. The same trick gives ln|1 − ηλ| for the GD rate.

Reference: T. J. Dekker, "A floating-point technique for extending the available
precision", Numer. Math. 18 (1971); Ogita, Rump & Oishi, SIAM J. Sci. Comput. 26 (2005).

>>> from fractions import Fraction
>>> p, e = two_product(np.array(0.1), np.array(0.3))
>>> Fraction(0.1) * Fraction(0.3) == Fraction(float(p)) + Fraction(float(e)), float(e) != 0
(True, True)
"""

from __future__ import annotations

import numpy as np

_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp splitting of a 53-bit significand

#: ln|q| is clamped here: every nonzero double has ln|q| > -745, so only q = 0 is affected,
#: and q**k = exp(k * LOG_ZERO) is then 0 for k >= 1 and 1 for k = 0 (no 0 * inf).
LOG_ZERO = -800.0


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp: a = hi + lo exactly, hi with 26 significant bits (in place, 4 passes)."""
    c = np.multiply(a, _SPLITTER)
    hi = np.subtract(c, a)
    np.subtract(c, hi, out=hi)  # hi = c − (c − a)
    return hi, np.subtract(a, hi, out=c)


def two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p = fl(ab) and the exact error e = ab − p (|a|, |b| < 1e290 to avoid overflow)."""
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    p, e = _two_product_flat(a, b)
    return p.reshape(shape), e.reshape(shape)


def _two_product_flat(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`two_product` as arrays of at least one dimension (in-place passes need them)."""
    a, b = np.broadcast_arrays(np.atleast_1d(a), np.atleast_1d(b))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    # e = ((ah*bh − p) + ah*bl + al*bh) + al*bl, evaluated left to right in place
    e = np.multiply(ah, bh)
    e -= p
    term = np.multiply(ah, bl)
    e += term
    e += np.multiply(al, bh, out=term)
    e += np.multiply(al, bl, out=term)
    return p, e


def minus_product(c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """c − ab with absolute error ≤ ulp(x)/2 + 2^−47 where x = c − ab matters (|x| < 1024).

    This is an exponent (the flow's x = cδ − 2σt, or −δ − λt), so its *absolute* error is
    the relative error of e^x. fl(c − fl(ab)) errs by up to ulp(ab)/2 + ulp(x)/2; the
    first term is removed with the exact error e of ab (TwoProduct) and TwoSum (Knuth)
    of c − fl(ab), at the points where it is not already negligible:

    * |x| < |ab|/4 (cancellation; c − fl(ab) is then exact by Sterbenz and TwoSum's
      remainder is 0, so this is (c − p) − e), and
    * |ab| > 64 with |x| < 1024: ulp(ab)/2 could exceed 2^−47 ≈ 7e−15 while e^x is in or
      near the float64 range (an ulp of ab ≈ 2000 is 4.5e−13 of relative error in w).

    Elsewhere the error is ≤ ulp(x)/2 + 2^−47, or (|x| ≥ 1024) below 3ε relative to x. The
    careful points are found with cheap masks and the TwoProduct runs on those indices only
    (for the flow: t near or beyond the transition cδ/(2σ) with |x| < 1024).
    """
    p = np.multiply(a, b)
    scale = np.abs(p)
    x = np.subtract(c, p, out=p) if p.ndim else np.subtract(c, p)
    scale *= 0.25
    ax = np.abs(x)
    near = ax < scale
    big = scale > 16.0  # |ab| > 64: rare in the benchmarks' easy regions, so test it first
    if big.any():
        near |= big & (ax < 1024.0)
    if x.ndim == 0:
        if near:
            x = _minus_exact(c, *two_product(a, b))
        return np.asarray(x, dtype=np.float64)
    idx = np.nonzero(near)
    if idx[0].size:
        def pick(v: np.ndarray) -> np.ndarray:
            return (v if np.shape(v) == x.shape else np.broadcast_to(v, x.shape))[idx]
        x[idx] = _minus_exact(pick(c), *two_product(pick(a), pick(b)))
    return x


def _minus_exact(c: np.ndarray, p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """c − (p + e) with one final rounding (up to ε·|e|): TwoSum s + r = c − p exactly."""
    s = c - p
    z = s - c
    r = (c - (s - z)) - (p + z)
    return s + (r - e)


def log_abs_one_minus_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ln|1 − ab|, sign(1 − ab)) accurate relative to ln|1 − ab|, for 0 ≤ ab < 2.

    ab < 1/2: log1p(−p) − e/(1 − p) (first-order correction for the exact error e);
    1/2 ≤ ab ≤ 3/2: ln|(1 − p) − e| (1 − p exact by Sterbenz);
    ab > 3/2: log1p((p − 2) + e) (p − 2 exact by Sterbenz), with sign −1.
    The common case (every ab < 1/2, sign +1) runs on whole arrays; a mixed input is
    split into index sets, one per formula.
    """
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    p, e = _two_product_flat(a, b)
    low = p < 0.5
    if low.all():
        return _log_one_minus(p, e).reshape(shape), np.ones(shape)
    out = np.empty_like(p)
    high = p > 1.5
    for where, formula in ((low, _log_one_minus), (~(low | high), _log_near_one),
                           (high, _log_minus_one)):
        idx = np.nonzero(where)
        if idx[0].size:
            out[idx] = formula(p[idx], e[idx])
    sign = np.where((1.0 - p) - e < 0, -1.0, 1.0)
    return out.reshape(shape), sign.reshape(shape)


def _log_one_minus(p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ln(1 − p − e) for p < 1/2."""
    out = np.log1p(-p)
    return np.subtract(out, e / (1.0 - p), out=out)


def _log_near_one(p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ln|1 − p − e| for 1/2 ≤ p ≤ 3/2."""
    return _log_clamped(np.abs((1.0 - p) - e))


def _log_minus_one(p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """ln(p + e − 1) for p > 3/2."""
    return np.log1p((p - 2.0) + e)


def _log_clamped(r: np.ndarray) -> np.ndarray:
    out = np.full(r.shape, LOG_ZERO)
    np.log(r, out=out, where=r > 0)
    return np.maximum(out, LOG_ZERO)
