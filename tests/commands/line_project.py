"""A small trained project for the line tests (hot folder, service, report, package), made with the real CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from synthetic_defects import defect_image, good_image, make_images, shared_random_weights, write_png

from inspector.cli import main

REPO = Path(__file__).resolve().parents[2]
SMALL = ["--backbone", "resnet18", "--layers", "layer2", "layer3", "--image-size", "64", "--crop-size", "64",
         "--coreset-ratio", "0.25", "--device", "cpu", "--quiet"]


def trained_project(tmp_path_factory) -> Path:
    """A trained PatchCore project (random resnet18 weights, 64 px) with suggested thresholds."""
    root = tmp_path_factory.mktemp("line")
    weights = shared_random_weights(tmp_path_factory)
    make_images(root / "good", 12, 0, seed=0)
    project = root / "project"
    assert main(["project", "create", str(project), "--weights", str(weights), *SMALL]) == 0
    assert main(["project", "add", str(project), str(root / "good"), "--quiet"]) == 0
    assert main(["project", "train", str(project), "--quiet"]) == 0
    return project


def part_images(folder: Path, n: int, seed: int = 7, defect_every: int = 5) -> list[Path]:
    """``n`` distinct PNG parts (every ``defect_every``-th with a defect) named part_000.png, ..."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        img = defect_image(rng)[0] if i % defect_every == defect_every - 1 else good_image(rng)
        out.append(write_png(folder / f"part_{i:03d}.png", img))
    return out


def subprocess_env() -> dict:
    """The environment for an ``inspector`` child process that runs this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["OMP_NUM_THREADS"] = "1"
    return env


def inspector_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "inspector", *args]
