"""Linearising series of a polynomial map at a fixed point (Poincaré and Koenigs).

Let g(x) = m x + b_2 x² + … + b_d x^d be a polynomial with a fixed point at 0 and
multiplier m, 0 < |m| ≠ 1 (so m^n ≠ m for n ≥ 2: no resonance). Then there are unique
formal power series, both = x + O(x²), with

* the Poincaré function P:  P(m z) = g(P(z)),
* the Koenigs function  K:  K(g(x)) = m K(x),

and K = P⁻¹. Comparing the coefficients of z^n gives the recursions (docs/conventions.md,
"Discrete step profile")

    c_n (m^n − m) = [z^n] Σ_{j≥2} b_j P_{<n}(z)^j,
    d_n (m − m^n) = [x^n] Σ_{j<n} d_j g(x)^j,

whose right sides use only c_1..c_{n−1} (d_1..d_{n−1}). For a polynomial map with
|m| > 1, P is entire; near an attracting point (|m| < 1) both converge on a disk.
The arithmetic is exact when the map's coefficients are: ``Fraction``s for rational
numbers, ``sympy`` expressions (cancelled at each step) for symbols. Floating
coefficients (gmpy2 ``mpfr``, mpmath ``mpf``) run the same recursion in their own
working precision; the caller certifies the result by a precision change.

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
from operator import add, mul

import sympy as sp


def _field(values: Sequence[object]) -> tuple[list, object]:
    """Return the values in the field they live in, and the normaliser of that field.

    Exact rationals become ``Fraction``s, other sympy input stays symbolic (normalised by
    ``sympy.cancel``); floating values (gmpy2 ``mpfr``, mpmath ``mpf``) are kept as they
    are, so the recursion runs in their own arithmetic and working precision.
    """
    if all(isinstance(v, (int, Fraction)) or (isinstance(v, sp.Basic) and v.is_Rational)
           for v in values):
        return [Fraction(int(sp.numer(v)), int(sp.denom(v))) if isinstance(v, sp.Basic) else Fraction(v)
                for v in values], (lambda x: x)
    if any(isinstance(v, (int, Fraction, sp.Basic)) for v in values):
        return [sp.S(v) for v in values], sp.cancel
    return list(values), (lambda x: x)


def _dot(a: Sequence[object], b: Sequence[object], zero: object) -> object:
    """Σ a_i b_i over the shorter of the two (a C-level loop for floating types)."""
    return sum(map(mul, a, b), zero)


def _prepare(map_coeffs: Sequence[object], order: int, what: str) -> tuple[list, object, object, object]:
    """Validate; return the coefficients in their field, its normaliser, m and 0."""
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
    """c_1..c_order of P with P(m z) = g(P(z)); ``map_coeffs`` = (m, b_2, …, b_d).

    O(d·order²) operations: the powers P^j (2 <= j <= d) are extended one coefficient per
    step, [z^n] P^j = Σ_{i=1}^{n−j+1} c_i [z^{n−i}] P^{j−1}, which uses c_1..c_{n−1} only.
    """
    b, norm, m, zero = _prepare(map_coeffs, order, "Poincaré")
    c = [zero, zero + 1]  # c_0 = 0, c_1 = 1
    powers = [c] + [[zero] * (order + 1) for _ in b[1:]]  # powers[j-1][n] = [z^n] P^j
    m_n = m
    for n in range(2, order + 1):
        m_n *= m
        for j in range(1, len(powers)):  # P^{j+1} at z^n; needs n - i >= j
            prev = powers[j - 1]
            powers[j][n] = _dot(c[1:n - j + 1], prev[n - 1:j - 1:-1], zero)
        rhs = _dot(b[1:], [pw[n] for pw in powers[1:]], zero)
        c.append(norm(rhs / (m_n - m)))
    return tuple(c[1:])


def koenigs_coefficients(map_coeffs: Sequence[object], order: int) -> tuple:
    """d_1..d_order of K with K(g(x)) = m K(x); ``map_coeffs`` = (m, b_2, …, b_d).

    O(d·order²) operations: g^{j+1} = g^j·g is extended by the d terms of g only.
    """
    b, norm, m, zero = _prepare(map_coeffs, order, "Koenigs")
    g = ([zero, *b] + [zero] * order)[: order + 1]
    powers = [g]  # powers[j-1][n] = [x^n] g^j, for n <= order
    d = [zero, zero + 1]
    m_n = m
    for n in range(2, order + 1):
        m_n *= m
        while len(powers) < n - 1:
            # [x^e] g^{j+1} = Σ_k b_k [x^{e−k}] g^j; g^j has no terms below x^j
            last, j = powers[-1], len(powers)
            tail = last[j:order]  # [x^{j..order−1}] g^j, shifted by one power of x
            acc = [b[0] * t for t in tail]
            for k, bk in enumerate(b[1:], start=1):
                acc[k:] = map(add, acc[k:], [bk * t for t in tail[: len(tail) - k]])
            powers.append([zero] * (j + 1) + acc)
        rhs = _dot(d[1:n], [pw[n] for pw in powers[: n - 1]], zero)
        d.append(norm(rhs / (m - m_n)))
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
