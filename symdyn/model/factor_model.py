"""A factorised model as data: factors, a loss polynomial in them, the output to follow, the start.

The paper's mode (Gidel et al. 2019, eq. 10) is one instance: factors a_1..a_L, loss
½λ(∏a)² − σ∏a, output ∏a, every factor starting at e^{−δ} (:meth:`symdyn.model.Model.general`).
Any other model is the same data (:meth:`FactorModel.from_loss`, :func:`from_toml`):

>>> m = FactorModel.from_loss("(u**2 - v**2 - beta)**2/2", ["u", "v"], output="u**2 - v**2",
...                           init={"u": "exp(-delta)", "v": "exp(-delta)"}, parameters={"beta": "3/2"})
>>> m.loss
(-beta + u**2 - v**2)**2/2
>>> m.subs(m.loss)
(u**2 - v**2 - 3/2)**2/2
>>> m.w0
0

Strings are read by :func:`symdyn.model.parse.parse_expression` (never evaluated as Python);
numbers are exact. ``delta`` (the scale of the start, as in the paper) may appear in the init;
``eta`` (the step) and ``delta`` are set like parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import sympy as sp

from symdyn.model import symbols as S
from symdyn.model.checks import check_sequence
from symdyn.model.exact import parse_number
from symdyn.model.parse import parse_expression

#: The most factors the derivation handles (invariants by undetermined coefficients grow fast).
MAX_FACTORS = 4

#: Names a user may not take for a factor or a parameter (they are symdyn's own).
RESERVED = frozenset({"w", "w0", "t", "tau", "k", "delta", "eta", "exp", "log", "sqrt", "sin", "cos", "tanh"})

#: Sign assumptions a parameter may carry (``[assume]`` in a TOML file).
ASSUMPTIONS = {"real": {"real": True}, "positive": {"positive": True}, "nonnegative": {"nonnegative": True},
               "negative": {"negative": True}, "nonpositive": {"nonpositive": True}}

#: The value that leaves a parameter symbolic in a TOML file.
SYMBOLIC = "symbolic"

#: Parameters with a canonical symbol (the paper's names and assumptions).
CANONICAL = {"sigma": S.sigma, "lambda": S.lam}


def paper_loss(factors: Sequence[sp.Symbol]) -> sp.Expr:
    """The paper's per-mode loss ½λ(∏a)² − σ∏a (Gidel et al. 2019, eq. 10, one mode)."""
    p = sp.Mul(*factors)
    return sp.Rational(1, 2) * S.lam * p**2 - S.sigma * p


