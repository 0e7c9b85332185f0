"""Cancelling a fit answers within 1 s even when one batch through the backbone takes seconds."""

from __future__ import annotations

import threading
import time

import pytest
from synthetic_defects import make_images, shared_random_weights

from inspector.core.models.gaussian import GaussianConfig, GaussianModel
from inspector.core.models.padim import Padim, PadimConfig
from inspector.core.models.patchcore import PatchCore, PatchCoreConfig
from inspector.core.runtime.progress import Cancelled, CancelToken

SECONDS_PER_IMAGE = 0.3  # a batch of 8: 2.4 s, like wide_resnet50_2 on a 2-core PC


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(shared_random_weights(tmp_path_factory))


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    return make_images(tmp_path_factory.mktemp("parts") / "train", 16, 0, seed=1)[0]


def _slow_backbone(model) -> None:
    """Every image through the backbone costs ``SECONDS_PER_IMAGE`` more (a slow fake in the real path)."""
    model.extractor.model.register_forward_pre_hook(lambda mod, inp: time.sleep(SECONDS_PER_IMAGE * len(inp[0])))


@pytest.mark.parametrize("make", [
    lambda w: PatchCore(PatchCoreConfig(backbone="resnet18", layers=["layer2", "layer3"], weights=w, resize=64, crop=64,
                                        device="cpu")),
    lambda w: Padim(PadimConfig(backbone="resnet18", weights=w, resize=64, crop=64, device="cpu")),
    lambda w: GaussianModel(GaussianConfig(backbone="resnet18", weights=w, resize=64, crop=64, device="cpu")),
], ids=["patchcore", "padim", "gaussian"])
def test_cancel_during_a_slow_batch_answers_within_a_second(make, weights, images):
    model = make(weights)
    _slow_backbone(model)
    token = CancelToken()
    cancelled_at: list[float] = []

    def cancel() -> None:
        cancelled_at.append(time.perf_counter())
        token.cancel()

    timer = threading.Timer(0.5, cancel)  # in the middle of the first batch of 8 (2.4 s)
    timer.start()
    with pytest.raises(Cancelled):
        model.fit(images, cancel=token)
    assert time.perf_counter() - cancelled_at[0] < 1.0
