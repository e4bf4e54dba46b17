"""Gradient descent on one mode at arbitrary precision (docs/conventions.md, "Scalar GD maps").

Maps (η step, σ, λ exact; c and d are rounded once to the working precision):

* L = 1, product or factor (they coincide): w⁺ = w + η(σ − λw) = (1 − ηλ) w + ησ.
* L = 2, product map: w⁺ = w(1 + η(σ − λw))² = w (c − d w)², c = 1 + ησ, d = ηλ.
* L = 2, per-factor map (paper eq. 22, erratum E6): a⁺ = a + ηa(σ − λa²) = a + a(e − d a²),
  e = ησ, reported as the product w = a².
* σ = 0 modes are the same maps with σ = 0: w⁺ = w(1 − ηλw)².
* L >= 3 (issue #10), e = ησ, d = ηλ: product map w⁺ = w(1 + w^{(L−2)/L}(e − d w))^L (the L-th root
  correctly rounded: gmpy2 ``rootn``, mpmath ``root``); per-factor map a⁺ = a + a^{L−1}(e − d a^L),
  reported as w = a^L (:func:`deep_kernel`).

The start follows the model's init convention: the product at ``model.w0`` (e^{−2δ} under
the default "layer" init, e^{−δ} under "product"), each factor at ``model.factor0``.

The certified values (:func:`gd_values`) are **proven**: :func:`gd_enclosures` carries the
rigorous log-error recurrence of :mod:`symdyn.precise.gd_proof` beside the midpoint iteration
(on the stable range of the L = 2 maps at no per-step cost; elsewhere a few float operations a
step) and returns balls, so the digits are those the enclosure proves (``proof == "ball"``).

Each map is data (:data:`KERNELS`): a kernel of :mod:`symdyn.derive.kernels` (the maps written
once, for every arithmetic, each proven equal to the derived map of :mod:`symdyn.derive.dynamics`
by a residual), its constants, the start and the reported power. The kernel runs on gmpy2 ``mpfr``
numbers inside a local gmpy2 context (engine ``"gmpy2"``, the default: ~10× faster than mpmath's
``mpf`` at 50 digits, see ``benchmarks/bench_highprec.py``) or on the ``mpf`` of a local mpmath
context (engine ``"mpmath"``). Both round to nearest after every operation in the same order, so
at equal precision they return bitwise identical iterates.

>>> from symdyn.model.core import Model
>>> m = Model(depth=2, sigma="1/2", lam=2, eta="1/10", delta=300)
>>> vals = gd_values(m, [0, 6000, 7000], 12)
>>> [str(v) for v in vals], {v.proof for v in vals}
(['2.65039655300e-261', '4.95334865180e-7', '0.250000000000'], {'ball'})
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, partial

import sympy as sp
from mpmath.libmp import from_man_exp, round_nearest

from symdyn.derive import kernels as K
from symdyn.model import symbols as S
from symdyn.model.core import Model
from symdyn.model.exact import parse_number
from symdyn.precise import gd_proof as P
from symdyn.precise.balls import arb, arb_from_man_exp, arb_from_mpf
from symdyn.precise.certified import (
    Certified,
    Progress,
    ball_context,
    certify,
    check_prec,
    local_context,
    run_progress,
)
from symdyn.precise.evaluate import evaluate, evaluate_ball

try:  # gmpy2 is a declared dependency; the mpmath engine keeps symdyn usable without it
    import gmpy2
except ImportError:  # pragma: no cover - exercised only where gmpy2 is missing
    gmpy2 = None

ENGINES = ("gmpy2", "mpmath") if gmpy2 is not None else ("mpmath",)
DEFAULT_ENGINE = ENGINES[0]
MAPS = ("product", "factor")

#: Steps between two progress reports (and divergence checks).
CHUNK = 1 << 14

#: |x| beyond 2^EXP_LIMIT counts as divergence (gmpy2's own exponent range is 2^30).
EXP_LIMIT = 1 << 29

def _root(x, n: int):
    """The correctly rounded n-th root of x >= 0 in x's own arithmetic (gmpy2, mpmath; sympy for map_expr)."""
    if gmpy2 is not None and isinstance(x, gmpy2.mpfr):
        return gmpy2.rootn(x, n)
    if isinstance(x, sp.Basic):
        return x ** sp.Rational(1, n)
    return x.context.root(x, n)


