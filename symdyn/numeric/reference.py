"""High-precision reference values of a sympy expression, in a private mpmath context.

The accuracy harness compares float64 output with the *same* sympy expression (not its
stable rewrite) evaluated here: every float input is converted exactly (an mpf holds a
double exactly), the expression is evaluated at ``dps`` digits and again at ``dps + 20``;
where they disagree beyond ``dps − 20`` digits the precision is doubled until they agree
(the certified-digits pattern of python-flint's ``good()``). Precision lives in a local
``mpmath.MPContext``; the global ``mpmath.mp`` is never touched.

>>> import sympy as sp
>>> from symdyn.model import symbols as S
>>> import mpmath
>>> mpmath.nstr(reference(sp.exp(-S.delta) + sp.Rational(1, 3), [S.delta], [[40.0]])[0], 40)
'0.3333333333333333375816875886249223286626'
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp


def _lambdify(expr: sp.Expr, args: Sequence[sp.Symbol], ctx: mpmath.MPContext):
    # The generated code calls bare names (mpf, exp, log, ...): bind each to the local
    # context's method, so that every operation runs at the context's precision.
    names = {n: getattr(ctx, n) for n in dir(ctx) if not n.startswith("_")}
    return sp.lambdify(args, expr, modules=[names, "mpmath"])


def reference(expr: sp.Expr, args: Sequence[sp.Symbol], points: Sequence[Sequence[float]],
              dps: int = 50, max_dps: int = 2000) -> list[mpmath.mpf]:
    """``expr`` at each point (floats in ``args`` order), with ``dps − 20`` settled digits.

    Starts at ``dps`` digits; where the value at p and p + 20 digits differ by more than
    10^{20−dps} relative (cancellation inside the expression), p is doubled, up to
    ``max_dps`` (then ``ValueError``). A 0 is not trusted (total cancellation gives 0 at
    every low precision): it is recomputed up to ``max_dps`` and returned only if it stays 0.
    """
    contexts: dict[int, tuple[mpmath.MPContext, object]] = {}

    def at(p: int, point: Sequence[float]) -> mpmath.mpf:
        if p not in contexts:
            ctx = mpmath.MPContext()
            ctx.dps = p
            contexts[p] = (ctx, _lambdify(expr, args, ctx))
        ctx, f = contexts[p]
        return f(*[ctx.mpf(float(v)) for v in point])

    out = []
    for point in points:
        p = dps
        while True:
            a, b = at(p, point), at(p + 20, point)
            if b != 0 and abs(a - b) <= abs(b) * contexts[p + 20][0].mpf(10) ** (20 - dps):
                break
            if p >= max_dps:
                if a == b == 0:  # zero at every precision tried: an exact zero
                    break
                raise ValueError(f"reference not settled at {tuple(point)} with {p} digits")
            p *= 2
        out.append(b)
    return out
