"""A dialog listing the files that were not taken in, each with the reason (unreadable, duplicate, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)


class SkippedDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], title: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title if title is not None else self.tr("Files not added"))
        self.resize(720, 360)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("File"), self.tr("Reason")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for i, (path, reason) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(path))
            self.table.setItem(i, 1, QTableWidgetItem(reason))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("%n file(s) were not added. Nothing else was affected.", "", len(rows))))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
