"""The inspected parts as a table: thumbnail, file, score, the model's verdict, the human decision.

Sortable by any column (scores numerically), filterable by verdict / decision and by file name; the model
sorts and filters in Python over the state's cache (fast at 100,000 parts).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ..core.project.store import ResultRecord
from .i18n import verdict_text
from .project_state import ProjectState
from .thumbnails import thumbnail

COLUMNS = ["", QT_TRANSLATE_NOOP("ResultsModel", "File"), QT_TRANSLATE_NOOP("ResultsModel", "Score"),
           QT_TRANSLATE_NOOP("ResultsModel", "Verdict"), QT_TRANSLATE_NOOP("ResultsModel", "Review"),
           QT_TRANSLATE_NOOP("ResultsModel", "Inspected")]  # English; shown translated (context "ResultsModel")
COL_THUMB, COL_FILE, COL_SCORE, COL_VERDICT, COL_REVIEW, COL_ADDED = range(6)
ID_ROLE = Qt.UserRole + 2
VERDICT_BG = {"pass": QColor("#e6f4ea"), "uncertain": QColor("#fff4d6"), "fail": QColor("#fde2e1")}
REVIEW_TEXT = {"good": QT_TRANSLATE_NOOP("ResultsModel", "✓ good"),
               "defect": QT_TRANSLATE_NOOP("ResultsModel", "✗ defect"), None: ""}
VERDICT_ORDER = {"pass": 0, "uncertain": 1, "fail": 2, None: -1}

FILTERS = {  # the keys are English; the filter list shows them translated (context "ResultsModel")
    QT_TRANSLATE_NOOP("ResultsModel", "All parts"): lambda r: True,
    QT_TRANSLATE_NOOP("ResultsModel", "Fail"): lambda r: r.verdict == "fail",
    QT_TRANSLATE_NOOP("ResultsModel", "Uncertain"): lambda r: r.verdict == "uncertain",
    QT_TRANSLATE_NOOP("ResultsModel", "Pass"): lambda r: r.verdict == "pass",
    QT_TRANSLATE_NOOP("ResultsModel", "Not reviewed"): lambda r: r.decision is None,
    QT_TRANSLATE_NOOP("ResultsModel", "Reviewed good"): lambda r: r.decision == "good",
    QT_TRANSLATE_NOOP("ResultsModel", "Reviewed defect"): lambda r: r.decision == "defect",
    QT_TRANSLATE_NOOP("ResultsModel", "Model and reviewer disagree"): lambda r: (r.decision == "good" and r.verdict == "fail")
    or (r.decision == "defect" and r.verdict == "pass"),
}


def _sort_key(col: int):
    return {
        COL_THUMB: lambda r: r.score,
        COL_FILE: lambda r: r.image.name.lower(),
        COL_SCORE: lambda r: r.score,
        COL_VERDICT: lambda r: (VERDICT_ORDER.get(r.verdict, -1), r.score),
        COL_REVIEW: lambda r: r.decision or "",
        COL_ADDED: lambda r: r.image.added_at,
    }[col]


class ResultsModel(QAbstractTableModel):
    """The shown rows: the state's cached results, filtered and sorted here in Python (one key function per
    sort, one predicate per filter), so 100,000 parts cost milliseconds instead of a proxy's millions of
    ``data()`` calls. Views read rows from it; it reads the state's cache, never SQLite."""

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self.rows: list[ResultRecord] = []
        self.kind = "All parts"
        self.text = ""
        self._sort = (COL_SCORE, Qt.DescendingOrder)
        self._row_of: dict[int, int] = {}
        state.resultsChanged.connect(self.refresh)
        state.opened.connect(self.refresh)
        state.closed.connect(self.refresh)
        state.reviewChanged.connect(self.refresh_one)

    def _accepts(self, r: ResultRecord) -> bool:
        return FILTERS[self.kind](r) and (not self.text or self.text in r.image.name.lower())

    def _arrange(self) -> None:
        col, order = self._sort
        rows = [r for r in self.state.results if self._accepts(r)]
        rows.sort(key=_sort_key(col), reverse=order == Qt.DescendingOrder)
        self.rows = rows
        self._row_of = {r.image.id: i for i, r in enumerate(rows)}

    def refresh(self) -> None:
        self.beginResetModel()
        self._arrange()
        self.endResetModel()

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.refresh()

    def set_text(self, text: str) -> None:
        self.text = text.strip().lower()
        self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._arrange()
        self.layoutChanged.emit()

    def refresh_one(self, image_id: int) -> None:
        """One part's decision changed: update its row in place (it stays shown until the next refresh, even
        if the filter would now hide it, so the table does not jump under the operator's hand)."""
        i = self._row_of.get(image_id)
        fresh = self.state.result(image_id)
        if i is not None and fresh is not None:
            self.rows[i] = fresh
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def row_of(self, image_id: int) -> int:
        return self._row_of.get(image_id, -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return QCoreApplication.translate("ResultsModel", COLUMNS[section]) if COLUMNS[section] else ""
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
                COL_VERDICT: verdict_text(r.verdict) if r.verdict else "—",
                COL_REVIEW: QCoreApplication.translate("ResultsModel", REVIEW_TEXT.get(r.decision, "")),
                COL_ADDED: r.image.added_at.replace("T", " ")[:16],
            }.get(col)
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


class ResultsTable(QTableView):
    currentImageChanged = Signal(int)  # image id, -1 for none

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.results_model = ResultsModel(state, self)
        self.setModel(self.results_model)
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
        index = self.results_model.index(row, COL_FILE)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def visible_ids(self) -> list[int]:
        return [r.image.id for r in self.results_model.rows]
