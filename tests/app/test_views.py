"""Single views on their own: the heatmap view (no-map models, outline, overlay controls), the histogram's
live counts, the progress panel's time estimate, the worker's error path."""

from __future__ import annotations

import numpy as np
import pytest
from app_helpers import texture, write_png

from inspector.app.heatmap_view import HeatmapView
from inspector.app.histogram import ScoreHistogram
from inspector.app.progress_panel import ProgressPanel
from inspector.app.worker import JobRunner
from inspector.core.io.images import Preprocessor
from inspector.core.project.thresholds import Thresholds
from inspector.core.runtime.progress import Cancelled


def test_heatmap_view_overlay_outline_and_no_map(qtbot, tmp_path):
    view = HeatmapView()
    qtbot.addWidget(view)
    path = write_png(tmp_path / "part.png", texture(1, 96))
    amap = np.zeros((64, 64), np.float32)
    amap[10:20, 30:50] = 5.0
    pre = Preprocessor(resize=80, crop=64)  # the map covers the centre crop only
    view.show_result(path, amap, pre, 5.0, "fail", Thresholds(1.0, 3.0), "part.png")
    assert "score 5" in view.score_label.text() and "fail" in view.score_label.text()
    assert view.heat.isVisible()
    x0, y0, x1, y1 = pre.crop_box(96, 96)
    rect = view.heat.mapRectToParent(view.heat.boundingRect())
    assert rect.left() == pytest.approx(x0) and rect.width() == pytest.approx(x1 - x0)
    xs, ys = view.outline_points()
    finite = np.isfinite(xs)
    scale = (x1 - x0) / 64
    assert xs[finite].min() == pytest.approx(x0 + 30.5 * scale, abs=scale) and ys[finite].max() < y0 + 21 * scale
    view.pixel_threshold.setValue(6.0)  # nothing above: no outline
    assert len(view.outline_points()[0]) == 0
    view.overlay_box.setChecked(False)
    assert not view.heat.isVisible()
    view.overlay_box.setChecked(True)
    view.opacity.setValue(20)
    assert view.heat.opacity() == pytest.approx(0.2)
    view.colormap.setCurrentText("viridis")
    # an image-level model (Gaussian) gives no map: the image and score are shown, and it is said
    view.show_result(path, None, pre, 2.0, "uncertain", Thresholds(1.0, 3.0), "part.png")
    assert "no heatmap" in view.info_label.text()
    assert not view.heat.isVisible() and not view.overlay_box.isEnabled()
    assert len(view.outline_points()[0]) == 0
    view.show_result(tmp_path / "missing.png", amap, pre, 1.0, "pass", None, "missing.png")
    assert "cannot show the image" in view.info_label.text()


def test_histogram_counts_live_and_emits_on_release(qtbot):
    hist = ScoreHistogram()
    qtbot.addWidget(hist)
    hist.set_data([1.0, 1.1, 1.2], [0.9, 1.5, 2.5, 3.5], Thresholds(1.3, 3.0))
    assert "1 pass" in hist.counts_text() and "2 uncertain" in hist.counts_text() and "1 fail" in hist.counts_text()
    emitted = []
    hist.thresholdsEdited.connect(emitted.append)
    hist.fail_line.setValue(2.0)
    assert "1 uncertain" in hist.counts_text() and "2 fail" in hist.counts_text() and not emitted
    hist.pass_line.setValue(2.6)  # cannot pass the fail line
    assert hist.pass_line.value() <= hist.fail_line.value()
    hist.pass_line.setValue(1.6)
    hist.pass_line.sigPositionChangeFinished.emit(hist.pass_line)
    assert emitted == [Thresholds(1.6, 2.0)]
    hist.set_data([], [], None)
    assert not hist.pass_line.isVisible() and "No scores yet" in hist.hint.text()


def test_progress_panel_estimates_remaining_time(qtbot, monkeypatch):
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    now = [100.0]
    monkeypatch.setattr("inspector.app.progress_panel.time.monotonic", lambda: now[0])
    panel.start("Training")
    panel.set_progress("features", 0, 100)
    now[0] += 20.0  # the first image carries the start-up: 20 s
    panel.set_progress("features", 1, 100)
    assert panel.remaining() is None  # no pace yet
    now[0] += 12.0  # then 0.5 s per image
    panel.set_progress("features", 25, 100)
    assert panel.remaining() == pytest.approx(37.5)  # 75 images at 0.5 s, not at (32 s / 25) = 96 s
    assert "about 0:38 left" in panel.times.text() and "elapsed 0:32" in panel.times.text()
    assert panel.stage.text() == "Extracting features: 25 / 100 images"
    now[0] += 5.0
    panel.set_progress("coreset", 10, 1000)
    assert "✓ Extracting features" in panel.done_stages.text()
    cancels = []
    panel.cancelRequested.connect(lambda: cancels.append(1))
    panel.show()
    panel.cancel_button.click()
    assert cancels == [1] and not panel.cancel_button.isEnabled()
    # Esc while "Starting…" (no report yet) is acknowledged at once
    panel.start("Inspecting")
    panel.cancel()
    assert panel.stage.text() == "Cancelling…" and panel.cancel_button.text() == "Cancelling…" and cancels == [1, 1]
    panel.cancel()  # twice: asked once
    assert cancels == [1, 1]


