"""``core.evaluation.compare``: one model's settings evaluated under several geometries on the same labelled
images (an MVTec-layout folder, or labelled parts without masks), the per-type table, saving the comparison."""

from __future__ import annotations

import json

import pytest
from synthetic_defects import SIZE, make_mvtec_layout, one_thread, shared_random_weights

from inspector.core.evaluation.analysis import roc_from_scores
from inspector.core.evaluation.compare import (
    ComparisonFileError,
    compare_geometries,
    evaluate_row,
    load_comparison,
    per_type_rows,
    save_comparison,
)
from inspector.core.evaluation.mvtec import TestSample, discover
from inspector.core.models.registry import build_model
from inspector.core.runtime.progress import Cancelled, CancelToken

single_thread = pytest.fixture(scope="module", autouse=True)(one_thread)


@pytest.fixture
def dataset(tmp_path):
    return make_mvtec_layout(tmp_path / "ds", n_train=8, n_test_good=4, n_test_defect=4)


def builder(weights, kind="patchcore"):
    settings = {"backbone": "resnet18", "layers": ["layer2", "layer3"], "weights": str(weights), "resize": SIZE,
                "crop": SIZE, "coreset_ratio": 0.25, "batch_size": 8, "device": "cpu"}
    if kind == "padim":
        settings.update(layers=["layer1", "layer2", "layer3"], dims=30)
    return lambda geometry: build_model(kind, {**settings, "geometry": geometry})


def test_geometries_side_by_side_with_the_per_type_table(dataset, tmp_path_factory):
    train, samples = discover(dataset)
    stages, finished = [], []
    rows = compare_geometries(builder(shared_random_weights(tmp_path_factory)), ["center-crop", "stretch"], train,
                              samples, str(dataset), progress=lambda s, d, t: stages.append(s),
                              on_row=finished.append)
    assert [r["geometry"] for r in rows] == ["center-crop", "stretch"] and finished == rows
    for r in rows:
        assert r["status"] == "ok" and r["model"] == "patchcore" and r["backbone"] == "resnet18"
        assert r["image_auroc"] >= 0.9 and r["pixel_auroc"] >= 0.8 and r["pro"] is not None, r
        assert r["result"]["geometry"] == r["geometry"] and r["fit_s"] > 0 and r["ms_per_image"] > 0
        assert r["result"]["per_type_count"] == {"good": 4, "spot": 4}
        # each image's score and label, for the ROC curve: their AUROC is the row's
        scores, labels = r["result"]["image_scores"], r["result"]["image_labels"]
        assert len(scores) == 8 and sorted(labels) == [0] * 4 + [1] * 4
        assert roc_from_scores(scores, [bool(v) for v in labels]).auroc == pytest.approx(r["image_auroc"])
    # each stage says which geometry it belongs to
    assert {"center-crop/features", "center-crop/coreset", "center-crop/inspect", "stretch/features"} <= set(stages)
    table = per_type_rows(rows)
    assert [(t["type"], t["count"]) for t in table] == [("good", 4), ("spot", 4)]
    assert table[0]["auroc"] == {} and set(table[1]["auroc"]) == {"center-crop", "stretch"}
    assert table[1]["auroc"]["stretch"] == rows[1]["result"]["per_type_image_auroc"]["spot"]


def test_a_geometry_the_model_cannot_take_is_a_row_with_the_reason(dataset, tmp_path_factory):
    train, samples = discover(dataset)
    rows = compare_geometries(builder(shared_random_weights(tmp_path_factory), "padim"), ["whole"], train, samples)
    assert rows[0]["status"].startswith("failed:") and "whole" in rows[0]["status"], rows[0]
    assert rows[0].get("image_auroc") is None


def test_a_cancel_stops_the_comparison_and_is_not_a_row(dataset, tmp_path_factory):
    train, samples = discover(dataset)
    token = CancelToken()
    rows = []

    def progress(stage, done, total):
        if stage.endswith("/features") and done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        compare_geometries(builder(shared_random_weights(tmp_path_factory)), ["center-crop", "stretch"], train,
                           samples, progress=progress, cancel=token, on_row=rows.append)
    assert rows == []
    with pytest.raises(Cancelled):
        evaluate_row({}, lambda: (_ for _ in ()).throw(Cancelled("stop")))
    assert evaluate_row({}, lambda: (_ for _ in ()).throw(MemoryError()))["status"] == "failed: MemoryError: MemoryError"


def test_labelled_parts_without_masks_have_no_pixel_metrics(dataset, tmp_path_factory):
    """Reviewed parts: good and defect decisions and held-out good images, no masks; only the defect type has an
    image AUROC (against every good image), the counts cover every type."""
    train, samples = discover(dataset)
    parts = [TestSample(s.path, s.label, "defect" if s.label else ("good (held out)" if i % 2 else "good"), None)
             for i, s in enumerate(samples)]
    rows = compare_geometries(builder(shared_random_weights(tmp_path_factory)), ["stretch"], train, parts)
    r = rows[0]
    assert r["status"] == "ok" and r["pixel_auroc"] is None and r["pro"] is None and r["image_auroc"] >= 0.9
    assert r["result"]["per_type_count"] == {"defect": 4, "good": 2, "good (held out)": 2}
    assert list(r["result"]["per_type_image_auroc"]) == ["defect"]
    assert [t["type"] for t in per_type_rows(rows)] == ["good", "good (held out)", "defect"]


def test_saved_comparison_round_trip_and_damaged_files(tmp_path):
    rows = [{"model": "patchcore", "geometry": "stretch", "image_auroc": 0.98, "pixel_auroc": None, "status": "ok"}]
    path = tmp_path / "evaluation.json"
    assert load_comparison(path) is None
    save_comparison(path, {"source": "folder", "rows": rows})
    data = load_comparison(path)
    assert data["rows"] == rows and data["source"] == "folder" and data["format"] == 1
    assert not list(tmp_path.glob("*.tmp*"))
    for bad, match in (("{not json", "cannot be read"), (json.dumps({"rows": "x", "format": 1}), "no table"),
                       (json.dumps({"rows": [], "format": 99}), "newer version"),
                       (json.dumps({"rows": [{"image_auroc": "0.9"}], "format": 1}), "not a number")):
        path.write_text(bad)
        with pytest.raises(ComparisonFileError, match=match):
            load_comparison(path)
