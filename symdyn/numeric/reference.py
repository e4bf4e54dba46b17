"""High-precision reference values of a sympy expression at float64 points.

The accuracy harness compares float64 output with the *same* sympy expression (not its
stable rewrite) evaluated by symdyn's one sympy→mpmath evaluator
(:func:`symdyn.precise.evaluate.evaluate_in`): every float input enters as its exact binary
value, and the digits are certified by :func:`symdyn.precise.certified.certify` (reruns at
rising precision, in local contexts; the global ``mpmath.mp`` is never touched).

>>> import sympy as sp
>>> from symdyn.model import symbols as S
>>> import mpmath
>>> mpmath.nstr(reference(sp.exp(-S.delta) + sp.Rational(1, 3), [S.delta], [[40.0]])[0], 30)
'0.333333333333333337581687588625'
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp
from mpmath import MPContext

from symdyn.precise.certified import GUARD_BITS, bits_for_digits, certify, local_context
from symdyn.precise.evaluate import evaluate_in

#: float64 inputs are exact in this many bits.
_FLOAT_BITS = 53


def reference(expr: sp.Expr, args: Sequence[sp.Symbol], points: Sequence[Sequence[float]],
              digits: int = 30, max_prec: int = 1 << 16) -> list[mpmath.mpf]:
    """``expr`` at each point (floats in ``args`` order), to ``digits`` certified digits.

    Cancellation inside the expression raises the working precision (up to ``max_prec`` bits,
    then :class:`~symdyn.precise.certified.CertificationError`): the sampled domain's worst is
    1 − (1 − e^{−δ}) at δ = 10^4, which needs ~10^4/ln 2 ≈ 14 500 bits. A value is returned as
    an mpf of a local context at the certified digits' precision.
    """
    exact = local_context(_FLOAT_BITS)
    out_ctx = local_context(bits_for_digits(digits) + GUARD_BITS)
    contexts: dict[int, MPContext] = {}  # one local context per working precision, for all points
    expr = sp.sympify(expr, strict=True)
    out = []
    for point in points:
        env = {a: exact.mpf(float(v)) for a, v in zip(args, point, strict=True)}

        def compute(prec: int, env=env) -> list:
            if prec not in contexts:
                contexts[prec] = local_context(prec)
            return [evaluate_in(contexts[prec], expr, env)]

        [value] = certify(compute, digits, max_prec=max_prec)
        out.append(value.mpf(out_ctx))
    return out
