"""A model is data: depth, per-mode parameters, step, init scale and init convention.

Derivation, limits and code generation are written once and read the model; nothing
about a particular depth is hard-wired elsewhere (docs/conventions.md).

>>> m = Model(depth=2)
>>> m.w0
exp(-2*delta)
>>> Model(depth=2, init="product").w0
exp(-delta)
>>> Model(depth=2, sigma="1/2", lam=1).sigma
1/2
>>> Model(depth=2, w0="0.3").w0   # your own start, beside the init conventions
3/10
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sympy as sp

from symdyn.model import symbols as S
from symdyn.model.checks import check_depth, check_init, init_exponent
from symdyn.model.exact import parse_number

if TYPE_CHECKING:
    from symdyn.model.factor_model import FactorModel


@dataclass(frozen=True, init=False)
class Model:
    """One mode of a depth-L linear network.

    Parameters default to the canonical symbols; give numbers (strings, ints,
    fractions) to substitute them exactly.

    * ``depth``: L = 1 (linear model), 2 (the paper's two-layer network) or L >= 3.
    * ``sigma``, ``lam``: σ >= 0 (singular value of Σxy), λ >= 0 (u_iᵀ Σx u_i).
    * ``eta``: step size η > 0. ``delta``: init scale δ >= 0.
    * ``init``: ``"layer"`` (default: every factor starts at e^{-δ}, so w0 = e^{-Lδ})
      or ``"product"`` (the product starts at e^{-δ}).
    * ``w0``: your own start of the product (an exact number > 0; each factor starts at
      w0^{1/L}), beside the two δ-based inits; δ is then left unset. It is stored as the field
      ``start`` (``None`` for the δ-based inits) and recorded in every result; :attr:`w0` is the
      start either way.
    """

    depth: int = 2
    sigma: sp.Expr = field(default=S.sigma)
    lam: sp.Expr = field(default=S.lam)
    eta: sp.Expr = field(default=S.eta)
    delta: sp.Expr = field(default=S.delta)
    init: str = "layer"
    start: sp.Expr | None = None

    def __init__(self, depth: int = 2, sigma: object = S.sigma, lam: object = S.lam, eta: object = S.eta,
                 delta: object = S.delta, init: str = "layer", w0: object = None, *, start: object = None) -> None:
        # ``start`` is the field's name (what dataclasses.replace passes back); ``w0`` is the user's word
        for name, value in (("depth", depth), ("sigma", sigma), ("lam", lam), ("eta", eta), ("delta", delta),
                            ("init", init), ("start", w0 if w0 is not None else start)):
            object.__setattr__(self, name, value)
        self.__post_init__()

    def __post_init__(self) -> None:
        check_depth(self.depth)
        check_init(self.init)
        for name, lo, strict in (("sigma", 0, False), ("lam", 0, False),
                                 ("eta", 0, True), ("delta", 0, False)):
            value = getattr(self, name)
            if isinstance(value, sp.Symbol):
                continue
            label = "lambda" if name == "lam" else name
            object.__setattr__(self, name, parse_number(value, label, lo, strict))
        if self.start is not None:
            object.__setattr__(self, "start", parse_number(self.start, "w0", 0, True))
            if self.delta != S.delta:
                raise ValueError(f"give the start once: w0={self.start} or delta={self.delta} "
                                 f"(the {self.init!r} init's e^(-m*delta)), not both")

    def __repr__(self) -> str:
        shown = [f"depth={self.depth}"] + [f"{n}={getattr(self, n)}" for n in ("sigma", "lam", "eta", "delta")
                                           if getattr(self, n) != getattr(S, n)]
        shown.append(f"w0={self.start}" if self.start is not None else f"init={self.init!r}")
        return f"Model({', '.join(shown)})"

    @property
    def w0(self) -> sp.Expr:
        """The product's start: ``w0`` if given, else e^{-Lδ} under ``"layer"`` init, e^{-δ} under ``"product"``."""
        return self.start if self.start is not None else sp.exp(self.ln_w0)

    @property
    def ln_w0(self) -> sp.Expr:
        """ln w0 = −Lδ (``"layer"``) or −δ (``"product"``), exact even where w0 underflows; ln of a given w0."""
        if self.start is not None:
            return sp.log(self.start)
        return -init_exponent(self.depth, self.init) * self.delta

    @property
    def factor0(self) -> sp.Expr:
        """Each factor's start (balanced): w0^{1/L}."""
        if self.start is not None:
            return self.start ** sp.Rational(1, self.depth)
        return sp.exp(self.ln_w0 / self.depth)

    @property
    def start_is_numeric(self) -> bool:
        """True when the start is a number: ``w0`` given, or δ given."""
        return self.start is not None or self.delta.is_Number

    @property
    def values(self) -> dict[sp.Symbol, sp.Expr]:
        """The substitution {symbol: value} for every parameter given as a number (and w0 when given)."""
        pairs = ((S.sigma, self.sigma), (S.lam, self.lam), (S.eta, self.eta), (S.delta, self.delta),
                 (S.w0, self.start if self.start is not None else S.w0))
        return {s: v for s, v in pairs if v != s}

    def subs(self, expr: sp.Expr) -> sp.Expr:
        """Substitute this model's numeric parameters into ``expr`` (exactly)."""
        return expr.subs(self.values) if self.values else expr

    def with_values(self, **kw: object) -> Model:
        return replace(self, **kw)

    def starting_at(self, w0: object) -> Model:
        """This model started at the product value ``w0`` (δ unset): ``Model(..., w0=w0)``."""
        return replace(self, delta=S.delta, start=w0)

    def to_dict(self) -> dict:
        """The model as JSON-able data (each parameter its exact value as text, or the symbol's name)."""
        out = {"depth": self.depth, "init": self.init,
               **{n: str(getattr(self, n)) for n in ("sigma", "lam", "eta", "delta")}}
        if self.start is not None:
            out["w0"] = str(self.start)
        return out

    @staticmethod
    def from_dict(d: Mapping[str, object]) -> Model:
        """Inverse of :meth:`to_dict` (a parameter equal to its symbol's name stays symbolic)."""
        if not isinstance(d, Mapping):
            raise ValueError("a model in JSON is an object")
        kw = {n: d[n] for n in ("sigma", "lam", "eta", "delta") if n in d and d[n] != getattr(S, n).name}
        return Model(depth=d.get("depth", 2), init=d.get("init", "layer"), w0=d.get("w0"), **kw)

    def general(self) -> FactorModel:
        """This mode as a :class:`~symdyn.model.factor_model.FactorModel`: factors a_1..a_L, loss
        ½λ(∏a)² − σ∏a, output ∏a, each factor at e^{−δ} ("layer") or e^{−δ/L} ("product")."""
        from symdyn.model.factor_model import FactorModel, paper_loss

        a = S.factors(self.depth)
        start = self.factor0 if self.start is not None else (
            sp.exp(-init_exponent(self.depth, self.init) * S.delta / self.depth))
        return FactorModel(a, paper_loss(a), sp.Mul(*a), (start,) * self.depth,
                           ((S.sigma, self.sigma), (S.lam, self.lam)), self.eta, self.delta,
                           f"the paper's mode, depth {self.depth}, init {self.init}")

    @staticmethod
    def from_loss(loss: object, factors: Sequence[object], output: object = None,
                  init: Mapping[str, object] | None = None,
                  parameters: Mapping[str, object] | None = None, **kw: object) -> FactorModel:
        """Your own model: :meth:`symdyn.model.factor_model.FactorModel.from_loss`.

        >>> Model.from_loss("(a*b - 1)**2/2", ["a", "b"]).output
        a*b
        """
        from symdyn.model.factor_model import FactorModel

        return FactorModel.from_loss(loss, factors, output, init, parameters, **kw)

    def check_step_size(self) -> None:
        """Raise ``ValueError`` if η is outside the stable range for this depth.

        L = 1: 0 < ηλ < 2 (the map's multiplier 1 - ηλ lies in (-1, 1)).
        L = 2: 0 < ησ < 1 (the fixed point σ/λ has multiplier 1 - 2ησ, docs/conventions.md).
        L >= 3: Lηλ(σ/λ)^{2−2/L} < 2 (multiplier 1 − Lηλ(σ/λ)^{2−2/L}, :func:`symdyn.depth.gd_step_bound`).
        Only checked when the parameters are numbers.
        """
        if self.depth == 1 and self.eta.is_Number and self.lam.is_Number:
            if self.eta * self.lam >= 2:
                raise ValueError(
                    f"step size eta={self.eta} is unstable for lambda={self.lam}: "
                    f"need eta*lambda < 2, i.e. eta < {2 / self.lam}"
                )
        if self.depth == 2 and self.eta.is_Number and self.sigma.is_Number and self.sigma > 0:
            if self.eta * self.sigma >= 1:
                raise ValueError(
                    f"step size eta={self.eta} is unstable for sigma={self.sigma}: "
                    f"need eta*sigma < 1, i.e. eta < {1 / self.sigma}"
                )
        if (self.depth >= 3 and all(v.is_Number for v in (self.eta, self.sigma, self.lam))
                and self.sigma > 0 and self.lam > 0):
            gain = self.depth * self.eta * self.lam * (self.sigma / self.lam) ** (2 - sp.Rational(2, self.depth))
            if gain >= 2:
                raise ValueError(
                    f"step size eta={self.eta} is unstable at sigma/lambda for depth {self.depth}: "
                    f"need L*eta*lambda*(sigma/lambda)^(2-2/L) < 2, i.e. eta < {sp.N(2 * self.eta / gain, 6)}"
                )
