"""Every parameter check and the init rule, written once; the rest of symdyn calls these.

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
"""

from __future__ import annotations

#: The two start conventions.
INITS = ("layer", "product")

#: Depths the engine handles in seconds (the implicit relation and its series grow with L).
MAX_DEPTH = 12

#: Cells a parameter grid may have before the caller must confirm it (a sweep's size limit).
MAX_CELLS = 10**7

#: The names the library uses in messages for each parameter (API terms, not CLI flags).
PARAMETER_NAMES = {"sigma": "sigma", "lam": "lam", "eta": "eta", "delta": "delta"}


def check_depth(depth: object, minimum: int = 1, maximum: int = MAX_DEPTH) -> int:
    """``depth`` as an int in [minimum, maximum], or a ``ValueError`` that says what is allowed."""
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < minimum:
        raise ValueError(f"depth must be an integer >= {minimum}, got {depth!r}")
    if depth > maximum:
        raise ValueError(f"depth {depth} is above the supported maximum {maximum} "
                         f"(the implicit relation grows with L); use depth <= {maximum}")
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
