"""PatchCore end to end on synthetic parts with planted defects, with a random-initialised resnet18."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from synthetic_defects import make_images, shared_random_weights

from inspector.core.backbones.weights import WeightsError
from inspector.core.evaluation.metrics import image_auroc, pixel_auroc
from inspector.core.models import base as model_module
from inspector.core.models.base import ModelFormatError, WeightsMismatchError
from inspector.core.models.patchcore import PatchCore, PatchCoreConfig
from inspector.core.runtime.progress import Cancelled, CancelToken


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(shared_random_weights(tmp_path_factory))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts")
    goods, _, _ = make_images(folder / "train", 24, 0, seed=1)
    test_goods, defects, masks = make_images(folder / "test", 8, 8, seed=2)
    return goods, test_goods, defects, masks


def config(weights, **kw) -> PatchCoreConfig:
    base = dict(backbone="resnet18", layers=["layer2", "layer3"], weights=weights, resize=64, crop=64,
                coreset_ratio=0.25, batch_size=8, device="cpu")
    return PatchCoreConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def fitted(weights, data):
    model = PatchCore(config(weights))
    model.fit(data[0])
    return model


def _scores(model, paths):
    return np.array([p.score for p in model.predict(paths)])


def test_defects_score_higher_and_maps_find_them(fitted, data):
    _, test_goods, defects, masks = data
    preds = list(fitted.predict(test_goods + defects))
    scores = np.array([p.score for p in preds])
    labels = np.array([0] * len(test_goods) + [1] * len(defects))
    assert image_auroc(scores, labels) >= 0.95
    maps = np.stack([p.anomaly_map for p in preds[len(test_goods):]])
    assert maps.shape == (len(defects), 64, 64)
    assert pixel_auroc(maps, np.stack(masks)) >= 0.9


def test_fit_report_and_memory_bank(fitted):
    assert fitted.memory_bank.shape == (int(24 * 64 * 0.25), 1024)  # 8x8 grid at 64 px, 25 % coreset
    assert fitted.stats["n_train"] == 24 and fitted.stats["n_patches"] == 24 * 64


def test_save_and_load_give_identical_scores(fitted, data, weights, tmp_path):
    fitted.save(tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["format_version"] == model_module.FORMAT_VERSION and meta["model"] == "patchcore"
    loaded = PatchCore.load(tmp_path / "model")
    paths = data[1] + data[2]
    assert np.array_equal(_scores(fitted, paths), _scores(loaded, paths))
    a = next(iter(fitted.predict(paths[-1:]))).anomaly_map
    b = next(iter(loaded.predict(paths[-1:]))).anomaly_map
    assert np.array_equal(a, b)


def test_results_are_deterministic_for_a_seed(weights, data):
    a, b = PatchCore(config(weights)), PatchCore(config(weights))
    a.fit(data[0][:8])
    b.fit(data[0][:8])
    assert torch.equal(a.memory_bank, b.memory_bank)
    r1, r2 = PatchCore(config("random")), PatchCore(config("random"))
    assert r1.weights_hash == r2.weights_hash  # so a model trained on "random" weights can be reloaded


def test_cancel_keeps_the_previous_model(fitted, data, weights):
    model = PatchCore(config(weights))
    model.fit(data[0][:8])
    before = _scores(model, data[2])
    token = CancelToken()

    def progress(stage, done, total):
        if stage == "coreset" and done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        model.fit(data[0], progress, token)
    assert np.array_equal(_scores(model, data[2]), before)


def test_interrupted_save_leaves_the_previous_model_intact(fitted, data, weights, tmp_path, monkeypatch):
    fitted.save(tmp_path / "m")
    before = _scores(PatchCore.load(tmp_path / "m"), data[2])
    other = PatchCore(config(weights))
    other.fit(data[0][:6])

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(model_module, "save_file", crash)
    with pytest.raises(OSError):
        other.save(tmp_path / "m")
    monkeypatch.undo()
    assert np.array_equal(_scores(PatchCore.load(tmp_path / "m"), data[2]), before)
    assert not list((tmp_path / "m").glob("*.tmp"))


def test_reweighting_scales_image_scores_down(fitted, data, weights):
    plain = _scores(fitted, data[2])
    fitted.config.reweight_neighbors = 9
    try:
        reweighted = _scores(fitted, data[2])
    finally:
        fitted.config.reweight_neighbors = 0
    assert (reweighted <= plain + 1e-6).all() and (reweighted > 0).all()
    assert not np.allclose(reweighted, plain)


def test_no_readable_training_images_is_a_clear_error(tmp_path, weights):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    with pytest.raises(ValueError, match="no readable training images"):
        PatchCore(config(weights)).fit([bad])


def test_unreadable_training_images_are_skipped_and_listed(tmp_path, weights, data):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    report = PatchCore(config(weights)).fit(data[0][:4] + [bad])
    assert report.n_train == 4 and [s.path for s in report.skipped] == [bad]


def test_newer_model_format_is_refused(fitted, tmp_path):
    fitted.save(tmp_path / "m")
    meta_path = tmp_path / "m" / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = model_module.FORMAT_VERSION + 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match="newer Inspector"):
        PatchCore.load(tmp_path / "m")


def test_scoring_with_other_weights_is_refused(fitted, tmp_path):
    from synthetic_defects import random_weights_file

    fitted.save(tmp_path / "m")
    other = random_weights_file(tmp_path / "other.safetensors", seed=7)
    with pytest.raises(WeightsMismatchError, match="differ"):
        PatchCore.load(tmp_path / "m", weights=str(other))


def test_weights_are_loaded_strictly(weights, tmp_path):
    from safetensors.torch import load_file, save_file

    state = load_file(weights)
    missing = dict(state)
    del missing["layer2.0.conv1.weight"]
    save_file(missing, str(tmp_path / "missing.safetensors"))
    with pytest.raises(WeightsError, match=r"missing keys: layer2\.0\.conv1\.weight"):
        PatchCore(config(str(tmp_path / "missing.safetensors")))
    extra = dict(state, **{"layer2.0.surprise": torch.zeros(3)})
    save_file(extra, str(tmp_path / "extra.safetensors"))
    with pytest.raises(WeightsError, match=r"unexpected keys: layer2\.0\.surprise"):
        PatchCore(config(str(tmp_path / "extra.safetensors")))
    # keys of modules the chosen layers never reach (layer4, fc) may be absent
    trimmed = {k: v for k, v in state.items() if not k.startswith(("layer4", "fc"))}
    save_file(trimmed, str(tmp_path / "trimmed.safetensors"))
    PatchCore(config(str(tmp_path / "trimmed.safetensors")))


def test_pth_weights_load_without_unpickling_code(weights, tmp_path):
    from safetensors.torch import load_file

    torch.save({"state_dict": load_file(weights)}, tmp_path / "w.pth")
    model = PatchCore(config(str(tmp_path / "w.pth")))
    assert model.weights_hash == PatchCore(config(weights)).weights_hash


def test_missing_weights_file_and_offline_hub_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(WeightsError, match="not found"):
        PatchCore(config(str(tmp_path / "nowhere.safetensors")))
    import inspector.core.backbones.weights as w

    monkeypatch.setattr(w, "_hub_reachable", lambda *a, **k: False)
    with pytest.raises(WeightsError, match="cannot be reached"):
        PatchCore(config("pretrained"))
