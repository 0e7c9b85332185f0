"""The open project as a Qt model: it holds what the views show, and the views read it and listen to its
signals; they own no state and never query SQLite themselves.

Every change to the project goes through here (on the UI thread) or through a job whose completion is
announced here. Each change refreshes the cache once, however many views listen: a finished job is one read of
the results; a threshold release is one ``UPDATE`` (the cache is re-classified in memory by the same rule); a
review decision is one ``INSERT`` plus one row read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ..core.errors import InspectorError
from ..core.io.geometry import Geometry
from ..core.project.recent import ProjectRegistry
from ..core.project.review import FLAGGED
from ..core.project.store import GOOD_ROLES, Project, ProjectSettings, ResultRecord
from ..core.project.thresholds import FAIL, PASS, UNCERTAIN, Suggestion, Thresholds


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

    def _clear_cache(self) -> None:
        self.results: list[ResultRecord] = []  # inspected parts, by image id
        self.scores = np.zeros(0)  # their scores, [N] float64, in the same order
        self.holdout: list[float] = []  # held-out good scores
        self.decided: dict[int, ResultRecord] = {}  # the parts with a decision, by image id
        self._by_id: dict[int, int] = {}
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

    def open(self, folder: str | Path) -> Project:
        project = Project.open(folder)
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
    def _load_results(self) -> None:
        """The one full read: inspected parts and held-out scores in one query."""
        rows = self.project.results(("inspected", "holdout"))
        self.results = [r for r in rows if r.image.role == "inspected"]
        self.holdout = [r.score for r in rows if r.image.role == "holdout"]
        self.scores = np.fromiter((r.score for r in self.results), np.float64, len(self.results))
        self._by_id = {r.image.id: i for i, r in enumerate(self.results)}
        self.decided = {r.image.id: r for r in self.results if r.decision is not None}
        self._recount()

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
        verdicts = [r.verdict for r in self.results]
        self.counts = Counts(
            good_images=len(self._good_hashes),
            inspected=len(self.results),
            passed=verdicts.count(PASS),
            uncertain=verdicts.count(UNCERTAIN),
            failed=verdicts.count(FAIL),
            reviewed=len(self.decided),
            to_review=sum(1 for r in self.results if r.decision is None and r.verdict in FLAGGED),
            confirmed_good_outside_training=sum(1 for r in self.results
                                                if r.decision == "good" and r.image.hash not in self._good_hashes),
            model="not trained" if not self.has_model else ("out of date" if self.model_is_stale else "trained"),
        )

    def _recount_one(self, old: ResultRecord, new: ResultRecord) -> None:
        """Adjust the counts for one part whose decision changed (a review key: O(1), not O(parts))."""
        c = self.counts

        def weight(r: ResultRecord) -> tuple[bool, bool]:  # (still to review, confirmed good outside training)
            return (r.decision is None and r.verdict in FLAGGED,
                    r.decision == "good" and r.image.hash not in self._good_hashes)

        (open_old, good_old), (open_new, good_new) = weight(old), weight(new)
        self.counts = replace(c, reviewed=len(self.decided), to_review=c.to_review - open_old + open_new,
                              confirmed_good_outside_training=c.confirmed_good_outside_training - good_old + good_new)

    def reviewed_scores(self, decision: str) -> list[float]:
        """Scores of the parts whose latest decision is ``decision`` ("good" or "defect")."""
        return [r.score for r in self.decided.values() if r.decision == decision]

    def result(self, image_id: int) -> ResultRecord | None:
        """A part's cached record (no database read)."""
        i = self._by_id.get(image_id)
        return self.results[i] if i is not None else None

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
            self.results = [replace(r, verdict=None) for r in self.results]
        else:
            self.results = [r if r.verdict == (v := thresholds.verdict(r.score)) else replace(r, verdict=v)
                            for r in self.results]
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
        fresh = self.project.result(image_id)
        i = self._by_id.get(image_id)
        if i is not None and fresh is not None:
            old, self.results[i] = self.results[i], fresh
            if fresh.decision is None:
                self.decided.pop(image_id, None)
            else:
                self.decided[image_id] = fresh
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
        i = self._by_id.get(image_id)
        if i is None:
            self._by_id[image_id] = len(self.results)
            self.results.append(fresh)
            self.scores = np.append(self.scores, fresh.score)
        else:
            self.results[i] = fresh
            self.scores[i] = fresh.score
        if fresh.decision is not None:
            self.decided[image_id] = fresh
        if not self._coalesce.isActive():
            self._coalesce.start()

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
        self._recount()
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
