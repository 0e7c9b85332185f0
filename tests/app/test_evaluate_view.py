"""Project ▸ Evaluate on labelled parts…: the geometries compared on an MVTec-layout folder or on the reviewed
parts, on the job runner; the CLI's table and the per-type table; saved in the project; "Use this geometry"."""

from __future__ import annotations

import json
import threading

import pytest
from app_helpers import run_job
from synthetic_defects import SIZE, make_mvtec_layout, one_thread

from inspector.app.evaluate_view import EvaluateDialog, reviewed_samples

single_thread = pytest.fixture(scope="module", autouse=True)(one_thread)


def column(dialog, name: str) -> int:
    from inspector.core.evaluation.compare import COLUMNS

    return COLUMNS.index(name)


def texts(table, row: int) -> list[str]:
    return [table.item(row, j).text() for j in range(table.columnCount())]


def test_folder_in_the_mvtec_layout(qtbot, window, small_settings, tmp_path, monkeypatch):
    dataset = make_mvtec_layout(tmp_path / "ds", n_train=6, n_test_good=3, n_test_defect=3)
    window.create_project("Eval", tmp_path / "proj", small_settings(resize=SIZE, crop=SIZE))
    window.evaluate_action.trigger()
    dialog = window._evaluate_dialog
    assert dialog.isVisible() and "No evaluation yet" in dialog.heading.text()
    # tiles is off by default (slow); the other geometries are on
    assert [g for g, b in dialog.geometry_boxes.items() if b.isChecked()] == ["center-crop", "whole", "stretch"]
    assert not dialog.run_button.isEnabled()  # no folder yet
    dialog.folder_edit.setText(str(tmp_path / "nowhere"))
    assert not dialog.run() and "MVTec AD layout" in dialog.status.text()  # a wrong folder: said at once
    dialog.folder_edit.setText(str(dataset))
    dialog.geometry_boxes["whole"].setChecked(False)

    import inspector.app.evaluate_view as view

    threads = []
    real = view.compare_geometries
    monkeypatch.setattr(view, "compare_geometries", lambda *a, **k: (threads.append(threading.current_thread()),
                                                                     real(*a, **k))[1])
    plans = []
    start = window.progress_panel.start
    monkeypatch.setattr(window.progress_panel, "start", lambda title, plan=None: (plans.append((title, plan)),
                                                                                  start(title, plan)))
    seen = []
    window.jobs.progress.connect(lambda *_: seen.append(dialog.status.text()))  # after the dialog's own slot
    run_job(qtbot, window, dialog.run, timeout=120_000)
    assert threads and threads[0] is not threading.main_thread()  # never on the UI thread
    assert "stretch: Extracting features: 6 / 6 images" in seen and "center-crop: Scoring parts: 6 / 6 images" in seen
    assert plans == [("Evaluating on labelled parts", [
        ("center-crop/features", 6), ("center-crop/coreset", None), ("center-crop/inspect", 6),
        ("stretch/features", 6), ("stretch/coreset", None), ("stretch/inspect", 6)])]
    assert "2 of 2 geometries evaluated" in dialog.status.text()
    t = dialog.table
    assert t.rowCount() == 2
    for i, geometry in enumerate(("center-crop", "stretch")):
        row = texts(t, i)
        assert row[column(dialog, "geometry")] == geometry and row[column(dialog, "status")] == "ok"
        assert row[column(dialog, "model")] == "patchcore" and row[column(dialog, "backbone")] == "resnet18"
        assert float(row[column(dialog, "image_auroc")]) >= 90 and float(row[column(dialog, "pixel_auroc")]) >= 80
        assert float(row[column(dialog, "pro")]) > 0 and row[column(dialog, "fit_s")] == f"{dialog.data['rows'][i]['fit_s']:.1f}"
        assert dialog.data["rows"][i]["fit_s"] > 0  # (tiny images fit in under 0.05 s: "0.0" in the table)
    # the per-type table: counts, and each defect type's image AUROC per geometry
    types = dialog.types_table
    headers = [types.horizontalHeaderItem(j).text() for j in range(types.columnCount())]
    assert headers == ["type", "images", "center-crop: image AUROC %", "stretch: image AUROC %"]
    assert texts(types, 0) == ["good", "3", "-", "-"]
    assert texts(types, 1)[:2] == ["spot", "3"] and float(texts(types, 1)[3]) >= 90
    # the image-level ROC curve of each geometry, named with its AUROC
    assert list(dialog.roc_curves) == ["center-crop", "stretch"]
    fpr, tpr = dialog.roc_curves["stretch"].getData()
    assert fpr[0] == 0 and tpr[-1] == 1 and dialog.roc_curves["stretch"].name().startswith("stretch (AUROC ")
    # saved in the project; a new dialog shows it again
    saved = json.loads((window.state.project.folder / "evaluation.json").read_text())
    assert saved["source"] == "folder" and [r["geometry"] for r in saved["rows"]] == ["center-crop", "stretch"]
    again = EvaluateDialog(window.state, window.jobs)
    qtbot.addWidget(again)
    assert again.table.rowCount() == 2 and texts(again.table, 1) == texts(t, 1)
    assert again.folder_edit.text() == str(dataset) and str(dataset) in again.heading.text()
    assert list(again.roc_curves) == ["center-crop", "stretch"]
    # "Use this geometry": the stretch row (the project has center-crop); nothing trained yet, so no retraining
    assert dialog.project_geometry() == "center-crop"
    assert dialog.select_geometry("center-crop") and not dialog.use_button.isEnabled()  # already the project's
    assert dialog.select_geometry("stretch") and dialog.use_button.isEnabled()
    dialog.use_button.click()
    assert window.state.project.settings.model["geometry"] == "stretch"
    assert "now stretch" in dialog.status.text() and not dialog.use_button.isEnabled()


