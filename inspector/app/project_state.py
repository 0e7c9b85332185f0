"""The open project as a Qt model: it holds what the views show, and the views read it and listen to its
signals; they own no state and never query SQLite themselves.

Every change to the project goes through here (on the UI thread) or through a job whose completion is
announced here. Each change refreshes the cache once, however many views listen: a finished job is one read of
the results; a threshold release is one ``UPDATE`` (the cache is re-classified in memory by the same rule); a
review decision is one ``INSERT`` plus one row read.

At 100,000 parts the cache is columns (``ResultColumns``: ids, scores, verdict and decision codes), not records:
opening reads small values only, counts and sorts are numpy, and a part's whole record is read when a view
shows it (``result``, ``prefetch``; kept in a small cache).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ..core.errors import InspectorError
from ..core.io.geometry import Geometry
from ..core.project.recent import ProjectRegistry
from ..core.project.review import FLAGGED
from ..core.project.store import (
    DECISION_CODES,
    GOOD_ROLES,
    VERDICT_CODES,
    Project,
    ProjectSettings,
    ResultColumns,
    ResultRecord,
)
from ..core.project.thresholds import FAIL, PASS, UNCERTAIN, Suggestion, Thresholds

_PASS, _UNCERTAIN, _FAIL = (VERDICT_CODES[v] for v in (PASS, UNCERTAIN, FAIL))
_GOOD = DECISION_CODES["good"]
VERDICT_OF = {code: v for v, code in VERDICT_CODES.items()}


class LazyResults(Sequence):
    """The inspected parts in id order as a sequence of records, read a page at a time when iterated or
    indexed (``len`` and truth cost nothing)."""

    def __init__(self, state: "ProjectState"):
        self._state = state

    def __len__(self) -> int:
        return int(self._state.ids.size)

    def __getitem__(self, i):
        ids = self._state.ids
        if isinstance(i, slice):
            return self._state.records([int(x) for x in ids[i]])
        return self._state.records([int(ids[range(ids.size)[i]])])[0]

    def __iter__(self):
        ids = self._state.ids
        for start in range(0, ids.size, 2000):
            yield from self._state.records([int(x) for x in ids[start:start + 2000]])


@dataclass(frozen=True)
class Counts:
    """What the status line, buttons and empty states need, derived from the cached results."""

    good_images: int = 0
    inspected: int = 0
    passed: int = 0
    uncertain: int = 0
    failed: int = 0
    reviewed: int = 0
    to_review: int = 0  # flagged (or unclassified) parts without a decision
    confirmed_good_outside_training: int = 0
    model: str = "not trained"  # "not trained", "out of date" or "trained"


class ProjectState(QObject):
    opened = Signal()  # a project was opened (or created)
    closed = Signal()
    imagesChanged = Signal()  # the training set
    resultsChanged = Signal()  # scores, verdicts of inspected parts
    reviewChanged = Signal(int)  # image id whose human decision changed
    thresholdsChanged = Signal()
    thresholdUndoChanged = Signal(bool)  # whether a threshold change can be undone
    modelChanged = Signal()  # trained, or settings changed (staleness)
    renamed = Signal(str)

    def __init__(self, registry: ProjectRegistry | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.registry = registry or ProjectRegistry()
        self.project: Project | None = None
        self._coalesce = QTimer(self)  # parts recorded by the line arrive one by one: views refresh once a second
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(1000)
        self._coalesce.timeout.connect(self._flush_recorded)
        self._clear_cache()

    RECORD_CACHE = 20_000  # records kept for the views (a page is a few dozen; cleared beyond this)

    def _clear_cache(self) -> None:
        self._set_columns(ResultColumns.empty())
        self._records: dict[int, ResultRecord] = {}  # whole records the views asked for, by image id
        self._labels: dict[int, tuple[str, str]] | None = None  # {id: (name, added at)}, read when first needed
        self._good_hashes: set[str] = set()
        self.has_model = False
        self.model_is_stale = False
        self.preprocessor: Geometry | None = None  # the model's input geometry: where its maps lie
        self.region: np.ndarray | None = None  # the project's region to inspect (None: the whole image)
        self.counts = Counts()
        self._threshold_undo: list[Thresholds | None] = []  # earlier thresholds, newest last (not review undo)

    # ------------------------------------------------------------------------------- lifecycle
    @property
    def is_open(self) -> bool:
        return self.project is not None

    def open(self, folder: str | Path, read_only: bool = False, salvage: bool = False) -> Project:
        project = Project.open(folder, read_only=read_only, salvage=salvage)
        self._set(project)
        return project

    def create(self, folder: str | Path, name: str, settings: ProjectSettings | None = None) -> Project:
        project = Project.create(folder, name, settings)
        self._set(project)
        return project

    def _set(self, project: Project) -> None:
        self.close()
        self.project = project
        self.registry.touch(project.folder, project.name)
        self._load_images()
        self._load_model()
        self._load_results()
        self.opened.emit()

    def close(self) -> None:
        self._coalesce.stop()
        if self.project is not None:
            self.project.close()
            self.project = None
            self._clear_cache()
            self.closed.emit()

    def rename(self, name: str) -> None:
        self.project.rename(name)
        self.registry.rename(self.project.folder, self.project.name)
        self.renamed.emit(self.project.name)

    def save_settings(self, settings: ProjectSettings) -> None:
        self.project.save_settings(settings)
        self._load_model()
        self._recount()
        self.modelChanged.emit()

    def set_region(self, mask: np.ndarray | None) -> None:
        """Save the region to inspect (``Project.set_region``; None: the whole image): the model is now stale."""
        self.project.set_region(mask)
        self._load_model()
        self._recount()
        self.modelChanged.emit()

    # ----------------------------------------------------------------------------- the cache
    def _set_columns(self, cols: ResultColumns) -> None:
        self.ids = cols.ids  # inspected parts, [N] int64, in id order
        self.scores = cols.scores  # their scores, [N] float64, in the same order
        self.verdicts = cols.verdicts  # [N] int8 verdict codes (``VERDICT_CODES``)
        self.decisions = cols.decisions  # [N] int8 decision codes (``DECISION_CODES``)
        self.in_training = cols.in_training  # [N] bool: the same bytes are in the training set
        self.holdout: list[float] = cols.holdout.tolist()  # held-out good scores
        self._pos: dict[int, int] | None = None  # image id -> index, built when first needed

    def _load_results(self) -> None:
        """The one full read: inspected parts (as columns) and held-out scores in one query."""
        self._set_columns(self.project.result_columns())
        self._records = {}
        self._labels = None
        self._recount()

    @property
    def results(self) -> LazyResults:
        """Every inspected part, in id order, read a page at a time (prefer the columns for counting)."""
        return LazyResults(self)

    @property
    def decided(self) -> dict[int, ResultRecord]:
        """The parts with a decision, by image id (their records are read now)."""
        ids = [int(i) for i in self.ids[self.decisions >= 0]]
        return {r.image.id: r for r in self.records(ids)}

    def position(self, image_id: int) -> int:
        """Index of a part in the columns, -1 if it is not an inspected part."""
        if self._pos is None:
            self._pos = dict(zip(self.ids.tolist(), range(self.ids.size)))
        return self._pos.get(image_id, -1)

    def records(self, ids: Sequence[int]) -> list[ResultRecord]:
        """The records of ``ids`` in that order (cached ones from memory, the others in one query)."""
        missing = [i for i in ids if i not in self._records]
        if missing and self.project is not None:
            if len(self._records) + len(missing) > self.RECORD_CACHE:
                self._records = {}
            self._records.update((r.image.id, r) for r in self.project.results_for(missing))
        return [self._records[i] for i in ids if i in self._records]

    def cached(self, image_id: int) -> ResultRecord | None:
        """A part's record if it is in memory (no read)."""
        return self._records.get(image_id)

    def prefetch(self, ids: Sequence[int]) -> None:
        """Read the records of ``ids`` now (one query), e.g. the page a view is about to draw."""
        self.records(ids)

    def labels(self) -> dict[int, tuple[str, str]]:
        """{image id: (file name, added at)} of the inspected parts (read once per change of the parts)."""
        if self._labels is None:
            self._labels = self.project.result_labels() if self.project is not None else {}
        return self._labels

    def _load_images(self) -> None:
        self._good_hashes = {img.hash for img in self.project.images(GOOD_ROLES)}

    def _load_model(self) -> None:
        self.has_model = self.project.has_model()
        self.model_is_stale = self.project.model_is_stale()
        self.preprocessor = self.project.preprocessor()
        try:
            self.region = self.project.region()
        except (InspectorError, OSError):  # an unreadable region file: shown as none (training reports it)
            self.region = None

    def _recount(self) -> None:
        v, d = self.verdicts, self.decisions
        self.counts = Counts(
            good_images=len(self._good_hashes),
            inspected=int(self.ids.size),
            passed=int(np.count_nonzero(v == _PASS)),
            uncertain=int(np.count_nonzero(v == _UNCERTAIN)),
            failed=int(np.count_nonzero(v == _FAIL)),
            reviewed=int(np.count_nonzero(d >= 0)),
            to_review=int(np.count_nonzero((d < 0) & (v != _PASS))),
            confirmed_good_outside_training=int(np.count_nonzero((d == _GOOD) & ~self.in_training)),
            model="not trained" if not self.has_model else ("out of date" if self.model_is_stale else "trained"),
        )

    def _recount_one(self, old: ResultRecord, new: ResultRecord) -> None:
        """Adjust the counts for one part whose decision changed (a review key: O(1), not O(parts))."""
        c = self.counts

        def weight(r: ResultRecord) -> tuple[bool, bool]:  # (still to review, confirmed good outside training)
            return (r.decision is None and r.verdict in FLAGGED,
                    r.decision == "good" and r.image.hash not in self._good_hashes)

        (open_old, good_old), (open_new, good_new) = weight(old), weight(new)
        self.counts = replace(c, reviewed=int(np.count_nonzero(self.decisions >= 0)), to_review=c.to_review - open_old + open_new,
                              confirmed_good_outside_training=c.confirmed_good_outside_training - good_old + good_new)

    def reviewed_scores(self, decision: str) -> list[float]:
        """Scores of the parts whose latest decision is ``decision`` ("good" or "defect")."""
        return self.scores[self.decisions == DECISION_CODES[decision]].tolist()

    def result(self, image_id: int) -> ResultRecord | None:
        """A part's record (from the cache, else one row read); None if it is not an inspected part."""
        if self.position(image_id) < 0:
            return None
        found = self.records([image_id])
        return found[0] if found else None

    @property
    def thresholds(self) -> Thresholds | None:
        return self.project.thresholds if self.project else None

    # ---------------------------------------------------------------------------------- changes
    UNDO_DEPTH = 100

    def set_thresholds(self, thresholds: Thresholds | None, undoable: bool = True) -> None:
        """Save the thresholds and re-classify every stored part (one UPDATE); the cache is re-classified in
        memory by the same rule (a verdict is a function of the score and the lines), so no read is needed.
        The earlier thresholds go on the threshold undo stack (``undo_thresholds``); the same ones again: no-op."""
        previous = self.thresholds
        if thresholds == previous:
            return
        self.project.set_thresholds(thresholds)
        if undoable:
            self._threshold_undo = (self._threshold_undo + [previous])[-self.UNDO_DEPTH:]
        if thresholds is None:
            self.verdicts = np.full(self.ids.size, VERDICT_CODES[None], np.int8)
        else:  # Thresholds.verdict over the column: pass below the pass line, fail at or above the fail line
            self.verdicts = np.where(self.scores < thresholds.pass_, _PASS,
                                     np.where(self.scores >= thresholds.fail, _FAIL, _UNCERTAIN)).astype(np.int8)
        self._records = {r.image.id: replace(r, verdict=VERDICT_OF[int(self.verdicts[self.position(r.image.id)])])
                         for r in self._records.values()}
        self._recount()
        self.thresholdsChanged.emit()
        self.resultsChanged.emit()
        self.thresholdUndoChanged.emit(self.can_undo_thresholds)

    @property
    def can_undo_thresholds(self) -> bool:
        return bool(self._threshold_undo)

    def undo_thresholds(self) -> bool:
        """Go back to the thresholds before the last change (a drag, a typed value, Suggest); ``False`` when
        there is nothing to undo."""
        if not self._threshold_undo or self.project is None:
            return False
        earlier = self._threshold_undo.pop()
        self.set_thresholds(earlier, undoable=False)
        self.thresholdUndoChanged.emit(self.can_undo_thresholds)
        return True

    def suggest(self, percentile: float | None = None) -> Suggestion:
        """Thresholds suggested by the project (``Project.suggest``: held-out and reviewed scores, else a first
        guess from the inspected spread). Raises ``InvalidInput`` when there are no scores at all."""
        return self.project.suggest(percentile)

    def review(self, image_id: int, decision: str | None) -> ResultRecord:
        """Store a decision (one INSERT), refresh that part alone (one row read), tell the views."""
        self.project.review(image_id, decision)
        old = self.result(image_id)
        fresh = self.project.result(image_id)
        i = self.position(image_id)
        if i >= 0 and fresh is not None and old is not None:
            self._records[image_id] = fresh
            self.decisions[i] = DECISION_CODES[fresh.decision]
            self._recount_one(old, fresh)
        self.reviewChanged.emit(image_id)
        return fresh

    def part_recorded(self, image_id: int) -> None:
        """The line recorded one part: read its row alone into the cache now; the views refresh at most once a
        second (a part a second on a 100,000-part project must not re-read or re-sort everything each time)."""
        if self.project is None:
            return
        fresh = self.project.result(image_id)
        if fresh is None:
            return
        self._put(fresh)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def parts_scored(self, records: Sequence[ResultRecord]) -> None:
        """A running inspection scored these parts (records read by the worker): show them now, with one
        refresh of the views (the caller batches them, e.g. once a second)."""
        if self.project is None or not records:
            return
        for r in records:
            self._put(r)
        self._recount()
        self.resultsChanged.emit()

    def _put(self, fresh: ResultRecord) -> None:
        """Add or update one part in the columns (appended: ids stay ordered, new parts have higher ids)."""
        i = self.position(fresh.image.id)
        v, d = VERDICT_CODES.get(fresh.verdict, -1), DECISION_CODES.get(fresh.decision, -1)
        if i < 0:
            self._pos[fresh.image.id] = self.ids.size
            self.ids = np.append(self.ids, fresh.image.id)
            self.scores = np.append(self.scores, fresh.score)
            self.verdicts = np.append(self.verdicts, np.int8(v))
            self.decisions = np.append(self.decisions, np.int8(d))
            self.in_training = np.append(self.in_training, fresh.image.hash in self._good_hashes)
            if self._labels is not None:
                self._labels[fresh.image.id] = (fresh.image.name, fresh.image.added_at)
        else:
            self.scores[i], self.verdicts[i], self.decisions[i] = fresh.score, v, d
        self._records[fresh.image.id] = fresh

    def _flush_recorded(self) -> None:
        if self.project is None:
            return
        self._recount()
        self.resultsChanged.emit()

    def results_changed(self) -> None:
        """A job scored parts: refresh once and tell the views."""
        if self.project is None:
            return
        self._load_results()
        self.resultsChanged.emit()

    def training_changed(self) -> None:
        """A job changed the training set (images added or removed)."""
        self._load_images()
        self._load_model()
        self._load_results()  # which parts' bytes are in the training set (and counts) may have changed
        self.imagesChanged.emit()
        self.modelChanged.emit()

    def model_trained(self) -> None:
        self._threshold_undo = []  # a new model's scores: earlier lines would not mean the same
        self.thresholdUndoChanged.emit(False)
        self._load_images()
        self._load_model()
        self._load_results()
        self.imagesChanged.emit()  # roles (held out or not) may have changed
        self.modelChanged.emit()
        self.thresholdsChanged.emit()
        self.resultsChanged.emit()

    def remove_inspected(self, ids: list[int]) -> int:
        """Remove inspected parts for good (results, maps, reviews, files no other row uses); refresh once."""
        n = self.project.remove_inspected(ids)
        self.results_changed()
        return n

    def remove_images(self, ids: list[int]) -> int:
        n = self.project.remove_images(ids)
        self.training_changed()
        return n
