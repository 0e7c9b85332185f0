"""The start screen: known projects, most recently opened first, with create, open, rename and delete."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.project.recent import ProjectEntry, ProjectRegistry
from ..core.project.store import ProjectSummary, summarize
from .drops import FileDropFilter
from .empty_state import EmptyState

PATH_ROLE = Qt.UserRole + 1


def when(t: float) -> str:
    if t <= 0:
        return ""
    today = time.strftime("%Y-%m-%d") == time.strftime("%Y-%m-%d", time.localtime(t))
    if today:
        return QCoreApplication.translate("StartScreen", "opened today {time}").format(
            time=time.strftime("%H:%M", time.localtime(t)))
    return QCoreApplication.translate("StartScreen", "opened {date}").format(
        date=time.strftime("%Y-%m-%d %H:%M", time.localtime(t)))


def describe(summary: ProjectSummary) -> str:
    """A project's counts for the list, in the user's language (``ProjectSummary.describe`` is the English one)."""
    translate = QCoreApplication.translate
    parts = [translate("StartScreen", "%n good image(s)", "", summary.n_good),
             translate("StartScreen", "trained") if summary.trained else translate("StartScreen", "not trained")]
    if summary.n_inspected:
        parts.append(translate("StartScreen", "{inspected} inspected, {reviewed} reviewed").format(
            inspected=summary.n_inspected, reviewed=summary.n_reviewed))
    if summary.n_unscored:
        parts.append(translate("StartScreen", "{n} not scored yet (inspect to resume)").format(n=summary.n_unscored))
    return " · ".join(parts)


class StartScreen(QWidget):
    newRequested = Signal()
    openFolderRequested = Signal()
    openRequested = Signal(str)
    renameRequested = Signal(str)
    deleteRequested = Signal(str)
    forgetRequested = Signal(str)
    notProjectDropped = Signal()

    def __init__(self, registry: ProjectRegistry, parent=None):
        super().__init__(parent)
        self.registry = registry
        title = QLabel("Inspector")
        title.setStyleSheet("font-size: 26px; font-weight: bold;")
        subtitle = QLabel(self.tr("Find defects on production parts by learning from images of good ones."))
        subtitle.setStyleSheet("color: #555;")
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setStyleSheet("QListWidget::item { padding: 6px; }")
        self.list.itemDoubleClicked.connect(lambda item: self.openRequested.emit(item.data(PATH_ROLE)))
        self.list.currentItemChanged.connect(self._update_buttons)
        self.empty = EmptyState(self.tr("No projects yet"),
                                self.tr("Create one project per product type: click “New project”,\n"
                                        "then drop in a folder of images of good parts."),
                                [(self.tr("New project…"), self.newRequested.emit)])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.list)

        self.new_button = QPushButton(self.tr("New project…"))
        self.new_button.setStyleSheet("font-weight: bold;")
        self.new_button.clicked.connect(self.newRequested)
        self.open_folder_button = QPushButton(self.tr("Open folder…"))
        self.open_folder_button.clicked.connect(self.openFolderRequested)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(lambda: self._emit(self.openRequested))
        self.rename_button = QPushButton(self.tr("Rename…"))
        self.rename_button.clicked.connect(lambda: self._emit(self.renameRequested))
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(lambda: self._emit(self.deleteRequested))
        self.forget_button = QPushButton(self.tr("Remove from list"))
        self.forget_button.clicked.connect(lambda: self._emit(self.forgetRequested))
        buttons = QVBoxLayout()
        for b in (self.new_button, self.open_folder_button, None, self.open_button, self.rename_button,
                  self.delete_button, self.forget_button):
            if b is None:
                buttons.addSpacing(16)
            else:
                buttons.addWidget(b)
        buttons.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.stack, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        layout.addWidget(QLabel(self.tr("Projects")))
        layout.addLayout(body, 1)
        FileDropFilter(self, self._dropped)
        FileDropFilter(self.list, self._dropped)
        self.refresh()

    def _dropped(self, paths: list[str]) -> None:
        """A project folder dropped here is opened; anything else is a hint to open a project first."""
        projects = [p for p in paths if (Path(p) / "project.json").is_file()]
        if projects:
            self.openRequested.emit(projects[0])
        else:
            self.notProjectDropped.emit()

    def _emit(self, signal) -> None:
        item = self.list.currentItem()
        if item is not None:
            signal.emit(item.data(PATH_ROLE))

    def entries(self) -> list[ProjectEntry]:
        return self.registry.entries()

    def refresh(self) -> None:
        self.list.clear()
        for e in self.entries():
            summary = summarize(e.path) if e.exists else None
            details = f"{describe(summary)} · " if summary else ""
            text = f"{e.name}\n{details}{when(e.last_opened)}\n{e.path}"
            if not e.exists:
                text = f"{e.name}   " + self.tr("(folder missing)") + f"\n{e.path}"
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, str(e.path))
            if not e.exists:
                item.setForeground(QColor("#999"))
            self.list.addItem(item)
        self.stack.setCurrentWidget(self.list if self.list.count() else self.empty)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def _update_buttons(self, *_) -> None:
        item = self.list.currentItem()
        exists = item is not None and (Path(item.data(PATH_ROLE)) / "project.json").is_file()
        for b in (self.open_button, self.rename_button, self.delete_button):
            b.setEnabled(exists)
        self.forget_button.setEnabled(item is not None)
