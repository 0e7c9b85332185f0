"""Locally aware patch features: the official order of operations, shapes, layer alignment."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from inspector.core.backbones.extractor import FeatureExtractor
from inspector.core.components.patch_features import (
    adaptive_pool_matrix,
    concat_features,
    patch_features,
    reference_concat_features,
    reference_patch_features,
)


@pytest.mark.parametrize("n, m", [(1152, 1024), (2304, 1024), (10, 7), (7, 10), (2048, 1024)])
def test_pool_matrix_is_torch_adaptive_avg_pool(n, m):
    x = torch.randn(3, n, dtype=torch.float64)
    ref = F.adaptive_avg_pool1d(x.unsqueeze(1), m).squeeze(1)
    assert torch.allclose(x @ adaptive_pool_matrix(n, m).T, ref)


@pytest.mark.parametrize(
    "shapes, dims",
    [
        ([(128, 28, 28), (256, 14, 14)], (1024, 1024)),  # resnet18 layer2 + layer3
        ([(40, 28, 28), (112, 14, 14), (7, 7, 7)], (100, 90)),  # three layers, dimensions that do not divide
        ([(64, 8, 8)], (256, 128)),
    ],
)
def test_matches_the_official_order_of_operations(shapes, dims):
    maps = [torch.randn(2, *s) for s in shapes]
    ours, grid = patch_features(maps, 3, *dims)
    ref = reference_patch_features(maps, 3, *dims)
    assert grid == shapes[0][1:]
    assert ours.shape == (2, shapes[0][1] * shapes[0][2], dims[1])
    assert torch.allclose(ours, ref, atol=1e-5)


def test_resnet18_gives_784_vectors_of_1024_per_image():
    import timm

    fe = FeatureExtractor(timm.create_model("resnet18", pretrained=False), ["layer2", "layer3"])
    maps = fe(torch.randn(2, 3, 224, 224))
    assert [tuple(m.shape) for m in maps] == [(2, 128, 28, 28), (2, 256, 14, 14)]
    feats, grid = patch_features(maps)
    assert feats.shape == (2, 784, 1024) and grid == (28, 28)


def test_neighbourhood_is_local():
    """A change at one position of the layer map only reaches its 3x3 neighbourhood."""
    a = torch.randn(1, 16, 10, 10)
    b = a.clone()
    b[0, :, 5, 5] += 10
    fa, _ = patch_features([a], 3, 64, 64)
    fb, _ = patch_features([b], 3, 64, 64)
    changed = ((fa - fb).abs().sum(-1) > 1e-6).reshape(10, 10)
    assert changed.sum() == 9 and changed[4:7, 4:7].all()


def test_extractor_layers_by_name_and_errors():
    import timm

    fe = FeatureExtractor(timm.create_model("resnet18", pretrained=False), ["layer1", "layer3"])
    assert [m.shape[-1] for m in fe(torch.randn(1, 3, 64, 64))] == [16, 4]
    with pytest.raises(ValueError, match="layer9"):
        FeatureExtractor(timm.create_model("resnet18", pretrained=False), ["layer9"])


def test_extractor_stays_frozen_in_eval_mode():
    import timm

    fe = FeatureExtractor(timm.create_model("resnet18", pretrained=False), ["layer2"])
    fe.train()
    assert not fe.training and not any(p.requires_grad for p in fe.parameters())


# ---------------------------------------------------------------------------- concatenated (anomalib's) aggregation
@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize(
    "shapes",
    [
        [(128, 28, 28), (256, 14, 14)],  # resnet18 layer2 + layer3: 384 dims
        [(40, 28, 30), (112, 14, 15), (7, 7, 8)],  # three layers, odd grids
        [(16, 9, 9)],
        [(8, 10, 12), (4, 20, 24)],  # a finer second layer is brought down to the first grid
    ],
)
def test_concat_matches_pool_interpolate_concatenate(shapes, channels_last):
    maps = [torch.randn(2, *s) for s in shapes]
    if channels_last:  # as the extractor hands them over
        maps = [m.contiguous(memory_format=torch.channels_last) for m in maps]
    ours, grid = concat_features(maps)
    ref = reference_concat_features(maps)
    assert grid == shapes[0][1:]
    assert ours.shape == (2, shapes[0][1] * shapes[0][2], sum(s[0] for s in shapes))
    assert torch.allclose(ours, ref, atol=1e-5)


def test_concat_reference_is_the_3x3_mean_with_zero_padding_counted():
    """The reference itself, against a loop: a mean over the 3x3 neighbourhood divided by 9 at the border too
    (``nn.AvgPool2d(3, 1, 1)``), and no channel averaged with another."""
    x = torch.randn(1, 3, 5, 6)
    feats = reference_concat_features([x]).reshape(5, 6, 3)
    padded = F.pad(x[0], (1, 1, 1, 1))
    for i in range(5):
        for j in range(6):
            assert torch.allclose(feats[i, j], padded[:, i : i + 3, j : j + 3].sum((1, 2)) / 9, atol=1e-6)


def test_concat_writes_into_a_given_output_and_stays_local():
    a = torch.randn(1, 16, 10, 10)
    out = torch.full((1, 10, 10, 16), float("nan"))
    fa, _ = concat_features([a], out=out)
    assert fa.data_ptr() == out.data_ptr() and not torch.isnan(out).any()
    b = a.clone()
    b[0, :, 5, 5] += 10
    fb, _ = concat_features([b])
    changed = ((fa - fb).abs().sum(-1) > 1e-6).reshape(10, 10)
    assert changed.sum() == 9 and changed[4:7, 4:7].all()
