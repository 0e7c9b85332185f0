"""GUI tests: offscreen Qt, a small random-weights backbone (tests/conftest.py already points every settings and
data folder into tmp_path)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from app_helpers import texture, with_defect, write_png

SMALL = {"backbone": "resnet18", "layers": ["layer2", "layer3"], "resize": 64, "crop": 64,
         "coreset_ratio": 0.25, "batch_size": 8, "device": "cpu"}


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """The tests read English texts: the app starts in English whatever this PC's language (the Japanese UI
    has its own tests, test_translations.py)."""
    monkeypatch.setenv("INSPECTOR_LANGUAGE", "en")


@pytest.fixture(autouse=True)
def ui_thread_collector(qapp):
    """As in the app (app/collector.py): cycles are collected on the UI thread only, so a worker thread never frees
    a widget; what a test leaves in cycles is collected here, on this thread, before the next test starts."""
    import gc

    from inspector.app.collector import UiThreadCollector

    collector = UiThreadCollector(qapp)
    yield collector
    collector.stop()
    collector.deleteLater()
    gc.collect()


@pytest.fixture
def small_settings(random_weights):
    from inspector.core.project.store import ProjectSettings

    return lambda **kw: ProjectSettings(model={**SMALL, "weights": random_weights, **kw})


@pytest.fixture
def good_folder(tmp_path):
    for i in range(14):
        write_png(tmp_path / "good" / f"good_{i:02d}.png", texture(i))
    (tmp_path / "good" / "notes_broken.png").write_bytes(b"\x89PNG\r\n\x1a\ntruncated")
    return tmp_path / "good"


@pytest.fixture
def parts_folder(tmp_path):
    for i in range(4):
        write_png(tmp_path / "parts" / f"ok_{i}.png", texture(100 + i))
        write_png(tmp_path / "parts" / f"bad_{i}.png", with_defect(200 + i))
    return tmp_path / "parts"


@pytest.fixture
def window(qtbot):
    from inspector.app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.jobs.busy:
        w.jobs.wait()


OFFSCREEN_NOTES = ("propagateSizeHints", "does not support raise()", "does not support grabbing the keyboard")


@pytest.fixture(autouse=True)
def no_qt_warnings(qtlog):
    """A Qt warning is a test failure (the offscreen platform's notes about what it cannot do aside: size
    hints, raising a window, grabbing the keyboard for a popup)."""
    from PySide6.QtCore import QtMsgType

    yield
    bad = [f"{r.type}: {r.message}" for r in qtlog.records
           if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
           and not any(note in r.message for note in OFFSCREEN_NOTES)]
    assert not bad, "Qt warnings:\n" + "\n".join(bad)
