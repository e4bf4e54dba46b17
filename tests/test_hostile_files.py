"""Hostile files and interruptions (issue #19): .npz data, model files, output folders, signals, the race.

Each case runs in its own process with a memory and a time limit (tests/hostile.py) and must end with
the expected status, one stderr line, no traceback, no file of the user's lost and nothing half-written.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.hostile import SIGNALS, Case, register, result, signal_when, verify, wait_for

# --------------------------------------------------------------------------- data files


def _xy(n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 3))
    return X, X[:, :2] @ np.array([[1.0, 0.2], [0.1, 0.5]])


def _npz(**arrays):
    def make(d: Path) -> None:
        np.savez(d / "data.npz", **arrays)
    return make


def _npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _declared_bomb(d: Path) -> None:
    """A 2 kB archive whose zip headers declare a 4 GB X (the sizes an inflating bomb declares)."""
    X, Y = _xy()
    with zipfile.ZipFile(d / "data.npz", "w") as zf:
        zf.writestr("X.npy", _npy_bytes(X))
        zf.writestr("Y.npy", _npy_bytes(Y))
    raw = bytearray((d / "data.npz").read_bytes())
    for sig, at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central directory, local header
        i = raw.find(sig)
        raw[i + at:i + at + 4] = struct.pack("<I", 0xFFFF0000)
    (d / "data.npz").write_bytes(bytes(raw))


def _real_bomb(d: Path) -> None:
    """200 MB of zeros deflated to ~200 kB (the issue's 2.5 MB file inflated to 5 GB)."""
    _, Y = _xy()
    with zipfile.ZipFile(d / "data.npz", "w", zipfile.ZIP_DEFLATED) as zf:
        hdr = io.BytesIO()
        np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False, "shape": (50, 500_000)})
        with zf.open("X.npy", "w") as fh:
            fh.write(hdr.getvalue())
            zeros = bytes(1 << 20)
            for _ in range(50 * 500_000 * 8 >> 20):
                fh.write(zeros)
            fh.write(bytes(50 * 500_000 * 8 % (1 << 20)))
        zf.writestr("Y.npy", _npy_bytes(Y))


def _header_liar(d: Path) -> None:
    _, Y = _xy()
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**5)})
    with zipfile.ZipFile(d / "data.npz", "w") as zf:
        zf.writestr("X.npy", hdr.getvalue() + bytes(80))
        zf.writestr("Y.npy", _npy_bytes(Y))


def _cut(fraction: float):
    def make(d: Path) -> None:
        X, Y = _xy()
        np.savez(d / "full.npz", X=X, Y=Y)
        raw = (d / "full.npz").read_bytes()
        (d / "full.npz").unlink()
        (d / "data.npz").write_bytes(raw[: int(len(raw) * fraction)])
    return make


def _corrupt(d: Path) -> None:
    X, Y = _xy()
    np.savez(d / "data.npz", X=X, Y=Y)
    raw = bytearray((d / "data.npz").read_bytes())
    raw[200:260] = bytes(60)  # inside X's data: the CRC check fails on reading
    (d / "data.npz").write_bytes(bytes(raw))


X, Y = _xy()
SIM = ["simulate", "data.npz"]
# data that satisfy Assumption 1 (Sigma_x, Sigma_xy diagonal in one basis): simulate prints no warning
_Q = np.linalg.qr(np.random.default_rng(0).standard_normal((300, 3)))[0]
XA = _Q * np.sqrt(300) * np.array([1.5, 1.0, 0.5])
YA = XA[:, :2] * np.array([1.0, 0.3])

