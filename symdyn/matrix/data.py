"""The data layer: bundled classification data sets and user ``.npz`` files (I/O lives here, not in the math).

Table 1 (docs/conventions.md) needs real classification data that ships inside an installable package:
scikit-learn's bundled iris, wine, breast_cancer and digits are read from the package's own
files (no download). scikit-learn is the optional extra ``symdyn[data]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

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


def load_npz(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) from a ``.npz`` holding arrays ``X`` (n × d) and ``Y`` (n × p, or n labels → one-hot)."""
    path = Path(path)
    hint = "save with np.savez(path, X=X, Y=Y)"
    try:
        f = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read as .npz ({exc.__class__.__name__}); {hint}") from None
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: a single .npy array, not an .npz archive; {hint}")
    with f:
        missing = {"X", "Y"} - set(f.files)
        if missing:
            raise ValueError(f"{path}: missing array(s) {', '.join(sorted(missing))}; the file has "
                             f"{', '.join(f.files) or 'none'}; {hint}")
        try:
            X, Y = f["X"], f["Y"]
        except ValueError:
            raise ValueError(f"{path}: X and Y must be numeric arrays (object arrays are refused)") from None
    if Y.ndim == 1:
        from symdyn.matrix.experiments import one_hot

        Y = one_hot(Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"{path}: need X n x d and Y n x p with the same n, got {X.shape} and {Y.shape}")
    if not (np.issubdtype(X.dtype, np.number) and np.issubdtype(Y.dtype, np.number)):
        raise ValueError(f"{path}: X and Y must be numeric, got {X.dtype} and {Y.dtype}")
    X, Y = X.astype(float), Y.astype(float)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError(f"{path}: X and Y must be finite (no nan/inf)")
    return X, Y
