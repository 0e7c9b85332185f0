"""Time-sized pieces with a cancel check between them: a slow batch answers a cancel within a fraction of it."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from inspector.core.runtime.pacing import TimedSplit
from inspector.core.runtime.progress import Cancelled, CancelToken


def _slow(seconds_per_item: float, calls: list[int]):
    def fn(x: torch.Tensor) -> list[torch.Tensor]:
        calls.append(len(x))
        time.sleep(seconds_per_item * len(x))
        return [x * 2, x.sum(dim=1)]

    return fn


def test_without_a_token_the_batch_runs_whole():
    calls: list[int] = []
    x = torch.randn(8, 3)
    out = TimedSplit().run(_slow(0.0, calls), x, None)
    assert calls == [8] and torch.equal(out[0], x * 2)


def test_with_a_token_pieces_are_sized_by_time_and_concatenated():
    calls: list[int] = []
    x = torch.randn(8, 3)
    split = TimedSplit(seconds=0.25)
    out = split.run(_slow(0.1, calls), x, CancelToken())
    assert calls[0] == 1 and max(calls) <= 3 and sum(calls) == 8  # ~0.25 s pieces of 0.1 s items
    assert torch.equal(out[0], x * 2) and torch.equal(out[1], x.sum(dim=1))
    calls.clear()
    split.run(_slow(0.0, calls), torch.randn(8, 3), CancelToken())
    assert calls[-1] > 1  # fast items: bigger pieces


def test_a_slow_batch_is_cancelled_within_a_fraction_of_it():
    calls: list[int] = []
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        TimedSplit(seconds=0.3).run(_slow(0.25, calls), torch.randn(8, 3), token)  # 2 s for the whole batch
    assert time.perf_counter() - t0 < 1.0 and sum(calls) < 8
