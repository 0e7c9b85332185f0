"""PaDiM: streaming Gaussians against numpy/scipy, detection of planted defects with a random-initialised
resnet18, save/reload, cancellation, and the memory estimate and refusal."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from synthetic_defects import SIZE, make_images, one_thread, shared_random_weights

from inspector.core.components.gaussian_stats import PositionGaussians, position_mahalanobis
from inspector.core.evaluation.metrics import image_auroc, pixel_auroc
from inspector.core.io.images import iter_batches
from inspector.core.models.base import WeightsMismatchError
from inspector.core.models.padim import Padim, PadimConfig, estimate_memory, random_channels
from inspector.core.runtime import memory
from inspector.core.runtime.progress import Cancelled, CancelToken

single_thread = pytest.fixture(scope="module", autouse=True)(one_thread)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return shared_random_weights(tmp_path_factory)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    train, _, _ = make_images(folder / "train", 16, 0, seed=1)
    goods, defects, masks = make_images(folder / "test", 8, 8, seed=2)
    return train, goods, defects, masks


def config(weights, **kw) -> PadimConfig:
    base = dict(backbone="resnet18", weights=str(weights), resize=SIZE, crop=SIZE, dims=40, device="cpu",
                batch_size=8)
    return PadimConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def fitted(weights, data):
    model = Padim(config(weights))
    model.fit(data[0])
    return model


def batch_of(model, paths) -> torch.Tensor:
    return next(iter_batches(paths, model.preprocessor, len(paths), [])).images


# ------------------------------------------------------------------------------------ statistics


def test_streaming_gaussians_match_numpy_cov_and_scipy_mahalanobis():
    mahalanobis = pytest.importorskip("scipy.spatial.distance").mahalanobis

    rng = np.random.default_rng(0)
    n, p, d = 23, 5, 4
    mixing = rng.normal(size=(p, d, d))
    x = np.einsum("npi,pij->npj", rng.normal(size=(n, p, d)), mixing) + 1000.0  # large offset: stability
    acc = PositionGaussians(p, d)
    for chunk in (x[:3], x[3:4], x[4:17], x[17:]):  # uneven batches
        acc.update(torch.from_numpy(chunk))
    mean, precision = acc.finish(eps=0.01, chunk=2)
    test = rng.normal(size=(3, p, d)) * 2 + 1000.0
    dist = position_mahalanobis(torch.from_numpy(test).float(), mean, precision)
    for j in range(p):
        cov = np.cov(x[:, j, :], rowvar=False) + 0.01 * np.eye(d)
        inv = np.linalg.inv(cov)
        np.testing.assert_allclose(mean[j].numpy(), x[:, j, :].mean(0), rtol=1e-6)
        np.testing.assert_allclose(precision[j].numpy(), inv, rtol=1e-4, atol=1e-5)
        for i in range(3):
            ref = mahalanobis(test[i, j], x[:, j, :].mean(0), inv)
            assert dist[i, j].item() == pytest.approx(ref, rel=1e-3)


def test_streaming_gaussians_need_two_images():
    acc = PositionGaussians(2, 3)
    acc.update(torch.ones(1, 2, 3))
    with pytest.raises(ValueError, match="at least 2"):
        acc.finish()


# ------------------------------------------------------------------------------------ the model


def test_embedding_is_the_seeded_channel_subset_of_layers_aligned_on_layer1(fitted, data):
    model = fitted
    images = batch_of(model, data[1][:2])
    maps = model.extractor(images)
    h, w = maps[0].shape[-2:]
    full = torch.cat([maps[0]] + [torch.nn.functional.interpolate(m, size=(h, w), mode="bilinear",
                                                                   align_corners=False) for m in maps[1:]], 1)
    assert full.shape[1] == 64 + 128 + 256
    idx = random_channels(448, 40, seed=0)
    expected = full[:, idx].flatten(2).transpose(1, 2)
    torch.testing.assert_close(model.embed(images), expected)
    assert model.memory.grid == (SIZE // 4, SIZE // 4)


def test_separates_planted_defects_image_and_pixel_level(fitted, data):
    _, goods, defects, masks = data
    preds = list(fitted.predict(goods + defects))
    scores = np.array([p.score for p in preds])
    labels = np.array([0] * len(goods) + [1] * len(defects))
    assert image_auroc(scores, labels) >= 0.95
    maps = np.stack([p.anomaly_map for p in preds])
    assert maps.shape == (16, SIZE, SIZE)
    gt = np.stack([np.zeros((SIZE, SIZE), bool)] * len(goods) + masks)
    assert pixel_auroc(maps, gt) >= 0.9
    assert all(p.score == pytest.approx(float(p.anomaly_map.max()), rel=1e-6) for p in preds)  # score = max


def test_save_and_load_give_identical_scores_with_the_stored_channel_subset(fitted, data, weights, tmp_path):
    paths = data[1][:3] + data[2][:3]
    before = [p.score for p in fitted.predict(paths)]
    fitted.save(tmp_path / "m")
    meta_path = tmp_path / "m" / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["config"]["seed"] = 12345  # another seed would draw another subset: the stored one must be used
    meta_path.write_text(json.dumps(meta))
    loaded = Padim.load(tmp_path / "m", device="cpu")
    assert torch.equal(loaded.channel_index, fitted.channel_index)
    after = [p.score for p in loaded.predict(paths)]
    assert after == before
    assert loaded.stats["feature_dim"] == 40


def test_load_refuses_other_backbone_weights(fitted, tmp_path, tmp_path_factory):
    other = shared_random_weights(tmp_path_factory, seed=1)
    fitted.save(tmp_path / "m")
    with pytest.raises(WeightsMismatchError):
        Padim.load(tmp_path / "m", weights=str(other), device="cpu")


@pytest.mark.parametrize("stage", ["features", "fit"])  # 16x16 positions: "fit" is one chunk, the last one
def test_cancel_during_fit_keeps_the_previous_model(fitted, data, stage):
    images = batch_of(fitted, data[2][:4])
    before = fitted.predict_batch(images)[0]
    n_train = fitted.stats["n_train"]
    token = CancelToken()

    def progress(s, done, total):
        if s == stage and done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        fitted.fit(data[0][:10], progress, token)
    np.testing.assert_array_equal(fitted.predict_batch(images)[0], before)
    assert fitted.stats["n_train"] == n_train


# ------------------------------------------------------------------------------------ memory


def test_memory_estimate_matches_the_stored_model_and_the_paper_configurations(fitted):
    assert fitted.memory.model_bytes == fitted.mean.nbytes + fitted.precision.nbytes
    wrn = estimate_memory(PadimConfig(backbone="wide_resnet50_2"))  # traced on the meta device: no weights
    assert (wrn.positions, wrn.grid, wrn.channels, wrn.dims) == (3136, (56, 56), (256, 512, 1024), 550)
    assert wrn.model_bytes == 4 * 3136 * 550 * 551
    assert wrn.fit_bytes == 12 * 3136 * 550 * 551
    r18 = estimate_memory(PadimConfig(backbone="resnet18"))
    assert (r18.positions, sum(r18.channels), r18.dims) == (3136, 448, 100)
    assert "GB to train" in wrn.describe()


def test_fit_refuses_a_configuration_that_does_not_fit_in_memory(fitted, data, monkeypatch):
    before = fitted.precision.clone()
    monkeypatch.setattr(memory, "available_memory", lambda: 2 * 2**20)  # 2 MB free
    needed = memory.format_bytes(fitted.memory.fit_bytes)
    with pytest.raises(memory.InsufficientMemoryError, match="needs about") as err:
        fitted.fit(data[0])
    assert needed in str(err.value) and "2.0 MB" in str(err.value)
    assert torch.equal(fitted.precision, before)


def test_dims_beyond_the_layers_channels_are_refused(weights):
    with pytest.raises(ValueError, match="between 1 and 448"):
        Padim(config(weights, dims=500))


def test_cli_train_and_inspect_with_padim(weights, data, tmp_path, capsys):
    from inspector.cli import main

    train_dir = data[0][0].parent
    model_dir = tmp_path / "model"
    args = ["train", str(train_dir), "--out", str(model_dir), "--model", "padim", "--backbone", "resnet18",
            "--weights", str(weights), "--image-size", str(SIZE), "--crop-size", str(SIZE), "--padim-dims", "30",
            "--device", "cpu", "--quiet"]
    assert main(args) == 0
    assert "padim memory: 256 positions (16x16) x 30 dims" in capsys.readouterr().out
    assert json.loads((model_dir / "model.json").read_text())["model"] == "padim"
    out = tmp_path / "out"
    assert main(["inspect", str(model_dir), str(data[2][0]), "--out", str(out), "--quiet"]) == 0
    rows = (out / "scores.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].endswith("_heatmap.png")
    assert (out / f"{data[2][0].stem}_heatmap.png").is_file()


def test_cli_refusal_is_one_line_with_the_figures(weights, data, tmp_path, monkeypatch, capsys):
    from inspector.cli import main

    monkeypatch.setattr(memory, "available_memory", lambda: 3 * 2**30)  # 3 GB free: too little for WRN50's
    rc = main(["train", str(data[0][0].parent), "--out", str(tmp_path / "m"), "--model", "padim",
               "--backbone", "resnet18", "--weights", str(weights), "--padim-dims", "448", "--crop-size", "448",
               "--image-size", "448", "--device", "cpu", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: PaDiM with resnet18 (12544 positions (112x112) x 448 dims: ")
    assert "needs about 28.2 GB of memory, but only 3.0 GB is free" in err
    assert not (tmp_path / "m").exists()
