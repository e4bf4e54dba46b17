"""A measure over a grid of exact parameters: the grid, its cells as rows, the heatmap of a 2-D grid.

An axis is an inclusive linear grid of exact rationals, START + i (STOP − START)/(NUM − 1) for
i = 0 .. NUM − 1 (text ``NAME=START:STOP:NUM``), or a list (``NAME=a,b,c``). The cells are the
product of the axes, the last axis running fastest; cell i is decoded from its index, so no grid
is ever held in memory and a chunk of cells is two integers.

A row holds the cell's index ``cell``; each parameter as its exact text and as ``<name>_float``;
the measure's columns (a certified value as its decimal text, which carries exactly its certified
digits, and ``<column>_float``); ``digits`` (the fewest certified digits in the row), ``error``
(why the cell has no value, e.g. an unstable step size; empty otherwise), ``seconds`` and ``worker``.

>>> g = grid_spec(Subject(), "gd", "transition", [parse_axis("eta=1/10:1/2:5"), parse_axis("delta=20,40")],
...               {"sigma": "1", "lambda": "1"}, digits=10)
>>> g.cells, g.point(3)
(10, {'eta': 1/5, 'delta': 40, 'sigma': 1, 'lambda': 1})
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from symdyn.model.checks import MAX_CELLS, check_cells
from symdyn.model.exact import parse_number
from symdyn.numeric.measures import DYNAMICS, MEASURES, Subject, check_measure, measure
from symdyn.precise.certified import Certified, check_digits
from symdyn.precise.crossing import MAX_STEPS

#: Values an axis may have at most (its grid still has to pass the cell limit).
MAX_AXIS = 10**9


@dataclass(frozen=True)
class Axis:
    """One parameter's values: ``values`` (a list, exact text) or ``start``, ``stop``, ``num`` (linear)."""

    name: str
    values: tuple[str, ...] = ()
    start: str = ""
    stop: str = ""
    num: int = 0

    def __len__(self) -> int:
        return self.num if not self.values else len(self.values)

    def value(self, i: int) -> sp.Rational:
        """The i-th value, exact."""
        if self.values:
            return sp.Rational(self.values[i])
        a, b = sp.Rational(self.start), sp.Rational(self.stop)
        return a if self.num == 1 else a + (b - a) * i / (self.num - 1)

    def ends(self) -> list[sp.Rational]:
        """The values a check must see: every listed value, or the two ends of a linear axis."""
        return [self.value(i) for i in range(len(self))] if self.values else [self.value(0), self.value(self.num - 1)]

    @property
    def text(self) -> str:
        if self.values:
            return f"{self.name}={','.join(self.values)}"
        return f"{self.name}={self.start}:{self.stop}:{self.num}"


def linear_axis(name: str, start: object, stop: object, num: object) -> Axis:
    """START, START + h, …, STOP: ``num`` values, exact; START < STOP (or START = STOP with num = 1)."""
    a, b = parse_number(start, f"{name} start"), parse_number(stop, f"{name} stop")
    if isinstance(num, str):
        if not num.strip().isdigit():
            raise ValueError(f"{name}: the number of values must be an integer >= 1, got {num!r}")
        num = int(num)
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"{name}: the grid is empty: the number of values must be an integer >= 1, got {num!r}")
    if num > MAX_AXIS:
        raise ValueError(f"{name}: {num} values is more than {MAX_AXIS} on one axis")
    if a > b:
        raise ValueError(f"{name}: the grid is reversed: start {a} is above stop {b}")
    if a == b and num > 1:
        raise ValueError(f"{name}: start and stop are both {a}, so {num} values would repeat one; give 1 value")
    if a < b and num == 1:
        raise ValueError(f"{name}: one value cannot span {a} to {b}; give at least 2 values or start = stop")
    return Axis(name, (), str(a), str(b), num)


def list_axis(name: str, values: Sequence[object]) -> Axis:
    """The listed values, exact, each once."""
    qs = [parse_number(v, name) for v in values]
    if not qs:
        raise ValueError(f"{name}: the grid is empty: give at least one value")
    if len(set(qs)) != len(qs):
        raise ValueError(f"{name}: a value is listed twice")
    return Axis(name, tuple(str(q) for q in qs))


