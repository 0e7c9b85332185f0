"""The analysis views' computations on a small PatchCore (random resnet18 weights, synthetic stripes)."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from synthetic_defects import defect_image, good_image, make_images

from inspector.core.errors import InvalidInput
from inspector.core.evaluation.analysis import bank_histogram, bank_pca, labelled_roc, layer_maps
from inspector.core.evaluation.metrics import image_auroc
from inspector.core.models.patchcore import PatchCore, PatchCoreConfig


def _config(weights, **kw) -> PatchCoreConfig:
    base = dict(backbone="resnet18", layers=["layer2", "layer3"], weights=weights, resize=64, crop=64,
                coreset_ratio=0.25, batch_size=8, device="cpu", geometry="stretch")
    return PatchCoreConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def train_paths(tmp_path_factory):
    goods, _, _ = make_images(tmp_path_factory.mktemp("analysis") / "train", 12, 0, seed=1)
    return goods


@pytest.fixture(scope="module")
def model(random_weights, train_paths):
    m = PatchCore(_config(random_weights))
    m.fit(train_paths)
    return m


def test_layer_maps_are_the_channel_sums_normalised_over_the_image(model):
    img = good_image(np.random.default_rng(5))
    maps = layer_maps(model, img)
    assert [m.layer for m in maps] == ["layer2", "layer3"]
    assert [m.grid for m in maps] == [(8, 8), (4, 4)]
    assert all(m.inside is None for m in maps)  # stretch: the whole image is inspected
    x = model.preprocessor(img).unsqueeze(0)
    raw = model.extractor(x)
    for lm, r in zip(maps, raw):
        assert lm.map.shape == img.shape[:2] and lm.map.dtype == np.float32
        assert lm.map.min() == pytest.approx(0.0, abs=1e-6) and lm.map.max() == pytest.approx(1.0, abs=1e-6)
        s = r[0].sum(dim=0).numpy()
        up = cv2.resize(s, (64, 64), interpolation=cv2.INTER_LINEAR)  # over the image, then min-max
        expected = (up - up.min()) / (up.max() - up.min())
        np.testing.assert_allclose(lm.map, expected, atol=1e-5)


def test_layer_maps_cover_a_non_square_image_with_tiles(random_weights, train_paths):
    m = PatchCore(_config(random_weights, geometry="tiles", crop=64))
    m.fit(train_paths[:4])
    img = np.concatenate([good_image(np.random.default_rng(1)), good_image(np.random.default_rng(2))], axis=1)
    maps = layer_maps(m, img)
    assert maps[0].map.shape == (64, 128)
    assert maps[0].map[:, :64].std() > 0 and maps[0].map[:, 64:].std() > 0  # both tiles contribute
    with pytest.raises(InvalidInput):
        layer_maps(m, img[..., 0])


def test_layer_maps_of_center_crop_are_zero_outside_the_crop(random_weights, train_paths):
    m = PatchCore(_config(random_weights, geometry="center-crop", resize=64, crop=48))
    m.fit(train_paths[:4])
    lm = layer_maps(m, good_image(np.random.default_rng(3)))[0]
    assert lm.inside is not None and lm.inside[32, 32] and not lm.inside[0, 0]
    assert lm.inside.sum() == 48 * 48
    assert (lm.map[~lm.inside] == 0).all() and lm.map[lm.inside].max() == pytest.approx(1.0)


def test_bank_histogram_normalises_vector_sums_to_0_255():
    bank = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0]], np.float32)  # sums 0, 2, 4, 4
    counts, edges = bank_histogram(bank, bins=4)
    assert edges[0] == 0 and edges[-1] == 255
    assert counts.tolist() == [1, 0, 1, 2]  # 0 -> first bin, 127.5 -> third, 255 -> last (inclusive)
    with pytest.raises(InvalidInput):
        bank_histogram(np.zeros((0, 3)))


def test_bank_histogram_of_a_model_counts_every_bank_vector(model):
    counts, _ = bank_histogram(model, bins=32)
    assert counts.sum() == len(model.memory_bank)
    assert counts[0] >= 1 and counts[-1] >= 1  # the smallest and the largest sums span the range


def test_pca_projects_bank_and_patches_into_the_same_axes(model):
    bank = model.memory_bank.numpy().astype(np.float64)
    img, _ = defect_image(np.random.default_rng(9))
    pca = bank_pca(model, img)
    # the first axis is the bank's direction of largest variance (SVD), up to sign
    centred = bank - bank.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    ref = centred @ vt[:2].T
    for j in range(2):
        assert abs(np.corrcoef(pca.bank_xy[:, j], ref[:, j])[0, 1]) > 0.999
    assert pca.explained[0] >= pca.explained[1] > 0
    assert pca.explained[0] == pytest.approx(sv[0] ** 2 / (sv ** 2).sum(), rel=1e-4)
    assert pca.patch_xy.shape == (64, 2) and pca.grid == (8, 8)
    # each patch's distance is its nearest-neighbour distance: the largest one is the image score
    scores, _ = model.predict_batch(model.preprocessor(img).unsqueeze(0))
    assert float(pca.patch_distance.max()) == pytest.approx(float(scores[0]), rel=1e-4)


def test_pca_samples_a_large_bank_with_a_fixed_seed(model):
    a = bank_pca(model, None, max_rows=50, seed=3)
    b = bank_pca(model, None, max_rows=50, seed=3)
    assert a.bank_xy.shape == (50, 2) and len(a.patch_xy) == 0
    np.testing.assert_array_equal(a.bank_rows, b.bank_rows)
    np.testing.assert_allclose(a.bank_xy, b.bank_xy)


def test_pca_needs_a_memory_bank():
    with pytest.raises(InvalidInput, match="memory bank"):
        bank_pca(SimpleNamespace(kind="padim"), None)


def test_roc_of_reviewed_parts():
    rows = [SimpleNamespace(score=s, decision=d) for s, d in
            [(0.1, "good"), (0.3, "good"), (0.35, "defect"), (0.2, "defect"), (0.9, "defect"), (0.5, None),
             (0.4, "skip")]]
    roc = labelled_roc(rows)
    assert (roc.n_good, roc.n_defect) == (2, 3)
    assert roc.auroc == pytest.approx(image_auroc([0.1, 0.3, 0.35, 0.2, 0.9], [0, 0, 1, 1, 1]))
    assert roc.auroc == pytest.approx(np.trapezoid(roc.tpr, roc.fpr) if hasattr(np, "trapezoid")
                                      else np.trapz(roc.tpr, roc.fpr))
    assert roc.fpr[0] == 0 and roc.tpr[-1] == 1
    assert labelled_roc([r for r in rows if r.decision != "good"]) is None


def test_extractor_is_untouched_by_analysis(model):
    # layer_maps runs the extractor without a cancel token and under no_grad: no gradients are kept
    img = good_image(np.random.default_rng(1))
    layer_maps(model, img)
    assert all(not p.requires_grad for p in model.extractor.parameters())
    assert torch.is_grad_enabled()
