"""The Line tab: watch a folder from the app, as ``inspector watch`` does on a line PC.

Start picks a folder; each image that arrives there is scored with the project's model and thresholds and
recorded like any inspection (``core.project.hotfolder.HotFolder``, the same code as the CLI's watcher). The
last part is shown large with its verdict (PASS / CHECK / FAIL), the counters run from Start, and a strip
keeps the most recent failures. The watcher runs on its own thread (it may run while a training job does:
the app is the project's editor, the watcher records beside it and picks up new lines or a new model between
parts); this widget only shows what it reports.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.project.hotfolder import HotFolder
from .heatmap_view import HeatmapView, heat_scale
from .project_state import ProjectState
from .thumbnails import thumbnail

BIG = {"pass": (QT_TRANSLATE_NOOP("LineView", "PASS"), "#2e7d32"),
       "uncertain": (QT_TRANSLATE_NOOP("LineView", "CHECK"), "#b26a00"),
       "fail": (QT_TRANSLATE_NOOP("LineView", "FAIL"), "#c62828"),
       None: (QT_TRANSLATE_NOOP("LineView", "NO THRESHOLDS"), "#555555"),
       "unreadable": (QT_TRANSLATE_NOOP("LineView", "UNREADABLE"), "#555555")}  # English; shown translated
RECENT_FAILURES = 12


class _WatchThread(QThread):
    """Runs one ``HotFolder`` until stopped; every part becomes ``part`` (a dict, the JSON line's fields)."""

    part = Signal(dict)
    failed = Signal(str)

    def __init__(self, watcher: HotFolder, parent=None):
        super().__init__(parent)
        self.watcher = watcher
        watcher.on_part = self.part.emit  # called on this thread; the signal crosses to the UI thread

    def run(self) -> None:
        try:
            self.watcher.run()
        except Exception as exc:  # shown by the view, in words
            self.failed.emit(str(exc) or type(exc).__name__)


class LineView(QWidget):
    watchingChanged = Signal(bool)

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self._thread: _WatchThread | None = None
        self.counts: dict[str, int] = {}

        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("The folder the camera writes images to"))
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._choose)
        self.move_box = QCheckBox(self.tr("Move scored files into pass / uncertain / fail folders beside it"))
        self.start_button = QPushButton(self.tr("Start watching"))
        self.start_button.setStyleSheet("QPushButton { font-weight: bold; padding: 4px 18px; }")
        self.start_button.clicked.connect(self.toggle)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Watch folder:")))
        top.addWidget(self.folder_edit, 1)
        top.addWidget(choose)
        top.addWidget(self.start_button)

        self.status = QLabel(self.tr("Not watching."))
        self._watch_error = False  # the watcher stopped on an error (its message stays)
        self.big = QLabel("—")
        self.big.setAlignment(Qt.AlignCenter)
        self.big.setMinimumHeight(90)
        self._paint_big(None, "—")
        self.detail = QLabel("")
        self.detail.setAlignment(Qt.AlignCenter)
        self.detail.setWordWrap(True)
        self.counter = QLabel("")
        self.counter.setAlignment(Qt.AlignCenter)
        self.counter.setStyleSheet("font-size: 15px;")
        self.counter.setWordWrap(True)
        self.heatmap = HeatmapView()
        self.failures = QListWidget()
        self.failures.setViewMode(QListWidget.IconMode)
        self.failures.setFlow(QListWidget.LeftToRight)
        self.failures.setWrapping(False)
        self.failures.setIconSize(QSize(72, 72))
        self.failures.setFixedHeight(120)
        self.failures.setToolTip(self.tr("The most recent failed parts, newest first"))

        side = QVBoxLayout()
        side.addWidget(self.big)
        side.addWidget(self.detail)
        side.addWidget(self.counter)
        side.addStretch(1)
        panel = QWidget()
        panel.setLayout(side)
        panel.setMinimumWidth(260)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.heatmap)
        split.addWidget(panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.move_box)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addWidget(QLabel(self.tr("Recent failures:")))
        layout.addWidget(self.failures)
        state.closed.connect(self.stop)
        self._show_counts()

    # ------------------------------------------------------------------------------------ control
    @property
    def watching(self) -> bool:
        return self._thread is not None

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder to watch"), self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def toggle(self) -> None:
        self.stop() if self.watching else self.start()

    def start(self, folder: str | None = None) -> bool:
        """Watch ``folder`` (or the one typed); False with the reason shown when it cannot start."""
        project = self.state.project
        folder = folder or self.folder_edit.text().strip()
        if project is None or self.watching:
            return False
        if not self.state.has_model:
            self.status.setText(self.tr("Train a model first: the watcher scores with the project's model."))
            return False
        if not folder or not Path(folder).is_dir():
            self.status.setText(self.tr("Choose an existing folder to watch."))
            return False
        self.folder_edit.setText(folder)
        move_to = Path(folder) if self.move_box.isChecked() else None
        try:
            watcher = HotFolder(project.folder, folder, move_to=move_to)
        except (OSError, ValueError) as exc:
            self.status.setText(self.tr("Cannot watch {folder}: {error}").format(folder=folder, error=exc))
            return False
        self.counts = {"pass": 0, "uncertain": 0, "fail": 0, "unreadable": 0}
        self.failures.clear()
        self._show_counts()
        self._thread = _WatchThread(watcher, self)
        self._thread.part.connect(self._part)
        self._thread.failed.connect(self._failed)
        self._thread.finished.connect(self._finished)
        self._thread.start()
        self.start_button.setText(self.tr("Stop watching"))
        self._watch_error = False
        self.status.setText(self.tr("Watching {folder}: each new image is scored and recorded in this project.").format(
            folder=folder))
        self.watchingChanged.emit(True)
        return True

    def stop(self) -> None:
        """Stop after the part in hand and wait for the watcher's thread (on quit and project close too)."""
        thread = self._thread
        if thread is None:
            return
        thread.watcher.stop()
        thread.wait(30_000)
        self._finished()

    def _finished(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.deleteLater()
        self.start_button.setText(self.tr("Start watching"))
        if not self._watch_error:
            self.status.setText(self.tr("Not watching."))
        self.watchingChanged.emit(False)

    def _failed(self, message: str) -> None:
        self._watch_error = True
        self.status.setText(self.tr("The watcher stopped: {error}").format(error=message))

    # ------------------------------------------------------------------------------------- parts
    def _paint_big(self, verdict: str | None, text: str) -> None:
        colour = BIG.get(verdict, BIG[None])[1] if text != "—" else "#9e9e9e"
        self.big.setText(QCoreApplication.translate("LineView", text))
        self.big.setStyleSheet(f"font-size: 44px; font-weight: bold; color: white; background: {colour}; "
                               "border-radius: 8px; padding: 8px;")

    def _show_counts(self) -> None:
        c = self.counts or {"pass": 0, "uncertain": 0, "fail": 0, "unreadable": 0}
        self.counter.setText(self.tr("Since start: {passed} pass · {check} check · {failed} fail").format(
            passed=c["pass"], check=c["uncertain"], failed=c["fail"])
            + (" · " + self.tr("{n} unreadable").format(n=c["unreadable"]) if c["unreadable"] else ""))

    def _part(self, payload: dict) -> None:
        name = Path(str(payload.get("file", ""))).name
        if payload.get("error"):
            self.counts["unreadable"] += 1
            self._paint_big("unreadable", BIG["unreadable"][0])
            self.detail.setText(f"{name}: {payload['error']}")
            self._show_counts()
            return
        verdict = payload.get("verdict")
        if verdict in self.counts:
            self.counts[verdict] += 1
        self._paint_big(verdict, BIG.get(verdict, BIG[None])[0])
        self.detail.setText(self.tr("{name} · score {score:.4g} · {ms:.0f} ms").format(
            name=name, score=float(payload.get("score", 0)), ms=payload.get("ms", 0)))
        self._show_counts()
        self.state.part_recorded(int(payload.get("image_id", -1)))  # Results, Review, histogram follow
        record = self.state.result(int(payload.get("image_id", -1)))
        project = self.state.project
        if record is None or project is None:
            return
        self.heatmap.show_result(project.path_of(record.image), project.load_map(record), self.state.preprocessor,
                                 record.score, record.verdict, project.thresholds, name, heat_scale(self.state.holdout))
        if verdict == "fail":
            item = QListWidgetItem(thumbnail(project, record.image, 72), name)
            item.setToolTip(self.tr("{name}: score {score:.4g}").format(name=name, score=record.score))
            self.failures.insertItem(0, item)
            while self.failures.count() > RECENT_FAILURES:
                self.failures.takeItem(self.failures.count() - 1)
