"""The training set: a thumbnail grid of the project's good images, with add (button or drag and drop),
remove, and the Train button. Held-out images (scored after training, not fitted) are marked."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.project.store import GOOD_ROLES, ImageRecord
from .drops import FileDropFilter, browse_button
from .empty_state import EmptyState
from .project_jobs import ProjectJob
from .project_state import ProjectState
from .thumbnails import thumbnail

THUMB = 112


class TrainingSetModel(QAbstractListModel):
    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self.rows: list[ImageRecord] = []
        state.imagesChanged.connect(self.refresh)
        state.opened.connect(self.refresh)
        state.closed.connect(self.refresh)

    def refresh(self) -> None:
        self.beginResetModel()
        self.rows = self.state.project.images(GOOD_ROLES) if self.state.project else []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        rec = self.rows[index.row()]
        if role == Qt.DisplayRole:
            # one line for the name, elided at the start: the end tells files apart (..._001.png, ..._002.png);
            # "held out" on a line of its own, never elided away
            name = QFontMetrics(QApplication.font()).elidedText(rec.name, Qt.ElideLeft, THUMB + 20)
            return name if rec.role == "train" else self.tr("held out") + f"\n{name}"
        if role == Qt.DecorationRole:
            return thumbnail(self.state.project, rec, THUMB)
        if role == Qt.ToolTipRole:
            what = self.tr("held out of fitting and scored after training") if rec.role == "holdout" else self.tr(
                "used for fitting")
            return self.tr("{name}\n{w} x {h} px, {what}\nadded {added}").format(
                name=rec.name, w=rec.width, h=rec.height, what=what, added=rec.added_at)
        if role == Qt.ForegroundRole and rec.role == "holdout":
            return QColor("#7a5c00")
        if role == Qt.UserRole:
            return rec.id
        return None


class TrainingSetView(QWidget):
    addRequested = Signal(list)  # paths (files or folders) to copy in
    browseRequested = Signal(str)  # "folder" or "files"
    trainRequested = Signal()

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self._busy = False
        self.model = TrainingSetModel(state, self)

        self.list = QListView()
        self.list.setViewMode(QListView.IconMode)
        self.list.setResizeMode(QListView.Adjust)
        self.list.setMovement(QListView.Static)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 28, THUMB + 44))
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.ElideMiddle)
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setModel(self.model)
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)

        self._empty_text = (
            self.tr("No good images yet"),
            self.tr("Drop a folder of images of good parts here, or click “Add images”.\n"
                    "No defect images are needed: the model learns what good looks like.\n"
                    "About 50 to 200 images is typical; 15 % are held out to measure good scores."))
        self.empty = EmptyState(*self._empty_text, [(self.tr("Add a folder…"), lambda: self.browseRequested.emit("folder"))])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.list)

        self.add_button = browse_button(self.tr("Add images"), self.tr("Add a folder…"), self.tr("Add files…"),
                                        self.browseRequested.emit)
        self.remove_button = QPushButton(self.tr("Remove selected"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.train_button = QPushButton(self.tr("Train"))
        self.train_button.setDefault(True)
        self.train_button.setStyleSheet("QPushButton { font-weight: bold; padding: 4px 18px; }")
        self.train_button.clicked.connect(self.trainRequested)
        self.summary = QLabel()
        self.model_status = QLabel()
        self.model_status.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        top.addWidget(self.train_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.model_status)
        layout.addWidget(self.stack, 1)

        FileDropFilter(self, self.addRequested.emit)
        FileDropFilter(self.list, self.addRequested.emit)
        QShortcut(QKeySequence.Delete, self.list, self.remove_selected, context=Qt.WidgetShortcut)
        for signal in (state.imagesChanged, state.modelChanged, state.opened, state.closed):
            signal.connect(self.refresh)
        self.refresh()

    def selected_ids(self) -> list[int]:
        return [self.model.rows[i.row()].id for i in self.list.selectionModel().selectedIndexes()]

    def remove_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.state.remove_images(ids)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(not self._busy and bool(self.list.selectionModel().selectedIndexes()))
        self.train_button.setEnabled(not self._busy and bool(self.model.rows))
        self.add_button.setEnabled(not self._busy)
        self.empty.buttons[0].setEnabled(not self._busy)

    def set_busy(self, busy: bool, job=None) -> None:
        """A job runs (``job``), or ended: nothing here may start another one meanwhile; training says so."""
        self._busy = busy
        if busy and job is ProjectJob.TRAIN:
            self.model_status.setText(self.tr("Training… the current model stays in use until the new one is ready.")
                                      if self.state.has_model else self.tr("Training…"))
            self.model_status.setStyleSheet("color:#0b3d66; font-weight:bold;")
        if busy and job is ProjectJob.ADD_GOOD:
            self.empty.set_text(self.tr("Adding images…"), self.tr("The images appear here when they are copied in; the "
                                                                   "progress is shown above."))
        else:
            self.empty.set_text(*self._empty_text)
        if not busy:
            self.refresh()  # the job may have changed the set or the model
        self._update_buttons()

    def refresh(self) -> None:
        project = self.state.project
        n = len(self.model.rows)
        self.stack.setCurrentWidget(self.list if n else self.empty)
        self._update_buttons()
        if project is None:
            self.summary.clear()
            self.model_status.clear()
            return
        fit, hold = project.plan_holdout()
        self.summary.setText(
            self.tr("%n good image(s): {fit} to fit, {held} held out to measure good scores", "", n).format(
                fit=len(fit), held=len(hold)) if n else "")
        if not self.state.has_model:
            text = self.tr("Not trained yet. Add good images, then press Train.") if n else ""
            style = ""
        elif self.state.model_is_stale:
            text = self.tr("⚠ The training set or the settings changed since the model was trained: press Train again.")
            style = "color:#7a5c00; font-weight:bold;"
        else:
            info = project.training_info()
            text = self.tr("✓ Model trained {when} UTC on {n} image(s), {held} held out.").format(
                when=info.get("trained_at", "").replace("T", " ")[:16], n=info.get("n_train", "?"),
                held=info.get("n_holdout", 0))
            style = "color:#1b5e20;"
        self.model_status.setText(text)
        self.model_status.setStyleSheet(style)