def test_reviewed_parts_and_the_geometry_chosen_makes_the_model_stale(qtbot, window, small_settings, good_folder,
                                                                      parts_folder):
    window.create_project("Reviewed", good_folder.parent / "proj", small_settings(geometry="center-crop"))
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    run_job(qtbot, window, window.train, timeout=120_000)
    run_job(qtbot, window, lambda: window.inspect([str(parts_folder)]), timeout=120_000)
    state = window.state
    window.evaluate_action.trigger()
    dialog = window._evaluate_dialog
    dialog.reviewed_radio.click()
    for g, box in dialog.geometry_boxes.items():
        box.setChecked(g == "stretch")
    assert not dialog.run() and "both kinds" in dialog.status.text()  # nothing reviewed yet
    for r in list(state.results):
        state.review(r.image.id, "defect" if r.image.name.split("/")[-1].startswith("bad") else "good")
    state.review(state.results[-1].image.id, None)  # an undone decision: not labelled
    n_good = sum(1 for r in state.decided.values() if r.decision == "good")
    run_job(qtbot, window, dialog.run, timeout=120_000)
    row = texts(dialog.table, 0)
    assert row[column(dialog, "status")] == "ok" and float(row[column(dialog, "image_auroc")]) >= 90
    assert row[column(dialog, "pixel_auroc")] == "no masks" and row[column(dialog, "pro")] == "no masks"
    assert "No pixel masks" in dialog.heading.text()
    types = dialog.types_table
    headers = [types.horizontalHeaderItem(j).text() for j in range(types.columnCount())]
    assert headers == ["type", "images", "pass now", "uncertain now", "fail now", "stretch: image AUROC %"]
    rows = {texts(types, i)[0]: texts(types, i)[1:] for i in range(types.rowCount())}
    assert set(rows) == {"good (reviewed)", "good (held out)", "defect (reviewed)"}
    assert rows["good (reviewed)"][0] == str(n_good) and rows["defect (reviewed)"][0] == "4"
    assert rows["good (held out)"][0] == "2"  # 14 good images, 15 % held out
    for label, values in rows.items():  # the verdicts now cover every part of the label
        assert sum(int(v) for v in values[1:4]) == int(values[0]), label
    assert float(rows["defect (reviewed)"][4]) >= 90 and rows["good (reviewed)"][4] == "-"
    assert json.loads((state.project.folder / "evaluation.json").read_text())["verdicts"]["defect"]["images"] == 4
    # use it: the settings change, the model is out of date, the message says to train again
    assert not state.model_is_stale
    dialog.select_geometry("stretch")
    dialog.use_button.click()
    assert state.project.settings.model["geometry"] == "stretch" and state.model_is_stale
    assert "press Train" in window.message_bar.text() and "stretch" in window.message_bar.text()
    # confirmed-good parts added to training are never scored as test parts, and no image counts twice
    project = state.project
    assert project.add_confirmed_good_to_training()
    train, samples, _ = reviewed_samples(project, state.results)
    fit, _ = project.plan_holdout()
    names = [s.path.name for s in samples]
    assert len(names) == len(set(names)) and not {project.path_of(r).name for r in fit} & set(names)
    assert sum(s.label for s in samples) == 4


def test_cancel_keeps_the_geometries_that_finished(qtbot, window, small_settings, tmp_path):
    dataset = make_mvtec_layout(tmp_path / "ds", n_train=6, n_test_good=2, n_test_defect=2)
    window.create_project("Cancel", tmp_path / "proj", small_settings(resize=SIZE, crop=SIZE))
    window.evaluate_action.trigger()
    dialog = window._evaluate_dialog
    dialog.folder_edit.setText(str(dataset))

    def cancel_at_whole(job, stage, done, total):
        if stage.startswith("whole/"):
            dialog.cancel_button.click()

    window.jobs.progress.connect(cancel_at_whole)
    run_job(qtbot, window, dialog.run, timeout=120_000)
    assert "cancelled: 1 of 3 geometries finished" in dialog.status.text()
    assert dialog.table.rowCount() == 1 and texts(dialog.table, 0)[column(dialog, "geometry")] == "center-crop"
    assert "Cancelled before every geometry" in dialog.heading.text()
    saved = json.loads((window.state.project.folder / "evaluation.json").read_text())
    assert saved["complete"] is False and len(saved["rows"]) == 1


def test_a_damaged_saved_evaluation_and_a_failed_save_are_said(qtbot, window, small_settings, tmp_path, monkeypatch):
    window.create_project("Damaged", tmp_path / "proj", small_settings())
    (window.state.project.folder / "evaluation.json").write_text("{not json")
    window.evaluate_action.trigger()
    dialog = window._evaluate_dialog
    assert "saved evaluation was not shown" in dialog.status.text() and dialog.table.rowCount() == 0
    assert (window.state.project.folder / "evaluation.json").read_text() == "{not json"  # left as it was

    import inspector.app.evaluate_view as view

    def full_disk(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(view, "save_comparison", full_disk)
    row = {"model": "patchcore", "backbone": "resnet18", "layers": "layer2", "geometry": "stretch",
           "image_auroc": 0.95, "pixel_auroc": 0.9, "pro": 0.8, "fit_s": 1.0, "ms_per_image": 2.0, "status": "ok"}
    dialog._finished({"source": "folder", "dataset": "ds", "geometries": ["stretch"], "rows": [row]})
    assert "1 of 1 geometries evaluated" in dialog.status.text() and "could not be saved" in dialog.status.text()
    assert dialog.table.rowCount() == 1 and texts(dialog.table, 0)[4] == "95.00"  # shown all the same
