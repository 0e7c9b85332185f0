"""The ``inspector`` command end to end: train, inspect, evaluate; user mistakes give one line, exit code 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
from synthetic_defects import make_mvtec_layout, shared_random_weights

from inspector.cli import main

SMALL = ["--backbone", "resnet18", "--layers", "layer2", "layer3", "--image-size", "64", "--crop-size", "64",
         "--coreset-ratio", "0.25", "--device", "cpu", "--quiet"]


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(shared_random_weights(tmp_path_factory))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return make_mvtec_layout(tmp_path_factory.mktemp("ds") / "widget", n_train=16, n_test_good=5, n_test_defect=5)


def test_train_then_inspect_writes_scores_and_heatmaps(tmp_path, weights, dataset, capsys):
    model_dir = tmp_path / "model"
    assert main(["train", str(dataset / "train" / "good"), "--out", str(model_dir), "--weights", weights, *SMALL]) == 0
    assert (model_dir / "model.json").is_file()
    bad = tmp_path / "extra" / "corrupt.png"
    bad.parent.mkdir()
    bad.write_bytes(b"not a png")
    out = tmp_path / "out"
    code = main(["inspect", str(model_dir), str(dataset / "test"), str(bad), "--out", str(out), "--threshold", "1.0"])
    assert code == 0
    rows = list(csv.DictReader(open(out / "scores.csv", encoding="utf-8")))
    scored = [r for r in rows if r["score"]]
    assert len(scored) == 10
    assert [r["verdict"] for r in rows if not r["score"]] == ["skipped: not a readable image"]
    for r in scored:
        heat = cv2.imread(str(out / r["heatmap"]))
        assert heat is not None and heat.shape[:2] == (64, 64)
    good = [float(r["score"]) for r in scored if "/good/" in r["path"].replace("\\", "/")]
    spots = [float(r["score"]) for r in scored if "/spot/" in r["path"].replace("\\", "/")]
    assert min(spots) > max(good)
    assert "skipped 1 file" in capsys.readouterr().out


def test_evaluate_prints_and_writes_json(tmp_path, weights, dataset, capsys):
    out = tmp_path / "r.json"
    assert main(["evaluate", str(dataset), "--weights", weights, "--json", str(out), *SMALL]) == 0
    result = json.loads(out.read_text())
    for key in ("image_auroc", "pixel_auroc", "pro", "fit_seconds", "coreset_seconds", "inference_ms_per_image",
                "peak_rss_mb", "n_train", "n_test"):
        assert key in result
    assert result["n_train"] == 16 and result["n_test"] == 10
    assert result["image_auroc"] >= 0.9 and result["pixel_auroc"] >= 0.9
    method = {k: result["config"][k] for k in ("feature_aggregation", "reweight_neighbors", "map_interpolation",
                                                "blur_border", "geometry", "reduced_decode")}
    assert method == {"feature_aggregation": "concat", "reweight_neighbors": 9, "map_interpolation": "bilinear",
                      "blur_border": "reflect", "geometry": "stretch", "reduced_decode": True}  # a new model's method
    assert "image AUROC" in capsys.readouterr().out


def test_evaluate_without_masks_reports_null_pixel_metrics(tmp_path, weights):
    ds = make_mvtec_layout(tmp_path / "nomask", n_train=8, n_test_good=3, n_test_defect=3)
    for m in (ds / "ground_truth").rglob("*.png"):
        m.unlink()
    out = tmp_path / "r.json"
    assert main(["evaluate", str(ds), "--weights", weights, "--json", str(out), *SMALL]) == 0
    result = json.loads(out.read_text())
    assert result["pixel_auroc"] is None and result["pro"] is None


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "{tmp}/empty", "--out", "{tmp}/m"], "no images found"),
        (["inspect", "{tmp}/no_model", "{tmp}", "--out", "{tmp}/o"], "no trained model"),
        (["evaluate", "{tmp}"], "MVTec AD layout"),
        (["train", "{data}", "--out", "{tmp}/m", "--weights", "{tmp}/missing.safetensors"], "weights file not found"),
        (["train", "{data}", "--out", "{tmp}/m", "--weights", "random", "--layers", "layer9"], "layer9"),
    ],
)
def test_user_mistakes_are_one_clean_line(tmp_path, dataset, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    argv = [a.format(tmp=tmp_path, data=dataset / "train" / "good") for a in argv]
    assert main([*argv, "--quiet"] if argv[0] != "inspect" else argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unreadable_only_training_folder_is_a_clear_error(tmp_path, weights, capsys):
    folder = tmp_path / "good"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"")
    (folder / "b.jpg").write_bytes(b"\xff\xd8 truncated")
    assert main(["train", str(folder), "--out", str(tmp_path / "m"), "--weights", weights, *SMALL]) == 2
    err = capsys.readouterr().err
    assert "no readable training images" in err and "a.png: empty file" in err


def test_console_script_is_installed():
    done = subprocess.run([sys.executable, "-m", "inspector.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "evaluate" in done.stdout and "train" in done.stdout


def test_an_unreadable_mask_is_left_out_of_pixel_metrics_and_listed(tmp_path, weights):
    ds = make_mvtec_layout(tmp_path / "badmask", n_train=8, n_test_good=3, n_test_defect=3)
    broken = sorted((ds / "ground_truth" / "spot").glob("*.png"))[0]
    broken.write_bytes(b"")
    out = tmp_path / "r.json"
    assert main(["evaluate", str(ds), "--weights", weights, "--json", str(out), *SMALL]) == 0
    result = json.loads(out.read_text())
    assert result["pixel_auroc"] is not None
    assert any("mask left out of pixel metrics" in s and broken.name in s for s in result["skipped"])


def test_geometry_and_region_on_train_inspect_and_evaluate(tmp_path, weights, dataset, capsys):
    roi = tmp_path / "roi.png"
    mask = np.zeros((20, 40), np.uint8)
    mask[:, :20] = 255  # inspect the left half only (a mask of another size than the images)
    cv2.imwrite(str(roi), mask)
    model_dir = tmp_path / "model"
    assert main(["train", str(dataset / "train" / "good"), "--out", str(model_dir), "--weights", weights,
                 "--geometry", "whole", "--roi", str(roi), *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "whole image" in printed and "smallest defect" in printed
    meta = json.loads((model_dir / "model.json").read_text())
    assert meta["config"]["geometry"] == "whole" and meta["region"]["inspected"] == 0.5
    img = cv2.imread(str(next((dataset / "test" / "good").iterdir())))
    wide = tmp_path / "wide" / "wide.png"
    wide.parent.mkdir()
    cv2.imwrite(str(wide), np.concatenate([img, img], axis=1))  # another size than the training images
    out = tmp_path / "out"
    assert main(["inspect", str(model_dir), str(wide), "--out", str(out), "--quiet"]) == 0
    heat = cv2.imread(str(out / "wide_heatmap.png"))
    assert heat.shape[:2] == (64, 128)
    assert np.array_equal(heat[:, 70:], cv2.imread(str(wide))[:, 70:])  # not inspected: the image as it is
    js = tmp_path / "eval.json"
    assert main(["evaluate", str(dataset), "--weights", weights, "--geometry", "tiles", "--roi", str(roi),
                 "--json", str(js), *SMALL]) == 0
    result = json.loads(js.read_text())
    assert result["geometry"] == "tiles" and result["region"]["source"] == str(roi)
    assert "whole frame" in result["eval_size"]