def test_worker_turns_outcomes_into_signals(qtbot):
    runner = JobRunner()

    def fails(progress, cancel):
        progress("features", 1, 2)
        raise RuntimeError("disk full")

    with qtbot.waitSignal(runner.errored) as blocker:
        assert runner.start("Job", fails)
    assert blocker.args[:2] == ["Job", "disk full"] and "RuntimeError" in blocker.args[2]
    qtbot.waitUntil(lambda: not runner.busy)

    def cancelled(progress, cancel):
        raise Cancelled("x")

    with qtbot.waitSignal(runner.cancelled):
        runner.start("Job", cancelled)
    qtbot.waitUntil(lambda: not runner.busy)
    results = []
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.start("Job", lambda progress, cancel: 42, on_finished=results.append)
    assert blocker.args == ["Job", 42] and results == [42]
    qtbot.waitUntil(lambda: not runner.busy)
    # one job at a time
    import threading

    gate = threading.Event()
    assert runner.start("Long", lambda progress, cancel: gate.wait(5))
    assert not runner.start("Other", lambda progress, cancel: None)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy)


def test_histogram_lines_on_top_of_each_other_can_be_pulled_apart_either_way(qtbot):
    hist = ScoreHistogram()
    qtbot.addWidget(hist)
    hist.set_data([1.0, 1.1], [0.9, 1.5, 2.5], Thresholds(1.3, 3.0))
    emitted = []
    hist.thresholdsEdited.connect(emitted.append)
    hist.pass_line.setValue(3.0)  # the pass line dragged onto the fail line
    hist.pass_line.sigPositionChangeFinished.emit(hist.pass_line)
    assert emitted[-1] == Thresholds(3.0, 3.0)
    # the fail line is on top: dragging it left used to be blocked (bounded by the pass line); now the pass
    # line follows the mouse and the fail line stays
    hist.fail_line.setValue(2.0)
    assert (hist.pass_line.value(), hist.fail_line.value()) == (2.0, 3.0)
    hist.fail_line.sigPositionChangeFinished.emit(hist.fail_line)
    assert emitted[-1] == Thresholds(2.0, 3.0)
    # and the other way: the pass line dragged right past the fail line pushes nothing, the fail line follows
    hist.pass_line.setValue(3.5)
    assert (hist.pass_line.value(), hist.fail_line.value()) == (3.0, 3.5)
    hist.pass_line.sigPositionChangeFinished.emit(hist.pass_line)
    assert emitted[-1] == Thresholds(3.0, 3.5)


def test_histogram_takes_typed_values_and_counts_whole_parts(qtbot):
    from PySide6.QtCore import Qt

    hist = ScoreHistogram()
    qtbot.addWidget(hist)
    hist.set_data([1.0, 1.1, 1.2], [0.9, 1.5, 2.5, 3.5], Thresholds(1.3, 3.0))
    assert hist.pass_box.value() == pytest.approx(1.3) and hist.fail_box.value() == pytest.approx(3.0)
    emitted = []
    hist.thresholdsEdited.connect(emitted.append)
    hist.pass_box.editingFinished.emit()  # focus left the box, nothing typed: nothing changes
    assert emitted == []
    hist.fail_box.selectAll()
    qtbot.keyClicks(hist.fail_box, "2.25")
    qtbot.keyClick(hist.fail_box, Qt.Key_Return)
    assert emitted == [Thresholds(1.3, 2.25)] and hist.fail_line.value() == pytest.approx(2.25)
    assert "2 fail" in hist.counts_text()
    hist.pass_box.setValue(2.5)  # above the fail line: the fail line moves along
    hist.pass_box.editingFinished.emit()
    assert emitted[-1] == Thresholds(2.5, 2.5)
    # whole parts on the y axis: tick spacing is an integer
    ticks = hist.plot.getAxis("left").tickValues(0, 4.6, 200)
    assert all(float(v).is_integer() for _, values in ticks for v in values)


