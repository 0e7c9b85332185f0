"""One entry point: ``inspector``, ``python -m inspector`` and the packaged app all go through ``inspector.cli.main``."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from inspector.app.main_window import MainWindow
from inspector.cli import main
from inspector.core.project.store import Project


def test_inspector_project_folder_opens_the_window_on_it(qtbot, tmp_path, small_settings):
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


def test_dispatch(monkeypatch, tmp_path, small_settings):
    calls = []
    monkeypatch.setattr("inspector.app.main.main", lambda argv=None: calls.append(("app", argv)) or 0)
    monkeypatch.setattr("inspector.app.main.check_installation", lambda: calls.append(("check",)) or 0)
    Project.create(tmp_path / "p", "P", small_settings()).close()
    assert main([]) == 0
    assert main([str(tmp_path / "p")]) == 0
    assert main(["check"]) == 0
    assert main(["--check"]) == 0
    assert calls == [("app", []), ("app", [str(tmp_path / "p")]), ("check",), ("check",)]


def test_python_dash_m_inspector_is_the_cli():
    out = subprocess.run([sys.executable, "-m", "inspector", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "check" in out.stdout and "train" in out.stdout


def test_check_installation(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "torch" in out and "faiss" in out and "engine       ok" in out


def test_the_page_does_not_jump_when_a_message_appears_or_fades(qtbot, window, tmp_path, small_settings):
    window.create_project("Steady", tmp_path / "steady", small_settings())
    window.message_bar.clear()
    qtbot.wait(10)
    tabs_y = window.tabs.mapTo(window, window.tabs.rect().topLeft()).y()
    for text in ("One line.", "A long message " * 40):
        window.message_bar.show_message("info", text)
        qtbot.wait(10)
        assert window.tabs.mapTo(window, window.tabs.rect().topLeft()).y() == tabs_y
    window.message_bar.clear()
    qtbot.wait(10)
    assert window.tabs.mapTo(window, window.tabs.rect().topLeft()).y() == tabs_y
    assert window.message_bar.label.toolTip().startswith("A long message")


def test_opening_a_project_shows_a_busy_cursor(qtbot, window, tmp_path, small_settings, monkeypatch):
    from PySide6.QtCore import Qt

    Project.create(tmp_path / "p", "P", small_settings()).close()
    seen = []
    original = window.state.open

    def open_(folder):
        cursor = QApplication.overrideCursor()
        seen.append(cursor.shape() if cursor is not None else None)
        return original(folder)

    monkeypatch.setattr(window.state, "open", open_)
    assert window.open_project(tmp_path / "p") is not None
    assert seen == [Qt.WaitCursor] and QApplication.overrideCursor() is None
    assert window.open_project(tmp_path / "missing") is None  # a failure restores the cursor too
    assert QApplication.overrideCursor() is None


def test_view_settings_do_not_leak_into_the_next_project(qtbot, window, tmp_path, small_settings):
    from PySide6.QtCore import Qt

    from inspector.app.results_table import COL_FILE, COL_SCORE

    window.create_project("A", tmp_path / "a", small_settings())
    results = window.results
    results.filter.setCurrentText("Fail")
    results.search.setText("bad")
    results.table.sortByColumn(COL_FILE, Qt.AscendingOrder)
    results.heatmap.colormap.setCurrentText("viridis")
    results.heatmap.pixel_threshold.setValue(7.5)  # an outline value of A's own
    results.heatmap.outline_box.setChecked(False)
    window.create_project("B", tmp_path / "b", small_settings())
    header = results.table.horizontalHeader()
    assert results.filter.currentText() == "All parts" and results.search.text() == ""
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COL_SCORE, Qt.DescendingOrder)
    assert results.heatmap.colormap.currentText() == "turbo" and results.heatmap.outline_box.isChecked()
    assert results.heatmap._pixel_threshold_follows  # B's outline follows B's pass line
    # A's own view comes back with A
    window.open_project(tmp_path / "a")
    assert results.filter.currentText() == "Fail" and results.heatmap.colormap.currentText() == "viridis"
    assert header.sortIndicatorSection() == COL_FILE and not results.heatmap.outline_box.isChecked()
    assert results.heatmap.pixel_threshold.value() == 7.5


def test_export_defaults_to_the_last_export_folder_with_a_dated_name(qtbot, window, tmp_path, small_settings,
                                                                       monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window.create_project("Caps", tmp_path / "caps", small_settings())
    window.app_settings.set("last_folder", str(tmp_path / "images"))  # where images came from: not for CSVs
    offered = []

    def ask(parent, title, default, filters):
        offered.append(default)
        return str(tmp_path / "exports" / "mine.csv"), ""

    (tmp_path / "exports").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    window.export_dialog()
    assert "images" not in offered[0] and "caps_decisions_20" in offered[0]
    assert (tmp_path / "exports" / "mine.csv").is_file()
    window.export_dialog()
    assert offered[1].startswith(str(tmp_path / "exports"))


def test_missing_x11_libraries_are_named_with_their_packages_before_qt_aborts(monkeypatch, capsys):
    import shutil
    import subprocess

    from inspector.app import main as app_main

    monkeypatch.setattr(app_main.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/ldd")
    ldd = ("\tlibxcb-cursor.so.0 => not found\n\tlibxkbcommon-x11.so.0 => not found\n"
           "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x0)\n")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, ldd, ""))
    assert app_main.missing_platform_libraries() == ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"]
    assert app_main.main([]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install -y libxcb-cursor0 libxkbcommon-x11-0" in err
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # another platform plugin: nothing to check
    assert app_main.missing_platform_libraries() == []
    assert app_main.debian_package("libdbus-1.so.3") == "libdbus-1-3" and app_main.debian_package("libEGL.so.1") == "libegl1"
