"""Progress of the running job: the stages done and the current one (n / N), elapsed and remaining time,
and Cancel. Remaining time is extrapolated from the current stage's own pace, measured from its first
finished item on: the first item carries the start-up (loading the network, warming caches) and would make
the estimate several times too long ("6:38 left" for a step that took 1:23). Cancel, the Esc key and the
menu all go through ``cancel()``, which says "Cancelling…" at once, even before the first report."""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

IMAGES = QT_TRANSLATE_NOOP("ProgressPanel", "images")
POINTS = QT_TRANSLATE_NOOP("ProgressPanel", "points")
STEPS = QT_TRANSLATE_NOOP("ProgressPanel", "steps")
STAGES = {  # English; shown translated (context "ProgressPanel")
    "import": (QT_TRANSLATE_NOOP("ProgressPanel", "Copying images in"), IMAGES),
    "features": (QT_TRANSLATE_NOOP("ProgressPanel", "Extracting features"), IMAGES),
    "coreset": (QT_TRANSLATE_NOOP("ProgressPanel", "Building the coreset"), POINTS),
    "holdout": (QT_TRANSLATE_NOOP("ProgressPanel", "Scoring held-out good images"), IMAGES),
    "rescore": (QT_TRANSLATE_NOOP("ProgressPanel", "Re-scoring inspected parts"), IMAGES),
    "inspect": (QT_TRANSLATE_NOOP("ProgressPanel", "Scoring parts"), IMAGES),
    "fit": (QT_TRANSLATE_NOOP("ProgressPanel", "Fitting"), STEPS),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProgressPanel", text)


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressPanel(QFrame):
    cancelRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("progressPanel")
        self.setStyleSheet("#progressPanel { background: #f3f6fa; }")
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.done_stages = QLabel()
        self.done_stages.setStyleSheet("color: #2e7d32;")
        self.stage = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.times = QLabel()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.done_stages, 1)
        head.addWidget(self.times)
        head.addWidget(self.cancel_button)
        row = QHBoxLayout()
        row.addWidget(self.stage)
        row.addWidget(self.bar, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(head)
        layout.addLayout(row)
        self._tick = QTimer(self, interval=500, timeout=self._update_times)
        self._reset()
        self.hide()

    def _reset(self) -> None:
        self._start = time.monotonic()
        self._stage = ""
        self._stage_start = self._start
        self._stage_done = 0
        self._stage_total = 0
        self._origin: tuple[float, int] | None = None  # (time, done) of the stage's first report with done > 0
        self._finished: list[str] = []

    def start(self, title: str) -> None:
        self._reset()
        self.title.setText(title)
        self.stage.setText(self.tr("Starting…"))
        self.done_stages.clear()
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Cancel"))
        self._update_times()
        self._tick.start()
        self.show()

    def _cancel(self) -> None:
        self.cancel()

    def cancel(self) -> None:
        """Ask the job to stop (Cancel, Esc, the menu): acknowledged here at once."""
        if self.isHidden() or not self.cancel_button.isEnabled():
            return
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancelling…"))
        if self._stage == "":
            self.stage.setText(self.tr("Cancelling…"))
        self.cancelRequested.emit()

    def set_progress(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            if self._stage:
                self._finished.append(f"✓ {_tr(STAGES.get(self._stage, (self._stage,))[0])} "
                                      f"({clock(time.monotonic() - self._stage_start)})")
                self.done_stages.setText("   ".join(self._finished[-3:]))
            self._stage, self._stage_start = stage, time.monotonic()
            self._origin = None
        if self._origin is None and done > 0:
            self._origin = (time.monotonic(), done)
        self._stage_done, self._stage_total = done, total
        label, unit = STAGES.get(stage, (stage.capitalize(), STEPS))
        self.stage.setText(self.tr("{stage}: {done:,} / {total:,} {unit}").format(
            stage=_tr(label), done=done, total=total, unit=_tr(unit)))
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        self._update_times()

    def remaining(self) -> float | None:
        """Seconds left in the current stage at its pace since its first finished item, or None before there
        is a pace (two reports with items done, half a second apart)."""
        done, total = self._stage_done, self._stage_total
        if self._origin is None or total <= 0:
            return None
        since, first = self._origin
        spent = time.monotonic() - since
        if done <= first or spent < 0.5:
            return None
        return spent / (done - first) * max(total - done, 0)

    def _update_times(self) -> None:
        text = self.tr("elapsed {time}").format(time=clock(time.monotonic() - self._start))
        left = self.remaining()
        if left is not None:
            text += " · " + self.tr("about {time} left in this step").format(time=clock(left))
        self.times.setText(text)

    def finish(self) -> None:
        self._tick.stop()
        self.hide()
