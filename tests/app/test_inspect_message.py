"""The message after an inspection counts the verdicts of the parts just scored (it read stale counts before)."""

from __future__ import annotations

from app_helpers import run_job


def test_the_message_counts_the_new_verdicts(qtbot, window, tmp_path, good_folder, parts_folder, small_settings):
    window.create_project("Counts", tmp_path / "proj", small_settings())
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    run_job(qtbot, window, window.train, timeout=120_000)
    run_job(qtbot, window, lambda: window.inspect([str(parts_folder)]))
    c = window.state.counts
    assert c.inspected == 8 and c.passed + c.uncertain + c.failed == 8
    assert f"{c.passed} pass, {c.uncertain} uncertain, {c.failed} fail" in window.message_bar.text()
