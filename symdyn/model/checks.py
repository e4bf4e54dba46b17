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
