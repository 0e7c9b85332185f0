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

from .store import ResultRecord
from .thresholds import FAIL, UNCERTAIN

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


class ReviewSession:
    def __init__(self, record: Record):
        self._record = record
        self.queue: list[ResultRecord] = []
        self.position = 0
        self.include_passed = False
        self._undo: list[Step] = []
        self._reviewed = 0  # parts in the queue with a decision, kept up to date (O(1) per key)

    # ----------------------------------------------------------------------------------------- queue
    def rebuild(self, results: Sequence[ResultRecord], include_passed: bool | None = None) -> None:
        """Recompute the queue from ``results``, staying on the current part if it is still queued."""
        if include_passed is not None:
            self.include_passed = include_passed
        current = self.current()
        self.queue = review_order(results, self.include_passed)
        self._reviewed = sum(1 for r in self.queue if r.decision is not None)
        ids = [r.image.id for r in self.queue]
        if current is not None and current.image.id in ids:
            self.position = ids.index(current.image.id)
        else:
            self.position = min(self.position, max(len(self.queue) - 1, 0))

    def reset(self) -> None:
        """A new project: empty queue, cursor at the start, nothing to undo."""
        self.queue, self.position, self._undo, self._reviewed = [], 0, [], 0

    def current(self) -> ResultRecord | None:
        return self.queue[self.position] if 0 <= self.position < len(self.queue) else None

    def reviewed_count(self) -> int:
        return self._reviewed

    def _replace(self, position: int, fresh: ResultRecord) -> None:
        self._reviewed += (fresh.decision is not None) - (self.queue[position].decision is not None)
        self.queue[position] = fresh

    def first_unreviewed(self) -> int | None:
        """Position of the first part in the queue without a decision (None when all are reviewed)."""
        return next((i for i, r in enumerate(self.queue) if r.decision is None), None)

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
        ids = [r.image.id for r in self.queue]
        if step.image_id in ids:
            self.position = ids.index(step.image_id)
            self._replace(self.position, fresh)
        return fresh
