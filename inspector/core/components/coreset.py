"""Approximate greedy coreset subsampling (PatchCore, Roth et al. 2022, Sec. 3.2; the official
``ApproximateGreedyCoresetSampler``).

Greedy k-center (minimax facility location) over the memory bank, made affordable as in the paper:
1. project the features ``[N, D]`` to ``projection_dim`` (128) dimensions with a random linear map
   (Johnson-Lindenstrauss), seeded;
2. start from each point's mean distance to ``start_points`` (10) random points;
3. repeatedly take the point farthest from the chosen set and lower every point's min-distance.

Step 3 never forms an ``N x N`` matrix, and its floor is one read of the projected bank per chosen point.
On the CPU a compiled loop (``coreset_kernels``, numba) reaches it: one fused pass per pick computes the
distances, lowers the min-distances in place and finds the next farthest point, threaded over row blocks.
On top of that, blocks are pruned exactly: every few picks the rows are regrouped by the chosen point nearest
to them (its Voronoi cell, in shells of distance), so a block lies within a known radius of a known point and
the triangle inequality tells when none of its rows can get closer to the new centre; such blocks are not
read. The bound costs one ``d``-vector distance per block of 256 rows, so no data set is slower than the
fused pass, and skipped rows are only rows that would not have changed: the selection is the unpruned
pass's, which is the plain loop's up to ties between equal floats (the tests compare them index for index).
The projection stays float32. Storing it in float16 would halve the bytes per pick, but it changes the selection
itself, not only ties: rounding the projected bank to float16 and back moved the first pick that differs to
pick 170 on bottle and pick 21 on bsdata_pitting. From there on, at 1 % only 54 % and 46 % of the picks agree
index for index (99.6 % of the set is shared), and at 10 % 10 % and 7 % agree (98 % and 92 % of the set).
Without numba the fused pass is one BLAS matrix-vector product per pick. On a GPU the same product runs as a
few kernels per pick with no host synchronisation except the cancel check every 64 picks.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from ..errors import InvalidInput
from ..runtime.progress import CancelToken, ProgressFn, checkpoint, no_progress

try:  # the compiled loop; without numba the BLAS matrix-vector loop does the same, somewhat slower
    from . import coreset_kernels as kernels
except Exception:  # pragma: no cover - numba missing, or unable to compile/cache here (a frozen app)
    kernels = None


def coreset_size(n: int, ratio: float) -> int:
    """Number of points kept for a ``ratio`` in (0, 1] of ``n`` points (at least 1)."""
    if not 0.0 < ratio <= 1.0:
        raise InvalidInput(f"coreset ratio must be in (0, 1], got {ratio}")
    return max(1, min(n, int(n * ratio)))


def projection_matrix(d: int, dim: int, seed: int) -> torch.Tensor:
    """A seeded random ``[d, dim]`` map, uniform in +-1/sqrt(d) (like ``nn.Linear``'s default init)."""
    gen = torch.Generator().manual_seed(seed)
    bound = 1.0 / math.sqrt(d)
    return (torch.rand(d, dim, generator=gen) * 2 - 1) * bound


def random_projection(features: torch.Tensor, dim: int, seed: int) -> torch.Tensor:
    """``[N, D] -> [N, dim]`` with ``projection_matrix(D, dim, seed)``; unchanged (as float32) when ``D <= dim``."""
    n, d = features.shape
    if d <= dim:
        return features.float()
    weight = projection_matrix(d, dim, seed).to(features.device)
    out = torch.empty(n, dim, dtype=torch.float32, device=features.device)
    step = 65536
    for i in range(0, n, step):  # chunks keep the temporaries small
        out[i : i + step] = features[i : i + step].float() @ weight
    return out


def _start_distances(z: torch.Tensor, start_points: int, seed: int) -> torch.Tensor:
    """Each point's mean Euclidean distance to ``start_points`` random points: ``[N]``.

    In chunks of ``_CHUNK_ROWS`` rows: ``cdist`` of the whole bank at once held two more bank-sized temporaries
    (its matrix-product form augments the rows), 320 MB at the peak of a 400-image fit; each row's distances
    depend only on that row, so the result is the same to the bit."""
    gen = torch.Generator().manual_seed(seed + 1)
    starts = torch.randperm(z.shape[0], generator=gen)[: min(start_points, z.shape[0])].to(z.device)
    points = z[starts]
    out = torch.empty(z.shape[0], dtype=z.dtype, device=z.device)
    for i in range(0, z.shape[0], _CHUNK_ROWS):
        out[i : i + _CHUNK_ROWS] = torch.cdist(z[i : i + _CHUNK_ROWS], points).mean(dim=1)
    return out


_CHUNK_ROWS = 16384  # [16384, d + 2] float32 temporaries: ~8.5 MB at d = 128


def greedy_coreset(
    features: torch.Tensor,
    ratio: float,
    *,
    projection_dim: int = 128,
    start_points: int = 10,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    device: torch.device | str | None = None,
) -> np.ndarray:
    """Select a coreset of ``features`` ``[N, D]``; returns the chosen row indices ``[k]`` in selection order.

    The projection runs where ``features`` are; the selection on ``device`` (default: the same place).

    ``progress("coreset", i, k)`` is called as points are chosen and ``cancel`` is checked every ~50 ms,
    so a cancelled selection stops within a fraction of a second by raising ``Cancelled``.
    """
    z = random_projection(features, projection_dim, seed)
    return select_coreset(z, coreset_size(len(z), ratio), start_points=start_points, seed=seed,
                          progress=progress, cancel=cancel, device=device,
                          consume=z.data_ptr() != features.data_ptr())  # a projection of our own


def select_coreset(
    z: torch.Tensor,
    k: int,
    *,
    start_points: int = 10,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    device: torch.device | str | None = None,
    consume: bool = False,
) -> np.ndarray:
    """Steps 2-3 on already projected points ``z`` ``[N, d]``: the indices ``[k]`` of the chosen points.

    ``consume=True``: the caller no longer needs ``z`` (on the CPU, its rows are reordered in place instead of
    copied: the selection holds one copy of the projected bank, not two)."""
    n = z.shape[0]
    if k >= n:
        progress("coreset", n, n)
        return np.arange(n)
    if device is not None:
        z = z.to(device)
    mind = _start_distances(z, start_points, seed)
    if z.device.type != "cpu":
        return _greedy_device(z, mind, k, progress, cancel)
    if kernels is None:
        return _greedy_matvec(z.numpy(), mind.numpy(), k, progress, cancel)
    return _greedy_blocks(z.numpy(), mind.numpy(), k, progress, cancel, owned=consume)


def warm_up() -> None:
    """Load the compiled loop now (its machine code from numba's cache, or compiled on a first run) and start
    its thread pool: about a second that holds the interpreter. The app calls this while the start screen
    shows, so the first training does not freeze the window for it."""
    if kernels is not None:
        select_coreset(torch.randn(600, 8, generator=torch.Generator().manual_seed(0)), 4)


LAST_RUN: dict = {}  # what the last CPU selection did ({"blocks": {"rows_read", "n", "k", "regroups"}}): for benchmarks


class _Pacer:
    """Sizes chunks of picks so that progress and the cancel check come about every ``seconds`` (and at
    least every 1 % of the ``k`` picks)."""

    def __init__(self, k: int, seconds: float = 0.05):
        self.seconds, self.step, self.most, self._t = seconds, 1, max(1, k // 100), None

    def next(self) -> int:
        now = time.perf_counter()
        if self._t is not None:
            took = max(now - self._t, 1e-6)
            self.step = int(min(max(1.0, self.step * self.seconds / took), 4.0 * self.step, self.most))
        self._t = now
        return self.step


def _greedy_plain(z: torch.Tensor, mind: torch.Tensor, k: int) -> np.ndarray:
    """The official (and anomalib's) loop, as written there: every pick recomputes all ``N`` distances with
    temporaries. The reference the tests and the benchmark compare with; not used by the models."""
    chosen = np.empty(k, dtype=np.int64)
    for i in range(k):
        idx = torch.argmax(mind)
        chosen[i] = int(idx)
        mind = torch.minimum(mind, torch.linalg.vector_norm(z - z[idx], dim=1))
    return chosen


def _greedy_blocks(
    z: np.ndarray,
    mind0: np.ndarray,
    k: int,
    progress: ProgressFn,
    cancel: CancelToken | None,
    *,
    prune: bool = True,
    threads: int | None = None,
    block_rows: int = 256,
    min_cell_rows: int = 64,
    give_up: float = 0.6,
    owned: bool = False,
) -> np.ndarray:
    """Fused, block-pruned greedy loop (numba); ``z`` ``[N, d]``, ``mind0`` ``[N]``; returns ``[k]`` indices.

    ``prune=False`` runs the fused pass over every block (the reference for the pruning). The blocks are
    regrouped into Voronoi cells after 16, 32, 64, ... picks while cells average at least ``min_cell_rows``;
    from 256 picks on, if more than ``give_up`` of the rows were still read since the last regrouping, the
    bounds are dropped and the rest runs as the fused pass (measured on bsdata_pitting at 0.5 %: 72 % of the
    rows read, 23 % slower than the fused pass; on bottle at 1 %: 30 % read, faster).
    ``owned``: ``z`` may be reordered in place (else it is copied once, at the first regrouping).
    """
    n, d = z.shape
    given = z
    z = np.ascontiguousarray(z, dtype=np.float32)
    owned = (owned and z is given) or not np.shares_memory(z, given)  # a converted copy is ours anyway
    orig = np.arange(n, dtype=np.int64)
    mind = np.square(mind0, dtype=np.float32)
    assign = np.full(n, -1, dtype=np.int32)
    starts = np.append(np.arange(0, n, block_rows), n).astype(np.int64)
    pivots = np.zeros((len(starts) - 1, d), dtype=np.float32)
    radius = np.full(len(starts) - 1, -1.0, dtype=np.float32)
    inner = np.zeros(len(starts) - 1, dtype=np.float32)
    block_max = np.empty(len(starts) - 1, dtype=np.float32)
    block_arg = np.empty(len(starts) - 1, dtype=np.int64)
    kernels.block_maxima(mind, orig, starts, block_max, block_arg)
    picked = np.empty((k, d), dtype=np.float32)
    chosen = np.empty(k, dtype=np.int64)
    cur = int(np.argmax(mind))
    regroup = 16 if prune else k + 1
    pacer = _Pacer(k)
    done = 0
    stats = LAST_RUN.setdefault("blocks", {})
    stats.update(rows_read=0, n=n, k=k, regroups=0, gave_up_at=None)
    since = [0, 0]  # rows read and picks since the last regrouping
    while done < k:
        stop = min(k, done + pacer.next(), regroup if regroup > done else k)
        cur, rows = kernels.run_parallel(kernels.greedy_picks, z, orig, mind, assign, starts, pivots, inner, radius, block_max,
                                         block_arg, picked, chosen, done, stop, cur, threads=threads)
        since = [since[0] + rows, since[1] + stop - done]
        done = stop
        stats["rows_read"] += rows
        checkpoint(cancel)
        progress("coreset", done, k)
        if done == regroup and done < k and done >= 256 and since[0] > give_up * n * since[1]:
            # skipping blocks costs streaming speed: when more than ``give_up`` of the rows are read anyway
            # (data without tight cells), the plain fused pass over the same blocks is faster
            radius[:] = -1.0
            stats["gave_up_at"], regroup = done, k + 1
        if done == regroup and done < k:
            since = [0, 0]
            if not owned:
                z, owned = z.copy(), True
            orig, mind, assign, cur, (starts, pivots, inner, radius) = _regroup(z, orig, mind, assign, cur, picked, block_rows)
            block_max = np.empty(len(starts) - 1, dtype=np.float32)
            block_arg = np.empty(len(starts) - 1, dtype=np.int64)
            kernels.block_maxima(mind, orig, starts, block_max, block_arg)
            stats["regroups"] += 1
            regroup = 2 * done if 2 * done * min_cell_rows <= n else k + 1
    progress("coreset", k, k)
    return chosen


def _regroup(z, orig, mind, assign, cur, picked, block_rows):
    """Reorder the rows of ``z`` (in place) by their nearest chosen point, then by distance to it, and cut blocks
    of at most ``block_rows`` rows within each cell (shells): (orig, mind, assign, cur reordered, (starts
    ``[B + 1]``, pivots ``[B, d]``, inner and outer radii ``[B]``))."""
    order = np.lexsort((mind, assign))
    where = np.empty_like(order)
    where[order] = np.arange(len(order))
    kernels.permute_rows(z, order)
    orig, mind, assign = orig[order], mind[order], assign[order]
    cells = np.concatenate(([0], np.flatnonzero(assign[1:] != assign[:-1]) + 1, [len(z)]))
    sizes = np.diff(cells)
    pieces = -(-sizes // block_rows)
    starts = np.concatenate([lo + (np.arange(m) * size) // m for lo, size, m in zip(cells[:-1], sizes, pieces)])
    starts = np.append(starts, len(z)).astype(np.int64)
    last = starts[1:] - 1
    owner = assign[starts[:-1]]
    radius = np.where(owner >= 0, np.sqrt(mind[last]), -1.0).astype(np.float32)  # rows sorted by distance
    inner = np.sqrt(mind[starts[:-1]]).astype(np.float32)
    pivots = np.where((owner >= 0)[:, None], picked[np.maximum(owner, 0)], 0.0).astype(np.float32)
    return orig, mind, assign, int(where[cur]), (starts, pivots, inner, radius)


def _greedy_matvec(
    z: np.ndarray, mind0: np.ndarray, k: int, progress: ProgressFn, cancel: CancelToken | None
) -> np.ndarray:
    """Fused loop without numba: ``|x|^2 - 2 x.c + |c|^2`` with one BLAS matrix-vector product per pick."""
    z = np.asarray(z, dtype=np.float32)
    z = z - z.mean(axis=0, dtype=np.float64).astype(np.float32)  # centred: less cancellation in the expansion
    norms = np.einsum("ij,ij->i", z, z)
    mind = np.square(mind0, dtype=np.float32)
    buf = np.empty_like(mind)
    chosen = np.empty(k, dtype=np.int64)
    every = max(1, k // 200)
    for i in range(k):
        j = int(np.argmax(mind))
        chosen[i] = j
        np.dot(z, z[j], out=buf)
        buf *= -2.0
        buf += norms
        buf += norms[j]
        np.minimum(mind, buf, out=mind)
        if i % every == 0:
            checkpoint(cancel)
            progress("coreset", i, k)
    progress("coreset", k, k)
    return chosen


def _greedy_device(
    z: torch.Tensor, mind0: torch.Tensor, k: int, progress: ProgressFn, cancel: CancelToken | None, check_every: int = 64
) -> np.ndarray:
    """The fused loop for a GPU: ``|x|^2 - 2 x.c + |c|^2`` in preallocated buffers, a few kernels per pick and
    no host synchronisation (the argmax stays on the device) except the cancel check every ``check_every``."""
    z = z - z.mean(dim=0)  # centred: less cancellation in the expansion
    norms = torch.einsum("ij,ij->i", z, z)
    mind = mind0.float().square()
    buf = torch.empty_like(mind)
    chosen = torch.empty(k, dtype=torch.long, device=z.device)
    idx = torch.argmax(mind).view(1)
    for i in range(k):
        chosen[i : i + 1] = idx
        torch.addmv(norms, z, z.index_select(0, idx).view(-1), alpha=-2.0, out=buf)
        buf += norms.index_select(0, idx)
        torch.minimum(mind, buf, out=mind)
        idx = torch.argmax(mind).view(1)
        if i % check_every == 0:
            checkpoint(cancel)
            progress("coreset", i, k)
    progress("coreset", k, k)
    return chosen.cpu().numpy()
