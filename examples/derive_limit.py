"""Derive the delta -> infinity limits of the two-layer dynamics and print them as LaTeX."""

from symdyn.asymptotics.limits import flow_limit, gd_limit, gd_transition_series
from symdyn.model.core import Model
from symdyn.output.latex import latex

for init in ("layer", "product"):
    lim = flow_limit(Model(depth=2, init=init))
    print(f"flow, init {init}: transition tau = {lim.transitions}, value there {lim.boundary_values}")
    print("   ", latex(lim.expr))

gd = gd_limit(Model(depth=2))
print("GD:", gd.expr)
print("T^eta =", gd_transition_series().expr, "+ O(eta^4)")
print("assumptions:", "; ".join(gd.assumptions))
