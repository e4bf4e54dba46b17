"""The L = 2 GD map's linearising charts, evaluated in a local mpmath context.

f(w) = w(1 + η(σ − λw))² (docs/conventions.md) has two charts in which it is multiplication:

* at the repelling fixed point 0 (multiplier μ = (1+ησ)²): the Poincaré function Ψ,
  Ψ(μz) = f(Ψ(z)), and its local inverse Φ₀ (Koenigs), Φ₀(f(w)) = μΦ₀(w);
* at the attracting fixed point p = σ/λ (multiplier ν = 1 − 2ησ, needs 0 < |ν| < 1,
  i.e. 0 < ησ < 1, ησ ≠ ½): Koenigs Φ₁(f(w)) − … with Φ₁(f(p+x)−p) = νΦ₁(x) and its
  inverse P₁.

Each chart is a truncated Taylor series used only inside a disk whose radius makes
the truncation error below the working precision. Its coefficients come from the
recursion of :mod:`symdyn.derive.linearisation` run in floating point (gmpy2 ``mpfr``, or
mpmath without gmpy2) at the working precision plus :data:`SERIES_GUARD_BITS`, from the
map's exact coefficients, then rounded once: O(order²) operations, no exact rationals
(whose sizes grow with the order) and no sympy on the numeric path. Rounding errors of
the recursion are caught like any other by the certification's precision change.
Series and plain steps (the kernel :func:`symdyn.derive.kernels.product2_steps`) are evaluated
on gmpy2 (correctly rounded like mpmath, so the same numbers, ~10× faster); mpmath takes over
outside gmpy2's exponent range.
Together they give

* Ψ(z) = fⁿ(Ψ_N(z/μⁿ)) for any z, and
* f^s(w) = p + P₁(ν^{s−j} Φ₁(f^j(w) − p)) once f^j(w) is in the disk at p,

so the k-th GD iterate from a vanishing start w0 is Ψ(μ^k Φ₀(w0)) *exactly*, in a
number of operations that does not grow with k. The precision lives in the
:class:`GDCharts` object's private ``MPContext``; nothing global is touched.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import mpmath
import sympy as sp

from symdyn.derive.kernels import product2_constants, product2_steps
from symdyn.derive.linearisation import koenigs_coefficients, poincare_coefficients
from symdyn.derive.poincare import map_coefficients
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.precise.certified import local_context
from symdyn.precise.evaluate import evaluate, exact_mpf

try:  # gmpy2 is a declared dependency; without it the series run on mpmath's mpf
    import gmpy2

    #: gmpy2's trapped exceptions (exponent range, nan): the mpmath path takes over.
    _GMPY2_TRAPS = (gmpy2.RangeError, gmpy2.InexactResultError, gmpy2.InvalidOperationError)
except ImportError:  # pragma: no cover - exercised only where gmpy2 is missing
    gmpy2 = None

#: Extra bits for the floating-point series recursion over the charts' working precision.
SERIES_GUARD_BITS = 32


def require_numeric(model: Model) -> tuple[sp.Rational, sp.Rational, sp.Rational]:
    """(σ, λ, η) as exact numbers of an L = 2 model, or a one-line ``ValueError``."""
    if model.depth != 2:
        raise ValueError(f"the GD charts are for the two-layer map (depth 2), got depth {model.depth}")
    vals = (model.sigma, model.lam, model.eta)
    names = ("sigma", "lam", "eta")
    for name, v in zip(names, vals, strict=True):
        if not v.is_Number:
            raise ValueError(f"{name} must be given as a number, it is symbolic")
    if model.sigma <= 0 or model.lam <= 0:
        raise ValueError("sigma and lambda must be > 0 for the charts (the fixed point sigma/lambda)")
    return vals


Terms = tuple[tuple[tuple[int, ...], Fraction], ...]


@cache
def _generic_map_terms(at: str) -> tuple[tuple[Terms, Terms], ...]:
    """:func:`map_coefficients` in symbolic σ, λ, η: (numerator, denominator) polynomial terms."""
    gens = (S.sigma, S.lam, S.eta)

    def terms(expr: sp.Expr) -> Terms:
        return tuple((monom, Fraction(int(q.numerator), int(q.denominator)))
                     for monom, q in sp.Poly(expr, *gens, domain="QQ").terms())

    return tuple(tuple(map(terms, sp.fraction(sp.cancel(c)))) for c in map_coefficients(Model(depth=2), at))


def _eval_terms(terms: Terms, point: tuple[Fraction, ...]) -> Fraction:
    total = Fraction(0)
    for monom, q in terms:
        for x, e in zip(point, monom, strict=True):
            q *= x**e
        total += q
    return total


def numeric_map_coefficients(model: Model, at: str = "zero") -> tuple[Fraction, ...]:
    """:func:`map_coefficients` of a numeric model as exact ``Fraction``s, without sympy per model.

    The coefficients are derived once in symbolic σ, λ, η and evaluated at the model's
    exact values (equal to ``map_coefficients(model, at)``).
    """
    point = tuple(Fraction(int(q.p), int(q.q)) for q in map(sp.Rational, require_numeric(model)))
    return tuple(_eval_terms(num, point) / _eval_terms(den, point) for num, den in _generic_map_terms(at))


def _float_series(coeffs: tuple[Fraction, ...], order: int, kind: str, ctx: mpmath.MPContext) -> list:
    """The chart series in floating point at ctx.prec + SERIES_GUARD_BITS, rounded once to ctx.prec.

    gmpy2 ``mpfr`` numbers when gmpy2 is installed (evaluated by :meth:`GDCharts._poly` in
    gmpy2), else ``mpf`` of ``ctx``.
    """
    fn = poincare_coefficients if kind == "poincare" else koenigs_coefficients
    prec = ctx.prec + SERIES_GUARD_BITS
    if gmpy2 is None:  # pragma: no cover - exercised only where gmpy2 is missing
        work = local_context(prec)
        series = fn(tuple(work.mpf(q.numerator) / q.denominator for q in coeffs), order)
        return [ctx.mpf(c) for c in series]
    with gmpy2.context(precision=prec):
        series = fn(tuple(gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator)) for q in coeffs), order)
    with gmpy2.context(precision=ctx.prec):
        return [+c for c in series]  # unary plus rounds to the context's precision


def _mantissa_exp(x: object) -> tuple[int, int]:
    """(m, e) with x = m·2^e exactly, for a finite mpf or mpfr."""
    if hasattr(x, "_mpf_"):
        sign, man, exp, _ = x._mpf_
        return (-int(man) if sign else int(man)), int(exp)
    man, exp = x.as_mantissa_exp()
    return int(man), int(exp)


def _log2_abs(x: object) -> float:
    """log₂|x| of a nonzero mpf or mpfr, from its mantissa and exponent (no overflow)."""
    man, exp = _mantissa_exp(x)
    return exp + math.log2(abs(man))  # math.log2 takes Python ints of any size


def _to_mpfr(x: mpmath.mpf) -> object:
    """An mpf as a gmpy2 mpfr, exactly (its mantissa fits the gmpy2 context's precision)."""
    sign, man, exp, _ = x._mpf_
    if not man:
        return gmpy2.mpfr(float(x))  # 0, ±inf or nan
    return gmpy2.mul_2exp(gmpy2.mpfr(-man if sign else man), exp)


def _walk(w, p, r1, c, d, bound, steps: int, attracting: bool, max_transient: int) -> tuple:
    """(j, f^j(w)) for the first j < steps with |f^j(w) − p| <= r1, else (steps, f^steps(w)).

    Plain steps of the GD map (the kernel, constants c, d) in the arithmetic of the arguments
    (mpf or mpfr); stops early at a numerical fixed point (returning ``steps``), raises
    ``ValueError`` on divergence.
    """
    for j in range(steps):
        if attracting and abs(w - p) <= r1:
            return j, w
        new = product2_steps(w, c, d)
        if new == w:
            return steps, w
        if not abs(new) <= bound:  # also catches inf and nan
            raise ValueError("the GD trajectory diverges for these parameters "
                             "(need 0 < eta*sigma < 1 and w0 in the basin of sigma/lambda)")
        if j >= max_transient and attracting:
            raise ValueError("the trajectory did not reach the basin of sigma/lambda "
                             f"in {max_transient} steps")
        w = new
    return steps, w


class GDCharts:
    """The charts of one numeric L = 2 model at ``prec`` bits and series order ``order``.

    ``radius_scale`` < 1 shrinks the chart disks (a second, independent configuration
    for certification).
    """

    def __init__(self, model: Model, prec: int, order: int = 24, radius_scale: float = 1.0) -> None:
        sigma, lam, eta = require_numeric(model)
        ctx = self.ctx = local_context(prec)
        #: (c, d) of the kernel w⁺ = w(c − d w)²; every constant exact, then rounded once
        self.step_constants = tuple(self.exact(v) for v in product2_constants(sigma, lam, eta))
        self.p = self.exact(sigma / lam)
        self.mu = self.exact((1 + eta * sigma) ** 2)
        self.nu = self.exact(1 - 2 * eta * sigma)
        self.log_mu = ctx.log(self.mu)
        zero = numeric_map_coefficients(model, "zero")
        self.psi_c = _float_series(zero, order, "poincare", ctx)
        self.phi0_c = _float_series(zero, order, "koenigs", ctx)
        self.r0 = min(self._radius(self.psi_c), self._radius(self.phi0_c), self.p / 4) * radius_scale
        es = eta * sigma
        self.attracting = 0 < es < 1 and es != sp.Rational(1, 2)
        if self.attracting:
            fixed = numeric_map_coefficients(model, "fixed")
            self.p1_c = _float_series(fixed, order, "poincare", ctx)
            self.k1_c = _float_series(fixed, order, "koenigs", ctx)
            self.r1 = min(self._radius(self.p1_c), self._radius(self.k1_c), self.p / 4) * radius_scale

    def exact(self, q: object) -> object:
        """An exact rational (rounded once) or a closed sympy number (e.g. the start e^{−Lδ}) as an mpf
        of this context; the latter by :func:`symdyn.precise.evaluate.evaluate` with guard bits."""
        q = sp.S(q)
        return exact_mpf(self.ctx, q if q.is_Rational else evaluate(q, self.ctx.prec + SERIES_GUARD_BITS))

    def _radius(self, c: list) -> object:
        """Disk radius where the terms past the series' end are below the working precision.

        Root-test estimate of the convergence radius from the last coefficients, halved,
        and the radius where the last term is 2^{-prec} relative to the first. A choice
        of configuration, not a value: computed from log₂|c_n| in floats.
        """
        ctx, n = self.ctx, len(c)
        tail = [(i + 1, _log2_abs(ci)) for i, ci in enumerate(c[-3:], start=n - 3) if ci != 0]
        if not tail:
            return ctx.inf
        log_tol = -ctx.prec - 8
        log_rho = min(-la / (i - 1) for i, la in tail)
        log_fit = min((log_tol - la) / (i - 1) for i, la in tail)
        log_r = min(log_rho - 1, log_fit)
        whole = math.floor(log_r)
        return ctx.ldexp(ctx.mpf(2.0 ** (log_r - whole)), whole)

    def _poly(self, c: list, z: object) -> object:
        """Σ c_n zⁿ (n ≥ 1) by Horner, in the arithmetic of the coefficients at ctx.prec.

        gmpy2 and mpmath both round each operation correctly to nearest, so the two give
        the same number; mpmath takes over beyond gmpy2's exponent range.
        """
        ctx = self.ctx
        if gmpy2 is not None and isinstance(c[0], gmpy2.mpfr):
            try:
                with gmpy2.context(precision=ctx.prec, trap_overflow=True, trap_underflow=True,
                                   trap_invalid=True):
                    zz = _to_mpfr(z)
                    acc = c[-1]
                    for ci in reversed(c[:-1]):
                        acc = acc * zz + ci
                    return ctx.mpf(_mantissa_exp(acc * zz))
            except _GMPY2_TRAPS:  # beyond gmpy2's exponent range: mpmath's is unbounded
                c = [ctx.mpf(_mantissa_exp(ci)) for ci in c]
        acc = c[-1]
        for ci in reversed(c[:-1]):
            acc = acc * z + ci
        return acc * z

    def advance(self, w: object, steps: int, max_transient: int = 10**6) -> object:
        """f^steps(w) in work bounded independently of ``steps`` (attracting regime).

        Iterates until w is in the chart disk at σ/λ, then jumps: p + P₁(ν^{s} Φ₁(w − p)).
        Outside the attracting regime it iterates (and stops early at a numerical fixed point).
        The plain steps run on gmpy2 at the context's precision when it is installed: both
        round every operation correctly to nearest, so the iterates are the same numbers.
        """
        ctx = self.ctx
        args = (w, self.p, self.r1 if self.attracting else ctx.zero, *self.step_constants,
                1e6 * (1 + abs(w) + self.p))
        j = None
        if gmpy2 is not None:
            try:
                with gmpy2.context(precision=ctx.prec, trap_overflow=True, trap_underflow=True,
                                   trap_invalid=True):
                    j, w = _walk(*map(_to_mpfr, args), steps, self.attracting, max_transient)
                w = ctx.mpf(_mantissa_exp(w))
            except _GMPY2_TRAPS:  # beyond gmpy2's exponent range (mpmath's is unbounded), or nan
                j = None
        if j is None:
            j, w = _walk(*args, steps, self.attracting, max_transient)
        if j == steps:
            return w
        x = w - self.p
        zeta = self._poly(self.k1_c, x) * ctx.power(self.nu, steps - j)
        return self.p + self._poly(self.p1_c, zeta)

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
