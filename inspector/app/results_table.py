"""The inspected parts as a table: thumbnail, file, score, the model's verdict, the human decision.

Sortable by any column (scores numerically), filterable by verdict / decision and by file name; the model
sorts and filters with numpy over the state's columns and reads only the rows it shows (fast at 100,000 parts).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ..core.project.store import DECISION_CODES, VERDICT_CODES, ResultRecord
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

_V, _D = VERDICT_CODES, DECISION_CODES

# each filter is a mask over the state's columns (verdict codes v, decision codes d); the keys are English, the
# filter list shows them translated (context "ResultsModel")
FILTERS = {
    QT_TRANSLATE_NOOP("ResultsModel", "All parts"): lambda v, d: np.ones(v.shape, bool),
    QT_TRANSLATE_NOOP("ResultsModel", "Fail"): lambda v, d: v == _V["fail"],
    QT_TRANSLATE_NOOP("ResultsModel", "Uncertain"): lambda v, d: v == _V["uncertain"],
    QT_TRANSLATE_NOOP("ResultsModel", "Pass"): lambda v, d: v == _V["pass"],
    QT_TRANSLATE_NOOP("ResultsModel", "Not reviewed"): lambda v, d: d == _D[None],
    QT_TRANSLATE_NOOP("ResultsModel", "Reviewed good"): lambda v, d: d == _D["good"],
    QT_TRANSLATE_NOOP("ResultsModel", "Reviewed defect"): lambda v, d: d == _D["defect"],
    QT_TRANSLATE_NOOP("ResultsModel", "Model and reviewer disagree"): lambda v, d: ((d == _D["good"]) & (v == _V["fail"]))
    | ((d == _D["defect"]) & (v == _V["pass"])),
}
_REVIEW_ORDER = np.array([0, 2, 1], np.int64)  # decision code + 1 (none, good, defect) -> "", "good" > "defect"


class _Rows(Sequence):
    """The shown rows as records, read when indexed (``len`` costs nothing)."""

    def __init__(self, model: "ResultsModel"):
        self._m = model

    def __len__(self) -> int:
        return int(self._m.ids.size)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._m.state.records([int(x) for x in self._m.ids[i]])
        return self._m.record(range(len(self))[i])


class ResultsModel(QAbstractTableModel):
    """The shown rows as an id array over the state's columns: filters are masks and sorts are numpy orders on
    the columns (names and dates only when sorting or filtering by them), so 100,000 parts cost milliseconds
    and no record; a row's record is read when the view draws it, a page at a time. It reads the state, never
    SQLite."""

    PAGE = 200

    def __init__(self, state: ProjectState, parent=None):
        super().__init__(parent)
        self.state = state
        self.ids = np.zeros(0, np.int64)
        self.kind = "All parts"
        self.text = ""
        self._sort = (COL_SCORE, Qt.DescendingOrder)
        self._pinned: dict[int, ResultRecord] = {}  # rows updated in place since the last arrange
        state.resultsChanged.connect(self.refresh)
        state.opened.connect(self.refresh)
        state.closed.connect(self.refresh)
        state.reviewChanged.connect(self.refresh_one)

    @property
    def rows(self) -> Sequence[ResultRecord]:
        return _Rows(self)

    def _sort_key(self, col: int, idx: np.ndarray) -> np.ndarray:
        """An integer or float key per shown index ``idx`` (into the state's columns) for column ``col``."""
        st = self.state
        if col in (COL_THUMB, COL_SCORE):
            return st.scores[idx]
        if col == COL_VERDICT:  # by verdict, then score
            return np.lexsort((st.scores[idx], st.verdicts[idx].astype(np.int64))).argsort()
        if col == COL_REVIEW:
            return _REVIEW_ORDER[st.decisions[idx].astype(np.int64) + 1]
        labels = st.labels()
        which = 0 if col == COL_FILE else 1
        texts = [labels.get(int(i), ("", ""))[which] for i in st.ids[idx]]
        if col == COL_FILE:
            texts = [t.lower() for t in texts]
        return np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)[1] if texts else idx

    def _arrange(self) -> None:
        st = self.state
        col, order = self._sort
        mask = FILTERS[self.kind](st.verdicts, st.decisions)
        if self.text:
            labels = st.labels()
            mask &= np.fromiter((self.text in labels.get(int(i), ("", ""))[0].lower() for i in st.ids), bool,
                                st.ids.size)
        idx = np.flatnonzero(mask)
        key = self._sort_key(col, idx)
        if order == Qt.DescendingOrder:  # stable, ties in id order (as Python's sort with reverse=True)
            perm = np.argsort(-key.astype(np.float64), kind="stable")
        else:
            perm = np.argsort(key, kind="stable")
        self.ids = st.ids[idx[perm]]
        self._pinned = {}

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
        i = self.row_of(image_id)
        fresh = self.state.result(image_id)
        if i >= 0 and fresh is not None:
            self._pinned[image_id] = fresh
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def row_of(self, image_id: int) -> int:
        found = np.flatnonzero(self.ids == image_id)
        return int(found[0]) if found.size else -1

    def record(self, row: int) -> ResultRecord | None:
        """The record shown in ``row``; a miss reads the page of rows around it in one query."""
        image_id = int(self.ids[row])
        pinned = self._pinned.get(image_id)
        if pinned is not None:
            return pinned
        found = self.state.cached(image_id)
        if found is None:
            lo = max(row - self.PAGE // 4, 0)
            self.state.prefetch([int(i) for i in self.ids[lo:lo + self.PAGE]])
            found = self.state.cached(image_id)
        return found

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else int(self.ids.size)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return QCoreApplication.translate("ResultsModel", COLUMNS[section]) if COLUMNS[section] else ""
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        r = self.record(index.row())
        if r is None:
            return None
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
        return self.results_model.ids.tolist()
