"""Helpers shared by the GUI tests: synthetic parts, running a job to completion, dropping files."""

from __future__ import annotations

import warnings

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from synthetic_defects import texture, with_defect, write_png  # noqa: F401  (re-exported for the app tests)


def run_job(qtbot, window, start, timeout=60_000):
    """Start a job and wait until it has settled (finished, failed or cancelled)."""
    with qtbot.waitSignal(window.jobs.busyChanged, timeout=timeout, check_params_cb=lambda busy: not busy):
        assert start() is not False
    assert not window.jobs.busy


def drop(widget, paths) -> bool:
    """Drag files from "the file manager" onto ``widget``: a drag-enter (which must be accepted), then the drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PySide6 flags the QPoint constructor
        enter = QDragEnterEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the widget must accept dragged files"
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()
