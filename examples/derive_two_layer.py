"""Derive the two-layer dynamics and check the closed form numerically against scipy."""

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

import symdyn
from symdyn.model import symbols as S

d = symdyn.derive(symdyn.Model(depth=2))
print("ODE  dw/dt =", d.ode.expr)
print("GD   w+    =", d.gd_map.expr)
print("flow w(t)  =", d.closed_form.expr.args[0][0])
print("all residuals zero:", all(r == 0 for r in d.residuals.values()))

vals = {S.sigma: sp.Rational(1), S.lam: sp.Rational(2), S.w0: sp.Rational(1, 1000)}
w_t = sp.lambdify(S.t, d.closed_form.expr.args[0][0].subs(vals))
rhs = sp.lambdify(S.w, d.ode.expr.subs(vals))
sol = solve_ivp(lambda t, y: rhs(y), (0, 5), [1e-3], rtol=1e-11, atol=1e-14, dense_output=True)
ts = np.linspace(0, 5, 6)
print("max |closed form - solve_ivp| =", np.max(np.abs(w_t(ts) - sol.sol(ts)[0])))