def parse_axis(text: str) -> Axis:
    """``NAME=START:STOP:NUM`` (linear, inclusive) or ``NAME=a,b,c`` (a list)."""
    name, eq, spec = (text or "").partition("=")
    name = name.strip()
    if not eq or not name:
        raise ValueError(f"a grid axis is NAME=START:STOP:NUM or NAME=a,b,c, got {text!r}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ValueError(f"{name}: a linear axis is START:STOP:NUM, got {spec!r}")
        return linear_axis(name, *parts)
    return list_axis(name, [v for v in spec.split(",") if v.strip()] if spec.strip() else [])


@dataclass(frozen=True)
class GridSpec:
    """A measure over the product of ``axes`` at the ``fixed`` values (exact text), for ``subject``."""

    subject: Subject
    dynamics: str
    measure: str
    axes: tuple[Axis, ...]
    fixed: tuple[tuple[str, str], ...]
    digits: int
    at: tuple[str, ...] = ()
    max_steps: int = MAX_STEPS

    @property
    def cells(self) -> int:
        n = 1
        for a in self.axes:
            n *= len(a)
        return n

    def point(self, i: int) -> dict[str, sp.Rational]:
        """The exact parameters of cell ``i`` (the last axis runs fastest), then the fixed ones."""
        out = {}
        for a in reversed(self.axes):
            i, j = divmod(i, len(a))
            out[a.name] = a.value(j)
        return {**{a.name: out[a.name] for a in self.axes}, **{k: sp.Rational(v) for k, v in self.fixed}}

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(name, Parquet type) of every column of a row."""
        cols = [("cell", "int64")]
        for name in [a.name for a in self.axes] + [k for k, _ in self.fixed]:
            cols += [(name, "string"), (f"{name}_float", "float64")]
        for name, kind in MEASURES[self.measure].columns(self.at):
            if kind == "certified":
                cols += [(name, "string"), (f"{name}_float", "float64")]
            else:
                cols.append((name, "int64" if kind == "int" else "string"))
        return (*cols, ("digits", "int64"), ("error", "string"), ("seconds", "float64"), ("worker", "string"))

    @property
    def fingerprint(self) -> dict:
        s = self.subject
        subject = {"depth": s.depth, "init": s.init} if s.toml is None else \
            {"model_sha256": hashlib.sha256(s.toml.encode()).hexdigest()}
        body = {"kind": "grid", "subject": subject, "dynamics": self.dynamics, "measure": self.measure,
                "axes": [a.text for a in self.axes], "fixed": [f"{k}={v}" for k, v in self.fixed],
                "digits": self.digits, "at": list(self.at), "max_steps": self.max_steps}
        return {"id": hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16], **body}


def grid_spec(subject: Subject, dynamics: str, measure_name: str, axes: Sequence[Axis],
              fixed: Mapping[str, object], *, digits: int = 20, at: Sequence[object] = (),
              max_steps: int = MAX_STEPS, max_cells: int | None = MAX_CELLS) -> GridSpec:
    """A checked grid: every name a parameter of ``subject`` and given once, the measure applicable, the
    cell count within ``max_cells`` (None: no limit), and the ends of every axis valid parameters."""
    if dynamics not in DYNAMICS:
        raise ValueError(f"dynamics must be one of {', '.join(DYNAMICS)}, got {dynamics!r}")
    check_measure(measure_name, subject, dynamics, at)
    check_digits(digits)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
    if not axes:
        raise ValueError("give at least one parameter axis to sweep")
    names = [a.name for a in axes] + list(fixed)
    known = subject.parameters
    for name in names:
        if name not in known:
            raise ValueError(f"unknown parameter {name!r}; this model has {', '.join(known)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"parameter {repeated[0]!r} is given twice (an axis and a fixed value, or two axes)")
    need = [n for n in known if n not in names and not (n == "eta" and dynamics == "flow")]
    if subject.toml is None and need:
        raise ValueError(f"parameter {need[0]!r} has no value; sweep it or fix it")
    spec = GridSpec(subject, dynamics, measure_name, tuple(axes),
                    tuple((k, str(parse_number(v, k))) for k, v in fixed.items()), digits,
                    tuple(str(p) for p in at), max_steps)
    n = spec.cells
    if max_cells is not None:
        check_cells(n, max_cells)
    base = spec.point(0)
    for a in axes:  # a bad value fails here, once, not in every cell
        for v in a.ends():
            subject.model({**base, a.name: v})
    if subject.toml is not None:
        subject.model(base).numeric(("delta",) + (("eta",) if dynamics == "gd" else ()))
    return spec


# --------------------------------------------------------------------------- cells
def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def cell_row(spec: GridSpec, i: int, worker: str) -> dict:
    """Row ``i`` of the table: parameters, the measure's values (or the error), digits, seconds, worker."""
    values = spec.point(i)
    start = time.perf_counter()
    try:
        out = measure(spec.measure, spec.subject.model(values), spec.dynamics, spec.digits, at=spec.at,
                      max_steps=spec.max_steps)
        error = None
    except ValueError as exc:  # outside the regime, or not certifiable here: the cell says why, the sweep goes on
        out, error = {}, str(exc) or type(exc).__name__
    seconds = time.perf_counter() - start
    row: dict = {"cell": i}
    for name, v in values.items():
        row[name], row[f"{name}_float"] = str(v), float(v)
    digits = []
    for name, kind in MEASURES[spec.measure].columns(spec.at):
        v = out.get(name)
        if kind == "certified":
            row[name] = None if v is None else v.text
            row[f"{name}_float"] = None if v is None else _float(v.text)
            if isinstance(v, Certified):
                digits.append(v.digits)
        else:
            row[name] = v
    row.update(digits=min(digits) if digits and error is None else None, error=error, seconds=seconds,
               worker=worker)
    return row


def grid_chunk(spec: GridSpec, start: int, stop: int) -> list[dict]:
    """The rows of cells start .. stop − 1: the task a worker runs (a pure function of its arguments,
    apart from the ``seconds`` and ``worker`` columns)."""
    from symdyn.output.sweep.engine import worker_name

    who = worker_name()
    return [cell_row(spec, i, who) for i in range(start, stop)]


def grid_job(spec: GridSpec, *, chunk: int | None = None, metadata: Mapping | None = None):
    """The :class:`~symdyn.output.sweep.engine.Job` of ``spec``: chunks of cells, the columns, the fingerprint."""
    from symdyn.output.sweep.engine import Job, chunk_size, chunks

    size = chunk_size(spec.cells) if chunk is None else chunk
    cut = chunks(spec.cells, size)
    fp = {**spec.fingerprint, "chunk": size}
    meta = {**dict(metadata or {}), "kind": "grid", "axes": [a.text for a in spec.axes],
            "fixed": dict(spec.fixed), "measure": spec.measure, "dynamics": spec.dynamics, "digits": spec.digits}
    return Job(grid_chunk, tuple((spec, a, b) for a, b in cut), tuple(b - a for a, b in cut), spec.columns, fp, meta)


# --------------------------------------------------------------------------- heatmap
def main_column(spec: GridSpec) -> str:
    """The column a heatmap shows: the measure's headline value (``tau_half`` for ``transition``)."""
    headline = {"transition": "tau_half", "regime": "multiplier", "oscillation": "psi_low"}
    if spec.measure in headline:
        return headline[spec.measure]
    return next(n for n, kind in MEASURES[spec.measure].columns(spec.at) if kind == "certified")


def heatmap_png(spec: GridSpec, table, style: str = "screen") -> bytes:
    """A PNG heatmap of the headline column over a 2-D grid (first axis across, second up); cells without
    a value are left blank."""
    import numpy as np
    from matplotlib import rc_context

    from symdyn.output.figures import SINGLE, _new, style_rc

    if len(spec.axes) != 2:
        raise ValueError(f"a heatmap needs a grid of exactly two parameters, got {len(spec.axes)}")
    ax_x, ax_y = spec.axes
    col = main_column(spec)
    z = np.array([np.nan if v is None else v for v in table.column(f"{col}_float").to_pylist()], dtype=float)
    z = z.reshape(len(ax_x), len(ax_y)).T  # cells run with the last axis fastest: rows of x, columns of y
    xs = np.array([float(ax_x.value(i)) for i in range(len(ax_x))])
    ys = np.array([float(ax_y.value(i)) for i in range(len(ax_y))])
    with rc_context(style_rc(style)):
        fig = _new(SINGLE * 1.4, SINGLE * 1.1, style)
        ax = fig.subplots()
        mesh = ax.pcolormesh(_edges(xs), _edges(ys), np.ma.masked_invalid(z), shading="flat", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=col)
        ax.set_xlabel(ax_x.name)
        ax.set_ylabel(ax_y.name)
        fixed = ", ".join(f"{k} = {v}" for k, v in spec.fixed)
        ax.set_title(f"{spec.measure} ({spec.dynamics}){': ' + fixed if fixed else ''}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150, metadata={"Software": PNG_SOFTWARE})
    return buf.getvalue()


#: The PNG "Software" text a sweep's heatmap carries: a PNG with it may be replaced, any other may not.
PNG_SOFTWARE = "symdyn sweep"


def plot_path(out: Path) -> Path:
    """The heatmap beside the table ``out``: the same name with ``.png``; refused if it is a file symdyn did not
    write."""
    png = out.with_suffix(".png")
    if png.is_dir() or (png.exists() and PNG_SOFTWARE.encode() not in png.read_bytes()[:4096]):
        raise ValueError(f"{png} exists and symdyn did not write it; choose another output name or move it away")
    return png


def write_heatmap(spec: GridSpec, table_path: Path, png: Path) -> Path:
    """Draw the heatmap of the table at ``table_path`` and write it to ``png`` (atomically)."""
    import pyarrow.parquet as pq

    from symdyn.output.files import write_file

    return write_file(png, heatmap_png(spec, pq.read_table(table_path)))


def _edges(centres):
    """Cell edges around sorted centres (midpoints; the ends mirrored), for pcolormesh."""
    import numpy as np

    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])
