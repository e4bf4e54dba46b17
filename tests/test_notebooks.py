"""The notebooks in examples/notebooks/ run top to bottom (nbclient) and display typeset results."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "examples" / "notebooks"


def test_there_are_two_notebooks():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == ["check_a_claim_at_high_precision.ipynb",
                                                                  "derive_and_typeset_a_limit.ipynb"]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_runs_and_typesets(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed without outputs
    # the kernel imports this checkout's symdyn (an installed copy would do in CI as well)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(NOTEBOOKS.parent.parent), os.environ.get("PYTHONPATH", "")]))
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                            allow_errors=False).execute()  # raises CellExecutionError on any error
    latex = [o["data"]["text/latex"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if "data" in o and "text/latex" in o["data"]]
    assert latex and all(t.startswith("$") and t.endswith("$") for t in latex)  # _repr_latex_ was used
    if path.stem.startswith("derive"):
        assert any(r"w\left(e^{\delta} \tau\right)" in t and "x_{3}" in t for t in latex)
