"""The L = 2 GD map's linearising charts, evaluated in a local mpmath context.

f(w) = w(1 + η(σ − λw))² (SPEC §2) has two charts in which it is multiplication:

* at the repelling fixed point 0 (multiplier μ = (1+ησ)²): the Poincaré function Ψ,
  Ψ(μz) = f(Ψ(z)), and its local inverse Φ₀ (Koenigs), Φ₀(f(w)) = μΦ₀(w);
* at the attracting fixed point p = σ/λ (multiplier ν = 1 − 2ησ, needs 0 < |ν| < 1,
  i.e. 0 < ησ < 1, ησ ≠ ½): Koenigs Φ₁(f(w)) − … with Φ₁(f(p+x)−p) = νΦ₁(x) and its
  inverse P₁.

Each chart is a truncated Taylor series (exact coefficients from
:mod:`symdyn.linearisation`, rounded once here) used only inside a disk whose radius
makes the truncation error below the working precision. Together they give

* Ψ(z) = fⁿ(Ψ_N(z/μⁿ)) for any z, and
* f^s(w) = p + P₁(ν^{s−j} Φ₁(f^j(w) − p)) once f^j(w) is in the disk at p,

so the k-th GD iterate from a vanishing start w0 is Ψ(μ^k Φ₀(w0)) *exactly*, in a
number of operations that does not grow with k. The precision lives in the
:class:`GDCharts` object's private ``MPContext``; nothing global is touched.
"""

from __future__ import annotations

from functools import cache

import mpmath
import sympy as sp

from . import symbols as S
from .dynamics import product_map
from .linearisation import koenigs_coefficients, poincare_coefficients
from .model import Model


def require_numeric(model: Model) -> tuple[sp.Rational, sp.Rational, sp.Rational]:
    """(σ, λ, η) as exact numbers of an L = 2 model, or a one-line ``ValueError``."""
    if model.depth != 2:
        raise ValueError(f"the GD charts are for the two-layer map (depth 2), got depth {model.depth}")
    vals = (model.sigma, model.lam, model.eta)
    names = ("sigma", "lambda", "eta")
    for name, v in zip(names, vals, strict=True):
        if not v.is_Number:
            raise ValueError(f"{name} must be given as a number (e.g. --{name} 1), it is symbolic")
    if model.sigma <= 0 or model.lam <= 0:
        raise ValueError("sigma and lambda must be > 0 for the charts (the fixed point sigma/lambda)")
    return vals


def map_coefficients(model: Model, at: str = "zero") -> tuple[sp.Expr, ...]:
    """Coefficients (m, b₂, b₃) of the GD map written around a fixed point.

    ``at="zero"``: f(w) itself; ``at="fixed"``: g(x) = f(σ/λ + x) − σ/λ. Derived from
    :func:`symdyn.dynamics.product_map` with the model's values substituted exactly.
    """
    f = model.subs(product_map(2).expr)
    x = sp.Symbol("x")
    if at == "zero":
        g = f.subs(S.w, x)
    elif at == "fixed":
        p = model.sigma / model.lam
        g = f.subs(S.w, p + x) - p
    else:
        raise ValueError(f"at must be 'zero' or 'fixed', got {at!r}")
    poly = sp.Poly(sp.expand(g), x)
    if poly.coeff_monomial(1) != 0:
        raise ValueError("internal: the expansion point is not a fixed point")
    return tuple(sp.factor(poly.coeff_monomial(x**j)) for j in (1, 2, 3))


@cache
def _series(coeffs: tuple, order: int, kind: str) -> tuple:
    fn = poincare_coefficients if kind == "poincare" else koenigs_coefficients
    return fn(coeffs, order)


def exact_series(model: Model, at: str, kind: str, order: int) -> tuple:
    """Exact Taylor coefficients (cached) of the chart ``kind`` at ``at`` for this model."""
    return _series(map_coefficients(model, at), order, kind)


