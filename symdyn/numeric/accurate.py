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

from symdyn.numeric.workspace import Workspace

_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp splitting of a 53-bit significand

#: ln|q| is clamped here: every nonzero double has ln|q| > -745, so only q = 0 is affected,
#: and q**k = exp(k * LOG_ZERO) is then 0 for k >= 1 and 1 for k = 0 (no 0 * inf).
LOG_ZERO = -800.0
#: |1 − ab| below this: ln|1 − ab| is taken from the rounded 1 − ab − e (see log_abs_one_minus).
_NEAR_ONE = 2.0**-26


def _scratch(work: Workspace | None, key: str, like: np.ndarray | tuple[int, ...]) -> np.ndarray:
    """A 1-d buffer of ``like``'s shape (an array or a shape): from ``work``, else a new array."""
    shape = like if isinstance(like, tuple) else like.shape
    return np.empty(shape) if work is None else work.buffer(("accurate", key), shape[0])


def _split(a: np.ndarray, work: Workspace | None, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp: a = hi + lo exactly, hi with 26 significant bits (in place, 4 passes)."""
    if a.ndim == 0:
        c = a * _SPLITTER
        hi = c - (c - a)
        return hi, a - hi
    c = np.multiply(a, _SPLITTER, out=_scratch(work, key + "c", a))
    hi = np.subtract(c, a, out=_scratch(work, key + "h", a))
    np.subtract(c, hi, out=hi)  # hi = c − (c − a)
    return hi, np.subtract(a, hi, out=c)


def two_product(a: np.ndarray, b: np.ndarray, *, work: Workspace | None = None) -> tuple[np.ndarray, np.ndarray]:
    """p = fl(ab) and the exact error e = ab − p (|a|, |b| < 1e290 to avoid overflow).

    Operands 0-d or 1-d (broadcast together); with ``work`` the results are buffers of it.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    shape = np.broadcast_shapes(a.shape, b.shape)
    if len(shape) > 1:
        p, e = two_product(a.ravel() if a.ndim else a, b.ravel() if b.ndim else b)
        return p.reshape(shape), e.reshape(shape)
    like = np.empty(0) if not shape else a if a.ndim else b
    ah, al = _split(a, work, "a")
    bh, bl = _split(b, work, "b")
    if not shape:
        p = a * b
        return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl
    p = np.multiply(a, b, out=_scratch(work, "p", like))
    # e = ((ah*bh − p) + ah*bl + al*bh) + al*bl, evaluated left to right in place
    e = np.multiply(ah, bh, out=_scratch(work, "e", like))
    e -= p
    term = np.multiply(ah, bl, out=_scratch(work, "term", like))
    e += term
    e += np.multiply(al, bh, out=term)
    e += np.multiply(al, bl, out=term)
    return p, e


def _product_error(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ab − p exactly for 1-d a, b of one shape and p = fl(ab): :func:`two_product`'s error,
    computed with five fresh arrays and no broadcasting (the index-set paths call it)."""
    c = np.multiply(a, _SPLITTER)
    ah = np.subtract(c, a)
    np.subtract(c, ah, out=ah)
    al = np.subtract(a, ah, out=c)
    d = np.multiply(b, _SPLITTER)
    bh = np.subtract(d, b)
    np.subtract(d, bh, out=bh)
    bl = np.subtract(b, bh, out=d)
    e = np.multiply(ah, bh)
    e -= p
    e += np.multiply(ah, bl, out=ah)
    e += np.multiply(al, bh, out=bh)
    e += np.multiply(al, bl, out=al)
    return e


def minus_product(c: np.ndarray, a: np.ndarray, b: np.ndarray, *, out: np.ndarray | None = None,
                  work: Workspace | None = None) -> np.ndarray:
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
    (for the flow: t near or beyond the transition cδ/(2σ) with |x| < 1024). Operands are
    0-d or 1-d; with ``out`` and ``work`` nothing is allocated outside the careful points.
    """
    c, a, b = (np.asarray(v, dtype=np.float64) for v in (c, a, b))
    shape = np.broadcast_shapes(c.shape, a.shape, b.shape)
    if len(shape) > 1:
        return minus_product(*(v.ravel() if v.ndim else v for v in np.broadcast_arrays(c, a, b))).reshape(shape)
    if not shape:
        x = c - a * b
        if abs(x) * 4.0 < abs(a * b) or (abs(a * b) > 64.0 and abs(x) < 1024.0):
            x = _minus_exact(c, *two_product(a, b))
        return np.asarray(x, dtype=np.float64)
    x = np.empty(shape) if out is None else out
    p = np.multiply(a, b, out=_scratch(work, "mp_p", x)) if a.ndim or b.ndim else a * b
    np.subtract(c, p, out=x)
    p = np.abs(p, out=p) if p.ndim else abs(p)
    ax = np.abs(x, out=_scratch(work, "mp_ax", x))
    ax *= 4.0  # 4|x| < |ab| is |x| < |ab|/4 without underflow
    near = np.less(ax, p, out=np.empty(shape, bool) if work is None else work.mask(("accurate", "near"), shape[0]))
    if np.max(p) > 64.0:  # rare in the easy regions: one reduction instead of two masks
        near |= (p > 64.0) & (ax < 4096.0)
    idx = np.flatnonzero(near)
    if idx.size:
        def pick(v: np.ndarray) -> np.ndarray:
            return v[idx] if v.ndim else v
        x[idx] = _minus_exact(pick(c), *two_product(pick(a), pick(b)))
    return x


def _minus_exact(c: np.ndarray, p: np.ndarray, e: np.ndarray) -> np.ndarray:
    """c − (p + e) with one final rounding (up to ε·|e|): TwoSum s + r = c − p exactly."""
    s = c - p
    z = s - c
    r = (c - (s - z)) - (p + z)
    return s + (r - e)


def log_abs_one_minus_product(a: np.ndarray, b: np.ndarray, *, k: np.ndarray | None = None,
                              work: Workspace | None = None,
                              product: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ln|1 − ab|, sign(1 − ab)) accurate relative to ln|1 − ab|, for 0 ≤ ab < 2.

    With ab = p + e exactly (TwoProduct) and 1 − p = s + r exactly (Fast2Sum: |1| ≥ |p| or
    the same binade), 1 − ab = s + c with c = r − e, |c| ≤ 2^−51, so

        ln|1 − ab| = ln|s| + log1p(c/s) = ln|s| + c/s − (c/s)²/2 + …

    Where |s| ≥ 2^−26 the dropped term is below 2^−51 absolute and below 2^−53 relative to
    ln|1 − ab| (|c| ≤ p where p is small, |c/s| ≤ 2^−25 elsewhere): one formula, no branch,
    on whole arrays. The rare points with |s| < 2^−26 (ab within 1.5e−8 of 1) take
    ln|s + c| directly (|ln| > 18 there, so the rounding of s + c is 2^−57 relative).
    The sign is −1 where 1 − ab < 0 (ηλ > 1; a 0-d 1 when there is none).

    ``k``, if given, is the power the rate is raised to (ℓ·k is an exponent): e/s then
    changes ℓ·k by at most k·|e|/|s| ≤ k·2^(b−53)/|s| with 2^b ≤ p < 2^(b+1) (|e| is at
    most half an ulp of p), so the TwoProduct runs only where k·2^b > 64|s|; elsewhere e is
    taken as 0 and ℓ·k errs by at most 2^−47 more — the budget of :func:`minus_product`.
    The choice is made point by point, so the bits do not depend on the block.
    ``product``: fl(ab), if the caller has formed it already (same shape).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    shape = np.broadcast_shapes(a.shape, b.shape, () if k is None else np.shape(k))
    if a.ndim == b.ndim == 0 and len(shape) == 1:  # one rate, many k: two 0-d candidates
        return _one_rate(a.reshape(1), b.reshape(1), np.asarray(k, dtype=np.float64))
    if len(shape) != 1:
        flat = [v.reshape(1) if not shape else np.ravel(np.broadcast_to(v, shape)) for v in (a, b)]
        kk = None if k is None else (np.reshape(k, 1) if not shape else np.ravel(np.broadcast_to(k, shape)))
        out, sign = log_abs_one_minus_product(*flat, k=kk)
        return out.reshape(shape), (sign if sign.ndim == 0 else sign.reshape(shape))
    like = shape
    p = np.multiply(a, b, out=_scratch(work, "lp", like)) if product is None else product
    s = np.subtract(1.0, p, out=_scratch(work, "s", like))
    z = np.subtract(s, 1.0, out=_scratch(work, "z", like))  # exact: −p − r
    z += p   # −r, exact (never −0: x + (−x) = +0)
    mag = np.abs(s, out=_scratch(work, "ell", like))
    positive = s.min() >= _NEAR_ONE  # the common case: no point near 1, none above (one reduction)
    near = np.zeros(0, np.intp) if positive or mag.min() >= _NEAR_ONE else np.flatnonzero(mag < _NEAR_ONE)
    if k is None:
        need = None  # every point
    else:
        limit = np.multiply(mag, 64.0, out=_scratch(work, "limit", like))
        kb = _binade(p, _scratch(work, "kp", like))
        kb *= k
        need = np.greater(kb, limit, out=np.empty(shape, bool) if work is None else
                          work.mask(("accurate", "need"), shape[0]))
    if need is None or np.count_nonzero(need) > shape[0] // 2:
        e = two_product(a, b, work=work)[1]
        if e.ndim == 0:  # a and b 0-d, k an array
            e = np.full(shape, e)
        if need is not None:
            np.copyto(e, 0.0, where=~need)  # z + (±0) = z: the same bits as not adding
        z += e   # −c = e − r (one rounding, ~2^−104)
    else:
        idx = np.flatnonzero(need)
        if idx.size:
            pa, pb = (v[idx] if v.ndim else np.full(idx.size, v) for v in (a, b))
            z[idx] += _product_error(pa, pb, p[idx])
    if near.size:  # 1 − ab tiny: s + c from the exact e, rounded once
        s_near = s[near]
        c_near = -(z[near] if need is None else _near_remainder(a, b, s, p, near))
    sign = np.ones(()) if positive or (s.min() > 0 and not near.size) else np.where(s < 0, -1.0, 1.0)
    if near.size:
        sign[near] = np.where(s_near + c_near < 0, -1.0, 1.0)
        mag[near] = 1.0
        s[near] = 1.0
    ell = np.log(mag, out=mag)
    ell -= np.divide(z, s, out=z)
    if near.size:
        ell[near] = _log_clamped(np.abs(s_near + c_near))
    return ell, sign


def _one_rate(a: np.ndarray, b: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rate for one (a, b) and an array of k, point by point as the array path decides it
    (e used where k·p > 64|s|), as a 0-d value where every k decides the same way."""
    exact, sign = log_abs_one_minus_product(a, b)
    skip, _ = log_abs_one_minus_product(a, b, k=np.zeros(1))
    p = a * b
    need = np.greater(k * _binade(p, np.empty(1)), np.abs(1.0 - p) * 64.0)
    if not need.any():
        return skip.reshape(()), sign.reshape(())
    if need.all():
        return exact.reshape(()), sign.reshape(())
    return np.where(need, exact, skip), sign.reshape(())


def _binade(p: np.ndarray, out: np.ndarray) -> np.ndarray:
    """2^⌊log2 p⌋ for p ≥ 0 (0 for p = 0 and subnormal p): p with its significand bits cleared."""
    np.bitwise_and(p.view(np.uint64), np.uint64(0x7FF0000000000000), out=out.view(np.uint64))
    return out


def _near_remainder(a: np.ndarray, b: np.ndarray, s: np.ndarray, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """−c = e − r at the points ``idx``, with the exact e (whatever k says)."""
    pick = [v[idx] if v.ndim else v for v in (a, b)]
    z = (s[idx] - 1.0) + p[idx]
    return z + two_product(*pick)[1]


def _log_clamped(r: np.ndarray) -> np.ndarray:
    out = np.full(r.shape, LOG_ZERO)
    np.log(r, out=out, where=r > 0)
    return np.maximum(out, LOG_ZERO)
