"""Every user or machine mistake is one line before any work is wasted; an internal bug keeps its traceback."""

from __future__ import annotations

import csv
import errno
import json
import os
import sys

import cv2
import numpy as np
import pytest
from synthetic_defects import shared_random_weights

from inspector.cli import main

SMALL = ["--backbone", "resnet18", "--layers", "layer2", "layer3", "--image-size", "64", "--crop-size", "64",
         "--coreset-ratio", "0.25", "--device", "cpu", "--quiet"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    weights = str(shared_random_weights(tmp_path_factory))
    root = tmp_path_factory.mktemp("cli")
    good = root / "good"
    good.mkdir()
    rng = np.random.default_rng(0)
    for i in range(6):
        cv2.imwrite(str(good / f"g{i}.png"), rng.integers(90, 110, (64, 64, 3), dtype=np.uint8))
    assert main(["train", str(good), "--out", str(root / "model"), "--weights", weights, *SMALL]) == 0
    return root


def _never_fit(monkeypatch):
    from inspector.core.models.patchcore import PatchCore

    def fit(*a, **k):
        raise AssertionError("the fit started before the mistake was noticed")

    monkeypatch.setattr(PatchCore, "fit", fit)


def test_train_out_naming_an_existing_file_fails_before_the_fit(trained, tmp_path, monkeypatch, capsys):
    _never_fit(monkeypatch)
    target = tmp_path / "model.bin"
    target.write_text("x")
    code = main(["train", str(trained / "good"), "--out", str(target), "--weights", "random", *SMALL])
    err = capsys.readouterr().err
    assert code == 2 and "existing file" in err and "Traceback" not in err


@pytest.mark.parametrize("option, value, message", [
    ("--batch-size", "0", "at least 1"),
    ("--batch-size", "-3", "at least 1"),
    ("--coreset-ratio", "0", "above 0"),
    ("--coreset-ratio", "1.5", "at most 1"),
])
def test_impossible_numbers_are_refused_before_any_work(trained, tmp_path, monkeypatch, capsys, option, value,
                                                         message):
    _never_fit(monkeypatch)
    argv = ["train", str(trained / "good"), "--out", str(tmp_path / "m"), "--weights", "random", *SMALL, option, value]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_a_very_long_file_name_still_gets_its_heatmap(trained, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    long = folder / ("x" * 246 + ".png")  # 250 bytes: NAME_heatmap.png would be too long for the file system
    cv2.imwrite(str(long), np.full((64, 64, 3), 100, np.uint8))
    cv2.imwrite(str(folder / "short.png"), np.full((64, 64, 3), 120, np.uint8))
    out = tmp_path / "out"
    assert main(["inspect", str(trained / "model"), str(folder), "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader(open(out / "scores.csv", encoding="utf-8")))
    assert len(rows) == 2 and all((out / r["heatmap"]).is_file() for r in rows)


def test_a_full_disk_is_one_line(trained, tmp_path, monkeypatch, capsys):
    from inspector.core.io import atomic

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "write_bytes", full)
    code = main(["inspect", str(trained / "model"), str(trained / "good"), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and "Traceback" not in err


def test_a_damaged_model_config_is_one_line(trained, tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    for f in (trained / "model").iterdir():
        (model / f.name).write_bytes(f.read_bytes())
    meta = json.loads((model / "model.json").read_text())
    meta["config"]["batch_size"] = -3
    (model / "model.json").write_text(json.dumps(meta))
    code = main(["inspect", str(model), str(trained / "good"), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "batch_size" in err and "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_an_explicitly_named_unusable_file_says_why(trained, tmp_path, capsys):
    fifo = tmp_path / "camera.png"
    os.mkfifo(fifo)
    code = main(["inspect", str(trained / "model"), str(fifo), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "not a regular file" in err


def test_an_internal_value_error_keeps_its_traceback(trained, tmp_path, monkeypatch):
    from inspector.core.io import images

    def bug(*a, **k):
        raise ValueError("an internal bug")

    monkeypatch.setattr(images, "find_images", bug)
    with pytest.raises(ValueError, match="internal bug"):
        main(["inspect", str(trained / "model"), str(trained / "good"), "--out", str(tmp_path / "o"), "--quiet"])
