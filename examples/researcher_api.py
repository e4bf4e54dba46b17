"""A researcher's API (issue #17): three notebook tasks with public names only.

1. the depth-3 LaTeX; 2. GD against the flow on the rescaled axis, as numpy arrays;
3. a claim of your own that finds the overshoot counterexample, then passes with the corrected condition.
"""

from fractions import Fraction

import numpy as np

import symdyn

# 1. the depth-3 LaTeX (the limit with its time scaling, and the constant x_3 with its equation)
print(symdyn.limit(symdyn.Model(depth=3)).latex()[:120], "...")

# 2. GD against the flow on the rescaled axis tau (t = delta*tau, eta*k = delta*tau), as numpy arrays
m = symdyn.Model(depth=2, sigma=1, lam=2, eta="1/20", delta=25)
tau = ["0.8", "0.9", "1", "1.1", "1.2"]                                  # exact (floats are read exactly)
gd = symdyn.trajectory(m, "gd", tau=tau, backend="numpy").to_numpy()
flow = symdyn.trajectory(m, "flow", tau=tau, digits=20).to_numpy()     # certified, then float64
print("tau ", gd["tau"], "\nk   ", gd["at"], "\nGD  ", gd["w"].round(6), "\nflow", flow["w"].round(6))


# 3. "for eta*sigma <= 1/2 GD is monotone": a claim of your own, from starts above sigma/lambda
def monotone(p):
    mp = symdyn.Model(depth=2, sigma=p["sigma"], lam=p["lambda"], eta=p["eta"], w0=p["w0"])
    w = symdyn.trajectory(mp, "gd", range(200), backend="numpy").to_numpy()["w"]
    return bool(np.all(np.diff(w) <= 1e-12 * w[1:]) and np.all(w >= float(p["sigma"] / p["lambda"]) * (1 - 1e-12)))


def draw(top):
    def d(rng):
        s, l = Fraction(int(rng.integers(50, 500)), 500), Fraction(int(rng.integers(50, 500)), 500)
        eta = Fraction(int(rng.integers(10, 500)), 1000) / s                          # eta*sigma < 1/2
        return {"sigma": s, "lambda": l, "eta": eta,
                "w0": s / l + Fraction(int(rng.integers(1, 1000)), 1000) * (top(s, l, eta) - s / l)}
    return d


v = symdyn.check(monotone, draw(lambda s, l, e: 3 * s / l), cases=40, seed=1)
print(v)
p = v.counterexample["params"]
print("classify:", symdyn.classify(symdyn.Model(depth=2, sigma=p["sigma"], lam=p["lambda"], eta=p["eta"],
                                                w0=p["w0"])))
bound = symdyn.monotone_from_above()  # w0 <= ((2 + eta sigma) - sqrt(eta sigma (eta sigma + 4)))/(2 eta lambda)
print("corrected condition:", bound.expr, "verified:", bound.verified)
S = symdyn.Model()


def below_bound(s, l, e):
    return Fraction(str(bound.expr.rhs.subs({S.sigma: s, S.lam: l, S.eta: e}).evalf(30))) * Fraction(999, 1000)


print(symdyn.check(monotone, draw(below_bound), cases=40, seed=1))
