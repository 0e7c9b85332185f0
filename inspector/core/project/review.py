"""The review session: which parts a person should look at, in which order, where they are, and undo.

Qt-free so the app, the CLI or a script share one policy:

- the queue is the failed and uncertain parts (every part while no thresholds are set), highest score first;
  with ``include_passed`` the passed parts follow them, for spot checks;
- the cursor stays on the same part when the queue is rebuilt (new scores, moved thresholds), else on the
  same position;
- a decision moves to the next part; undo restores the decision a part had before (as a new review row: the
  store's reviews are append-only) and returns to that part.

The session never reads the database itself: it is given the current results (the app's state object holds
them) and a ``record`` function that stores one decision and returns that part's fresh record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .store import VERDICT_CODES, ResultRecord
from .thresholds import FAIL, PASS, UNCERTAIN

FLAGGED = (None, FAIL, UNCERTAIN)  # the verdicts a person should look at (None: no thresholds yet)
Record = Callable[[int, "str | None"], ResultRecord]  # (image id, decision or None) -> the part's new record


def review_order(results: Sequence[ResultRecord], include_passed: bool = False) -> list[ResultRecord]:
    """Failed and uncertain parts (and unclassified ones), highest score first; then, with ``include_passed``,
    the passed parts in the same order."""
    ordered = sorted(results, key=lambda r: (-r.score, r.image.id))
    flagged = [r for r in ordered if r.verdict in FLAGGED]
    return flagged + ([r for r in ordered if r.verdict not in FLAGGED] if include_passed else [])


@dataclass(frozen=True)
class Step:
    image_id: int
    before: str | None  # the decision the part had before this step
    position: int


class _Queue(Sequence):
    """The session's queue as a sequence of records, materialised one at a time (``queue[i]``)."""

    def __init__(self, session: "ReviewSession"):
        self._s = session

    def __len__(self) -> int:
        return len(self._s.ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._s.record_at(k) for k in range(*i.indices(len(self)))]
        return self._s.record_at(range(len(self))[i])


def review_order_index(ids: np.ndarray, scores: np.ndarray, verdicts: np.ndarray,
                       include_passed: bool = False) -> np.ndarray:
    """``review_order`` over columns (``ResultColumns``: ids, scores, verdict codes): the indices of the queued
    parts into those columns, in queue order."""
    order = np.lexsort((ids, -scores))
    passed = verdicts[order] == VERDICT_CODES[PASS]
    return np.concatenate([order[~passed], order[passed] if include_passed else order[:0]])


class ReviewSession:
    """The queue is held as ids (plus whether each has a decision); records are looked up one at a time, so a
    queue of 100,000 parts costs two arrays, not 100,000 records."""

    def __init__(self, record: Record):
        self._record = record
        self.ids: list[int] = []
        self._decided = np.zeros(0, bool)
        self._lookup: Callable[[int], ResultRecord | None] = lambda _id: None
        self._fresh: dict[int, ResultRecord] = {}  # records decided in this session (newer than the lookup's)
        self.position = 0
        self.include_passed = False
        self._undo: list[Step] = []

    @property
    def queue(self) -> Sequence[ResultRecord]:
        return _Queue(self)

    def record_at(self, position: int) -> ResultRecord | None:
        image_id = self.ids[position]
        fresh = self._fresh.get(image_id)
        return fresh if fresh is not None else self._lookup(image_id)

    # ----------------------------------------------------------------------------------------- queue
    def rebuild(self, results: Sequence[ResultRecord], include_passed: bool | None = None) -> None:
        """Recompute the queue from ``results``, staying on the current part if it is still queued."""
        if include_passed is not None:
            self.include_passed = include_passed
        order = review_order(results, self.include_passed)
        by_id = {r.image.id: r for r in order}
        self.rebuild_ids([r.image.id for r in order], [r.decision is not None for r in order], by_id.get)

    def rebuild_ids(self, ids: Sequence[int], decided: Sequence[bool] | np.ndarray,
                    lookup: Callable[[int], ResultRecord | None], include_passed: bool | None = None) -> None:
        """The same from a queue already in order (``review_order_index``), whether each part has a decision,
        and ``lookup`` (image id -> its current record)."""
        if include_passed is not None:
            self.include_passed = include_passed
        current = self.ids[self.position] if 0 <= self.position < len(self.ids) else None
        self.ids = [int(i) for i in ids]
        self._decided = np.asarray(decided, bool).copy()
        self._lookup = lookup
        self._fresh = {}
        if current is not None and current in self.ids:
            self.position = self.ids.index(current)
        else:
            self.position = min(self.position, max(len(self.ids) - 1, 0))

    def reset(self) -> None:
        """A new project: empty queue, cursor at the start, nothing to undo."""
        self.ids, self._decided, self._fresh, self.position, self._undo = [], np.zeros(0, bool), {}, 0, []

    def current(self) -> ResultRecord | None:
        return self.record_at(self.position) if 0 <= self.position < len(self.ids) else None

    def reviewed_count(self) -> int:
        return int(np.count_nonzero(self._decided))

    def _replace(self, position: int, fresh: ResultRecord) -> None:
        self._decided[position] = fresh.decision is not None
        self._fresh[self.ids[position]] = fresh

    def first_unreviewed(self) -> int | None:
        """Position of the first part in the queue without a decision (None when all are reviewed)."""
        return self.next_unreviewed(-1, wrap=False)

    def next_unreviewed(self, after: int, wrap: bool = True) -> int | None:
        """Position of the first undecided part after ``after`` (wrapping to the first one); None: none left."""
        open_ = np.flatnonzero(~self._decided)
        if open_.size == 0:
            return None
        later = open_[open_ > after]
        if later.size:
            return int(later[0])
        return int(open_[0]) if wrap else None

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    # --------------------------------------------------------------------------------------- actions
    def move(self, step: int) -> bool:
        """Move the cursor by ``step`` (clamped); True if it moved."""
        new = min(max(self.position + step, 0), max(len(self.queue) - 1, 0))
        moved = new != self.position
        self.position = new
        return moved

    def go_to(self, position: int) -> None:
        self.position = min(max(position, 0), max(len(self.queue) - 1, 0))

    def decide(self, decision: str) -> ResultRecord | None:
        """Record ``decision`` ("good" or "defect") for the current part and move to the next one; returns the
        part's new record (None with an empty queue)."""
        r = self.current()
        if r is None:
            return None
        self._undo.append(Step(r.image.id, r.decision, self.position))
        fresh = self._record(r.image.id, decision)
        self._replace(self.position, fresh)
        self.move(1)
        return fresh

    def undo(self) -> ResultRecord | None:
        """Restore the decision the last decided part had before, and go back to it; None if nothing to undo."""
        if not self._undo:
            return None
        step = self._undo.pop()
        fresh = self._record(step.image_id, step.before)
        if step.image_id in self.ids:
            self.position = self.ids.index(step.image_id)
            self._replace(self.position, fresh)
        return fresh
