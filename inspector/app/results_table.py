"""The inspected parts as a table: thumbnail, file, score, the model's verdict, the human decision.

Sortable by any column (scores numerically), filterable by verdict / decision and by file name.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ..core.project.store import ResultRecord
from .project_state import ProjectState
from .thumbnails import thumbnail

COLUMNS = ["", "File", "Score", "Verdict", "Review", "Inspected"]
COL_THUMB, COL_FILE, COL_SCORE, COL_VERDICT, COL_REVIEW, COL_ADDED = range(6)
SORT_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2
VERDICT_BG = {"pass": QColor("#e6f4ea"), "uncertain": QColor("#fff4d6"), "fail": QColor("#fde2e1")}
REVIEW_TEXT = {"good": "✓ good", "defect": "✗ defect", None: ""}
VERDICT_ORDER = {"pass": 0, "uncertain": 1, "fail": 2, None: -1}

FILTERS = {
    "All parts": lambda r: True,
    "Fail": lambda r: r.verdict == "fail",
    "Uncertain": lambda r: r.verdict == "uncertain",
    "Pass": lambda r: r.verdict == "pass",
    "Not reviewed": lambda r: r.decision is None,
    "Reviewed good": lambda r: r.decision == "good",
    "Reviewed defect": lambda r: r.decision == "defect",
    "Model and reviewer disagree": lambda r: (r.decision == "good" and r.verdict == "fail")
    or (r.decision == "defect" and r.verdict == "pass"),
}


class ResultsModel(QAbstractTableModel):
    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self.rows: list[ResultRecord] = []
        state.resultsChanged.connect(self.refresh)
        state.opened.connect(self.refresh)
        state.closed.connect(self.refresh)
        state.reviewChanged.connect(self.refresh_one)

    def refresh(self) -> None:
        self.beginResetModel()
        self.rows = list(self.state.results)
        self.endResetModel()

    def refresh_one(self, image_id: int) -> None:
        for i, r in enumerate(self.rows):
            if r.image.id == image_id:
                self.rows[i] = self.state.result(image_id)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def row_of(self, image_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.image.id == image_id), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return r.image.id
        if role == Qt.DisplayRole:
            return {
                COL_FILE: r.image.name,
                COL_SCORE: f"{r.score:.4f}",
                COL_VERDICT: r.verdict or "—",
                COL_REVIEW: REVIEW_TEXT.get(r.decision, ""),
                COL_ADDED: r.image.added_at.replace("T", " ")[:16],
            }.get(col)
        if role == SORT_ROLE:
            return {
                COL_THUMB: r.score,
                COL_FILE: r.image.name.lower(),
                COL_SCORE: r.score,
                COL_VERDICT: VERDICT_ORDER.get(r.verdict, -1) * 1e12 + r.score,
                COL_REVIEW: r.decision or "",
                COL_ADDED: r.image.added_at,
            }[col]
        if role == Qt.DecorationRole and col == COL_THUMB:
            return thumbnail(self.state.project, r.image, 40)
        if role == Qt.BackgroundRole and col == COL_VERDICT:
            return VERDICT_BG.get(r.verdict)
        if role == Qt.TextAlignmentRole and col == COL_SCORE:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            history = self.state.project.history(r.image.id) if col == COL_REVIEW else []
            if history:
                return "\n".join(f"{t.replace('T', ' ')[:19]}  {d}" for d, t in history)
            return r.image.name
        return None


class ResultsFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.kind = "All parts"
        self.text = ""

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10; invalidateFilter is deprecated there
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def set_kind(self, kind: str) -> None:
        self._refilter(lambda: setattr(self, "kind", kind))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.strip().lower()))

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        r = self.sourceModel().rows[row]
        return FILTERS[self.kind](r) and (not self.text or self.text in r.image.name.lower())


class ResultsTable(QTableView):
    currentImageChanged = Signal(int)  # image id, -1 for none

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.results_model = ResultsModel(state, self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.results_model)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(COL_SCORE, Qt.DescendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(44)
        header = self.horizontalHeader()
        header.setSectionResizeMode(COL_FILE, QHeaderView.Stretch)
        header.resizeSection(COL_THUMB, 48)
        header.setMinimumSectionSize(40)
        for col, width in ((COL_SCORE, 70), (COL_VERDICT, 80), (COL_REVIEW, 80), (COL_ADDED, 120)):
            header.resizeSection(col, width)
        self.setIconSize(QSize(40, 40))
        self._current = -1
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self.results_model.modelAboutToBeReset.connect(self._remember)
        self.results_model.modelReset.connect(self._restore)

    def _row_changed(self, current: QModelIndex, _previous=None) -> None:
        image_id = current.data(ID_ROLE) if current.isValid() else -1
        if image_id is None:
            image_id = -1
        if image_id != self._current:
            self._current = image_id
            self.currentImageChanged.emit(image_id)

    def _remember(self) -> None:
        self._keep = self._current

    def _restore(self) -> None:
        keep = getattr(self, "_keep", -1)
        if keep != -1 and not self.select_image(keep):
            self._current = -1
            self.currentImageChanged.emit(-1)
        elif keep != -1:
            self.currentImageChanged.emit(keep)  # its score or verdict may have changed

    def select_image(self, image_id: int) -> bool:
        row = self.results_model.row_of(image_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.results_model.index(row, COL_FILE))
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def visible_ids(self) -> list[int]:
        return [self.proxy.index(i, 0).data(ID_ROLE) for i in range(self.proxy.rowCount())]
