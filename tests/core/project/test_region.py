"""The project's region to inspect: a versioned PNG written atomically, used by training, and marking the model
as out of date when it changes."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_defects import good_image, shared_random_weights, write_png

from inspector.core.errors import InvalidInput
from inspector.core.project import jobs
from inspector.core.project.store import Project, ProjectSettings

SMALL = {"backbone": "resnet18", "layers": ["layer2", "layer3"], "resize": 64, "crop": 64, "coreset_ratio": 0.25,
         "batch_size": 8, "device": "cpu", "geometry": "whole"}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_region_is_versioned_used_in_training_and_makes_the_model_stale(tmp_path, tmp_path_factory):
    weights = str(shared_random_weights(tmp_path_factory))
    rng = np.random.default_rng(0)
    for i in range(8):
        write_png(tmp_path / "good" / f"{i}.png", good_image(rng, 128)[:64])
    project = Project.create(tmp_path / "proj", "Wide", ProjectSettings(model={**SMALL, "weights": weights}))
    try:
        assert project.region() is None and project.region_file() is None
        jobs.add_good_images(project, [tmp_path / "good"])
        jobs.train(project)
        assert not project.model_is_stale()

        mask = np.zeros((32, 64), np.uint8)
        mask[:, :40] = 255
        project.set_region(mask)
        assert project.region_file() == project.folder / "region" / "v1.png"
        assert project.region().shape == (32, 64) and project.region()[:, :40].all()
        assert project.model_is_stale()  # the region changed: retrain

        jobs.train(project)
        assert not project.model_is_stale()
        model = project.model()
        assert model.roi is not None and model.roi[:, :40].all() and not model.roi[:, 40:].any()
        assert model.inspected_area(64, 128)[:, 90:].sum() == 0

        mask[:, :20] = 0
        project.set_region(mask)
        assert project.region_file().name == "v2.png" and (project.folder / "region" / "v1.png").is_file()
        assert project.model_is_stale()
        project.set_region(None)  # back to the whole image
        assert project.region() is None
        with pytest.raises(InvalidInput, match="white"):
            project.set_region(np.zeros((8, 8), np.uint8))
        assert project.preprocessor().kind == "whole"
    finally:
        project.close()
