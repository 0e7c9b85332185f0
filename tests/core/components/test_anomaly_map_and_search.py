"""Anomaly maps (upsampling + Gaussian blur) and the nearest-neighbour search."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inspector.core.components.anomaly_map import anomaly_maps, gaussian_blur
from inspector.core.components.search import NearestNeighbours


def test_blur_matches_scipy_gaussian_filter():
    ndimage = pytest.importorskip("scipy.ndimage")
    x = torch.rand(2, 40, 56)
    ours = gaussian_blur(x, 4.0).numpy()
    ref = np.stack([ndimage.gaussian_filter(x[i].numpy().astype(np.float64), 4.0) for i in range(2)])
    assert np.abs(ours - ref).max() < 1e-5


def test_blur_on_maps_smaller_than_the_kernel():
    ndimage = pytest.importorskip("scipy.ndimage")
    x = torch.rand(1, 9, 9)
    assert np.abs(gaussian_blur(x, 4.0).numpy()[0] - ndimage.gaussian_filter(x[0].numpy(), 4.0)).max() < 1e-5


def test_maps_are_upsampled_to_the_input_and_keep_the_hot_spot():
    scores = torch.zeros(1, 28, 28)
    scores[0, 20, 7] = 5.0
    amap = anomaly_maps(scores, 224, sigma=4.0)
    assert amap.shape == (1, 224, 224)
    y, x = np.unravel_index(int(amap[0].argmax()), (224, 224))
    assert abs(y - (20 * 8 + 4)) <= 2 and abs(x - (7 * 8 + 4)) <= 2
    assert amap.sum() == pytest.approx(5.0 * 64, rel=0.05)  # bilinear upsampling and blur keep the mass


def test_search_is_exact_nearest_neighbour_with_euclidean_distances():
    rng = np.random.default_rng(0)
    bank = rng.normal(size=(500, 32)).astype(np.float32)
    q = rng.normal(size=(40, 32)).astype(np.float32)
    dist, idx = NearestNeighbours(bank).search(q, k=3)
    ref = np.linalg.norm(q[:, None] - bank[None], axis=2)
    order = np.argsort(ref, axis=1)[:, :3]
    assert (idx == order).all()
    assert np.allclose(dist, np.take_along_axis(ref, order, 1), atol=1e-4)
