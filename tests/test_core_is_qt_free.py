"""The engine and the project on disk never import Qt: they must run headless (CLI, scripts, servers)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "inspector" / "core"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph", "qtpy", "inspector.app")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against inspector.core
                base = ["inspector", "core"][: max(0, 2 - (node.level - 1))]
                module = ".".join(base + ([module] if module else []))
            names.add(module)
    return names


def test_no_qt_import_in_the_core():
    offenders = {
        f"{path.relative_to(CORE.parent.parent)}: {name}"
        for path in CORE.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN or name.startswith("inspector.app")
    }
    assert not offenders, "Qt imported in the core:\n" + "\n".join(sorted(offenders))
    assert len(list(CORE.rglob("*.py"))) > 5  # the scan did look at the core
