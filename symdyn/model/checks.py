"""Every parameter check, every size limit and the init rule, written once; the rest of symdyn calls these.

The init rule (see ``docs/conventions.md``): under ``"layer"`` init every one of the L factors
starts at e^{−δ}, so the product starts at w0 = e^{−Lδ}; under ``"product"`` init the product
itself starts at e^{−δ}. :func:`init_exponent` is the m in w0 = e^{−mδ}.

>>> init_exponent(3, "layer"), init_exponent(3, "product")
(3, 1)
>>> check_depth(2)
2
>>> check_depth(0)
Traceback (most recent call last):
...
ValueError: depth must be an integer >= 1, got 0

**Limits.** Short input must not ask for unbounded time or memory (depth 1000, a path thinned to
10^11 points, the number ``1e99999999``). Each such size has a limit in :class:`Limits`, checked
before any work starts by :func:`check_limit`, with a one-line :class:`LimitError` that names the
limit. A limit is raised on purpose for a block of code with :func:`raised_limits` (the CLI has one
flag for it); it is a context variable, so it applies to the calling thread or task only and ends
with the block.

>>> check_limit("cases", 50, "random cases per claim")
50
>>> with raised_limits(cases=10**6):
...     check_limit("cases", 10**5, "random cases per claim")
100000
>>> check_limit("cases", 10**5, "random cases per claim")
Traceback (most recent call last):
...
symdyn.model.checks.LimitError: random cases per claim: 100000 is above the limit cases = 10000
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

#: The two start conventions.
INITS = ("layer", "product")


@dataclass(frozen=True)
class Limits:
    """The size limits, each with the reason for its default (see :data:`LIMIT_HELP`)."""

    depth: int = 12
    digits: int = 2000
    bits: int = 1 << 16
    exponent: int = 1000
    steps: int = 10**6
    points: int = 10**5
    cases: int = 10**4
    memory_mb: int = 1024
    dimension: int = 4096


#: What each limit bounds and why its default is that size (the CLI prints these in --help).
LIMIT_HELP: dict[str, str] = {
    "depth": "network depth L (the engine derives L <= 12 in seconds; the implicit relation grows with L)",
    "digits": "certified significant digits (certification reruns at up to 8x the precision)",
    "bits": "working precision in bits (a precision cap)",
    "exponent": "|exponent| of a number such as 1e-8 (1e99999999 would be a number with 10^8 digits)",
    "steps": "GD steps iterated one by one (scalar GD at 30 digits: ~4 s at 10^6; matrix GD: ~50 s)",
    "points": "points computed and printed at once (values asked for, a thinned path, recorded iterates)",
    "cases": "random cases per claim (each case is a check; full mode draws 50)",
    "memory_mb": "MB of arrays held at once: a data file uncompressed (read from the zip headers before "
                 "loading), the iterates simulate records",
    "dimension": "columns of X and of Y (the moments are dimension x dimension matrices)",
}

_LIMITS: contextvars.ContextVar[Limits] = contextvars.ContextVar("symdyn_limits", default=Limits())  # noqa: B039 (frozen)

#: Depths the engine handles in seconds (the implicit relation and its series grow with L): the default limit.
MAX_DEPTH = Limits.depth


class LimitError(ValueError):
    """A size above its limit; ``name`` is the limit (raise it with :func:`raised_limits`)."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


def limits() -> Limits:
    """The limits in force (the defaults, or those of the innermost :func:`raised_limits`)."""
    return _LIMITS.get()


@contextmanager
def raised_limits(**values: int) -> Iterator[Limits]:
    """Within the block, the named limits are ``values`` (integers >= 1; e.g. ``depth=20``)."""
    known = {f.name for f in fields(Limits)}
    for name, v in values.items():
        if name not in known:
            raise ValueError(f"unknown limit {name!r}; the limits are {', '.join(sorted(known))}")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"limit {name} must be an integer >= 1, got {v!r}")
    token = _LIMITS.set(replace(_LIMITS.get(), **values))
    try:
        yield _LIMITS.get()
    finally:
        _LIMITS.reset(token)


def check_limit(name: str, value: int, what: str, hint: str = "") -> int:
    """``value`` if it is within the limit ``name``, else a :class:`LimitError` saying what is bounded."""
    bound = getattr(limits(), name)
    if value > bound:
        raise LimitError(f"{what}: {value} is above the limit {name} = {bound}{'; ' + hint if hint else ''}", name)
    return value

