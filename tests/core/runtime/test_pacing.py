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


def test_slices_without_a_token_are_one_piece_and_with_one_stop_before_the_next_piece():
    assert list(TimedSplit().slices(8, None)) == [slice(0, 8)]
    token = CancelToken()
    done = []
    with pytest.raises(Cancelled):
        for piece in TimedSplit().slices(8, token):
            done.append(piece)
            token.cancel()  # set during the first piece's work
    assert done == [slice(0, 1)]


def test_piece_sizes_follow_the_measured_time_without_a_small_remainder():
    split = TimedSplit(seconds=0.3)
    split.per_item = 0.099  # 3 items in 0.3 s
    assert split.piece(8) == 3 and split.piece(3) == 3 and split.piece(4) == 3
    split.per_item = 0.001
    assert split.piece(8) == 8
