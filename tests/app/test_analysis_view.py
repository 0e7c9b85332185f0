"""View ▸ Analysis… on a trained small project: every tab is filled, computed on the worker."""

from __future__ import annotations

import threading

import numpy as np
from app_helpers import run_job

from inspector.app import analysis_view
from inspector.app.analysis_view import AnalysisDialog


def _trained(qtbot, window, tmp_path, good_folder, parts_folder, small_settings):
    window.create_project("Analysis", tmp_path / "proj", small_settings(geometry="stretch"))
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    run_job(qtbot, window, window.train)
    run_job(qtbot, window, lambda: window.inspect([str(parts_folder)]))
    window.tabs.setCurrentWidget(window.results)


def test_analysis_view_fills_every_tab_off_the_ui_thread(qtbot, window, tmp_path, good_folder, parts_folder,
                                                         small_settings, monkeypatch):
    _trained(qtbot, window, tmp_path, good_folder, parts_folder, small_settings)
    state = window.state
    bad = next(r for r in state.results if "bad_" in r.image.name)
    assert window.results.table.select_image(bad.image.id)

    threads = []
    real = analysis_view.compute
    monkeypatch.setattr(analysis_view, "compute", lambda *a: (threads.append(threading.current_thread()), real(*a))[1])
    assert window.analysis_action.isEnabled()
    with qtbot.waitSignal(window.jobs.busyChanged, timeout=60_000, check_params_cb=lambda b: not b):
        window.analysis_action.trigger()
    dialog = window.findChild(AnalysisDialog)
    assert dialog is not None and dialog.isVisible()
    assert threads and threads[0] is not threading.main_thread()

    r = dialog.result
    assert r.part_name == bad.image.name
    assert bad.image.name in dialog.heading.text()
    # feature maps: the image and one plot per layer, each at the image's size, in [0, 1]
    assert [lm.layer for lm in r.layers] == ["layer2", "layer3"]
    assert len(dialog.map_plots) == 2
    shown = dialog.map_plots[0].image_item.image  # RGBA through the colour map
    assert shown.shape == r.image.shape[:2] + (4,) and (shown[..., 3] == 255).all()  # stretch: all inspected
    values = dialog.map_plots[0].values
    assert values.shape == r.image.shape[:2] and values.min() == 0.0 and values.max() == 1.0
    # memory bank histogram: every bank vector counted
    xs, ys = dialog.hist_curve.getData()
    model = state.project.model()
    assert int(np.sum(ys)) == len(model.memory_bank)
    # PCA: the bank in grey and the part's 64 patches (8x8 grid of a 64 px stretch)
    assert len(dialog.bank_points.data) == len(model.memory_bank)
    assert len(dialog.patch_points.data) == 64
    # ROC: nothing reviewed yet -> a sentence saying what is needed
    assert dialog.roc_stack.currentWidget() is dialog.roc_note
    assert "Good" in dialog.roc_note.text() and "Defect" in dialog.roc_note.text()

    # review one good and one defect part: Recompute shows the curve and the AUROC
    ok = next(r for r in state.results if "ok_" in r.image.name)
    state.review(ok.image.id, "good")
    state.review(bad.image.id, "defect")
    with qtbot.waitSignal(dialog.ready, timeout=60_000):
        dialog.refresh_button.click()
    assert dialog.roc_stack.currentWidget() is dialog.roc_plot
    fpr, tpr = dialog.roc_curve.getData()
    assert fpr[0] == 0 and tpr[-1] == 1
    expected = 1.0 if bad.score > ok.score else (0.5 if bad.score == ok.score else 0.0)
    assert f"AUROC {expected:.3f}" in dialog.roc_plot.plotItem.titleLabel.text

    # selecting another part in Results recomputes for it
    with qtbot.waitSignal(dialog.ready, timeout=60_000):
        window.results.table.select_image(ok.image.id)
    assert dialog.result.part_name == ok.image.name

    # the ROC tab leads to the evaluation on labelled parts (geometries side by side)
    qtbot.waitUntil(lambda: not window.jobs.busy)  # "ready" comes just before the analysis job has ended
    dialog.evaluate_button.click()
    evaluation = window._evaluate_dialog
    assert evaluation.isVisible() and evaluation.reviewed_radio.isChecked() and evaluation.run_button.isEnabled()


def test_analysis_waits_for_a_running_job(qtbot, window, tmp_path, good_folder, parts_folder, small_settings):
    _trained(qtbot, window, tmp_path, good_folder, parts_folder, small_settings)
    gate = threading.Event()
    window.jobs.start("Blocking", lambda progress, cancel: gate.wait(30))
    dialog = analysis_view.open_analysis(window)
    assert "Waiting" in dialog.heading.text() and dialog.result is None
    with qtbot.waitSignal(dialog.ready, timeout=60_000):
        gate.set()
    assert dialog.result is not None and dialog.result.layers
