"""The Results tab: inspect parts (button or drop), the results table beside the selected part's heatmap."""

from __future__ import annotations

import base64

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .drops import FileDropFilter, browse_button
from .empty_state import EmptyState
from .heatmap_view import HeatmapView, heat_scale
from .project_jobs import ProjectJob
from .project_state import ProjectState
from .results_table import COL_SCORE, FILTERS, ResultsTable


class ResultsPage(QWidget):
    inspectRequested = Signal(list)  # paths
    browseRequested = Signal(str)  # "folder" or "files"

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self._busy = False
        self.state = state
        self.table = ResultsTable(state)
        self.heatmap = HeatmapView()
        self.table.installEventFilter(self)  # H on the table toggles the heatmap
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("resultsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.heatmap)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([620, 700])  # until the user's own layout is restored

        self.empty = EmptyState(self.tr("No parts inspected yet"), "",
                                [(self.tr("Inspect a folder…"), lambda: self.browseRequested.emit("folder"))])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)

        self.inspect_button = browse_button(self.tr("Inspect images"), self.tr("Inspect a folder…"), self.tr("Inspect files…"),
                                            self.browseRequested.emit)
        self.filter = QComboBox()
        for kind in FILTERS:  # shown translated, the English key as the item's data
            self.filter.addItem(QCoreApplication.translate("ResultsModel", kind), kind)
        self.filter.currentIndexChanged.connect(lambda _i: self._filter_changed(self.filter.currentData()))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Filter by file name"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.count = QLabel()
        self.remove_button = QPushButton(self.tr("Remove part…"))
        self.remove_button.setToolTip(self.tr("Remove the selected part from the project for good: its score, heatmap, "
                                              "review history and copied image (Delete)"))
        self.remove_button.clicked.connect(lambda: self.remove_current())
        top = QHBoxLayout()
        top.addWidget(self.inspect_button)
        top.addSpacing(12)
        top.addWidget(QLabel(self.tr("Show")))
        top.addWidget(self.filter)
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        FileDropFilter(self, self.inspectRequested.emit)
        FileDropFilter(self.table, self.inspectRequested.emit)
        self.table.currentImageChanged.connect(self.show_image)
        self.table.currentImageChanged.connect(lambda _id: self._update_buttons())
        for signal in (state.resultsChanged, state.opened, state.closed, state.modelChanged, state.reviewChanged):
            signal.connect(self.refresh)
        self.refresh()

    def _filter_changed(self, kind: str) -> None:
        self.table.results_model.set_kind(kind)
        self._filtered()

    def _search_changed(self, text: str) -> None:
        self.table.results_model.set_text(text)
        self._filtered()

    def _filtered(self) -> None:
        """A filter that hid the selected part selects the first part it shows (the heatmap never goes blank
        while parts are listed); one that shows none says so."""
        self._update_count()
        if self.table.currentIndex().row() < 0 or not self.table.currentIndex().isValid():
            if self.table.results_model.rowCount():
                self.table.selectRow(0)
            elif self.state.results:
                self.heatmap.clear(self.tr("No part matches the filter."))

    def _update_count(self) -> None:
        total = len(self.state.results)
        shown = self.table.results_model.rowCount()
        self.count.setText(self.tr("{shown} of %n part(s)", "", total).format(shown=shown) if shown != total
                           else self.tr("%n part(s)", "", total))

    def _update_buttons(self) -> None:
        can_inspect = not self._busy and self.state.project is not None and self.state.has_model
        self.inspect_button.setEnabled(can_inspect)
        self.empty.buttons[0].setEnabled(can_inspect)
        self.remove_button.setEnabled(not self._busy and self.state.result(self.table._current) is not None)

    def set_busy(self, busy: bool, job=None) -> None:
        self._busy = busy
        self._job = job if busy else None
        self.refresh()

    def save_state(self) -> dict:
        """The page's layout for the project's saved layout (JSON-able)."""
        header = self.table.horizontalHeader()
        return {"splitter": base64.b64encode(bytes(self.splitter.saveState())).decode(),
                "filter": self.filter.currentData(), "heatmap": self.heatmap.save_state(),
                "sort": [header.sortIndicatorSection(), int(header.sortIndicatorOrder() == Qt.AscendingOrder)]}

    def restore_state(self, state: dict) -> None:
        """Apply :meth:`save_state`'s dict; defaults for anything missing (a new project: a clean view)."""
        splitter = state.get("splitter")
        if splitter:
            self.splitter.restoreState(QByteArray(base64.b64decode(splitter)))
        self.filter.setCurrentIndex(max(0, self.filter.findData(state.get("filter", "All parts"))))
        self.search.clear()  # a name filter is for the moment, never carried into another project
        sort = state.get("sort")
        try:
            column, ascending = int(sort[0]), bool(sort[1])
        except (TypeError, ValueError, IndexError):
            column, ascending = COL_SCORE, False  # highest score first
        self.table.sortByColumn(column, Qt.AscendingOrder if ascending else Qt.DescendingOrder)
        self.heatmap.restore_state(state.get("heatmap", {}))

    def refresh(self, *_) -> None:
        project = self.state.project
        has_rows = bool(self.state.results)
        self.stack.setCurrentWidget(self.splitter if has_rows else self.empty)
        self._update_buttons()
        if getattr(self, "_job", None) is ProjectJob.INSPECT:
            self.empty.set_text(self.tr("Inspecting…"), self.tr("The parts appear here when they are scored; the progress "
                                                                "is shown above."))
        elif project is not None and not self.state.has_model:
            self.empty.set_text(self.tr("No model yet"), self.tr("Train a model first: add good images in the Training set "
                                                                 "tab and press Train. Then drop folders of parts here to "
                                                                 "inspect them."))
        else:
            self.empty.set_text(self.tr("No parts inspected yet"), self.tr("Drop a folder or files of parts here, or click "
                                                                           "“Inspect images”. Each part gets a score and "
                                                                           "a heatmap."))
        self._update_count()
        if has_rows and self.table.currentIndex().row() < 0:
            self.table.selectRow(0)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if (obj is self.table and event.type() == QEvent.KeyPress and event.key() == Qt.Key_H
                and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier)):
            self.heatmap.toggle_overlay()
            return True
        if obj is self.table and event.type() == QEvent.KeyPress and event.key() == Qt.Key_Delete:
            self.remove_current()
            return True
        return super().eventFilter(obj, event)

    def remove_current(self, confirm: bool = True) -> bool:
        """Remove the selected part for good, after asking (the review history goes with it)."""
        record = self.state.result(self.table._current)
        if record is None or self._busy:
            return False
        if confirm and QMessageBox.question(
                self, self.tr("Remove part"), self.tr("Remove “{name}” from the project for good?\n\nIts score, heatmap "
                                                      "and review history are deleted; the file you inspected stays "
                                                      "where it was.").format(name=record.image.name),
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
            return False
        self.state.remove_inspected([record.image.id])
        return True

    def show_image(self, image_id: int) -> None:
        project = self.state.project
        result = self.state.result(image_id) if project is not None and image_id >= 0 else None
        if result is None:
            self.heatmap.clear()
            return
        self.heatmap.show_result(
            project.path_of(result.image), project.load_map(result), self.state.preprocessor,
            result.score, result.verdict, project.thresholds, result.image.name, heat_scale(self.state.holdout))
