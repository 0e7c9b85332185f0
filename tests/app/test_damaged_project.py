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
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication

from inspector.core.project.store import Project

REPO = Path(__file__).parents[2]


def _make(tmp_path, small_settings) -> Path:
    Project.create(tmp_path / "p", "Damaged", small_settings()).close()
    return tmp_path / "p"


def answer(button: str, seen: list) -> None:
    """Click ``button`` (an object name) in the damaged-project dialog once it is up; ``seen`` gets its text
    and the buttons it offered."""
    def click():
        box = QApplication.activeModalWidget()
        if box is None or box.objectName() != "damagedProjectDialog":
            QTimer.singleShot(20, click)
            return
        seen.append((box.text(), sorted(b.objectName() for b in box.findChildren(QAbstractButton) if b.objectName())))
        box.findChild(QAbstractButton, button).click()
    QTimer.singleShot(0, click)


def _damage_db(folder: Path) -> None:
    (folder / "project.db").write_bytes(b"garbage" * 500)
    for f in folder.glob("project.db-*"):
        f.unlink()


def _with_parts(tmp_path, small_settings, n=5) -> Path:
    project = Project.create(tmp_path / "p", "Damaged", small_settings())
    for i in range(n):
        digest = f"{i:064x}"
        image = project._insert_image(f"part_{i}.png", "test", None, digest, None, "inspected",
                                      file=f"images/{digest}.png", size=(8, 8))
        project.record_result(image.id, float(i), None)
    project.close()
    return tmp_path / "p"


def test_a_damaged_database_can_be_restored_from_the_dialog(qtbot, window, tmp_path, small_settings):
    folder = _with_parts(tmp_path, small_settings)
    _damage_db(folder)
    seen: list = []
    answer("restore", seen)
    project = window.open_project(folder)
    assert seen and "project.db" in seen[0][0] and seen[0][1] == ["cancel", "openReadOnly", "restore"]
    assert project is not None and not project.read_only and window.state.counts.inspected == 5
    assert window.message_bar.level == "info" and "restored" in window.message_bar.text()
    assert len([f for f in folder.glob("project.db.damaged-*") if not f.name.endswith(("-wal", "-shm"))]) == 1


def test_a_damaged_project_can_be_opened_read_only_from_the_dialog(qtbot, window, tmp_path, small_settings):
    folder = _with_parts(tmp_path, small_settings)
    data = json.loads((folder / "project.json").read_text())
    data["thresholds"] = [1, 2]
    (folder / "project.json").write_text(json.dumps(data))
    before = {f.name: f.stat().st_mtime_ns for f in folder.iterdir() if f.name != ".inspector.lock"}
    seen: list = []
    answer("openReadOnly", seen)
    project = window.open_project(folder)
    assert seen and "project.json" in seen[0][0]
    assert project is not None and project.read_only and window.state.counts.inspected == 5
    assert window.message_bar.level == "warning" and "damaged" in window.message_bar.text()
    assert window.results.table.results_model.rowCount() == 5
    window.close_project()
    after = {f.name: f.stat().st_mtime_ns for f in folder.iterdir() if f.name != ".inspector.lock"}
    assert {k: v for k, v in after.items() if k in before} == before  # no file of the project was changed
    # (the start screen's read-only count may leave SQLite's empty log and shared-memory index beside project.db)
    assert set(after) - set(before) <= {"project.db-shm", "project.db-wal"}
    assert not (folder / "project.db-wal").exists() or (folder / "project.db-wal").stat().st_size == 0


def test_without_a_backup_only_read_only_is_offered(qtbot, window, tmp_path, small_settings):
    folder = _with_parts(tmp_path, small_settings)
    (folder / "project.db.bak").unlink()
    _damage_db(folder)
    seen: list = []
    answer("openReadOnly", seen)
    project = window.open_project(folder)
    assert seen[0][1] == ["cancel", "openReadOnly"]
    assert project is not None and project.read_only and window.state.counts.inspected == 0
    assert "cannot be read" in window.message_bar.text()


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
    seen: list = []
    answer("cancel", seen)
    assert window.open_project(folder) is None
    assert seen and ("project.db" if damage == "garbage_db" else "project.json") in seen[0][0]
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
