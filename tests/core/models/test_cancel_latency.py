"""Cancelling a fit answers within 1 s even when one batch through the backbone takes seconds."""

from __future__ import annotations

import threading
import time

import pytest
import torch
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


def _patchcore(weights) -> PatchCore:
    return PatchCore(PatchCoreConfig(backbone="resnet18", layers=["layer2", "layer3"], weights=weights, resize=64,
                                     crop=64, device="cpu", batch_size=8, coreset_ratio=0.5))


def test_a_cancel_during_scoring_stops_before_the_next_piece_of_the_batch(weights, images):
    model = _patchcore(weights)
    model.fit(images)
    real = model.predict_views
    calls: list[int] = []
    token = CancelToken()

    def predict_views(batch, valid, cancel=None):
        calls.append(len(batch))
        token.cancel()  # set while the first piece (backbone, search, maps) is scored
        return real(batch, valid, cancel=cancel)

    model.predict_views = predict_views
    with pytest.raises(Cancelled):
        list(model.predict(images[:8], cancel=token))
    assert calls == [1]  # the rest of the batch of 8 never started
    calls.clear()
    assert len(list(model.predict(images[:8]))) == 8 and calls == [8]  # without a token: the batch whole


def test_a_cancel_during_the_features_of_a_piece_stops_before_the_next_and_keeps_the_model(weights, images):
    model = _patchcore(weights)
    model.fit(images)
    before = model.memory_bank.clone()
    real = model.embed
    calls: list[int] = []
    token = CancelToken()

    def embed(batch, cancel=None, **kw):
        calls.append(len(batch))
        token.cancel()  # set during the first piece's features; the aggregation and spill of the rest never run
        return real(batch, cancel=None, **kw)

    model.embed = embed
    with pytest.raises(Cancelled):
        model.fit(images, cancel=token)
    assert calls == [1] and torch.equal(model.memory_bank, before)


def test_closing_the_frames_early_drops_the_images_not_yet_decoded(monkeypatch, images):
    from inspector.core.io.geometry import Geometry
    from inspector.core.models import framing

    decoded: list[str] = []
    real = framing.read_image_at

    def read(path, size):
        time.sleep(0.02)
        decoded.append(path.name)
        return real(path, size)

    monkeypatch.setattr(framing, "read_image_at", read)
    frames = framing.iter_frame_groups(images, Geometry(kind="center-crop", resize=64, crop=64), None, 4, [],
                                       workers=1)
    next(frames)  # the first group of 4; the next 4 are queued behind it
    frames.close()  # a cancel: only the image being decoded is waited for
    assert len(decoded) <= 4 + 1 < len(images)
