"""Gaussian image-level model: Ledoit-Wolf against scikit-learn, Mahalanobis against scipy, the EfficientNet
levels against the seed's own extraction code, detection of planted defects, save/reload, cancellation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from synthetic_defects import SIZE, make_images, one_thread, shared_random_weights

from inspector.core.backbones.build import build_feature_extractor
from inspector.core.backbones.weights import WeightsSource
from inspector.core.components.gaussian_stats import ledoit_wolf, mahalanobis
from inspector.core.evaluation.metrics import image_auroc
from inspector.core.io.images import iter_batches
from inspector.core.models.base import WeightsMismatchError
from inspector.core.models.gaussian import GaussianConfig, GaussianModel, default_levels
from inspector.core.runtime.progress import Cancelled, CancelToken

single_thread = pytest.fixture(scope="module", autouse=True)(one_thread)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return shared_random_weights(tmp_path_factory)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    train, _, _ = make_images(folder / "train", 16, 0, seed=3)
    goods, defects, _ = make_images(folder / "test", 8, 8, seed=4)
    return train, goods, defects


def config(weights, **kw) -> GaussianConfig:
    base = dict(backbone="resnet18", weights=str(weights), resize=SIZE, crop=SIZE, device="cpu", batch_size=8)
    return GaussianConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def fitted(weights, data):
    model = GaussianModel(config(weights))
    model.fit(data[0])
    return model


def batch_of(model, paths) -> torch.Tensor:
    return next(iter_batches(paths, model.preprocessor, len(paths), [])).images


# ------------------------------------------------------------------------------------ statistics


@pytest.mark.parametrize("n, d", [(60, 8), (15, 40), (200, 3), (10, 1)])
def test_ledoit_wolf_matches_scikit_learn(n, d):
    sklearn_cov = pytest.importorskip("sklearn.covariance")
    rng = np.random.default_rng(n * d)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * 5
    ref = sklearn_cov.LedoitWolf().fit(x)
    cov, shrinkage = ledoit_wolf(torch.from_numpy(x))
    np.testing.assert_allclose(cov.numpy(), ref.covariance_, rtol=1e-9, atol=1e-12)
    assert shrinkage == pytest.approx(ref.shrinkage_, abs=1e-12)
    if n < d:
        assert np.linalg.matrix_rank(np.cov(x, rowvar=False)) < d  # the plain covariance is singular ...
        assert np.linalg.eigvalsh(cov.numpy()).min() > 0  # ... the shrunk one is not


def test_mahalanobis_matches_scipy():
    scipy_mahalanobis = pytest.importorskip("scipy.spatial.distance").mahalanobis

    rng = np.random.default_rng(5)
    a = rng.normal(size=(6, 6))
    precision = np.linalg.inv(a @ a.T + np.eye(6))
    mean, x = rng.normal(size=6), rng.normal(size=(9, 6))
    ours = mahalanobis(torch.from_numpy(x), torch.from_numpy(mean), torch.from_numpy(precision))
    ref = [scipy_mahalanobis(v, mean, precision) for v in x]
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-12)


# ------------------------------------------------------------------------------------ levels


def test_efficientnet_levels_are_stem_blocks_and_head():
    assert default_levels("tf_efficientnet_b4") == ["bn1"] + [f"blocks.{i}" for i in range(7)] + ["bn2"]
    assert default_levels("resnet18") == ["act1", "layer1", "layer2", "layer3", "layer4"]


def test_efficientnet_level_features_equal_the_seeds_extraction():
    """The levels our extractor returns are the seed's ``extract_features``: stem, each block, head."""
    torch.manual_seed(0)
    levels = default_levels("efficientnet_b0")
    extractor, _ = build_feature_extractor("efficientnet_b0", levels, WeightsSource.parse("random"), SIZE)
    x = torch.randn(2, 3, SIZE, SIZE)
    ours = extractor(x)
    import timm

    m = timm.create_model("efficientnet_b0", pretrained=False).eval()  # the same weights, without our hooks
    missing, unexpected = m.load_state_dict(extractor.model.state_dict(), strict=False)
    assert not unexpected and all(k.startswith("classifier.") for k in missing)
    with torch.no_grad():
        h = m.bn1(m.conv_stem(x))  # timm's bn1 holds the stem's activation
        ref = [h]
        for block in m.blocks:
            h = block(h)
            ref.append(h)
        ref.append(m.bn2(m.conv_head(h)))
    assert len(ours) == 9
    assert [o.shape[1] for o in ours] == [32, 16, 24, 40, 80, 112, 192, 320, 1280]
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b)


