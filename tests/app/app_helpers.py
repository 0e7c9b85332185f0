"""Helpers shared by the GUI tests: synthetic parts, running a job to completion, dropping files."""

from __future__ import annotations

import warnings

import cv2
import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def texture(seed: int, size: int = 64) -> np.ndarray:
    """A good part: regular stripes with a little noise (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    base = 110 + 50 * np.sin(x / 3.0) * np.cos(y / 5.0)
    img = base[..., None] + rng.normal(0, 6, (size, size, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def with_defect(seed: int, size: int = 64) -> np.ndarray:
    img = texture(seed, size)
    s = size // 4
    img[size // 3 : size // 3 + s, size // 3 : size // 3 + s] = 255  # a bright square
    return img


def write_png(path, img) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    return str(path)


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
