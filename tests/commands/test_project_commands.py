"""``inspector project ...`` through the real ``main()``: create, add, train, inspect, status, thresholds; the
project it makes is the app's project (opened with the same core)."""

from __future__ import annotations

import json

import pytest
from line_project import SMALL, part_images
from synthetic_defects import make_images, shared_random_weights

from inspector.cli import main
from inspector.core.project.store import Project


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(shared_random_weights(tmp_path_factory))


def test_create_add_train_inspect_status_thresholds(tmp_path, weights, capsys):
    project = tmp_path / "bottle"
    make_images(tmp_path / "good", 12, 0, seed=0)
    assert main(["project", "create", str(project), "--name", "Bottle", "--weights", weights, *SMALL]) == 0
    assert main(["project", "status", str(project), "--json"]) == 0
    st = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert st["name"] == "Bottle" and st["model"] == {"trained": False} and st["thresholds"] is None
    assert st["settings"]["backbone"] == "resnet18" and st["settings"]["crop"] == 64

    assert main(["project", "add", str(project), str(tmp_path / "good"), "--quiet"]) == 0
    assert main(["project", "add", str(project), str(tmp_path / "good"), "--quiet"]) == 0  # duplicates: not again
    assert main(["project", "train", str(project), "--quiet"]) == 0
    assert "thresholds (suggested" in capsys.readouterr().out

    parts = part_images(tmp_path / "parts", 10)
    (tmp_path / "parts" / "notes.png").write_text("not an image")
    assert main(["project", "inspect", str(project), str(tmp_path / "parts"), "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    scored = {x["file"]: x for x in lines if x["verdict"] != "unreadable"}
    assert len(scored) == 10
    assert [x["error"] for x in lines if x["verdict"] == "unreadable"] == ["not a readable image"]
    defects = {f"parts/{p.name}" for p in parts[4::5]}
    assert {f for f, x in scored.items() if x["verdict"] == "fail"} >= defects

    assert main(["project", "status", str(project), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["images"] == {"good": 12, "train": 10, "holdout": 2, "inspected": 10}
    assert st["model"]["trained"] and st["model"]["n_train"] == 10 and st["model"]["kind"] == "patchcore"
    assert sum(st["verdicts"].values()) == 10

    assert main(["project", "thresholds", str(project), "--pass", "0", "--fail", "1e9"]) == 0
    assert "10 uncertain" in capsys.readouterr().out
    assert main(["project", "status", str(project), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["thresholds"] == {"pass": 0.0, "fail": 1e9} and st["verdicts"]["uncertain"] == 10
    assert main(["project", "thresholds", str(project), "--suggest"]) == 0
    with Project.open(project) as p:  # the app's core reads what the commands wrote
        assert p.thresholds.pass_ > 0 and p.has_model() and len(p.results()) == 10
        assert {r.verdict for r in p.results()} <= {"pass", "uncertain", "fail"}


def test_mistakes_are_one_line(tmp_path, capsys):
    assert main(["project", "status", str(tmp_path)]) == 2
    assert "not an Inspector project" in capsys.readouterr().err
    assert main(["project", "create", str(tmp_path / "p"), "--backbone", "resnet18", "--quiet"]) == 0
    assert main(["project", "thresholds", str(tmp_path / "p"), "--pass", "1"]) == 2
    assert "--pass X --fail Y" in capsys.readouterr().err
    assert main(["project", "thresholds", str(tmp_path / "p"), "--pass", "2", "--fail", "1"]) == 2
    assert main(["project", "inspect", str(tmp_path / "p"), str(tmp_path)]) == 2
    assert "no trained model" in capsys.readouterr().err


def test_create_with_a_geometry_and_a_region(tmp_path, weights, capsys):
    import numpy as np
    from synthetic_defects import write_png

    mask = np.zeros((40, 80), np.uint8)
    mask[:, :40] = 255  # inspect the left half
    write_png(tmp_path / "roi.png", mask)
    project = tmp_path / "p"
    assert main(["project", "create", str(project), "--weights", weights, *SMALL, "--geometry", "whole",
                 "--roi", str(tmp_path / "roi.png")]) == 0
    assert "whole, with a region to inspect" in capsys.readouterr().out
    with Project.open(project, read_only=True) as p:
        region = p.region()
        assert p.settings.model["geometry"] == "whole"
        assert region.shape == (40, 80) and region[:, :40].all() and not region[:, 40:].any()
    assert main(["project", "create", str(tmp_path / "q"), "--roi", str(tmp_path / "missing.png")]) == 2
    assert not (tmp_path / "q").exists()  # nothing created for a bad mask