@dataclass(frozen=True)
class Kernel:
    """One GD map as data: its kernel (:mod:`symdyn.derive.kernels`), the start, the output."""

    steps: Callable  # steps(x, c, d, n=...) -> x after n steps, in the engine's arithmetic
    constants: Callable  # (sigma, lam, eta) -> (c, d), evaluated exactly, then rounded once
    start: str  # "w0" (the product's start) or "factor0" (each factor's start)
    output_power: int  # the reported product is x**output_power
    proof: P.ErrorModel = field(compare=False)  # its rounding and log-derivative bounds (gd_proof)

    def map_expr(self, x: sp.Symbol | None = None) -> sp.Expr:
        """One step of the kernel applied to sympy symbols: the map in ``x`` (default the symbol x)."""
        x = sp.Symbol("x") if x is None else x
        return self.steps(x, *self.constants(S.sigma, S.lam, S.eta), n=1)


KERNELS: dict[tuple[int, str], Kernel] = {
    (1, "product"): Kernel(K.linear_steps, K.linear_constants, "w0", 1, P.LINEAR),
    (1, "factor"): Kernel(K.linear_steps, K.linear_constants, "factor0", 1, P.LINEAR),
    (2, "product"): Kernel(K.product2_steps, K.product2_constants, "w0", 1, P.PRODUCT2),
    (2, "factor"): Kernel(partial(K.factor_steps, 2), K.factor_constants, "factor0", 2, P.factor_model(2)),
}


@cache
def deep_kernel(depth: int, map: str = "product") -> Kernel:
    """The depth-L (L >= 3) kernel: dynamics.product_map(L) or dynamics.balanced_factor_map(L)."""
    if depth < 3:
        raise ValueError(f"deep_kernel is for depth >= 3, got {depth}; see KERNELS")
    if map == "product":
        return Kernel(partial(K.deep_product_steps, depth, root=_root), K.factor_constants, "w0", 1,
                      P.deep_product_model(depth))
    return Kernel(partial(K.factor_steps, depth), K.factor_constants, "factor0", depth, P.factor_model(depth))


def numeric_model(model: Model, need: Sequence[str] = ("sigma", "lam", "eta", "delta")) -> Model:
    """Check that ``model`` has numbers for the parameters in ``need`` (one-line ``ValueError``)."""
    for name in need:
        if name == "delta" and model.start is not None:  # the start is given as w0
            continue
        if not getattr(model, name).is_Number:
            raise ValueError(f"{name} must be a number for a numeric trajectory; give Model({name}=...)")
    return model


def kernel_for(model: Model, map: str = "product") -> Kernel:
    """The kernel of ``model``'s GD map (``map``: "product" or "factor")."""
    if map not in MAPS:
        raise ValueError(f"map must be one of {', '.join(MAPS)}, got {map!r}")
    if model.depth >= 3:
        return deep_kernel(model.depth, map)
    return KERNELS[(model.depth, map)]


def check_steps(steps: Sequence[int]) -> list[int]:
    """Validate step indices (integers >= 0, numpy integers and integer arrays too); returns them
    as Python ints in order. A single integer is one step."""
    if isinstance(steps, numbers.Integral) or getattr(steps, "ndim", None) == 0:
        steps = [steps]
    elif hasattr(steps, "ravel"):  # a numpy array (numpy is not imported here: its integers are Integral)
        steps = list(steps.ravel())
    out = []
    for k in steps:
        if type(k).__name__ in ("bool", "bool_") or not isinstance(k, numbers.Integral) or k < 0:
            raise ValueError(f"steps must be integers >= 0, got {k!r}")
        out.append(int(k))
    if not out:
        raise ValueError("give at least one step to record")
    return out


def _check_engine(engine: str) -> str:
    if engine not in ENGINES:
        hint = " (pip install gmpy2)" if engine == "gmpy2" else ""
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}{hint}")
    return engine


