"""The real main window, end to end: create a project, add good images, train, inspect parts with planted
defects, move the threshold lines, review with the keyboard, close, reopen and find the same state."""

from __future__ import annotations

import json

import pytest
from app_helpers import drop, run_job
from PySide6.QtCore import Qt

from inspector.app.results_table import COL_REVIEW, COL_VERDICT
from inspector.app.skipped_dialog import SkippedDialog


def table_rows(window) -> dict[str, tuple[str, str]]:
    proxy = window.results.table.results_model
    out = {}
    for row in range(proxy.rowCount()):
        name = proxy.index(row, 1).data().removeprefix("parts/")
        out[name] = (proxy.index(row, COL_VERDICT).data(), proxy.index(row, COL_REVIEW).data())
    return out


def test_full_workflow(qtbot, window, tmp_path, good_folder, parts_folder, small_settings):
    # the start screen says what to do when there is no project
    assert window.pages.currentWidget() is window.start_screen
    assert window.start_screen.stack.currentWidget() is window.start_screen.empty
    assert not window.train_action.isEnabled()

    project = window.create_project("Synthetic part", tmp_path / "proj", small_settings())
    assert window.pages.currentWidget() is window.project_page
    assert window.tabs.currentWidget() is window.training_set
    assert window.training_set.stack.currentWidget() is window.training_set.empty
    assert "No model yet" in window.results.empty.title.text()

    # good images dropped on the training set are copied in on the worker; the broken file is listed
    run_job(qtbot, window, lambda: drop(window.training_set.list.viewport(), [good_folder]))
    assert len(window.training_set.model.rows) == 14
    assert window.training_set.stack.currentWidget() is window.training_set.list
    assert window.message_bar.level == "warning" and "1 file(s) were not added" in window.message_bar.text()
    window.message_bar.action_button.click()
    dialog = window.findChild(SkippedDialog)
    assert dialog is not None and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text().endswith("notes_broken.png")
    dialog.close()
    # the same folder again: all duplicates, nothing added
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    assert len(window.training_set.model.rows) == 14
    assert "15 file(s) were not added" in window.message_bar.text()

    # train: held-out images scored, thresholds suggested from them, histogram shows both lines
    stages = []
    window.jobs.progress.connect(lambda title, stage, done, total: stages.append(stage))
    run_job(qtbot, window, window.training_set.train_button.click)
    assert {"features", "coreset", "holdout"} <= set(stages)
    # "check the thresholds" is advice to act on: it stays until dismissed
    assert "check them in the histogram" in window.message_bar.text()
    assert window.message_bar.action_button.text() == "Show the histogram" and not window.message_bar._fade.isActive()
    assert project.has_model() and len(project.holdout_scores()) == 2
    t = project.thresholds
    assert t is not None and window.histogram.pass_line.isVisible()
    assert window.histogram.pass_line.value() == pytest.approx(t.pass_)
    assert "held out" in window.training_set.summary.text()
    assert window.training_set.model_status.text().startswith("✓ Model trained")

    # inspect parts with planted defects: each gets a score, a verdict and a heatmap
    run_job(qtbot, window, lambda: window.inspect([str(parts_folder)]))
    assert window.tabs.currentWidget() is window.results
    results = {r.image.name.removeprefix("parts/"): r for r in project.results()}
    assert len(results) == 8 and window.results.table.results_model.rowCount() == 8
    bad = sorted(results[f"bad_{i}.png"].score for i in range(4))
    ok = sorted(results[f"ok_{i}.png"].score for i in range(4))
    assert bad[0] > ok[-1], "planted defects must score above good parts"
    # the table is sorted by score, highest first, and the first row's heatmap is shown
    assert window.results.table.results_model.index(0, 1).data().startswith("parts/bad_")
    assert window.results.heatmap.heat.image is not None and window.results.heatmap.heat.isVisible()
    assert "score" in window.results.heatmap.score_label.text()
    # a name filter that hides the selected part shows the first part it lists, not a blank heatmap
    window.results.search.setText("ok_")
    assert window.results.table.results_model.rowCount() == 4
    assert "ok_" in window.results.heatmap.info_label.text() and window.results.heatmap.heat.image is not None
    window.results.search.setText("nothing like this")
    assert "No part matches" in window.results.heatmap.info_label.text()
    window.results.search.setText("")
    window.results.table.selectRow(0)
    # a fixed colour scale from the held-out good scores, stated under the heatmap; H toggles the heatmap
    assert "held-out good score" in window.results.heatmap.scale_label.text()
    window.results.table.setFocus()
    qtbot.keyClick(window.results.table, Qt.Key_H)
    assert not window.results.heatmap.heat.isVisible()
    qtbot.keyClick(window.results.table, Qt.Key_H)
    assert window.results.heatmap.heat.isVisible()
    xs, _ = window.results.heatmap.outline_points()
    assert len(xs) > 0, "the defect region is outlined"

    # move the lines: counts update live while dragging; verdicts and the saved file only on release
    hist = window.histogram
    new_pass = (ok[-1] + bad[0]) / 2
    new_fail = (bad[1] + bad[2]) / 2
    hist.fail_line.setValue(new_fail)
    hist.pass_line.setValue(new_pass)
    assert "4 pass" in hist.counts_text() and "2 uncertain" in hist.counts_text() and "2 fail" in hist.counts_text()
    saved = json.loads((project.folder / "project.json").read_text())["thresholds"]
    assert saved["pass"] != pytest.approx(new_pass)  # not saved while dragging
    hist.pass_line.sigPositionChangeFinished.emit(hist.pass_line)
    saved = json.loads((project.folder / "project.json").read_text())["thresholds"]
    assert saved == {"pass": pytest.approx(new_pass), "fail": pytest.approx(new_fail)}
    rows = table_rows(window)
    assert [rows[f"ok_{i}.png"][0] for i in range(4)] == ["pass"] * 4
    bad_names = sorted((f"bad_{i}.png" for i in range(4)), key=lambda n: results[n].score)
    assert [rows[n][0] for n in bad_names] == ["uncertain", "uncertain", "fail", "fail"]
    # filtering
    window.results.filter.setCurrentText("Fail")
    assert window.results.table.results_model.rowCount() == 2
    window.results.filter.setCurrentText("All parts")

    # the review queue: fail and uncertain, highest score first; keys G, D, S, Z, arrows
    window.tabs.setCurrentWidget(window.review)
    review = window.review
    assert [r.image.name for r in review.queue] == ["parts/" + n for n in bad_names[::-1]]
    assert review.progress_text() == "0 of 4 reviewed"
    qtbot.keyClick(review, Qt.Key_D)  # highest: defect
    qtbot.keyClick(review, Qt.Key_G)  # second: good (a false alarm)
    assert review.progress_text() == "2 of 4 reviewed" and review.position == 2
    qtbot.keyClick(review, Qt.Key_S)  # skip the third
    assert review.position == 3 and review.progress_text() == "2 of 4 reviewed"
    qtbot.keyClick(review, Qt.Key_D)
    qtbot.keyClick(review, Qt.Key_Z)  # undo the last decision
    assert review.progress_text() == "2 of 4 reviewed" and review.position == 3
    qtbot.keyClick(review, Qt.Key_Left)
    qtbot.keyClick(review, Qt.Key_Left)
    assert review.position == 1
    qtbot.keyClick(review, Qt.Key_Right)
    assert review.position == 2
    first, second = bad_names[3], bad_names[2]
    assert project.result(results[first].image.id).decision == "defect"
    assert project.result(results[second].image.id).decision == "good"
    # the model's verdict is untouched by the human decisions, and history is kept
    assert project.result(results[second].image.id).verdict == "fail"
    last = bad_names[0]
    assert [d for d, _ in project.history(results[last].image.id)] == ["defect", "cleared"]
    rows = table_rows(window)
    assert rows[first][1] == "✗ defect" and rows[second][1] == "✓ good" and rows[last][1] == ""

    # passed parts can be spot-checked after the flagged ones
    review.include_passed.setChecked(True)
    assert len(review.queue) == 8 and review.progress_text() == "2 of 8 reviewed"
    assert [r.verdict for r in review.queue[4:]] == ["pass"] * 4
    assert review.position == 2  # still on the same part
    # H toggles the heatmap on the review page (the checkbox's tooltip promises it)
    qtbot.keyClick(review, Qt.Key_H)
    assert not review.heatmap.overlay_box.isChecked()
    qtbot.keyClick(review, Qt.Key_H)
    assert review.heatmap.overlay_box.isChecked()

    # export the decisions
    window.export_reviews(tmp_path / "decisions.csv")
    assert "Exported 8 part(s)" in window.message_bar.text()

    # close (back to the start screen) and reopen: the same state
    layout_tab = window.tabs.currentIndex()
    window.results.heatmap.opacity.setValue(70)
    before = [(r.image.name, r.score, r.verdict, r.decision) for r in project.results()]
    thresholds = project.thresholds
    window.close_project()
    assert window.pages.currentWidget() is window.start_screen
    assert window.start_screen.list.count() == 1
    assert window.start_screen.list.item(0).text().startswith("Synthetic part")
    again = window.open_project(tmp_path / "proj")
    assert [(r.image.name, r.score, r.verdict, r.decision) for r in again.results()] == before
    assert again.thresholds == thresholds
    assert window.histogram.pass_line.value() == pytest.approx(thresholds.pass_)
    assert len(window.training_set.model.rows) == 14
    assert window.tabs.currentIndex() == layout_tab
    assert window.results.heatmap.opacity.value() == 70
    # "Also passed parts" is remembered with the project
    assert window.review.include_passed.isChecked() and window.review.progress_text() == "2 of 8 reviewed"
    window.review.include_passed.setChecked(False)
    assert window.review.progress_text() == "2 of 4 reviewed"
    assert again.has_model() and not again.model_is_stale()

    # learn from review: the confirmed-good part goes into training, the model is retrained
    assert window.review.retrain_button.isEnabled()
    run_job(qtbot, window, window.review.retrain_button.click)
    assert again.generation() == 2
    assert len(window.training_set.model.rows) == 15
    assert again.result(results[second].image.id).decision == "good"  # decisions survive retraining
    # suggest now uses the review labels: the confirmed defect fails, the confirmed-good part does not
    window.histogram.percentile.setValue(50.0)
    window.histogram.suggest_button.click()
    assert again.settings.suggest_percentile == 50.0  # saved with the project
    good_scores = sorted(again.holdout_scores() + [again.result(results[second].image.id).score])
    assert again.thresholds.pass_ < max(good_scores) and "50th percentile" in window.message_bar.text()
    window.histogram.percentile.setValue(100.0)
    window.histogram.suggest_button.click()
    t = again.thresholds
    assert t.verdict(again.result(results[first].image.id).score) == "fail"
    assert t.verdict(again.result(results[second].image.id).score) != "fail"
    # the suggestion explains itself (why each line is where it is, what it changed) and stays until dismissed
    text = window.message_bar.text()
    assert "Pass just above the highest of the" in text and "Verdicts now:" in text and "(were " in text
    assert window.message_bar.action_button.text() == "Undo (Ctrl+Z)"
    # Ctrl+Z undoes threshold moves, one at a time (review decisions keep their own Z)
    assert window.undo_thresholds_action.isEnabled()
    window.histogram.fail_box.setValue(t.fail * 2)
    window.histogram.fail_box.editingFinished.emit()
    assert again.thresholds.fail == pytest.approx(t.fail * 2, rel=1e-5) and again.thresholds.pass_ == t.pass_
    window.undo_thresholds_action.trigger()
    assert again.thresholds == t and window.histogram.fail_line.value() == pytest.approx(t.fail)
    window.undo_thresholds_action.trigger()  # the suggestion itself
    assert again.thresholds.pass_ < max(good_scores)  # back to the 50th percentile suggestion
    assert window.undo_thresholds_action.shortcut().toString() == "Ctrl+Z"
