"""The import contracts in pyproject.toml hold: the core never imports Qt, its rooms are layered, no cycles.

Run by hand with ``lint-imports``. The second test breaks a copy of the package on purpose and checks that the
contracts notice, so a contract that silently checks nothing fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}, timeout=300)


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, line, contract",
    [
        ("core/components/coreset.py", "import PySide6.QtCore  # noqa", "never imports Qt"),
        ("core/components/coreset.py", "from ..project import store  # noqa", "Core rooms are layered"),
        ("core/backbones/extractor.py", "from . import weights  # noqa", "Within backbones"),
        ("core/models/base.py", "def _f():\n    from ...app import main  # noqa", "never imports Qt"),
    ],
)
def test_a_broken_contract_is_reported(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "inspector", tmp_path / "inspector", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "inspector" / module, "a", encoding="utf-8") as f:
        f.write("\n" + line + "\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert contract in result.stdout and "BROKEN" in result.stdout, result.stdout


def test_ruff_is_clean():
    """pyproject.toml's ruff settings (pyflakes, bugbear, import order, line length) hold for the whole tree."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