class Numbers:
    """Conversion between exact/mpmath values and the engine's number type ("gmpy2" or "mpmath") at
    ``prec`` bits (the GD iterations here and in :mod:`symdyn.precise.factor_system`)."""

    def __init__(self, engine: str, prec: int):
        self.engine, self.prec = engine, prec
        self.ctx = local_context(prec)

    def exact(self, q: sp.Rational):
        if self.engine == "gmpy2":
            return gmpy2.mpfr(gmpy2.mpq(int(q.p), int(q.q)))
        return evaluate(q, self.prec)

    def from_mpf(self, x):
        sign, man, exp, _ = x._mpf_
        if self.engine == "gmpy2":
            y = gmpy2.mul_2exp(gmpy2.mpfr(man), exp)
            return -y if sign else y
        return +self.ctx.make_mpf(x._mpf_)

    def to_mpf(self, x):
        if self.engine == "gmpy2":
            man, exp = x.as_mantissa_exp()
            return self.ctx.make_mpf(from_man_exp(int(man), int(exp), self.prec))
        return x

    def fraction(self, x) -> Fraction:
        """The exact value of an engine number."""
        if self.engine == "gmpy2":
            n, d = x.as_integer_ratio()
            return Fraction(int(n), int(d))
        man, exp = x.man_exp
        return Fraction(int(man)) * Fraction(2) ** int(exp)

    def exponent(self, x) -> int:
        if self.engine == "gmpy2":
            return int(x.as_mantissa_exp()[1]) + self.prec if x else 0
        return int(self.ctx.mag(x)) if x else 0


def gd_iterates(model: Model, steps: Sequence[int], prec: int, *, map: str = "product",
                engine: str = DEFAULT_ENGINE, progress: Progress | None = None, w0: object = None) -> list:
    """The product w_k at each requested step k, iterated at ``prec`` bits (uncertified).

    Returns mpmath ``mpf`` values of a local context. ``progress(done, total, stage)`` is
    called every :data:`CHUNK` steps. ``w0`` (an exact number, optional) starts the product there,
    as ``Model(w0=...)`` does (:meth:`~symdyn.model.core.Model.starting_at`; each factor at w0^{1/L}).
    """
    if w0 is not None:
        model = model.starting_at(w0)
    numeric_model(model)
    model.check_step_size()
    kernel = kernel_for(model, map)
    check_prec(prec)
    _check_engine(engine)
    steps = check_steps(steps)
    order = sorted(set(steps))
    start = evaluate(model.subs(getattr(model, kernel.start)), prec + 32)
    if engine == "gmpy2":
        with gmpy2.context(precision=prec, trap_overflow=True, trap_underflow=True, trap_invalid=True):
            try:
                found = _run(model, kernel, order, Numbers(engine, prec), start, progress)
            except (gmpy2.OverflowResultError, gmpy2.UnderflowResultError,
                    gmpy2.InvalidOperationError) as exc:
                raise ValueError(f"the GD iteration left the floating-point range ({exc}); "
                                 "the step size or start is outside the convergent regime") from None
    else:
        ctx_numbers = Numbers(engine, prec)
        found = _run(model, kernel, order, ctx_numbers, start, progress)
    return [found[k] for k in steps]


def _start(model: Model, kernel: Kernel, w0: object) -> sp.Expr:
    """The exact start of the iterated variable: the init convention's, or ``w0`` given."""
    if w0 is None:
        return model.subs(getattr(model, kernel.start))
    q = parse_number(w0, "w0", 0, True)
    return q if kernel.start == "w0" else q ** sp.Rational(1, model.depth)


def _run(model: Model, kernel: Kernel, order: list[int], nums: Numbers, start, progress) -> dict:
    c, d = (nums.exact(sp.S(v)) for v in kernel.constants(model.sigma, model.lam, model.eta))
    x = nums.from_mpf(start)
    total, done, found = order[-1], 0, {}
    stage = f"GD L={model.depth} {kernel.start} map at {nums.prec} bits"
    for target in order:
        while done < target:
            n = min(CHUNK, target - done)
            x = kernel.steps(x, c, d, n=n)
            done += n
            if abs(nums.exponent(x)) > EXP_LIMIT:
                raise ValueError(f"the GD iteration diverged by step {done} (|w| beyond 2^{EXP_LIMIT}); "
                                 "the step size or start is outside the convergent regime")
            if progress is not None:
                progress(done, total, stage)
        value = nums.to_mpf(x)
        found[target] = value ** kernel.output_power if kernel.output_power != 1 else value
    return found


