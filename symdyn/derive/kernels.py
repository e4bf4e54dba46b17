"""The GD maps of one balanced mode as kernels: each map written once, for every arithmetic.

A kernel runs ``n`` steps of one map from precomputed constants, using only ``+``, ``−``, ``*``
and integer powers, so the same function works on Python floats, numpy arrays, gmpy2 ``mpfr``
(inside a gmpy2 context), mpmath ``mpf`` (of a local context) and sympy expressions. The
constants come from the kernel's ``*_constants(sigma, lam, eta)``, evaluated in the caller's
arithmetic (the high-precision engines form them exactly and round each once).

* depth 1 (linear model; product and factor coincide): w⁺ = c·w + d, c = 1 − ηλ, d = ησ;
* depth 2, product map: w⁺ = w(c − d·w)², c = 1 + ησ, d = ηλ (= w(1 + η(σ − λw))²);
* balanced factor map, depth L >= 2: a⁺ = a + a^{L−1}(e − d·a^L), e = ησ, d = ηλ;
* product map, depth L >= 3: w⁺ = w(1 + r^{L−2}(e − d·w))^L with r = w^{1/L} taken by the
  caller's ``root(w, L)`` (gmpy2 ``rootn``, mpmath ``root``: correctly rounded).

Applied to sympy symbols, each kernel is the derived map: :func:`kernel_maps` returns each as a
:class:`~symdyn.derive.derived.Derived` whose residual against
:func:`~symdyn.derive.dynamics.product_map` / :func:`~symdyn.derive.dynamics.balanced_factor_map`
is 0. The loop lives inside the kernel (one call per ``n`` steps): at 50 digits the gmpy2 engine
spends ~0.25 µs a step, and a Python call per step would add ~10 %.

>>> c, d = product2_constants(1, 2, 0.5)
>>> product2_steps(0.25, c, d), product2_steps(0.25, c, d, n=2)
(0.390625, 0.4807472229003906)
>>> kernel_maps(3)["factor"].verified
True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import sympy as sp

from symdyn.derive.derived import Derived, residual
from symdyn.derive.dynamics import balanced_factor_map, product_map
from symdyn.model import symbols as S
from symdyn.model.checks import check_depth


def linear_constants(sigma, lam, eta) -> tuple:
    """(c, d) = (1 − ηλ, ησ) of the depth-1 map."""
    return 1 - eta * lam, eta * sigma


def linear_steps(w, c, d, n: int = 1):
    """``n`` steps of the depth-1 map w⁺ = c·w + d (:func:`linear_constants`)."""
    for _ in range(n):
        w = c * w + d
    return w


def product2_constants(sigma, lam, eta) -> tuple:
    """(c, d) = (1 + ησ, ηλ) of the depth-2 product map."""
    return 1 + eta * sigma, eta * lam


def product2_steps(w, c, d, n: int = 1):
    """``n`` steps of the depth-2 product map w⁺ = w(c − d·w)² (:func:`product2_constants`).

    c − d·w = 1 + η(σ − λw) is the factor a⁺/a that both factors of a balanced mode share.
    """
    for _ in range(n):
        m = c - d * w
        w = w * (m * m)
    return w


def factor_constants(sigma, lam, eta) -> tuple:
    """(e, d) = (ησ, ηλ) of the balanced factor map and of the depth-L product map."""
    return eta * sigma, eta * lam


def factor_steps(depth: int, a, e, d, n: int = 1):
    """``n`` steps of the balanced factor map a⁺ = a + a^{L−1}(e − d·a^L) (:func:`factor_constants`).

    a^L is formed as a^{L−1}·a, and a^1 is a itself: an integer power costs ~3 products in gmpy2.
    """
    for _ in range(n):
        p = a ** (depth - 1) if depth > 2 else a
        a = a + p * (e - d * (p * a))
    return a


def deep_product_steps(depth: int, w, e, d, root: Callable, n: int = 1):
    """``n`` steps of the depth-L product map w⁺ = w(1 + r^{L−2}(e − d·w))^L, r = ``root(w, L)``."""
    for _ in range(n):
        m = 1 + root(w, depth) ** (depth - 2) * (e - d * w)
        w = w * m**depth
    return w


def _sympy_root(x: sp.Expr, n: int) -> sp.Expr:
    return x ** sp.Rational(1, n)


@cache
def kernel_maps(depth: int) -> dict[str, Derived]:
    """The kernels of ``depth`` applied to sympy symbols, each with its residual against the derivation.

    Keys ``"product"`` (the map of w) and ``"factor"`` (the map of one balanced factor a; for
    depth 1 the same map as the product's).
    """
    check_depth(depth)
    x = sp.Symbol("x", positive=True)
    sig, lam, eta = S.sigma, S.lam, S.eta
    if depth == 1:
        prod = fac = linear_steps(x, *linear_constants(sig, lam, eta))
    elif depth == 2:
        prod = product2_steps(x, *product2_constants(sig, lam, eta))
    else:
        prod = deep_product_steps(depth, x, *factor_constants(sig, lam, eta), _sympy_root)
    if depth >= 2:
        fac = factor_steps(depth, x, *factor_constants(sig, lam, eta))
    a = sp.Symbol("a", positive=True)
    derived_fac = balanced_factor_map(depth).expr.subs(a, x)
    return {
        "product": Derived(f"depth-{depth} product map kernel", prod.subs(x, S.w),
                           {"kernel - product_map": residual(prod - product_map(depth).expr.subs(S.w, x))}),
        "factor": Derived(f"depth-{depth} balanced factor map kernel", fac.subs(x, a),
                          {"kernel - balanced_factor_map": residual(fac - derived_fac)}),
    }
