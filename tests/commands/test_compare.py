"""``inspector compare``: every model x backbone evaluated into one table (stdout, CSV, Markdown); a combination
that cannot run is a row with its reason."""

from __future__ import annotations

import csv
import json

import pytest
from synthetic_defects import SIZE, make_mvtec_layout, one_thread, shared_random_weights

from inspector.cli import main
from inspector.commands.compare import markdown_table, weights_for

single_thread = pytest.fixture(scope="module", autouse=True)(one_thread)


def test_weights_for_one_file_per_backbone_pairs_and_defaults():
    assert weights_for(["a", "b"], []) == {"a": "pretrained", "b": "pretrained"}
    assert weights_for(["a", "b"], ["w.st"]) == {"a": "w.st", "b": "w.st"}
    assert weights_for(["a", "b"], ["1.st", "2.st"]) == {"a": "1.st", "b": "2.st"}
    assert weights_for(["a", "b"], ["b=2.st"]) == {"a": "pretrained", "b": "2.st"}
    with pytest.raises(ValueError, match="one per backbone"):
        weights_for(["a", "b", "c"], ["1.st", "2.st"])


def test_markdown_table_formats_percentages_and_failures():
    rows = [{"model": "padim", "backbone": "r18", "layers": "layer1", "geometry": "stretch", "image_auroc": 0.99612,
             "pixel_auroc": None, "pro": 0.5, "feature_dim": 100, "fit_s": 12.34, "ms_per_image": 5.0, "status": "ok"},
            {"model": "gaussian", "backbone": "x", "layers": "", "status": "failed: WeightsError: a | b"}]
    lines = markdown_table(rows).splitlines()
    assert lines[0].startswith("| model | backbone | layers | geometry | image AUROC % | full-frame pixel AUROC %")
    assert lines[2] == "| padim | r18 | layer1 | stretch | 99.61 | - | 50.00 | 100 | 12.3 | 5.0 | ok |"
    assert lines[3] == "| gaussian | x |  | - | - | - | - | - | - | - | failed: WeightsError: a / b |"


def test_compare_geometries_side_by_side(tmp_path, tmp_path_factory):
    dataset = make_mvtec_layout(tmp_path / "ds", n_train=8, n_test_good=4, n_test_defect=4)
    weights = shared_random_weights(tmp_path_factory)
    out = tmp_path / "out"
    rc = main(["compare", str(dataset), "--models", "patchcore", "padim", "--backbones", "resnet18",
               "--weights", str(weights), "--image-size", str(SIZE), "--crop-size", str(SIZE), "--padim-dims", "30",
               "--geometries", "center-crop", "whole", "stretch", "tiles", "--device", "cpu", "--out", str(out),
               "--quiet"])
    assert rc == 0
    rows = json.loads((out / "compare.json").read_text())["rows"]
    assert [(r["model"], r["geometry"]) for r in rows] == [
        ("patchcore", g) for g in ("center-crop", "whole", "stretch", "tiles")] + [
        ("padim", g) for g in ("center-crop", "whole", "stretch", "tiles")]
    for r in rows[:4] + [rows[4], rows[6]]:
        assert r["status"] == "ok" and r["image_auroc"] >= 0.9 and r["pixel_auroc"] >= 0.8, r
        assert r["result"]["geometry"] == r["geometry"] and "whole frame" in r["result"]["eval_size"]
    assert "needs one fixed input shape" in rows[5]["status"] and "needs one fixed input shape" in rows[7]["status"]


def test_compare_runs_every_combination_and_reports_failures_as_rows(tmp_path, tmp_path_factory, capsys):
    dataset = make_mvtec_layout(tmp_path / "ds", n_train=12, n_test_good=6, n_test_defect=6)
    weights = shared_random_weights(tmp_path_factory)
    out = tmp_path / "out"
    rc = main(["compare", str(dataset), "--models", "patchcore", "padim", "gaussian",
               "--backbones", "resnet18", "no_such_backbone", "--weights", f"resnet18={weights}",
               "--image-size", str(SIZE), "--crop-size", str(SIZE), "--padim-dims", "30", "--device", "cpu",
               "--out", str(out), "--quiet"])
    assert rc == 0
    printed = capsys.readouterr().out
    with open(out / "compare.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["model"], r["backbone"]) for r in rows] == [
        ("patchcore", "resnet18"), ("padim", "resnet18"), ("gaussian", "resnet18"),
        ("patchcore", "no_such_backbone"), ("padim", "no_such_backbone"), ("gaussian", "no_such_backbone")]
    ok, failed = rows[:3], rows[3:]
    for r in ok:
        assert r["status"] == "ok"
        assert float(r["image_auroc"]) >= 0.9, r  # planted defects are found by every model
        assert float(r["fit_s"]) > 0 and float(r["ms_per_image"]) > 0 and int(r["feature_dim"]) > 0
    assert ok[0]["pixel_auroc"] and ok[1]["pixel_auroc"] and ok[1]["pro"]  # PatchCore and PaDiM have maps
    assert ok[2]["pixel_auroc"] == "" and ok[2]["pro"] == ""  # the Gaussian model has none
    assert [int(r["feature_dim"]) for r in ok[1:]] == [30, 64 + 64 + 128 + 256 + 512]
    for r in failed:
        assert r["status"].startswith("failed:") and "no_such_backbone" in r["status"], r
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert md.count("\n| ") == 7 and "| padim | resnet18 | layer1 layer2 layer3 |" in md
    assert "| padim | resnet18 | layer1 layer2 layer3 |" in printed
    full = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert full["rows"][1]["result"]["per_type_image_auroc"].keys() == {"spot"}


def test_compare_fails_when_nothing_could_run(tmp_path):
    dataset = make_mvtec_layout(tmp_path / "ds", n_train=2, n_test_good=1, n_test_defect=1)
    rc = main(["compare", str(dataset), "--models", "padim", "--backbones", "no_such_backbone",
               "--out", str(tmp_path / "out"), "--quiet"])
    assert rc == 1
    assert "failed" in (tmp_path / "out" / "compare.csv").read_text(encoding="utf-8")
