"""The OpenVINO backbone runtime: same maps as eager torch, any batch size, a clear fallback when it fails."""

from __future__ import annotations

import pytest
import torch
from synthetic_defects import shared_random_weights

from inspector.core.backbones import runtime
from inspector.core.backbones.build import build_feature_extractor
from inspector.core.backbones.weights import WeightsSource
from inspector.core.runtime.progress import CancelToken


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    weights = shared_random_weights(tmp_path_factory)
    ex, _ = build_feature_extractor("resnet18", ["layer2", "layer3"], WeightsSource.parse(str(weights)), 64)
    return ex


def test_openvino_maps_equal_torch_at_any_batch_size(extractor):
    pytest.importorskip("openvino")
    message = runtime.use_openvino(extractor, (64, 64))
    try:
        assert "OpenVINO" in message and runtime.runtime_name(extractor) == "openvino", message
        x = torch.randn(5, 3, 64, 64, generator=torch.Generator().manual_seed(3))
        ref = extractor.eager(x)
        for got in (extractor(x), extractor(x, cancel=CancelToken())):  # whole, and in time-sized pieces
            assert [g.shape for g in got] == [r.shape for r in ref]
            for g, r in zip(got, ref):
                assert float((g - r).abs().max()) <= 1e-4 * float(r.abs().max())
    finally:
        extractor.runner = None


def test_a_runtime_that_disagrees_leaves_torch_in_place_and_says_so(extractor, monkeypatch):
    class Wrong:
        name = "wrong"

        def __init__(self, ex, size, threads=None):
            pass

        def __call__(self, x):
            return [m + 1.0 for m in extractor.eager(x)]

    monkeypatch.setattr(runtime, "OpenVinoRunner", Wrong)
    message = runtime.use_openvino(extractor, (64, 64))
    assert extractor.runner is None and "differs from torch" in message

    def broken(*args, **kwargs):
        raise RuntimeError("cannot convert operator X")

    monkeypatch.setattr(runtime, "OpenVinoRunner", broken)
    message = runtime.use_openvino(extractor, (64, 64))
    assert extractor.runner is None and "cannot convert operator X" in message
    assert runtime.runtime_name(extractor) == "torch eager"
