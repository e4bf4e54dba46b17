"""Check the printed Thm 3 upper bound (erratum E7) at 50 certified digits.

sigma = lambda = 1, eta = 1/10, w0 = 1e-6: the printed rate exp(-2 eta sigma - eta^2 sigma^2)
is slower than the true 1 - 2 eta sigma, so the iterates eventually exceed the printed bound.
"""

from decimal import Decimal

import sympy as sp

from symdyn.derive.bounds import printed_forms, thm3_bounds
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise.evaluate import certified_evaluate
from symdyn.precise.gd_iterate import gd_values

w0 = sp.Rational(1, 10**6)
model = Model(depth=2, sigma=1, lam=1, eta="1/10")
printed = next(p for p in printed_forms() if "upper" in p.name).expr
corrected = thm3_bounds()[1].expr
vals = {S.sigma: 1, S.lam: 1, S.eta: sp.Rational(1, 10), S.w0: w0}
for k in (180, 181, 182):
    [w_k] = gd_values(model, [k], 50, w0=w0)  # certified: the digits agree at two working precisions
    p = certified_evaluate(printed.subs(vals), 50, {S.k: k})
    c = certified_evaluate(corrected.subs(vals), 50, {S.k: k})
    margin = Decimal(str(w_k)) - Decimal(str(p))  # exact difference of the certified decimals
    print(f"k={k}: w_k={w_k}  printed bound={p}  exceeds printed: {margin > 0} "
          f"(by {float(margin):.3e})  within corrected: {Decimal(str(w_k)) <= Decimal(str(c))}")
