"""Split a batch into pieces sized by measured time, with a cancel check between them.

A batch of 8 images through a large backbone takes seconds on a small CPU (wide_resnet50_2: ~3 s on 2 cores),
so checking the cancel token once per batch answers late. ``TimedSplit`` runs the first piece as a single
item, measures it, and from then on sizes the pieces to take about ``seconds`` each; the token is checked
before every piece. Without a token the batch runs whole (nothing to answer, and batching is fastest).
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, Sequence

import torch

from .progress import CancelToken, checkpoint


class TimedSplit:
    """``run(fn, x, cancel)`` = ``fn(x)`` for ``x`` ``[b, ...]``, computed in time-sized pieces along dim 0.

    ``fn`` returns a tensor ``[b, ...]`` or a list/tuple of them; the pieces' outputs are concatenated.
    """

    def __init__(self, seconds: float = 0.3):
        self.seconds = seconds
        self.per_item: float | None = None  # seconds per item, last measured

    def piece(self, left: int) -> int:
        """Items in the next piece, of ``left`` still to do."""
        if self.per_item is None:
            return 1
        step = max(1, int(self.seconds / max(self.per_item, 1e-9)))
        return left if left <= 1.25 * step else step  # no small remainder piece (batches run faster whole)

    def slices(self, n: int, cancel: CancelToken | None) -> Iterator[slice]:
        """Slices covering ``range(n)`` in time-sized pieces, the token checked before each and after the last.

        The caller does one piece's work between two ``next()`` calls; that time sizes the following pieces.
        Without a token: one slice of everything."""
        if cancel is None:
            yield slice(0, n)
            return
        i = 0
        while i < n:
            checkpoint(cancel)
            step = self.piece(n - i)
            t0 = time.perf_counter()
            yield slice(i, i + step)
            self.per_item = (time.perf_counter() - t0) / step
            i += step
        checkpoint(cancel)

    def run(self, fn: Callable[[torch.Tensor], object], x: torch.Tensor, cancel: CancelToken | None):
        if cancel is None:
            return fn(x)
        outs = [fn(x[s]) for s in self.slices(len(x), cancel)]
        return outs[0] if len(outs) == 1 else _concat(outs)


def _concat(outs: Sequence[object]):
    first = outs[0]
    if isinstance(first, torch.Tensor):
        return torch.cat(list(outs))
    return type(first)(torch.cat(list(parts)) for parts in zip(*outs))