# ------------------------------------------------------------------------------------ the model


def test_separates_planted_defects_without_maps(fitted, data):
    _, goods, defects = data
    preds = list(fitted.predict(goods + defects))
    assert all(p.anomaly_map is None for p in preds)
    scores = np.array([p.score for p in preds])
    labels = np.array([0] * len(goods) + [1] * len(defects))
    assert image_auroc(scores, labels) >= 0.95
    assert fitted.stats["channels"] == [64, 64, 128, 256, 512]
    assert fitted.stats["feature_dim"] == 64 + 64 + 128 + 256 + 512


def test_score_is_the_sum_of_level_distances_or_one_level(fitted, data, weights):
    images = batch_of(fitted, data[2][:4])
    per_level = fitted.level_scores(images)
    # each level's distance, recomputed with numpy from the model's pooled features and statistics
    pooled = [m.mean(dim=(2, 3)).double().numpy() for m in fitted.extractor(images)]
    for k, (x, mu, prec) in enumerate(zip(pooled, fitted.means, fitted.precisions)):
        delta = x - mu.numpy()
        np.testing.assert_allclose(per_level[:, k], np.sqrt(np.einsum("bi,ij,bj->b", delta, prec.numpy(), delta)),
                                   rtol=1e-9)
    np.testing.assert_allclose(fitted.predict_batch(images)[0], per_level.sum(1))
    one = GaussianModel(config(weights, level=3))  # same weights file: the same network
    one.means, one.precisions = fitted.means, fitted.precisions
    np.testing.assert_allclose(one.predict_batch(images)[0], per_level[:, 2])


def test_level_out_of_range_is_refused(weights):
    with pytest.raises(ValueError, match="between 1 and 5"):
        GaussianModel(config(weights, level=6))


def test_save_and_load_give_identical_scores(fitted, data, tmp_path, tmp_path_factory):
    paths = data[1][:3] + data[2][:3]
    before = [p.score for p in fitted.predict(paths)]
    fitted.save(tmp_path / "m")
    loaded = GaussianModel.load(tmp_path / "m", device="cpu")
    assert loaded.config.layers == fitted.config.layers
    for name in ("means", "precisions"):
        assert all(torch.equal(a, b) for a, b in zip(getattr(loaded, name), getattr(fitted, name)))
    np.testing.assert_allclose([p.score for p in loaded.predict(paths)], before, rtol=1e-9)
    with pytest.raises(WeightsMismatchError):
        GaussianModel.load(tmp_path / "m", weights=str(shared_random_weights(tmp_path_factory, seed=1)))


@pytest.mark.parametrize("stage, at", [("features", 1), ("fit", 1), ("fit", 5)])  # fit 5: the last level
def test_cancel_during_fit_keeps_the_previous_model(fitted, data, stage, at):
    images = batch_of(fitted, data[2][:4])
    before = fitted.predict_batch(images)[0]
    token = CancelToken()

    def progress(s, done, total):
        if s == stage and done >= at:
            token.cancel()

    with pytest.raises(Cancelled):
        fitted.fit(data[0][:10], progress, token)
    np.testing.assert_array_equal(fitted.predict_batch(images)[0], before)
    assert fitted.stats["n_train"] == 16


def test_cli_train_and_inspect_say_there_is_no_heatmap(weights, data, tmp_path, capsys):
    from inspector.cli import main

    model_dir, out = tmp_path / "model", tmp_path / "out"
    assert main(["train", str(data[0][0].parent), "--out", str(model_dir), "--model", "gaussian",
                 "--backbone", "resnet18", "--layers", "layer1", "layer2", "--gaussian-level", "2",
                 "--weights", str(weights), "--image-size", str(SIZE), "--crop-size", str(SIZE),
                 "--device", "cpu", "--quiet"]) == 0
    loaded = GaussianModel.load(model_dir)
    assert (loaded.config.layers, loaded.config.level) == (["layer1", "layer2"], 2)
    assert main(["inspect", str(model_dir), str(data[2][0]), "--out", str(out), "--quiet"]) == 0
    assert "image scores only: no heatmaps" in capsys.readouterr().out
    rows = (out / "scores.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].endswith(",")  # no heatmap file named
    assert not list(out.glob("*_heatmap.png"))
