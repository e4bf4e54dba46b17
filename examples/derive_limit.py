"""Derive the delta -> infinity limits of the two-layer dynamics and print them as LaTeX."""

from symdyn.latex import latex
from symdyn.limits import flow_limit, gd_limit, gd_transition_series
from symdyn.model import Model

for init in ("layer", "product"):
    lim = flow_limit(Model(depth=2, init=init))
    print(f"flow, init {init}: transition tau = {lim.transitions}, value there {lim.boundary_values}")
    print("   ", latex(lim.expr))

gd = gd_limit(Model(depth=2))
print("GD:", gd.expr)
print("T^eta =", gd_transition_series().expr, "+ O(eta^4)")
print("assumptions:", "; ".join(gd.assumptions))