DATA = [
    Case("npz-declared-bomb", SIM, says="above the limit memory_mb", setup=_declared_bomb),
    Case("npz-real-bomb", [*SIM, "--limit", "memory_mb=100"], says="above the limit memory_mb", setup=_real_bomb),
    Case("npz-float-labels", SIM, says="integer class labels", setup=_npz(X=X, Y=np.linspace(0, 1, 50))),
    Case("npz-many-labels", SIM, says="classes in Y", setup=_npz(X=np.ones((5000, 2)), Y=np.arange(5000))),
    Case("npz-complex-X", SIM, says="X is complex", setup=_npz(X=X + 1j, Y=Y)),
    Case("npz-truncated", SIM, says="cannot read as .npz", setup=_cut(0.5)),
    Case("npz-empty-file", SIM, says="cannot read as .npz", setup=_cut(0.0)),
    Case("npz-corrupted", SIM, says="damaged", setup=_corrupt),
    Case("npz-header-liar", SIM, says="more than the file holds", setup=_header_liar),
    Case("npz-single-npy", SIM, says="cannot read as .npz",
         setup=lambda d: (d / "data.npz").write_bytes(_npy_bytes(X))),
    Case("npz-named-pipe", SIM, says="not a regular file", setup=lambda d: os.mkfifo(d / "data.npz")),
    Case("npz-folder", SIM, says="not a regular file", setup=lambda d: (d / "data.npz").mkdir()),
    Case("npz-missing-file", SIM, says="No such file"),
    Case("npz-wide-X", SIM, says="columns of X", setup=_npz(X=np.ones((2, 5000)), Y=np.ones((2, 1)))),
    Case("npz-objects", SIM, says="plain numeric array",  # a pickled object array: never unpickled
         setup=_npz(X=np.array([[1, "a"]], dtype=object), Y=np.array([1]))),
    Case("npz-missing-Y", SIM, says="missing array(s) Y", setup=_npz(X=X)),
    Case("npz-nan", SIM, says="finite", setup=_npz(X=np.where(X > 1, np.nan, X), Y=Y)),
    Case("npz-shape-mismatch", SIM, says="the same n", setup=_npz(X=X, Y=Y[:10])),
    Case("npz-text-member", SIM, says="not a valid .npy", setup=lambda d: _text_members(d)),
    Case("simulate-steps-1e8", [*SIM, "--steps", "100000000"], says="above the limit steps", setup=_npz(X=X, Y=Y)),
    Case("simulate-eta-nan", [*SIM, "--eta", "nan"], says="must be a decimal number", setup=_npz(X=X, Y=Y)),
    Case("simulate-delta-underflow", [*SIM, "--delta", "400"], says="underflow", setup=_npz(X=X, Y=Y)),
    Case("simulate-record-1", [*SIM, "--record", "1"], says="--record must be >= 2", setup=_npz(X=X, Y=Y)),
    Case("simulate-record-1e6", [*SIM, "--record", "1000000"], says="above the limit points", setup=_npz(X=X, Y=Y)),
    Case("simulate-diverging", [*SIM, "--eta", "10", "--steps", "500"], says="diverged", setup=_npz(X=XA, Y=YA)),
    Case("simulate-ok-thinned", [*SIM, "--steps", "2000", "--record", "11", "--format", "json"], status=0,
         says='"recorded_steps": 11', setup=_npz(X=XA, Y=YA)),
]


def _text_members(d: Path) -> None:
    with zipfile.ZipFile(d / "data.npz", "w") as zf:
        zf.writestr("X.npy", "1,2,3\n4,5,6\n")
        zf.writestr("Y.npy", "1\n2\n")


# --------------------------------------------------------------------------- model files


def _toml(text: str):
    def make(d: Path) -> None:
        (d / "m.toml").write_text(text, encoding="utf-8")
    return make


GOOD = 'factors = ["a", "b"]\nloss = "(a*b - 1)**2/2"\n'
MODEL = [
    Case("model-injection-loss", ["derive", "--model", "m.toml"], says="is not allowed",
         setup=_toml('factors = ["a"]\nloss = "__import__(\'os\').system(\'touch F\') or a"\n')),
    Case("model-dunder", ["derive", "--model", "m.toml"], says="Attribute is not allowed",
         setup=_toml('factors = ["a"]\nloss = "a.__class__"\n')),
    Case("model-power-tower", ["derive", "--model", "m.toml"], says="above the limit exponent",
         setup=_toml('factors = ["a"]\nloss = "a**10**10**10"\n')),
    Case("model-nested", ["derive", "--model", "m.toml"], says="m.toml:",
         setup=_toml('factors = ["a"]\nloss = "' + "(" * 500 + "a" + ")" * 500 + '"\n')),
    Case("model-not-toml", ["derive", "--model", "m.toml"], says="not a valid TOML file", setup=_toml("{{{")),
    Case("model-binary", ["derive", "--model", "m.toml"], says="not a UTF-8 text file",
         setup=lambda d: (d / "m.toml").write_bytes(b"\xff\xfe\x00garbage")),
    Case("model-named-pipe", ["derive", "--model", "m.toml"], says="not a regular file",
         setup=lambda d: os.mkfifo(d / "m.toml")),
    Case("model-huge", ["derive", "--model", "m.toml"], says="larger than",
         setup=_toml("# " + "x" * (2 << 20) + "\n" + GOOD)),
    Case("model-unknown-symbol", ["derive", "--model", "m.toml"], says="unknown symbol 'c'",
         setup=_toml('factors = ["a"]\nloss = "c*a"\n')),
    Case("model-parameter-injection", ["limit", "--dynamics", "flow", "--model", "m.toml", "--beta",
                                       "__import__('os').system('touch F')"], says="m.toml",
         setup=_toml(GOOD.replace("- 1", "- beta") + '[parameters]\nbeta = "1"\n')),
    Case("model-unicode-number", ["derive", "--model", "m.toml"], says="ASCII",
         setup=_toml('factors = ["a"]\nloss = "\u0661*a"\n')),
    Case("model-trajectory-huge-step", ["trajectory", "--model", "m.toml", "--dynamics", "gd", "--at",
                                        "1000000000000", "--eta", "0.1", "--delta", "1"],
         says="above the limit steps", setup=_toml(GOOD)),
    Case("model-ok", ["derive", "--model", "m.toml", "--format", "json"], status=0, says='"factors"',
         setup=_toml(GOOD)),
]


