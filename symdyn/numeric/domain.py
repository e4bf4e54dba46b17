"""The documented domain of symdyn's numpy evaluators, and its validation.

| argument | range | note |
| --- | --- | --- |
| t (flow time) | [0, 1e15] | |
| k (GD step) | integers in [0, 1e15] | |
| δ (init scale) | [0, 1e4] | w0 = e^{−Lδ} or e^{−δ} is never formed; ln w is exact there |
| σ | 0 or [1e−8, 1e8] | |
| λ | [1e−8, 1e8] | λ = 0 has no fixed point (w grows without bound for L = 2) |
| η | > 0 with ηλ < 2 | the L = 1 GD stable range |1 − ηλ| < 1; ``log=True`` needs ηλ ≤ 1 |

Outside it, every evaluator raises a one-line ``ValueError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from symdyn.numeric.workspace import Workspace


@dataclass(frozen=True)
class Range:
    """A closed interval [lo, hi], optionally with the isolated point 0 and integrality."""

    lo: float
    hi: float
    zero: bool = False
    integer: bool = False

    def describe(self) -> str:
        text = f"[{self.lo:g}, {self.hi:g}]"
        text = f"0 or {text}" if self.zero else text
        return f"integers in {text}" if self.integer else text

    def check(self, name: str, value: object, scratch: np.ndarray | None = None) -> np.ndarray:
        """``value`` as a float64 array, or a one-line ``ValueError`` if it leaves the range.

        One pass for the common case: min and max (NaN fails both comparisons, ±inf fails
        one) decide finiteness and range together; only a failing or special input (the
        isolated 0, integrality) takes the element-wise path that finds the culprit.
        ``scratch`` (same shape) receives floor(value) for the integrality test.
        """
        a = np.asarray(value, dtype=np.float64)
        if a.size and a.min() >= self.lo and np.inf > a.max() <= self.hi and (
                not self.integer or np.array_equal(a, np.floor(a, out=scratch))):
            return a
        return self._check_each(name, a)

    def _check_each(self, name: str, a: np.ndarray) -> np.ndarray:
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite (domain {self.describe()}); got NaN or inf")
        ok = (a >= self.lo) & (a <= self.hi)
        if self.zero:
            ok |= a == 0
        if self.integer:
            ok &= a == np.floor(a)
        if not np.all(ok):
            bad = a[~ok].flat[0] if a.ndim else a
            raise ValueError(f"{name}={bad:g} is outside the documented domain {self.describe()}")
        return a


TIME = Range(0.0, 1e15)
STEP = Range(0.0, 1e15, integer=True)
DELTA = Range(0.0, 1e4)
SIGMA = Range(1e-8, 1e8, zero=True)
LAMBDA = Range(1e-8, 1e8)
ETA = Range(0.0, np.inf)  # eta > 0 and eta*lambda < 2 are checked by the GD evaluator


def check_operands(ranges: Sequence[tuple[str, Range]], operands: Sequence[np.ndarray], *,
                   arrays: bool, work: Workspace | None = None) -> None:
    """Check the 0-d operands (``arrays=False``) or the 1-d ones (``arrays=True``) against
    their ranges, in order; a one-line ``ValueError`` names the first that fails.

    The evaluators check 0-d operands once, before evaluating, and the arrays a block at a
    time, where the block is in cache (the message is the one :meth:`Range.check` gives
    for the first failing block).
    """
    for (name, r), a in zip(ranges, operands, strict=True):
        if (a.ndim != 0) == arrays:
            scratch = work.buffer(("floor", name), a.shape[0]) if r.integer and arrays and work else None
            r.check(name, a, scratch)


def broadcast_shape(**arrays: np.ndarray) -> tuple[int, ...]:
    """The broadcast shape of named arrays, or a one-line ``ValueError`` listing their shapes."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"argument shapes do not broadcast together: {shapes}") from None


def flatten(**arrays: np.ndarray) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """The arrays as evaluation operands, and their broadcast shape.

    An operand is either 0-d (a size-1 argument: kept as a scalar, never copied to the
    full size) or 1-d of the broadcast size (a view when the argument is already a
    contiguous float64 array of that shape, else one copy). One-line ``ValueError`` if
    the shapes do not broadcast.
    """
    shape = broadcast_shape(**arrays)
    flat = [a.reshape(()) if a.size == 1 else np.ravel(np.broadcast_to(a, shape))
            for a in arrays.values()]
    return flat, shape
