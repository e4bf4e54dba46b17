"""The data layer: bundled classification data sets and user ``.npz`` files (I/O lives here, not in the math).

Table 1 (docs/conventions.md) needs real classification data that ships inside an installable package:
scikit-learn's bundled iris, wine, breast_cancer and digits are read from the package's own
files (no download). scikit-learn is the optional extra ``symdyn[data]``.
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from symdyn.model.checks import check_limit

#: Data sets scikit-learn ships inside its wheel (``sklearn.datasets.load_<name>``).
BUNDLED = ("iris", "wine", "breast_cancer", "digits")


def load_classification(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, one-hot Y) of a bundled scikit-learn data set (read from disk, never downloaded)."""
    if name not in BUNDLED:
        raise ValueError(f"unknown data set {name!r}; choose from {', '.join(BUNDLED)}")
    try:
        from sklearn import datasets
    except ImportError:
        raise ValueError("Table 1 needs scikit-learn's bundled data: pip install 'symdyn[data]'") from None
    bunch = getattr(datasets, f"load_{name}")()
    from symdyn.matrix.experiments import one_hot  # (scipy, sympy: loaded when data is)

    return np.asarray(bunch.data, dtype=float), one_hot(bunch.target)


def _open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file (a named pipe would block forever)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ValueError(f"{path}: cannot open ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path}: not a regular file (a pipe, device or folder); save the data to a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


#: Largest model file read (bytes): a model is a few lines of TOML.
MAX_TEXT_BYTES = 1 << 20


def read_text_file(path: str | Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of a small regular file (a model file), or a one-line ``ValueError``: a pipe or a
    device is refused before reading, a file above ``max_bytes`` is not read whole."""
    path = Path(path)
    with _open_regular(path) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{path}: larger than {max_bytes} bytes; a model file is a few lines of TOML")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None


def _member_array(zf: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    """Array ``name`` of the archive, after its .npy header shows a plain numeric array of the size it says."""
    info = zf.getinfo(f"{name}.npy")
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read_header(fh)
        if dtype.hasobject or dtype.fields is not None:
            raise ValueError(f"{path}: {name} must be a plain numeric array (object and record arrays are refused)")
        if np.issubdtype(dtype, np.complexfloating):
            raise ValueError(f"{path}: {name} is complex; symdyn simulates real data (pass X.real if that is meant)")
        if math.prod(shape) * dtype.itemsize > info.file_size:
            raise ValueError(f"{path}: {name}'s header claims {shape} values, more than the file holds")
    with zf.open(info) as fh:
        return np.lib.format.read_array(fh, allow_pickle=False)


def load_npz(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) from a ``.npz`` holding arrays ``X`` (n × d) and ``Y`` (n × p, or n integer labels → one-hot).

    Hostile files are refused in one line before anything large is allocated: only a regular file is
    opened; the uncompressed sizes in the zip headers are checked against the limit ``memory_mb``, each
    array's .npy header against its member's size, the columns against the limit ``dimension``;
    complex, object, non-finite and non-integer-label data are refused.
    """
    path = Path(path)
    hint = "save with np.savez(path, X=X, Y=Y)"
    with _open_regular(path) as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read as .npz ({type(exc).__name__}: not a complete zip archive); "
                             f"{hint}") from None
        with zf:
            names = {n[:-4] for n in zf.namelist() if n.endswith(".npy")}
            missing = {"X", "Y"} - names
            if missing:
                raise ValueError(f"{path}: missing array(s) {', '.join(sorted(missing))}; the file has "
                                 f"{', '.join(sorted(names)) or 'none'}; {hint}")
            size = sum(zf.getinfo(f"{n}.npy").file_size for n in ("X", "Y"))
            check_limit("memory_mb", math.ceil(size / 2**20), f"{path}: uncompressed size of X and Y in MB")
            try:
                X, Y = (_member_array(zf, n, path) for n in ("X", "Y"))
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise ValueError(f"{path}: the archive is damaged ({type(exc).__name__}); {hint}") from None
            except ValueError as exc:
                if str(exc).startswith(str(path)):
                    raise
                raise ValueError(f"{path}: not a valid .npy array inside the archive; {hint}") from None
    if X.ndim != 2 or Y.ndim not in (1, 2) or X.shape[0] != Y.shape[0]:
        raise ValueError(f"{path}: need X n x d and Y n x p (or n labels) with the same n, got {X.shape} and {Y.shape}")
    if not (np.issubdtype(X.dtype, np.number) and (np.issubdtype(Y.dtype, np.number) or Y.dtype == bool)):
        raise ValueError(f"{path}: X and Y must be numeric, got {X.dtype} and {Y.dtype}")
    check_limit("dimension", X.shape[1], f"{path}: columns of X")
    if Y.ndim == 1:
        if not (np.issubdtype(Y.dtype, np.integer) or Y.dtype == bool):
            raise ValueError(f"{path}: a 1-d Y must hold integer class labels, got {Y.dtype} "
                             "(give Y as an n x p array for real-valued targets)")
        check_limit("dimension", np.unique(Y).size, f"{path}: classes in Y")
        from symdyn.matrix.experiments import one_hot

        Y = one_hot(Y)
    check_limit("dimension", Y.shape[1], f"{path}: columns of Y")
    X, Y = X.astype(float), Y.astype(float)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError(f"{path}: X and Y must be finite (no nan/inf)")
    return X, Y
