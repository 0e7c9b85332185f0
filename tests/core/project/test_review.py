"""The review session (queue order, cursor, undo) and the no-data threshold guess, without Qt or a database."""

from __future__ import annotations

import dataclasses

import pytest

from inspector.core.errors import InvalidInput
from inspector.core.project.review import ReviewSession, review_order
from inspector.core.project.store import ImageRecord, ResultRecord
from inspector.core.project.thresholds import first_guess


def part(i: int, score: float, verdict: str | None, decision: str | None = None) -> ResultRecord:
    image = ImageRecord(**{f.name: None for f in dataclasses.fields(ImageRecord)} | {"id": i, "name": f"p{i}"})
    return ResultRecord(image, score, verdict, None, decision, None)


class FakeStore:
    """Stores decisions the way Project.review does (a new row each time) and returns the fresh record."""

    def __init__(self, parts):
        self.parts = {p.image.id: p for p in parts}
        self.rows: list[tuple[int, str | None]] = []

    def record(self, image_id, decision):
        self.rows.append((image_id, decision))
        self.parts[image_id] = dataclasses.replace(self.parts[image_id], decision=decision)
        return self.parts[image_id]


def test_order_flagged_first_by_score_then_passed_on_request():
    parts = [part(1, 0.5, "pass"), part(2, 3.0, "fail"), part(3, 2.0, "uncertain"), part(4, 9.0, "pass")]
    assert [r.image.id for r in review_order(parts)] == [2, 3]
    assert [r.image.id for r in review_order(parts, include_passed=True)] == [2, 3, 4, 1]


def test_decide_moves_on_and_undo_restores_the_previous_decision_and_position():
    store = FakeStore([part(1, 5.0, "fail"), part(2, 4.0, "fail", "defect"), part(3, 3.0, "uncertain")])
    session = ReviewSession(store.record)
    session.rebuild(list(store.parts.values()))
    assert session.current().image.id == 1 and session.first_unreviewed() == 0
    session.decide("good")
    session.decide("good")  # overrides the earlier "defect" of part 2
    assert session.position == 2 and session.reviewed_count() == 2
    assert session.undo().decision == "defect"  # part 2's decision before
    assert session.current().image.id == 2
    assert session.undo().decision is None and session.current().image.id == 1
    assert session.undo() is None and not session.can_undo
    assert store.rows == [(1, "good"), (2, "good"), (2, "defect"), (1, None)]


def test_rebuild_stays_on_the_same_part_when_the_queue_changes():
    parts = [part(1, 5.0, "fail"), part(2, 4.0, "fail"), part(3, 3.0, "uncertain")]
    session = ReviewSession(FakeStore(parts).record)
    session.rebuild(parts)
    session.move(2)
    assert session.current().image.id == 3
    moved = [part(1, 5.0, "pass"), part(2, 4.0, "fail"), part(3, 3.0, "uncertain")]  # a line moved
    session.rebuild(moved)
    assert session.current().image.id == 3 and session.position == 1
    session.rebuild([part(1, 5.0, "fail")])  # part 3 left the queue: clamp
    assert session.position == 0
    assert session.move(5) is False


def test_first_guess_needs_two_scores():
    s = first_guess([1.0, 2.0, 3.0, 4.0, 10.0])
    assert s.thresholds.pass_ == 3.0 and s.thresholds.fail == pytest.approx(7.6)
    with pytest.raises(InvalidInput):
        first_guess([1.0])


def test_the_sql_form_of_the_verdict_rule_agrees_with_the_python_one():
    import sqlite3

    from inspector.core.project.thresholds import Thresholds

    t = Thresholds(1.0, 2.0)
    conn = sqlite3.connect(":memory:")
    for score in (0.0, 0.999, 1.0, 1.5, 1.999, 2.0, 5.0):
        sql = conn.execute(f"SELECT {Thresholds.sql_case(':s')}", {"s": score, "p": t.pass_, "f": t.fail}).fetchone()[0]
        assert sql == t.verdict(score), score
    assert t.counts([0.0, 1.0, 2.0]) == {"pass": 1, "uncertain": 1, "fail": 1}