class GDCharts:
    """The charts of one numeric L = 2 model at ``prec`` bits and series order ``order``.

    ``radius_scale`` < 1 shrinks the chart disks (a second, independent configuration
    for certification).
    """

    def __init__(self, model: Model, prec: int, order: int = 24, radius_scale: float = 1.0) -> None:
        sigma, lam, eta = require_numeric(model)
        ctx = self.ctx = mpmath.MPContext()
        ctx.prec = prec
        self.sigma, self.lam, self.eta = (self.exact(v) for v in (sigma, lam, eta))
        self.p = self.sigma / self.lam
        self.mu = (1 + self.eta * self.sigma) ** 2
        self.nu = 1 - 2 * self.eta * self.sigma
        self.log_mu = ctx.log(self.mu)
        self.psi_c = self._coeffs(exact_series(model, "zero", "poincare", order))
        self.phi0_c = self._coeffs(exact_series(model, "zero", "koenigs", order))
        self.r0 = min(self._radius(self.psi_c), self._radius(self.phi0_c), self.p / 4) * radius_scale
        es = eta * sigma
        self.attracting = 0 < es < 1 and es != sp.Rational(1, 2)
        if self.attracting:
            self.p1_c = self._coeffs(exact_series(model, "fixed", "poincare", order))
            self.k1_c = self._coeffs(exact_series(model, "fixed", "koenigs", order))
            self.r1 = min(self._radius(self.p1_c), self._radius(self.k1_c), self.p / 4) * radius_scale

    def exact(self, q: object) -> object:
        """An exact rational (or sympy number) as an mpf of this context."""
        q = sp.S(q)
        if q.is_Rational:
            return self.ctx.mpf(int(q.p)) / int(q.q)
        return self.ctx.mpf(str(sp.N(q, self.ctx.dps + 10)))

    def _coeffs(self, exact: tuple) -> list:
        return [self.ctx.mpf(c.numerator) / c.denominator for c in exact]

    def _radius(self, c: list) -> object:
        """Disk radius where the terms past the series' end are below the working precision.

        Root-test estimate of the convergence radius from the last coefficients, halved,
        and the radius where the last term is 2^{-prec} relative to the first.
        """
        ctx, n = self.ctx, len(c)
        tol = ctx.mpf(2) ** (-ctx.prec - 8)
        tail = [(i + 1, abs(ci)) for i, ci in enumerate(c[-3:], start=n - 3) if ci != 0]
        if not tail:
            return ctx.inf
        rho = min(a ** (-ctx.mpf(1) / (i - 1)) for i, a in tail)
        fit = min((tol / a) ** (ctx.mpf(1) / (i - 1)) for i, a in tail)
        return min(rho / 2, fit)

    @staticmethod
    def _poly(c: list, z: object) -> object:
        """Σ c_n zⁿ (n ≥ 1) by Horner."""
        acc = c[-1]
        for ci in reversed(c[:-1]):
            acc = acc * z + ci
        return acc * z

    def f(self, w: object) -> object:
        """One GD step on the product: w(1 + η(σ − λw))²."""
        t = 1 + self.eta * (self.sigma - self.lam * w)
        return w * t * t

    def iterate(self, w: object, steps: int) -> object:
        """f^steps(w) by plain iteration (the reference; cost grows with ``steps``)."""
        eta, sigma, lam = self.eta, self.sigma, self.lam
        for _ in range(steps):
            t = 1 + eta * (sigma - lam * w)
            w = w * t * t
        return w

    def advance(self, w: object, steps: int, max_transient: int = 10**6) -> object:
        """f^steps(w) in work bounded independently of ``steps`` (attracting regime).

        Iterates until w is in the chart disk at σ/λ, then jumps: p + P₁(ν^{s} Φ₁(w − p)).
        Outside the attracting regime it iterates (and stops early at a numerical fixed point).
        """
        ctx = self.ctx
        bound = 1e6 * (1 + abs(w) + self.p)
        for j in range(steps):
            x = w - self.p
            if self.attracting and abs(x) <= self.r1:
                zeta = self._poly(self.k1_c, x) * ctx.power(self.nu, steps - j)
                return self.p + self._poly(self.p1_c, zeta)
            new = self.f(w)
            if new == w:
                return w
            if not ctx.isfinite(new) or abs(new) > bound:
                raise ValueError("the GD trajectory diverges for these parameters "
                                 "(need 0 < eta*sigma < 1 and w0 in the basin of sigma/lambda)")
            if j >= max_transient and self.attracting:
                raise ValueError("the trajectory did not reach the basin of sigma/lambda "
                                 f"in {max_transient} steps")
            w = new
        return w

    def psi(self, z: object) -> object:
        """Ψ(z) = fⁿ(Ψ_N(z/μⁿ)) with n the least integer putting z/μⁿ in the chart disk."""
        ctx = self.ctx
        z = ctx.convert(z)
        if z == 0:
            return z
        n = max(0, int(ctx.ceil(ctx.log(abs(z) / self.r0) / self.log_mu)))
        return self.advance(self._poly(self.psi_c, z / ctx.power(self.mu, n)), n)

    def phi0(self, w: object) -> object:
        """Φ₀(w), the local inverse of Ψ, for 0 <= |w| <= r0."""
        if abs(w) > self.r0:
            raise ValueError("internal: phi0 outside its chart disk")
        return self._poly(self.phi0_c, w)

    def orbit(self, w0: object, k: int) -> object:
        """The exact k-th GD iterate f^k(w0), in work independent of k.

        A small start is read in the 0-chart: f^k(w0) = Ψ(μ^k Φ₀(w0)); Ψ_N is applied
        at the last k₁ with μ^{k₁}Φ₀(w0) in the disk and the rest is :meth:`advance`.
        """
        ctx = self.ctx
        w0 = ctx.convert(w0)
        if not 0 < w0 <= self.r0:
            return self.advance(w0, k)
        z0 = self.phi0(w0)
        k1 = int(ctx.floor(ctx.log(self.r0 / z0) / self.log_mu))
        while k1 > 0 and z0 * ctx.power(self.mu, k1) > self.r0:  # guard the rounding of the log
            k1 -= 1
        if k <= k1:
            return self._poly(self.psi_c, z0 * ctx.power(self.mu, k))
        return self.advance(self._poly(self.psi_c, z0 * ctx.power(self.mu, k1)), k - k1)