#: Cells a parameter grid may have before the caller must confirm it (a sweep's size limit).
MAX_CELLS = 10**7

#: The names the library uses in messages for each parameter (API terms, not CLI flags).
PARAMETER_NAMES = {"sigma": "sigma", "lam": "lam", "eta": "eta", "delta": "delta"}


def check_depth(depth: object, minimum: int = 1, maximum: int | None = None) -> int:
    """``depth`` as an int in [minimum, maximum] (default: the limit ``depth``), else a ``ValueError``."""
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < minimum:
        raise ValueError(f"depth must be an integer >= {minimum}, got {depth!r}")
    maximum = limits().depth if maximum is None else maximum
    if depth > maximum:
        raise LimitError(f"depth {depth} is above the supported maximum {maximum} "
                         f"(the implicit relation grows with L); use depth <= {maximum}", "depth")
    return depth


def check_init(init: object) -> str:
    """``init`` if it is one of :data:`INITS`, else a ``ValueError``."""
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    return init  # type: ignore[return-value]


def init_exponent(depth: int, init: str = "layer") -> int:
    """m with w0 = e^{−mδ}: L under ``"layer"`` init, 1 under ``"product"``."""
    return depth if check_init(init) == "layer" else 1


def check_cells(n: object, limit: int = MAX_CELLS) -> int:
    """``n`` (the cells of a grid) as an int in [1, limit], or a ``ValueError`` that says why.

    >>> check_cells(400)
    400
    >>> check_cells(10**8)
    Traceback (most recent call last):
    ...
    ValueError: the grid has 100000000 cells, more than the limit of 10000000
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the grid must have at least one cell, got {n!r}")
    if n > limit:
        raise ValueError(f"the grid has {n} cells, more than the limit of {limit}")
    return n


#: |ln w0| beyond which the start e^{ln w0} leaves the exponent range of the high-precision arithmetic
#: (gmpy2/MPFR: binary exponents within ±2^30, so |ln w0| < 2^30 ln 2; kept a factor 2 inside).
MAX_LN_START = 2**29 * 0.6931471805599453


def check_trajectory_size(dynamics: str, method: str, at: list, *, thin: int | None = None,
                          digits: int | None = None, max_prec: int | None = None,
                          ln_w0: object = None) -> None:
    """The size limits of a trajectory request, checked before any work: points, digits, precision cap,
    for GD by iteration the last step (``method`` "jump" evaluates L = 2 GD in time independent of k),
    and the start e^{ln w0} within the exponent range of the arithmetic (a hard bound, not a limit)."""
    if ln_w0 is not None and getattr(ln_w0, "is_Number", False) and abs(ln_w0) > MAX_LN_START:
        raise ValueError(f"the start w0 = e^({ln_w0.evalf(3)}) is outside the exponent range of the "
                         f"arbitrary-precision arithmetic (|ln w0| <= {MAX_LN_START:.3g}); take a smaller delta")
    check_limit("points", len(at) + (thin if isinstance(thin, int) and not isinstance(thin, bool) else 0),
                "points asked for (values plus the thinned path)")
    if digits is not None and isinstance(digits, int):
        check_limit("digits", digits, "certified digits")
    if max_prec is not None and isinstance(max_prec, int):
        check_limit("bits", max_prec, "the precision cap in bits")
    if dynamics == "gd" and method != "jump":
        last = max((k for k in at if isinstance(k, int) and not isinstance(k, bool)), default=0)
        check_limit("steps", last, "the last GD step, iterated one by one",
                    "method jump evaluates L = 2 GD at any step in time independent of k")


def check_type(value: object, types: type | tuple[type, ...], what: str) -> object:
    """``value`` if it is an instance of ``types``, else a ``TypeError`` that names what was expected."""
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in (types if isinstance(types, tuple)
                                                                                 else (types,))):
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        raise TypeError(f"{what} must be a {names}, got {type(value).__name__}")
    return value


def check_sequence(values: object, what: str) -> list:
    """``values`` as a list if it is a list, tuple or other sized iterable (not a string or a number)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") or not hasattr(values, "__len__"):
        raise TypeError(f"{what} must be a list, got {type(values).__name__}")
    return list(values)