@dataclass(frozen=True)
class FactorModel:
    """A model given by its loss, polynomial in 1 to 4 factors.

    * ``factors``: the factor symbols (real); ``loss``: a polynomial in them whose coefficients
      may hold parameters; ``output``: the polynomial to follow (default ∏ factors);
    * ``init``: each factor's start, an expression in ``delta`` and the parameters;
    * ``parameters``: (symbol, value) pairs; the value is the symbol itself while symbolic;
    * ``eta``, ``delta``: the step and the scale of the start (symbols until given numbers).
    """

    factors: tuple[sp.Symbol, ...]
    loss: sp.Expr
    output: sp.Expr
    init: tuple[sp.Expr, ...]
    parameters: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    eta: sp.Expr = S.eta
    delta: sp.Expr = S.delta
    name: str = ""

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_loss(cls, loss: object, factors: Sequence[object], output: object = None,
                  init: Mapping[str, object] | None = None, parameters: Mapping[str, object] | None = None,
                  *, name: str = "", assume: Mapping[str, str] | None = None) -> FactorModel:
        """A model from its loss (sympy expression or string) and factor names.

        ``parameters`` maps a name to a number (exact) or to ``None``/``"symbolic"`` (stays a symbol);
        ``eta`` and ``delta`` may be given there too. ``init`` maps every factor to its start
        (default: every factor at e^{−δ}). ``assume`` gives a parameter a sign
        (``"positive"``, ``"nonnegative"``, ... ; default real).
        """
        names = [_factor_name(f) for f in check_sequence(factors, "factors")]
        if not 1 <= len(names) <= MAX_FACTORS:
            raise ValueError(f"factors: give 1 to {MAX_FACTORS} factor names, got {len(names)}")
        if len(set(names)) != len(names):
            raise ValueError(f"factors: a name is repeated in {names}")
        fsyms = tuple(sp.Symbol(n, real=True) for n in names)
        params = dict(parameters or {})
        eta = _step_value(params.pop("eta", None), "eta", S.eta)
        delta = _step_value(params.pop("delta", None), "delta", S.delta)
        psyms = _parameter_symbols(params, assume or {}, set(names))
        values = tuple((s, _parameter_value(s, params[s.name])) for s in psyms)
        table = {**{f.name: f for f in fsyms}, **{s.name: s for s in psyms}}
        ell = parse_expression(loss, table, "loss")
        out = sp.Mul(*fsyms) if output is None else parse_expression(output, table, "output")
        start_names = {s.name: s for s in psyms} | {"delta": S.delta}
        init = dict(init) if init is not None else {n: sp.exp(-S.delta) for n in names}
        extra = sorted(set(init) - set(names))
        if extra:
            raise ValueError(f"init: {extra[0]!r} is not a factor (factors: {', '.join(names)})")
        missing = [n for n in names if n not in init]
        if missing:
            raise ValueError(f"init: no start given for the factor {missing[0]!r}")
        starts = tuple(parse_expression(init[n], start_names, f"init.{n}") for n in names)
        model = cls(fsyms, ell, out, starts, values, eta, delta, name)
        model.check()
        return model

    def check(self) -> None:
        """The loss and output are real polynomials in the factors; each start is free of them."""
        for key, e in (("loss", self.loss), ("output", self.output)):
            if e.has(sp.I) or not e.is_polynomial(*self.factors):
                raise ValueError(f"{key}: must be a real polynomial in the factors "
                                 f"{', '.join(map(str, self.factors))}, got {e}")
            if e.has(S.delta):
                raise ValueError(f"{key}: may not depend on delta (delta is the scale of the start)")
        if sp.Poly(self.loss, *self.factors).total_degree() < 1:
            raise ValueError("loss: does not depend on the factors")
        for f, a0 in zip(self.factors, self.init, strict=True):
            if a0.has(sp.I) or a0.free_symbols & set(self.factors):
                raise ValueError(f"init.{f}: must be a real expression in delta and the parameters, got {a0}")

    # ------------------------------------------------------------------ values
    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Every name a formula of this model may use: factors, parameters, delta."""
        return {**{f.name: f for f in self.factors}, **{s.name: s for s, _ in self.parameters},
                "delta": S.delta}

    @property
    def values(self) -> dict[sp.Symbol, sp.Expr]:
        """The substitution {symbol: number} of every parameter given as a number (eta, delta too)."""
        pairs = [*self.parameters, (S.eta, self.eta), (S.delta, self.delta)]
        return {s: v for s, v in pairs if v != s}

    @property
    def symbolic(self) -> tuple[sp.Symbol, ...]:
        """The parameters still symbolic (eta and delta excluded)."""
        return tuple(s for s, v in self.parameters if v == s)

    def subs(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with this model's numbers substituted (exactly)."""
        if isinstance(expr, str):
            raise TypeError("subs takes a sympy expression; parse a formula with symdyn.parse_expression first")
        v = self.values
        expr = sp.sympify(expr, strict=True)
        return expr.subs(v) if v else expr

    @property
    def w0(self) -> sp.Expr:
        """The output at the start (numbers substituted where given)."""
        return self.subs(self.output.subs(dict(zip(self.factors, self.init, strict=True))))

    @property
    def start(self) -> dict[sp.Symbol, sp.Expr]:
        """{factor: its start} with the model's numbers substituted."""
        return {f: self.subs(a0) for f, a0 in zip(self.factors, self.init, strict=True)}

    def with_values(self, **values: object) -> FactorModel:
        """The same model with parameters (by name; ``eta``, ``delta`` too) set to numbers."""
        params = dict(self.parameters)
        eta, delta = self.eta, self.delta
        by_name = {s.name: s for s in params}
        for name, value in values.items():
            if value is None:
                continue
            if name == "eta":
                eta = _step_value(value, "eta", S.eta)
            elif name == "delta":
                delta = _step_value(value, "delta", S.delta)
            elif name in by_name:
                params[by_name[name]] = _parameter_value(by_name[name], value)
            else:
                known = ", ".join(sorted([*by_name, "eta", "delta"]))
                raise ValueError(f"unknown parameter {name!r} for this model (parameters: {known})")
        return replace(self, parameters=tuple(params.items()), eta=eta, delta=delta)

    def numeric(self, need: Sequence[str] = ()) -> FactorModel:
        """Check that every parameter (and the names in ``need``, e.g. ``"eta"``) has a number."""
        missing = [s.name for s in self.symbolic] + [n for n in need if getattr(self, n).is_Symbol]
        if missing:
            raise ValueError(f"{missing[0]} must be a number for a numeric trajectory; "
                             f"set it with model.with_values({missing[0]}=...)")
        return self

    # ------------------------------------------------------------------ save and load
    def to_dict(self) -> dict:
        """The model as JSON-able data, every expression as its srepr (symbols with their assumptions)."""
        from symdyn.model.serialize import srepr

        return {"name": self.name, "factors": [srepr(f) for f in self.factors], "loss": srepr(self.loss),
                "output": srepr(self.output), "init": [srepr(a) for a in self.init],
                "parameters": [[srepr(s), srepr(v)] for s, v in self.parameters],
                "eta": srepr(self.eta), "delta": srepr(self.delta)}

    @staticmethod
    def from_dict(d: Mapping[str, object]) -> FactorModel:
        """Inverse of :meth:`to_dict`: each srepr read without evaluating Python, then :meth:`check`."""
        from symdyn.model.serialize import read_srepr

        try:
            factors = tuple(read_srepr(f) for f in d["factors"])
            if not all(isinstance(f, sp.Symbol) for f in factors):
                raise ValueError("a FactorModel's factors are symbols")
            model = FactorModel(factors, read_srepr(d["loss"]), read_srepr(d["output"]),
                                tuple(read_srepr(a) for a in d["init"]),
                                tuple((read_srepr(s), read_srepr(v)) for s, v in d["parameters"]),
                                read_srepr(d["eta"]), read_srepr(d["delta"]), str(d.get("name", "")))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a FactorModel in JSON lacks or misshapes {exc}") from None
        model.check()
        return model


