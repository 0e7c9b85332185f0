"""``inspector`` / ``python -m inspector`` open the app through ``inspector.app.main:main``."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from inspector.app.main import main
from inspector.app.main_window import MainWindow
from inspector.core.project import Project


def test_main_opens_the_window_on_a_project(qtbot, tmp_path, small_settings):
    Project.create(tmp_path / "p", "From the command line", small_settings()).close()
    seen = {}

    def look_and_close():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["project page"] = window.pages.currentWidget() is window.project_page
        seen["icon"] = not QApplication.windowIcon().isNull()
        window.close()

    QTimer.singleShot(300, look_and_close)
    assert main([str(tmp_path / "p")]) == 0
    assert seen == {"title": "From the command line — Inspector", "project page": True, "icon": True}


def test_python_dash_m_inspector_dispatches(monkeypatch, tmp_path, small_settings):
    import inspector.__main__ as entry

    calls = []
    monkeypatch.setattr("inspector.app.main.main", lambda argv=None: calls.append(("app", argv)) or 0)
    monkeypatch.setattr("inspector.cli.main", lambda argv=None: calls.append(("cli", argv)) or 0)
    Project.create(tmp_path / "p", "P", small_settings()).close()
    assert entry.main([]) == 0
    assert entry.main([str(tmp_path / "p")]) == 0
    assert entry.main(["train", "--help"]) == 0
    assert calls == [("app", []), ("app", [str(tmp_path / "p")]), ("cli", ["train", "--help"])]


def test_check_installation(capsys):
    assert main(["--check"]) == 0
    out = capsys.readouterr().out
    assert "torch" in out and "faiss" in out and "engine       ok" in out
