"""High-precision reference values of a sympy expression, in a private mpmath context.

The accuracy harness compares float64 output with the *same* sympy expression (not its
stable rewrite) evaluated here: every float input is converted exactly (an mpf holds a
double exactly), the expression is evaluated at ``dps`` digits and again at ``dps + 20``,
and a value is returned only if the two agree to ``10**-(dps - 10)`` relative (the
certified-digits pattern of python-flint's ``good()``). Precision lives in a local
``mpmath.MPContext``; the global ``mpmath.mp`` is never touched.

>>> import sympy as sp
>>> from symdyn import symbols as S
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
              dps: int = 50) -> list[mpmath.mpf]:
    """``expr`` at each point (a tuple of floats in ``args`` order), certified to dps − 10 digits."""
    lo, hi = mpmath.MPContext(), mpmath.MPContext()
    lo.dps, hi.dps = dps, dps + 20
    f_lo, f_hi = _lambdify(expr, args, lo), _lambdify(expr, args, hi)
    out = []
    for point in points:
        a = f_lo(*[lo.mpf(float(v)) for v in point])
        b = f_hi(*[hi.mpf(float(v)) for v in point])
        if abs(a - b) > abs(b) * hi.mpf(10) ** (10 - dps):
            raise ValueError(f"reference not settled at {point}: {a} vs {b}; raise dps")
        out.append(b)
    return out
