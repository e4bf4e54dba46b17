"""The layer contract (import-linter, configured in pyproject.toml) holds, and it can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_layer_contract_is_kept():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_an_upward_import_breaks_the_contract(tmp_path):
    # negative control: the same tree with one upward arrow (model -> cli) must be refused
    shutil.copytree(ROOT / "symdyn", tmp_path / "symdyn", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    checks = tmp_path / "symdyn" / "model" / "checks.py"
    checks.write_text(checks.read_text() + "\nimport symdyn.cli  # noqa: E402,F401\n")
    out = _lint(tmp_path)
    assert out.returncode != 0 and "symdyn.model is not allowed to import symdyn.cli" in out.stdout
