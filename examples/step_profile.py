"""Draw the GD step profile from a vanishing start: w_k against rescaled time, with the flow's.

Usage: python examples/step_profile.py [OUT.png]
"""

import sys

import numpy as np
from matplotlib.figure import Figure

from symdyn.model.core import Model
from symdyn.numeric.trajectory import numpy_trajectory

out = sys.argv[1] if len(sys.argv) > 1 else "step_profile.png"
sigma, lam, eta = 1.0, 1.0, 0.1
T_eta = eta / np.log1p(eta * sigma)  # exact discrete transition (symdyn limit --dynamics gd)
fig = Figure(figsize=(7, 4), layout="constrained")
ax = fig.subplots()
for delta in (10, 40, 160):
    k = np.arange(0, int(2 * delta * T_eta / eta))
    gd = numpy_trajectory(Model(depth=2, sigma=1, lam=1, eta="0.1", delta=delta), "gd", k)
    flow = numpy_trajectory(Model(depth=2, sigma=1, lam=1, delta=delta), "flow", eta * k)
    ax.plot(eta * k / delta, gd["w"], label=f"GD, delta={delta}")
    ax.plot(eta * k / delta, flow["w"], ":", label=f"flow, delta={delta}")
ax.axvline(T_eta, color="grey", lw=0.8, label=f"T^eta = {T_eta:.4f}")
ax.axvline(1 / sigma, color="k", lw=0.8, ls="--", label="flow: 1/sigma")
ax.set(xlabel="rescaled time tau = eta k / delta", ylabel="w", title="step profile, sigma = lambda = 1, eta = 0.1")
ax.legend(fontsize=7)
fig.savefig(out, dpi=120)
print(f"wrote {out}")
