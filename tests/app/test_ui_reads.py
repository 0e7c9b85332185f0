"""The views read the app's state object, not SQLite: a line release or a review key reads no result rows but
the one part decided, whatever the number of views listening.

The count comes from SQLite's own trace hook on the UI thread's connection, so any new query a view makes on
a key press shows up here.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from inspector.core.project.store import Project
from inspector.core.project.thresholds import Thresholds


def _project_with_results(folder, settings, n=300) -> None:
    project = Project.create(folder, "Many parts", settings)
    for i in range(n):
        digest = f"{i:064x}"
        image = project._insert_image(f"part_{i:04d}.png", "test", None, digest, None, "inspected",
                                      file=f"images/{digest}.png", size=(64, 64))
        project.record_result(image.id, float(i % 97) / 10, None)
    project.set_thresholds(Thresholds(3.0, 7.0))
    project.close()


@pytest.fixture
def traced(window, tmp_path, small_settings):
    _project_with_results(tmp_path / "p", small_settings())
    window.open_project(tmp_path / "p")
    statements: list[str] = []
    window.state.project._db().set_trace_callback(statements.append)
    yield window, statements
    if window.state.project is not None:
        window.state.project._db().set_trace_callback(None)


def full_reads(statements: list[str]) -> int:
    """Statements that read every result row (the expensive kind), not one part's row, a page of shown rows
    (``i.id IN (...)``, at most a page: see ``test_a_page_read_is_a_page``) or a count."""
    return sum(1 for s in statements if "JOIN results" in s and "i.id = ?" not in s and "WHERE i.id =" not in s
               and "i.id IN (" not in s)


def test_a_page_read_is_a_page(traced):
    """Rows are read for the view a page at a time, never all of them (300 parts here, a page is 200)."""
    window, statements = traced
    window.state.results_changed()
    window.results.table.viewport().repaint()
    pages = [s for s in statements if "i.id IN (" in s]
    assert pages and all(s.count(",") < 200 + 20 for s in pages)


def test_a_threshold_line_release_reads_no_results(traced, qtbot):
    window, statements = traced
    window.histogram.set_thresholds(Thresholds(2.5, 6.5))
    window.histogram._released(None)
    assert window.state.thresholds == Thresholds(2.5, 6.5)
    print(f"\nline release: {full_reads(statements)} full results read(s), {len(statements)} statement(s)")
    assert full_reads(statements) == 0  # one UPDATE re-classifies the stored verdicts; the cache follows in memory
    assert [r.verdict for r in window.state.results] == [r.verdict for r in window.state.project.results()]


def test_a_review_key_reads_no_full_results(traced, qtbot):
    window, statements = traced
    window.tabs.setCurrentWidget(window.review)
    first = window.review.current()
    qtbot.keyClick(window.review, Qt.Key_G)
    assert window.state.project.result(first.image.id).decision == "good"
    statements.clear()
    qtbot.keyClick(window.review, Qt.Key_D)
    print(f"\nreview key: {full_reads(statements)} full results read(s), {len(statements)} statement(s)")
    assert full_reads(statements) == 0


def test_the_counter_does_see_a_full_read(traced):
    """The control: a finished job's refresh reads every result, and the trace counts it (else the tests above
    could pass with a counter that sees nothing)."""
    window, statements = traced
    window.state.results_changed()
    assert full_reads(statements) == 1
