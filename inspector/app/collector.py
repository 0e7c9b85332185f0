"""Python's cyclic garbage is collected on the UI thread only.

Python runs its cycle collector in whichever thread happens to allocate when a generation fills up. When a
worker thread (training, inspection, the line) triggers it and the garbage holds a Qt object that lives on the
UI thread (a dialog, a widget, a signal connection's closure), that object is destroyed from the worker thread,
and Qt crashes (seen as a segmentation fault during "Garbage-collecting" in a worker's model build). So the app
turns automatic collection off and collects from a timer on the UI thread instead, at the thresholds Python would
have used (the same approach as pyqtgraph's ``GarbageCollector``). Reference counting still frees everything
that is not in a cycle at once, on any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class UiThreadCollector(QObject):
    """Owns the cycle collector while it lives; ``stop()`` (or deleting it) gives collection back to Python."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        gc.disable()
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations that are due (as Python's own trigger would), on this (the UI) thread."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
