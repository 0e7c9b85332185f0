"""Inspected parts can be removed from the app, and the batch report is written from the File menu's job."""

from __future__ import annotations

from app_helpers import run_job


def test_remove_a_part_and_write_the_report(qtbot, window, tmp_path, good_folder, parts_folder, small_settings):
    window.create_project("Remove", tmp_path / "proj", small_settings())
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    run_job(qtbot, window, window.train, timeout=120_000)
    run_job(qtbot, window, lambda: window.inspect([str(parts_folder)]))
    page = window.results
    first = page.table.results_model.rows[0]
    assert page.table.select_image(first.image.id) and page.remove_button.isEnabled()
    assert page.remove_current(confirm=False)
    assert window.state.counts.inspected == 7 and window.state.project.result(first.image.id) is None
    assert first.image.id not in {r.image.id for r in page.table.results_model.rows}

    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    run_job(qtbot, window, lambda: window.project_jobs.report(str(target), str(target.with_suffix(".csv"))))
    html = target.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "data:image" in html
    assert len(target.with_suffix(".csv").read_text(encoding="utf-8").strip().splitlines()) == 8  # header + 7
    assert "Report of 7 part(s)" in window.message_bar.text()
