"""Dialogs for a new project (name, folder, model settings) and for a project's settings."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ..core.project.recent import default_projects_dir
from ..core.project.store import ProjectSettings
from .settings_form import ProjectSettingsForm


def slug(name: str) -> str:
    s = re.sub(r"[^\w\-]+", "_", name.strip(), flags=re.UNICODE).strip("_")
    return s or "project"


def unused_folder(name: str) -> Path:
    base = default_projects_dir() / slug(name)
    path, n = base, 2
    while path.exists():
        path, n = base.with_name(f"{base.name}_{n}"), n + 1
    return path


class FittingDialog(QDialog):
    """A dialog that grows to the height its wrapped texts need at its width. Qt sizes a window from its
    layout's minimum size, which leaves the wrapped labels' height-for-width out: when a long note appears (a
    weights file that fits another backbone, a long translation) the labels would squeeze the layer list to a
    row or draw over it. ``fit_later()`` after anything that changes a text; done on show too."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fit = QTimer(self, singleShot=True, interval=0, timeout=self.fit_height)

    def fit_later(self, *_) -> None:
        self._fit.start()

    def fit_height(self) -> None:
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        need = layout.totalHeightForWidth(self.width())
        screen = self.screen()
        if screen is not None:
            need = min(need, screen.availableGeometry().height() - 40)
        if self.height() < need:
            self.resize(self.width(), need)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.fit_later()

    def watch(self, form) -> None:
        """Fit again whenever the settings form's texts may have changed."""
        form.usableChanged.connect(self.fit_later)
        form.backbone.changed.connect(self.fit_later)
        if hasattr(form.backbone, "layersLoaded"):
            form.backbone.layersLoaded.connect(self.fit_later)
            form.backbone.weightsChanged.connect(self.fit_later)


class NewProjectDialog(FittingDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("New project"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Bottle caps, line 3"))
        self.folder = QLineEdit()
        self._folder_edited = False
        self.folder.textEdited.connect(self._folder_typed)  # a bound slot: a lambda holding the dialog outlives it
        self.name.textChanged.connect(self._name_changed)
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        top = QFormLayout()
        top.addRow(self.tr("Name"), self.name)
        top.addRow(self.tr("Folder"), row)
        self.form = ProjectSettingsForm(app_settings=getattr(parent, "app_settings", None))
        self.form.use_last_weights()
        self.accepted.connect(self.form.remember_weights)
        box = QGroupBox(self.tr("Model (can be changed later in Project ▸ Settings)"))
        QVBoxLayout(box).addWidget(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(self.tr("Create"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("One project per product type. Its images, model and results are kept in its folder."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(box)
        self.reason = QLabel()  # why Create is disabled
        self.reason.setObjectName("createReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color:#a33;")
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.finished.connect(self.form.shutdown)
        self.form.usableChanged.connect(self._update_create)
        self.form.backbone.changed.connect(self._update_create)
        self.watch(self.form)
        self._name_changed("")

    def _folder_typed(self, _text: str) -> None:
        self._folder_edited = True

    def _name_changed(self, text: str) -> None:
        if not self._folder_edited:
            self.folder.setText(str(unused_folder(text or "project")))
        self._update_create()

    def _update_create(self) -> None:
        """Create needs a name and a backbone with usable weights; the reason shows while it is disabled."""
        problem = self.form.weights_problem()
        self.reason.setText(problem)
        self.reason.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(bool(self.name.text().strip()) and not problem)

    def _choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Folder for the project (empty or new)"))
        if path:
            self._folder_edited = True
            self.folder.setText(path)

    def values(self) -> tuple[str, Path, ProjectSettings]:
        return self.name.text().strip(), Path(self.folder.text().strip()), self.form.settings()


class SettingsDialog(FittingDialog):
    def __init__(self, settings: ProjectSettings, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Project settings"))
        self.form = ProjectSettingsForm(settings, app_settings=getattr(parent, "app_settings", None))
        self.accepted.connect(self.form.remember_weights)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        note = QLabel(self.tr("Changing model settings makes the current model out of date: press Train again."))
        note.setWordWrap(True)
        note.setStyleSheet("color:#666;")
        layout.addWidget(note)
        self.reason = QLabel()  # why Train would fail with these settings (Save stays possible)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color:#a33;")
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.finished.connect(self.form.shutdown)
        self.form.usableChanged.connect(self._update_reason)
        self.form.backbone.changed.connect(self._update_reason)
        self.watch(self.form)
        self._update_reason()

    def _update_reason(self) -> None:
        problem = self.form.weights_problem()
        self.reason.setText(problem)
        self.reason.setVisible(bool(problem))

    def settings(self) -> ProjectSettings:
        return self.form.settings()