def test_heatmap_colours_have_a_fixed_stated_scale_and_a_colour_bar(qtbot, tmp_path):
    from inspector.app.heatmap_view import heat_scale

    view = HeatmapView()
    qtbot.addWidget(view)
    path = write_png(tmp_path / "part.png", texture(2, 64))
    amap = np.zeros((64, 64), np.float32)
    amap[10:20, 10:20] = 3.0
    pre = Preprocessor(resize=64, crop=64)
    scale = heat_scale([0.8, 1.0, 0.9])
    assert scale == (0.5, 2.0)
    view.show_result(path, amap, pre, 3.0, "fail", Thresholds(1.0, 2.5), "part.png", scale)
    levels = tuple(view.heat.getLevels())
    assert levels == (0.5, 2.0) and tuple(view.colorbar.levels()) == (0.5, 2.0)
    assert "0.5 (blue) to 2 (red)" in view.scale_label.text() and "thresholds do not change it" in view.scale_label.text()
    # Suggest moved the lines: the same defect keeps its colours
    view.show_result(path, amap, pre, 3.0, "fail", Thresholds(1.4, 1.6), "part.png", scale)
    assert tuple(view.heat.getLevels()) == levels
    # no held-out scores: the image's own range, said so
    view.show_result(path, amap, pre, 3.0, "fail", Thresholds(1.4, 1.6), "part.png", heat_scale([]))
    assert tuple(view.heat.getLevels()) == (0.0, 3.0) and "own range" in view.scale_label.text()
    # the colour map applies to the bar and the heatmap alike
    view.colormap.setCurrentText("viridis")
    assert view.colorbar.colorMap().name == "viridis"
    # H toggles the heatmap (the tooltip promises it)
    assert "(H)" in view.overlay_box.toolTip()
    view.toggle_overlay()
    assert not view.overlay_box.isChecked() and not view.heat.isVisible()
    view.toggle_overlay()
    assert view.heat.isVisible()


def test_histogram_legend_stays_off_the_plot_and_series_can_be_shown_in_percent(qtbot):
    hist = ScoreHistogram()
    qtbot.addWidget(hist)
    rng = np.random.default_rng(0)
    hist.set_data([1.0, 1.05, 1.1], rng.normal(1.5, 0.3, 1000), Thresholds(1.2, 2.0))
    assert hist.plot.getPlotItem().legend is None  # no legend over the lines' labels
    assert "held-out good" in hist.legend.text() and "reviewed defect" in hist.legend.text()
    counts_good = hist.good_curve.getData()[1].max()
    counts_inspected = hist.inspected_curve.getData()[1].max()
    assert counts_good <= 3 < counts_inspected  # three held-out bars beside a thousand parts: invisible
    hist.normalise.setChecked(True)
    good_share = hist.good_curve.getData()[1]
    assert good_share.sum() == pytest.approx(100.0) and hist.inspected_curve.getData()[1].sum() == pytest.approx(100.0)
    assert good_share.max() >= 33.0 and "%" in hist.plot.getAxis("left").labelText
    assert hist.pass_line.value() == pytest.approx(1.2)  # the lines stay where they were


def test_review_buttons_keep_their_labels_on_a_short_page(qtbot):
    from inspector.app.project_state import ProjectState
    from inspector.app.review_queue import ReviewQueue

    page = ReviewQueue(ProjectState())
    qtbot.addWidget(page)
    page.stack.setCurrentIndex(1)  # the review body, as with parts to review
    page.resize(900, 260)  # a short page: the histogram dock took most of the window
    page.show()
    qtbot.wait(20)
    for button in (page.good_button, page.defect_button, page.skip_button, page.undo_button):
        assert button.height() >= button.sizeHint().height(), button.text()
    assert page.panel_scroll.verticalScrollBar().maximum() > 0  # the panel scrolls instead


def test_empty_pages_say_a_job_is_filling_them(qtbot):
    from inspector.app.project_jobs import ProjectJob
    from inspector.app.project_state import ProjectState
    from inspector.app.results_page import ResultsPage
    from inspector.app.training_set_view import TrainingSetView

    state = ProjectState()
    results, training = ResultsPage(state), TrainingSetView(state)
    qtbot.addWidget(results)
    qtbot.addWidget(training)
    results.set_busy(True, ProjectJob.INSPECT)
    assert results.empty.title.text() == "Inspecting…" and not results.empty.buttons[0].isEnabled()
    results.set_busy(False)
    assert results.empty.title.text() != "Inspecting…"
    training.set_busy(True, ProjectJob.ADD_GOOD)
    assert training.empty.title.text() == "Adding images…" and not training.empty.buttons[0].isEnabled()
    training.set_busy(False)
    assert training.empty.title.text() == "No good images yet" and training.empty.buttons[0].isEnabled()


def test_training_set_names_keep_their_distinguishing_end_and_the_held_out_mark(qtbot):
    from types import SimpleNamespace

    from PySide6.QtCore import Qt

    from inspector.app.project_state import ProjectState
    from inspector.app.training_set_view import TrainingSetView

    view = TrainingSetView(ProjectState())
    qtbot.addWidget(view)
    long = "bottle_line3_camera2_2026-12-01_shift_b_good_{:03d}.png"
    view.model.rows = [SimpleNamespace(name=long.format(1), role="holdout"),
                       SimpleNamespace(name=long.format(2), role="train")]
    first, second = (view.model.data(view.model.index(i), Qt.DisplayRole) for i in range(2))
    assert first.startswith("held out\n") and first.endswith("001.png")
    assert second.endswith("002.png") and first.split("\n")[1] != second
