"""The first use of an input size compiles the backbone (seconds, no token checked): a cancel still answers."""

from __future__ import annotations

import threading
from collections import OrderedDict

import pytest
import torch
from torch import nn

from inspector.core.backbones.extractor import FeatureExtractor
from inspector.core.runtime.progress import Cancelled, CancelToken


class _SlowCompileRunner:
    """Stands in for the OpenVINO runner: ``compile(size)`` blocks until released, then runs eager torch."""

    def __init__(self, extractor: FeatureExtractor):
        self.extractor = extractor
        self.compiled: dict = {}
        self.release, self.finished = threading.Event(), threading.Event()

    def compile(self, size):
        self.release.wait(30)
        self.compiled[size] = "compiled"
        self.finished.set()
        return "compiled"

    def __call__(self, x):
        self.compile((int(x.shape[-2]), int(x.shape[-1])))
        return self.extractor.eager(x)


def _extractor() -> FeatureExtractor:
    model = nn.Sequential(OrderedDict(layer1=nn.Conv2d(3, 4, 3, padding=1), layer2=nn.Conv2d(4, 4, 3, stride=2)))
    return FeatureExtractor(model, ["layer2"])


def test_a_cancel_while_a_new_input_size_compiles_is_answered_before_the_compile_ends():
    extractor = _extractor()
    runner = extractor.runner = _SlowCompileRunner(extractor)
    token = CancelToken()
    threading.Timer(0.1, token.cancel).start()
    with pytest.raises(Cancelled):
        extractor(torch.zeros(2, 3, 16, 16), cancel=token)
    assert not runner.finished.is_set()  # answered while compiling; the compile finishes on its own
    runner.release.set()
    assert runner.finished.wait(30) and (16, 16) in runner.compiled
    maps = extractor(torch.zeros(2, 3, 16, 16), cancel=CancelToken())  # compiled now: runs at once
    assert maps[0].shape == (2, 4, 7, 7)


class _SlowCompileHeadRunner(_SlowCompileRunner):
    """The same with the extractor's head compiled into the graph: ``features(x)`` compiles, then runs it."""

    def __init__(self, extractor: FeatureExtractor):
        super().__init__(extractor)
        self.head = extractor.head

    def __call__(self, x):
        return self.extractor.eager(x)

    def features(self, x):
        self.compile((int(x.shape[-2]), int(x.shape[-1])))
        return self.head(self.extractor.eager(x))


class _Sum(nn.Module):
    def forward(self, maps):
        return maps[0].sum(dim=1)


def test_a_cancel_while_the_features_graph_compiles_is_answered_before_the_compile_ends():
    extractor = _extractor()
    extractor.head = _Sum()
    runner = extractor.runner = _SlowCompileHeadRunner(extractor)
    token = CancelToken()
    threading.Timer(0.1, token.cancel).start()
    with pytest.raises(Cancelled):
        extractor.features(torch.zeros(2, 3, 16, 16), cancel=token)
    assert not runner.finished.is_set()
    runner.release.set()
    assert runner.finished.wait(30)
    assert extractor.features(torch.zeros(2, 3, 16, 16), cancel=CancelToken()).shape == (2, 7, 7)
