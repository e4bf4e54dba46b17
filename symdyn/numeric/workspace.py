"""Scratch buffers of one evaluation worker: the temporaries of a block, allocated once per call.

Why: a block of 2^15 doubles is 256 kB, above glibc's mmap threshold (128 kB), so every
numpy temporary of that size is a fresh ``mmap`` whose pages fault in on first touch, and
freeing several of them trims the heap again. On the 2-core VM of ``benchmarks/`` five live
256 kB temporaries cost ~13 ms per 10^6 points against ~1.2 ms for the same passes into
reused buffers. A :class:`Workspace` hands out views of a few large arrays instead (one
allocation of >= 4 MB, which numpy backs with transparent huge pages), reused by every block
the worker evaluates. It belongs to one worker of one call: no sharing, no global state.
"""

from __future__ import annotations

import numpy as np

#: Doubles per backing array: 4 MB, numpy's threshold for huge-page backed allocations.
_CHUNK = 1 << 19


class Workspace:
    """Named scratch buffers of ``size`` doubles (or booleans), allocated on first use.

    ``buffer(key, m)`` is a float64 view of length m <= size, the same memory every time the
    same key is asked for; ``mask(key, m)`` the same for booleans. Keys are any hashable.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._free: list[np.ndarray] = []
        self._slots: dict[object, np.ndarray] = {}

    def buffer(self, key: object, m: int) -> np.ndarray:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = self._new()
        return slot[:m]

    def mask(self, key: object, m: int) -> np.ndarray:
        return self.buffer(key, m).view(np.bool_)[:m]

    def _new(self) -> np.ndarray:
        if self.size < 8192:  # up to 64 kB: plain heap arrays are cheap
            return np.empty(self.size)
        if not self._free:
            per = max(1, _CHUNK // self.size)
            if per == 1:
                return np.empty(self.size)
            self._free = list(np.empty(per * self.size).reshape(per, self.size))
        return self._free.pop()