# --------------------------------------------------------------------------- proven iteration
def start_point(nums: Numbers, start: arb) -> tuple[object, float]:
    """The start ball as (midpoint rounded to the engine's precision, s0 with |ln(true/mid)| <= s0·u).

    ``nums``: an engine's numbers (``prec``, ``ctx``, ``from_mpf``, ``fraction``); (None, inf) for a
    ball that contains 0 or is unbounded."""
    if not start.is_finite() or start.contains(0):
        return None, math.inf
    man, exp = (int(v) for v in start.mid().man_exp())
    x = nums.from_mpf(nums.ctx.make_mpf(from_man_exp(man, exp, nums.prec, round_nearest)))
    if start.is_exact() and nums.fraction(x) == Fraction(man) * Fraction(2) ** exp:
        return x, 0.0  # an exact start: no error yet
    with ball_context(64):
        q = (start.rad() / abs(start.mid())) * arb((1, nums.prec))  # (radius / |mid|) / u
        s0 = float(q.upper()) * (1 + 2.0**-40)
    # |ln(true/mid)| <= q·u·(1 + 2qu) (qu <= 2^-20 then), plus the rounding of the midpoint
    return x, (s0 * (1 + 2.0**-19) + 1.01) if s0 * 2.0**-nums.prec <= 2.0**-20 else math.inf


def _ball(nums: Numbers, x, s: float, power: int) -> arb:
    """The ball x·e^{±s·u} (raised to ``power``): proven to contain the exact iterate."""
    if not math.isfinite(s):
        return arb(0, math.inf)
    if nums.engine == "gmpy2":
        man, exp = x.as_mantissa_exp()
        mid = arb_from_man_exp(int(man), int(exp))
    else:
        mid = arb_from_mpf(x._mpf_)
    with ball_context(nums.prec + 32):
        eps = (arb(s) * arb((1, -nums.prec))).expm1()  # e^{su} − 1
        ball = mid * (1 + arb(0, eps.upper()))
        return ball**power if power != 1 else ball


def prove_orbit(kernel: Kernel, constants: Sequence[sp.Rational], start: arb, steps: Sequence[int], prec: int,
                *, engine: str = DEFAULT_ENGINE, progress: Progress | None = None, stage: str = "") -> list[arb]:
    """Balls proven to contain the exact iterates f^k(x₀) for x₀ in the ball ``start``, k in ``steps``.

    The midpoints are the kernel's iterates at ``prec`` bits in ``engine`` (bitwise those of
    :func:`gd_iterates`); beside them runs the error bound of :mod:`symdyn.precise.gd_proof`: the
    fast region's ρ per step once the orbit is in it, else the per-step bound. A failed bound gives
    balls of infinite radius (no digit proven), never a narrower ball. ``constants`` are the
    kernel's exact constants.
    """
    check_prec(prec)
    _check_engine(engine)
    order = sorted(set(check_steps(steps)))
    exact = tuple(Fraction(int(sp.Rational(q).p), int(sp.Rational(q).q)) for q in constants)
    if engine == "gmpy2":
        with gmpy2.context(precision=prec, trap_overflow=True, trap_underflow=True, trap_invalid=True):
            try:
                found = _prove(kernel, exact, start, order, Numbers(engine, prec), progress, stage)
            except (gmpy2.OverflowResultError, gmpy2.UnderflowResultError,
                    gmpy2.InvalidOperationError) as exc:
                raise ValueError(f"the GD iteration left the floating-point range ({exc}); "
                                 "the step size or start is outside the convergent regime") from None
    else:
        found = _prove(kernel, exact, start, order, Numbers(engine, prec), progress, stage)
    return [found[k] for k in steps]