# --------------------------------------------------------------------------- output folders


def _user_folder(d: Path) -> None:
    (d / "out").mkdir()
    (d / "out" / "mine.txt").write_text("precious")


def _symdyn_folder_with_user_file(d: Path) -> None:
    (d / "out").mkdir()
    (d / "out" / "report.md").write_text("old")
    (d / "out" / ".symdyn-manifest.json").write_text('{"writer": "symdyn reproduce", "files": ["report.md"]}')
    (d / "out" / "mine.txt").write_text("precious")


def _user_fig(d: Path) -> None:
    (d / "figs").mkdir()
    (d / "figs" / "fig1.png").write_bytes(b"my own figure")
    os.chmod(d / "figs", 0o700)


def _kept(rel: str, content: str | bytes):
    def check(d: Path) -> None:
        got = (d / rel).read_bytes()
        assert got == (content.encode() if isinstance(content, str) else content)
    return check


OUTPUT = [
    Case("reproduce-into-user-folder", ["reproduce", "--out", "out"], says="did not write", setup=_user_folder,
         check=_kept("out/mine.txt", "precious")),
    Case("reproduce-user-file-in-symdyn-folder", ["reproduce", "--out", "out"], says="mine.txt",
         setup=_symdyn_folder_with_user_file, check=_kept("out/mine.txt", "precious")),
    Case("figures-user-fig1", ["figures", "--out", "figs", "--only", "fig1"], says="symdyn did not write it",
         setup=_user_fig, check=lambda d: (_kept("figs/fig1.png", b"my own figure")(d),
                                           (d / "figs").stat().st_mode & 0o777 == 0o700 or pytest.fail("mode"))),
]


# --------------------------------------------------------------------------- signals and the race


def _race(p: subprocess.Popen, d: Path) -> None:
    """The user creates the target, with a file in it, while reproduce is running."""
    assert wait_for(d, ".race1.*.partial"), "the staging folder never appeared"
    time.sleep(1.0)
    (d / "race1").mkdir()
    (d / "race1" / "mine.txt").write_text("precious")


SIGNAL_CASES = []
for name, (signum, status) in SIGNALS.items():
    SIGNAL_CASES.append(Case(f"reproduce-{name}", ["reproduce", "--out", "out"], status=status, says=name,
                             during=signal_when(".out.*.partial", signum, delay=0.5)))
    SIGNAL_CASES.append(Case(f"figures-{name}", ["figures", "--out", "figs"], status=status, says=name,
                             during=signal_when(None, signum, delay=2.5)))
SIGNAL_CASES.append(Case("reproduce-race", ["reproduce", "--out", "race1"],
                         says="appeared during the run and was left untouched",
                         during=_race, timeout=240, writes={"race1/", "race1/mine.txt"},
                         check=_kept("race1/mine.txt", "precious")))

CASES = DATA + MODEL + OUTPUT + SIGNAL_CASES


register(CASES)


@pytest.mark.timeout(400)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_file_case(case):
    verify(result(case.id))


def test_the_harness_sees_a_leftover_file(tmp_path):
    # negative control: verify() fails when a case leaves a file (here, a fake staging folder)
    from tests.hostile import Result

    c = Case("control", ["derive"], status=0)
    r = Result(c, 0, "", "", 0.1, set(), {".out.x.partial/"}, tmp_path)
    with pytest.raises(AssertionError, match="left"):
        verify(r)
    r = Result(c, 0, "", "Traceback (most recent call last):\n", 0.1, set(), set(), tmp_path)
    with pytest.raises(AssertionError):
        verify(r)
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert signal.SIGTERM in (s for s, _ in SIGNALS.values())