def _factor_name(f: object) -> str:
    name = f.name if isinstance(f, sp.Symbol) else f
    if not isinstance(name, str) or not _valid_name(name):
        raise ValueError(f"factors: {name!r} is not a valid name (a letter, then letters, digits or _)")
    if name in RESERVED or name in CANONICAL:
        raise ValueError(f"factors: {name!r} is a reserved name; choose another")
    return name


def _valid_name(name: str) -> bool:
    return name.isascii() and name[:1].isalpha() and name.replace("_", "a").isalnum()


def _parameter_symbols(params: Mapping[str, object], assume: Mapping[str, str],
                       factors: set[str]) -> tuple[sp.Symbol, ...]:
    for name in assume:
        if name not in params:
            raise ValueError(f"assume.{name}: not a parameter of this model")
    out = []
    for name in params:
        if not isinstance(name, str) or not _valid_name(name):
            raise ValueError(f"parameters: {name!r} is not a valid name")
        if name in RESERVED or name in factors:
            raise ValueError(f"parameters.{name}: the name is taken (a factor or one of symdyn's own)")
        if name in CANONICAL:
            if name in assume:
                raise ValueError(f"assume.{name}: {name} is nonnegative by convention and cannot be changed")
            out.append(CANONICAL[name])
            continue
        kind = assume.get(name, "real")
        if kind not in ASSUMPTIONS:
            raise ValueError(f"assume.{name}: must be one of {', '.join(ASSUMPTIONS)}, got {kind!r}")
        out.append(sp.Symbol(name, **ASSUMPTIONS[kind]))
    return tuple(out)


def _parameter_value(sym: sp.Symbol, value: object) -> sp.Expr:
    if value is None or value == SYMBOLIC:
        return sym
    q = parse_number(value, f"parameters.{sym.name}")
    if (sym.is_nonnegative and q < 0) or (sym.is_positive and q <= 0) or (sym.is_negative and q >= 0) \
            or (sym.is_nonpositive and q > 0):
        raise ValueError(f"parameters.{sym.name}: {q} contradicts the assumption on {sym.name}")
    return q


def _step_value(value: object, name: str, sym: sp.Symbol) -> sp.Expr:
    if value is None or value == SYMBOLIC:
        return sym
    return parse_number(value, name, 0, name == "eta")


# ---------------------------------------------------------------------- TOML
#: Keys of a model file.
TOML_KEYS = ("name", "factors", "loss", "output", "parameters", "init", "assume")


def from_toml(text: str, overrides: Mapping[str, object] | None = None) -> FactorModel:
    """A model from the text of a TOML file (see ``examples/models/``); ``overrides`` set parameters.

    Every problem is one ``ValueError`` naming the key.
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text, parse_float=str)  # decimals stay exact: 0.1 is 1/10
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not a valid TOML file: {exc}") from None
    unknown = sorted(set(data) - set(TOML_KEYS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (allowed: {', '.join(TOML_KEYS)})")
    for key in ("factors", "loss"):
        if key not in data:
            raise ValueError(f"{key}: missing (a model file needs factors and loss)")
    factors = data["factors"]
    if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
        raise ValueError("factors: must be a list of names, e.g. factors = [\"a\", \"b\"]")
    for key in ("parameters", "init", "assume"):
        if key in data and not isinstance(data[key], dict):
            raise ValueError(f"{key}: must be a table ([{key}])")
    for key in ("name", "loss", "output"):
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"{key}: must be a string")
    model = FactorModel.from_loss(data["loss"], factors, data.get("output"), data.get("init"),
                                  data.get("parameters", {}), name=data.get("name", ""),
                                  assume=data.get("assume"))
    return model.with_values(**dict(overrides or {}))


def as_factor_model(model: object) -> FactorModel:
    """``model`` as a :class:`FactorModel`: itself, or a paper :class:`~symdyn.model.core.Model`'s general form."""
    from symdyn.model.core import Model

    if isinstance(model, FactorModel):
        return model
    if isinstance(model, Model):
        return model.general()
    raise TypeError(f"model must be a symdyn.Model or FactorModel (Model.from_loss, from_toml), "
                    f"got {type(model).__name__}")