def _prove(kernel: Kernel, exact: tuple[Fraction, ...], start: arb, order: list[int], nums: Numbers,
           progress: Progress | None, stage: str) -> dict:
    consts = tuple(nums.exact(sp.Rational(q.numerator, q.denominator)) for q in exact)
    floats = tuple(float(q) for q in exact)
    model, step = kernel.proof, kernel.steps
    region = model.region(exact) if nums.prec >= P.FAST_MIN_PREC else None
    # while the iterate is still exact (s = 0) and the constants are too, a step is checked in exact
    # rational arithmetic: an exact result (e.g. 0 when c = d·w) keeps s = 0 where the relative bound
    # has no answer (the map's multiplier vanishes)
    exact_consts = all(nums.fraction(c) == q for c, q in zip(consts, exact, strict=True))
    u = 2.0**-nums.prec
    x, s = start_point(nums, start)
    total, done, found = order[-1], 0, {}
    fast = False
    for target in order:
        while done < target and math.isfinite(s):
            n = min(CHUNK, target - done)
            if not fast and region is not None and region.contains(float(x), s * u):
                fast = True
            if fast:  # the raw kernel: the region bounds every step by rho
                x = step(x, *consts, n=n)
                s += region.rho * n
                done += n
            else:
                for _ in range(n):
                    xf = float(x)
                    if region is not None and region.contains(xf, s * u):
                        break
                    if s == 0 and exact_consts and _exact_step(step, nums, x, exact):
                        x = step(x, *consts)
                        done += 1
                        continue
                    s = P.bound_step(model, xf, floats, s, u)
                    if not math.isfinite(s):
                        break
                    x = step(x, *consts)
                    done += 1
            if abs(nums.exponent(x)) > EXP_LIMIT:
                raise ValueError(f"the GD iteration diverged by step {done} (|w| beyond 2^{EXP_LIMIT}); "
                                 "the step size or start is outside the convergent regime")
            if progress is not None:
                progress(done, total, stage or f"GD {model.name} with error bound at {nums.prec} bits")
        found[target] = _ball(nums, x, s if done == target else math.inf, kernel.output_power)
    return found


def _exact_step(step: Callable, nums: Numbers, x, exact: tuple[Fraction, ...]) -> bool:
    """Whether one step from the engine number ``x`` is computed exactly (compared with Fractions)."""
    try:
        want = step(nums.fraction(x), *exact)
    except (TypeError, AttributeError):  # an irrational operation (the L-th root): not checked exactly
        return False
    with_consts = tuple(nums.exact(sp.Rational(q.numerator, q.denominator)) for q in exact)
    return nums.fraction(step(x, *with_consts)) == want


def gd_enclosures(model: Model, steps: Sequence[int], prec: int, *, map: str = "product",
                  engine: str = DEFAULT_ENGINE, progress: Progress | None = None, w0: object = None) -> list[arb]:
    """Balls proven to contain the product w_k at each step k (midpoints iterated at ``prec`` bits).

    The start (the init convention's, or ``w0``) enters as a ball evaluated 32 bits above
    ``prec``; see :func:`prove_orbit`. Options as in :func:`gd_iterates`.
    """
    numeric_model(model, ("sigma", "lam", "eta") + (("delta",) if w0 is None else ()))
    model.check_step_size()
    kernel = kernel_for(model, map)
    check_prec(prec)
    start = evaluate_ball(_start(model, kernel, w0), prec + 32)
    constants = kernel.constants(model.sigma, model.lam, model.eta)
    return prove_orbit(kernel, constants, start, steps, prec, engine=engine, progress=progress,
                       stage=f"GD L={model.depth} {kernel.start} map with error bound at {prec} bits")


def gd_values(model: Model, steps: Sequence[int], digits: int, *, map: str = "product",
              engine: str = DEFAULT_ENGINE, max_prec: int | None = None, start_prec: int | None = None,
              strict: bool = True, progress: Progress | None = None, w0: object = None) -> list[Certified]:
    """The GD product w_k at each step, each to ``digits`` proven significant digits.

    The balls of :func:`gd_enclosures` (``proof == "ball"``), at rising precision until they are
    narrow enough (:func:`symdyn.precise.certified.certify`); the guard grows with log₂(max k)
    (the bound grows like ~16 u per step on the stable range). ``max_prec``/``start_prec``/``strict``
    as there; ``w0`` as in :func:`gd_iterates`.
    """
    steps = check_steps(steps)
    guard = max(steps).bit_length() + 4

    runs = run_progress(progress)

    def compute(prec: int) -> list:
        return gd_enclosures(model, steps, prec, map=map, engine=engine, progress=runs, w0=w0)

    return certify(compute, digits, guard_bits=guard, max_prec=max_prec, start_prec=start_prec,
                   strict=strict,
                   progress=runs)
