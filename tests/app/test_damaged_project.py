"""A damaged project, or one another Inspector holds, is explained in the message bar (never a blank window or a
traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.core.project.store import Project

REPO = Path(__file__).parents[2]


def _make(tmp_path, small_settings) -> Path:
    Project.create(tmp_path / "p", "Damaged", small_settings()).close()
    return tmp_path / "p"


@pytest.mark.parametrize("damage, words", [
    ("garbage_db", "project.db is damaged"),
    ("thresholds_list", "invalid settings"),
    ("holdout_abc", "holdout_fraction"),
])
def test_a_damaged_project_says_what_is_damaged(qtbot, window, tmp_path, small_settings, damage, words):
    folder = _make(tmp_path, small_settings)
    data = json.loads((folder / "project.json").read_text())
    if damage == "garbage_db":
        (folder / "project.db").write_bytes(b"garbage" * 500)
        for f in folder.glob("project.db-*"):
            f.unlink()
    elif damage == "thresholds_list":
        data["thresholds"] = [1, 2]
    else:
        data["settings"]["holdout_fraction"] = "abc"
    (folder / "project.json").write_text(json.dumps(data))
    assert window.open_project(folder) is None
    assert window.message_bar.level == "error" and words in window.message_bar.text()
    assert window.state.project is None


def test_a_project_open_elsewhere_opens_read_only_with_a_message(qtbot, window, tmp_path, small_settings):
    folder = _make(tmp_path, small_settings)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            from inspector.core.project.store import Project
            p = Project.open(sys.argv[1]); print("held", flush=True); sys.stdin.readline()
        """), str(folder)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        project = window.open_project(folder)
        assert project is not None and project.read_only
        assert window.message_bar.level == "warning" and "read-only" in window.message_bar.text()
        window.close_project()  # saving the layout of a read-only project is skipped, not an error
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


def test_the_command_line_with_a_damaged_project_has_no_traceback(tmp_path, small_settings):
    folder = _make(tmp_path, small_settings)
    (folder / "project.db").write_bytes(b"garbage" * 500)
    script = textwrap.dedent("""
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication(sys.argv[:1])
        QTimer.singleShot(3000, app.quit)
        from inspector.cli import main
        sys.exit(main([sys.argv[1]]))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", script, str(folder)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
