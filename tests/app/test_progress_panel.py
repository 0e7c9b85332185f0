"""The progress panel's time left for the whole job (every planned stage), on a fake clock."""

from __future__ import annotations

import numpy as np
import pytest
from app_helpers import run_job, texture, write_png

from inspector.app.progress_panel import ProgressPanel, pace_key


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("inspector.app.progress_panel.time.monotonic", lambda: now[0])
    return now


def test_time_left_in_all_covers_the_stages_ahead(qtbot, clock):
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    plan = [("features", 100), ("coreset", None), ("holdout", 20), ("rescore", 40)]
    # first training of the session: nothing known about the coreset, scoring at least at the features' pace
    panel.start("Training", plan)
    assert panel.remaining_in_all() == (0.0, False)  # "Starting…": nothing measured
    panel.set_progress("features", 0, 100)
    clock[0] += 10.0  # start-up
    panel.set_progress("features", 1, 100)
    clock[0] += 9.0  # then 1 s per image
    panel.set_progress("features", 10, 100)
    left, exact = panel.remaining_in_all()
    assert not exact and left == pytest.approx(90 + 60 * 1.0)  # 90 s here, 60 images at >= 1 s, coreset unknown
    assert "at least 2:30 left in all" in panel.times.text() and "about 1:30 left in this step" in panel.times.text()
    clock[0] += 90.0
    panel.set_progress("features", 100, 100)
    clock[0] += 1.0
    panel.set_progress("coreset", 0, 500)
    clock[0] += 30.0
    panel.set_progress("coreset", 100, 500)  # 0.3 s per point
    clock[0] += 30.0
    panel.set_progress("coreset", 200, 500)
    left, exact = panel.remaining_in_all()
    # the features stage took 110 s for 100 images (start-up included): 1.1 s per image for the scoring stages
    assert not exact and left == pytest.approx(90 + 60 * 1.1)
    clock[0] += 90.0
    panel.set_progress("coreset", 500, 500)
    clock[0] += 0.5
    panel.set_progress("holdout", 0, 20)
    clock[0] += 4.0
    panel.set_progress("holdout", 1, 20)
    clock[0] += 4.0
    panel.set_progress("holdout", 5, 20)  # scoring at 1 s per image: its own pace counts for the re-scoring
    left, exact = panel.remaining_in_all()
    assert exact and left == pytest.approx(15 + 40 * 1.0)
    clock[0] += 15.0
    panel.set_progress("holdout", 20, 20)  # 23 s for 20: 1.15 s per image
    panel.set_progress("rescore", 1, 40)
    assert panel.remaining_in_all() is None  # the last stage: its own time left is the whole job's
    panel.finish()

    # the next training in this session knows every stage's pace: "about", from the start; the coreset (its
    # size is not known ahead) as long as it took last time: 150.5 s
    panel.start("Training", plan)
    left, exact = panel.remaining_in_all()
    assert exact and left == pytest.approx(100 * 1.1 + 150.5 + 60 * 1.15)
    panel.set_progress("features", 0, 100)
    clock[0] += 5.0
    panel.set_progress("features", 1, 100)
    clock[0] += 10.0
    panel.set_progress("features", 21, 100)  # 0.5 s per image now
    left, exact = panel.remaining_in_all()
    assert exact and left == pytest.approx(79 * 0.5 + 150.5 + 60 * 1.15)
    assert "about 4:19 left in all" in panel.times.text()


def test_stages_skipped_and_prefixed_stages(qtbot, clock):
    assert pace_key("inspect") == pace_key("holdout") == "score" and pace_key("stretch/inspect") == "stretch/score"
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    plan = [("stretch/features", 10), ("stretch/coreset", None), ("stretch/inspect", 8),
            ("tiles/features", None), ("tiles/coreset", None), ("tiles/inspect", 8)]
    panel.start("Evaluating", plan)
    panel.set_progress("stretch/features", 1, 10)
    assert panel.stage.text() == "stretch: Extracting features: 1 / 10 images"
    clock[0] += 2.0
    panel.set_progress("stretch/features", 5, 10)
    left, exact = panel.remaining_in_all()  # tiles/inspect does not borrow the stretch pace: another set-up
    assert not exact and left == pytest.approx(2.5 + 8 * 0.5)
    panel.set_progress("tiles/features", 1, 300)  # the stretch stages failed or were skipped: behind us now
    assert panel._at == 3


def test_training_shows_the_time_left_in_all(qtbot, window, small_settings, tmp_path, monkeypatch):
    """The window gives the panel the training's plan: its features, coreset, held-out and re-scoring stages."""
    for i in range(6):
        write_png(tmp_path / "good" / f"g{i}.png", texture(i))
    window.create_project("Plan", tmp_path / "proj", small_settings())
    window.state.project.add_images([tmp_path / "good"])
    window.state.training_changed()
    plans = []
    start = window.progress_panel.start
    monkeypatch.setattr(window.progress_panel, "start", lambda title, plan=None: (plans.append(plan),
                                                                                  start(title, plan)))
    run_job(qtbot, window, window.train)
    assert plans == [[("features", 5), ("coreset", None), ("holdout", 1)]]
    assert np.isfinite(window.state.scores).all()
