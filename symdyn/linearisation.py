"""Linearising series of a polynomial map at a fixed point (Poincaré and Koenigs).

Let g(x) = m x + b_2 x² + … + b_d x^d be a polynomial with a fixed point at 0 and
multiplier m, 0 < |m| ≠ 1 (so m^n ≠ m for n ≥ 2: no resonance). Then there are unique
formal power series, both = x + O(x²), with

* the Poincaré function P:  P(m z) = g(P(z)),
* the Koenigs function  K:  K(g(x)) = m K(x),

and K = P⁻¹. Comparing the coefficients of z^n gives the recursions (SPEC §2,
"Discrete step profile")

    c_n (m^n − m) = [z^n] Σ_{j≥2} b_j P_{<n}(z)^j,
    d_n (m − m^n) = [x^n] Σ_{j<n} d_j g(x)^j,

whose right sides use only c_1..c_{n−1} (d_1..d_{n−1}). For a polynomial map with
|m| > 1, P is entire; near an attracting point (|m| < 1) both converge on a disk.
The arithmetic is exact: coefficients are ``Fraction``s when the map's coefficients
are rational numbers, and ``sympy`` expressions (cancelled at each step) otherwise.

For g(x) = 2x + x² = (1 + x)² − 1 the answers are known: P(z) = e^z − 1 and
K(x) = log(1 + x).

>>> [str(c) for c in poincare_coefficients((2, 1), 4)]
['1', '1/2', '1/6', '1/24']
>>> [str(d) for d in koenigs_coefficients((2, 1), 4)]
['1', '-1/2', '1/3', '-1/4']
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp


def _field(values: Sequence[object]) -> tuple[list, object]:
    """Return the values in the exact field they live in, and the normaliser of that field."""
    if all(isinstance(v, (int, Fraction)) or (isinstance(v, sp.Basic) and v.is_Rational)
           for v in values):
        return [Fraction(int(sp.numer(v)), int(sp.denom(v))) if isinstance(v, sp.Basic) else Fraction(v)
                for v in values], (lambda x: x)
    return [sp.S(v) for v in values], sp.cancel


def _mul_trunc(a: list, b: list, order: int, zero: object) -> list:
    """Product of two coefficient lists (index = power), truncated after ``order``."""
    out = [zero] * (order + 1)
    for i, ai in enumerate(a):
        if ai == 0 or i > order:
            continue
        for j in range(min(len(b), order + 1 - i)):
            if b[j] != 0:
                out[i + j] += ai * b[j]
    return out


def _prepare(map_coeffs: Sequence[object], order: int, what: str) -> tuple[list, object, object, object]:
    """Validate; return the coefficients in their exact field, its normaliser, m and 0."""
    if len(map_coeffs) < 1:
        raise ValueError("the map needs at least its multiplier (coefficient of x)")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"series order must be an integer >= 1, got {order!r}")
    b, norm = _field(map_coeffs)
    m = b[0]
    if m == 0 or m == 1 or m == -1:
        raise ValueError(f"multiplier must satisfy 0 < |m| != 1 for a {what} function, got {m}")
    return b, norm, m, m * 0


def poincare_coefficients(map_coeffs: Sequence[object], order: int) -> tuple:
    """c_1..c_order of P with P(m z) = g(P(z)); ``map_coeffs`` = (m, b_2, …, b_d)."""
    b, norm, m, zero = _prepare(map_coeffs, order, "Poincaré")
    c = [zero, zero + 1]  # c_0 = 0, c_1 = 1
    for n in range(2, order + 1):
        # Σ_j b_j [z^n] P^j with P known to order n-1 (c_n cannot enter for j >= 2)
        power, rhs = c[:], zero
        for bj in b[1:]:
            power = _mul_trunc(power, c, n, zero)
            rhs += bj * power[n]
        c.append(norm(rhs / (m**n - m)))
    return tuple(c[1:])


def koenigs_coefficients(map_coeffs: Sequence[object], order: int) -> tuple:
    """d_1..d_order of K with K(g(x)) = m K(x); ``map_coeffs`` = (m, b_2, …, b_d)."""
    b, norm, m, zero = _prepare(map_coeffs, order, "Koenigs")
    g = ([zero, *b] + [zero] * order)[: order + 1]
    powers = [g]  # powers[j-1] = g^j truncated
    d = [zero, zero + 1]
    for n in range(2, order + 1):
        while len(powers) < n - 1:
            powers.append(_mul_trunc(powers[-1], g, order, zero))
        rhs = sum((d[j] * powers[j - 1][n] for j in range(1, n)), zero)
        d.append(norm(rhs / (m - m**n)))
    return tuple(d[1:])


def series_residual(map_coeffs: Sequence[object], coeffs: Sequence[object], kind: str) -> sp.Expr:
    """The functional equation's residual through z^N, computed by sympy from scratch.

    ``kind`` is ``"poincare"`` (P(mz) − g(P(z))) or ``"koenigs"`` (K(g(x)) − m K(x)).
    The polynomials are composed with ``sympy.Poly`` over the exact field of their
    coefficients (independently of the recursion); the result is the polynomial of the
    terms of degree <= N = len(coeffs), which is 0 exactly when the coefficients solve
    the equation to that order.
    """
    if kind not in ("poincare", "koenigs"):
        raise ValueError(f"kind must be 'poincare' or 'koenigs', got {kind!r}")
    z = sp.Symbol("z")
    conv = [sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.S(v)
            for v in (*map_coeffs, *coeffs)]
    domain, elems = sp.construct_domain(conv, field=True)
    mc, cc = elems[: len(map_coeffs)], elems[len(map_coeffs):]
    n = len(cc)
    poly = lambda low_to_high: sp.Poly.from_list([*reversed(low_to_high), domain.zero], z,  # noqa: E731
                                                 domain=domain)
    series, g = poly(cc), poly(mc)
    if kind == "poincare":
        diff = poly([c * mc[0] ** i for i, c in enumerate(cc, start=1)]) - g.compose(series)
    else:
        diff = series.compose(g) - series.mul_ground(mc[0])
    return sp.S(sum(diff.coeff_monomial(z**i) * z**i for i in range(n + 1)))
