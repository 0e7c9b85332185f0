"""PatchCore's scoring method as config fields: old models unchanged, new models on the new defaults, eq. 7."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest
import torch
from synthetic_defects import good_image, make_images, shared_random_weights, write_png

from inspector.core.components.search import NearestNeighbours
from inspector.core.errors import InvalidInput
from inspector.core.evaluation.metrics import image_auroc, pixel_auroc
from inspector.core.models import registry
from inspector.core.models.patchcore import NEW_MODEL_DEFAULTS, PatchCore, PatchCoreConfig

METHOD_KEYS = ("feature_aggregation", "map_interpolation", "blur_border", "reweight_neighbors")
OLD = {"feature_aggregation": "official", "map_interpolation": "bilinear", "blur_border": "reflect",
       "reweight_neighbors": 0}


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(shared_random_weights(tmp_path_factory))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts")
    goods, _, _ = make_images(folder / "train", 20, 0, seed=1)
    test_goods, defects, masks = make_images(folder / "test", 8, 8, seed=2)
    return goods, test_goods, defects, masks


def config(weights, **kw) -> PatchCoreConfig:
    base = dict(backbone="resnet18", layers=["layer2", "layer3"], weights=weights, resize=64, crop=64,
                coreset_ratio=0.25, batch_size=8, device="cpu")
    return PatchCoreConfig(**{**base, **kw})


def _predict(model, paths):
    preds = list(model.predict(paths))
    return np.array([p.score for p in preds]), np.stack([p.anomaly_map for p in preds])


def test_a_config_without_the_method_keys_is_the_official_method():
    cfg = PatchCoreConfig.from_dict({"backbone": "resnet18", "layers": ["layer2", "layer3"], "coreset_ratio": 0.1})
    assert {k: getattr(cfg, k) for k in METHOD_KEYS} == OLD
    assert NEW_MODEL_DEFAULTS != OLD  # so the split below means something


def test_an_old_model_json_scores_exactly_as_before(weights, data, tmp_path):
    """A model.json written before the method keys existed (here: a saved official model with them removed)
    loads as the official method and gives bit-identical scores and maps."""
    model = PatchCore(config(weights))
    model.fit(data[0])
    paths = data[1] + data[2]
    scores, maps = _predict(model, paths)
    model.save(tmp_path / "m")
    meta_path = tmp_path / "m" / "model.json"
    meta = json.loads(meta_path.read_text())
    assert {k: meta["config"][k] for k in METHOD_KEYS} == OLD
    for k in METHOD_KEYS:
        del meta["config"][k]
    meta_path.write_text(json.dumps(meta))
    loaded = PatchCore.load(tmp_path / "m")
    assert loaded.feature_dim == 1024 and loaded.config.feature_aggregation == "official"
    again, again_maps = _predict(loaded, paths)
    assert np.array_equal(again, scores) and np.array_equal(again_maps, maps)


def test_new_models_get_the_new_defaults_and_older_projects_keep_theirs():
    from inspector.commands.common import add_model_options, patchcore_config

    assert {k: registry.default_config("patchcore")[k] for k in METHOD_KEYS} == NEW_MODEL_DEFAULTS
    p = argparse.ArgumentParser()
    add_model_options(p, default_backbone="resnet18")
    cfg = patchcore_config(p.parse_args(["--weights", "random"]))
    assert {k: getattr(cfg, k) for k in METHOD_KEYS} == NEW_MODEL_DEFAULTS
    cfg = patchcore_config(p.parse_args(["--weights", "random", "--feature-aggregation", "official", "--reweight", "9"]))
    assert cfg.feature_aggregation == "official" and cfg.reweight_neighbors == 9
    # project settings saved before the keys existed complete to the old method, a new project's to the new
    old_project = {"backbone": "resnet18", "coreset_ratio": 0.1}
    assert {k: registry.completed_settings("patchcore", old_project)[k] for k in METHOD_KEYS} == OLD
    assert {k: registry.completed_settings("patchcore", {})[k] for k in METHOD_KEYS} == NEW_MODEL_DEFAULTS
    assert {k: getattr(registry.make_config("patchcore", old_project), k) for k in METHOD_KEYS} == OLD


def test_concat_model_keeps_the_layers_channels_and_round_trips(weights, data, tmp_path):
    model = PatchCore(config(weights, feature_aggregation="concat"))
    model.fit(data[0][:6])
    assert model.memory_bank.shape[1] == 128 + 256 == model.feature_dim == model.stats["feature_dim"]
    model.save(tmp_path / "m")
    loaded = PatchCore.load(tmp_path / "m")
    a, am = _predict(model, data[2][:3])
    b, bm = _predict(loaded, data[2][:3])
    assert np.array_equal(a, b) and np.array_equal(am, bm)


def test_concat_features_are_compiled_with_the_backbone_on_openvino(weights, data, tmp_path):
    from inspector.core.backbones.runtime import attach_runtime

    model = PatchCore(config(weights, feature_aggregation="concat"))  # eager torch (the tests' default)
    model.fit(data[0][:6])
    torch_scores, torch_maps = _predict(model, data[2][:3])
    message = attach_runtime(model.extractor, model.weights_hash, "cpu", "openvino", (64, 64), cache_dir=tmp_path)
    runner = model.extractor.runner
    assert runner is not None and runner.head is model.extractor.head, message
    calls = []
    real = runner.features
    runner.features = lambda x: calls.append(len(x)) or real(x)
    scores, maps = _predict(model, data[2][:3])
    assert calls and all(n > 0 for n in calls)  # the graph gave the features: no torch aggregation
    assert runner.differences[(64, 64)] <= 1e-4
    assert np.allclose(scores, torch_scores, rtol=1e-4) and np.allclose(maps, torch_maps, rtol=1e-4, atol=1e-5)
    # the maps alone (the analysis view) still come out, from eager torch
    x = torch.randn(2, 3, 64, 64)
    assert [tuple(m.shape) for m in model.extractor(x)] == [(2, 128, 8, 8), (2, 256, 4, 4)]


def test_unknown_method_values_are_refused(weights):
    with pytest.raises(InvalidInput, match="feature_aggregation"):
        PatchCore(config(weights, feature_aggregation="mean"))
    with pytest.raises(InvalidInput, match="map_interpolation"):
        PatchCore(config(weights, map_interpolation="bicubic"))


def test_reweighting_by_hand():
    """Eq. 7 (and anomalib's compute_anomaly_score): bank a=(0,0), b=(3,0), c=(0,4); the worst patch x=(1,0) has
    m*=a, N_3(a) = [a, b, c] (distances 0, 3, 4 from a); ||x-a||=1, ||x-b||=2, ||x-c||=sqrt(17); the weight is
    1 - e^1 / (e^1 + e^2 + e^sqrt(17))."""
    bank = np.array([[0, 0], [3, 0], [0, 4]], np.float32)
    model = PatchCore.__new__(PatchCore)
    model.search = NearestNeighbours(bank)
    weight = model._reweight(np.array([[1.0, 0.0]], np.float32), np.array([0]), 3)
    expected = 1 - math.e / (math.e + math.e**2 + math.exp(math.sqrt(17)))
    assert weight[0] == pytest.approx(expected, rel=1e-5)
    assert expected == pytest.approx(0.962172, abs=1e-6)  # e^sqrt(17) = 61.751: 1 - 2.71828 / 71.858


def test_the_new_default_finds_planted_defects_also_off_centre(weights, data, tmp_path):
    model = PatchCore(config(weights, **NEW_MODEL_DEFAULTS))
    model.fit(data[0])
    goods, defects, masks = data[1], data[2], data[3]
    scores, maps = _predict(model, goods + defects)
    labels = np.array([0] * len(goods) + [1] * len(defects))
    assert image_auroc(scores, labels) >= 0.95
    assert pixel_auroc(maps[len(goods):], np.stack(masks)) >= 0.9
    # a small spot in a corner (4 px from two edges), where the border handling of pooling and blur matters
    img = good_image(np.random.default_rng(5))
    img[52:60, 4:12] = (230, 40, 20)
    corner = write_png(tmp_path / "corner.png", img)
    (score,), (amap,) = _predict(model, [corner])
    assert score > scores[: len(goods)].max()
    y, x = np.unravel_index(int(amap.argmax()), amap.shape)
    assert abs(y - 56) <= 8 and abs(x - 8) <= 8
