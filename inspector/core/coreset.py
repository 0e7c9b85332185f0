"""Approximate greedy coreset subsampling (PatchCore, Roth et al. 2022, Sec. 3.2; the official ``ApproximateGreedyCoresetSampler``).

Greedy k-center (minimax facility location) over the memory bank, made affordable as in the paper:
1. project the features ``[N, D]`` to ``projection_dim`` (128) dimensions with a random linear map
   (Johnson-Lindenstrauss), seeded;
2. start from each point's mean distance to ``start_points`` (10) random points;
3. repeatedly take the point farthest from the chosen set and lower every point's min-distance.

Step 3 never forms an ``N x N`` matrix. On the CPU it is also pruned exactly: the projected points are
split once into small blocks, each with a bounding ball (centre, radius) and the largest min-distance in
it. A new centre ``c`` can only lower a point's min-distance if ``|c - centre| - radius`` is below that
block's largest min-distance (triangle inequality), so only those blocks are visited. The selection is the
same as the plain loop's (up to ties between equal floats); as the chosen set grows, most blocks are skipped.
On a GPU the plain loop is used: it is fast there.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .progress import CancelToken, ProgressFn, checkpoint, no_progress


def coreset_size(n: int, ratio: float) -> int:
    """Number of points kept for a ``ratio`` in (0, 1] of ``n`` points (at least 1)."""
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"coreset ratio must be in (0, 1], got {ratio}")
    return max(1, min(n, int(n * ratio)))


def random_projection(features: torch.Tensor, dim: int, seed: int) -> torch.Tensor:
    """``[N, D] -> [N, dim]`` with a seeded random linear map (uniform +-1/sqrt(D), like ``nn.Linear``'s init).

    Returns the features unchanged when ``D <= dim``.
    """
    n, d = features.shape
    if d <= dim:
        return features.float()
    gen = torch.Generator().manual_seed(seed)
    bound = 1.0 / math.sqrt(d)
    weight = (torch.rand(d, dim, generator=gen) * 2 - 1) * bound
    weight = weight.to(features.device)
    out = torch.empty(n, dim, dtype=torch.float32, device=features.device)
    step = 65536
    for i in range(0, n, step):  # chunks keep the float32 temporaries small when the bank is float16
        out[i : i + step] = features[i : i + step].float() @ weight
    return out


def _start_distances(z: torch.Tensor, start_points: int, seed: int) -> torch.Tensor:
    """Each point's mean Euclidean distance to ``start_points`` random points: ``[N]``."""
    gen = torch.Generator().manual_seed(seed + 1)
    starts = torch.randperm(z.shape[0], generator=gen)[: min(start_points, z.shape[0])].to(z.device)
    return torch.cdist(z, z[starts]).mean(dim=1)


def greedy_coreset(
    features: torch.Tensor,
    ratio: float,
    *,
    projection_dim: int = 128,
    start_points: int = 10,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    leaf_size: int = 256,
) -> np.ndarray:
    """Select a coreset of ``features`` ``[N, D]``; returns the chosen row indices ``[k]`` in selection order.

    ``progress("coreset", i, k)`` is called as points are chosen and ``cancel`` is checked every iteration,
    so a cancelled selection stops within milliseconds by raising ``Cancelled``.
    """
    n = features.shape[0]
    k = coreset_size(n, ratio)
    if k >= n:
        progress("coreset", n, n)
        return np.arange(n)
    z = random_projection(features, projection_dim, seed)
    mind = _start_distances(z, start_points, seed)
    if z.device.type == "cpu":
        return _greedy_pruned(z.numpy(), mind.numpy(), k, leaf_size, progress, cancel)
    return _greedy_dense(z, mind, k, progress, cancel)


def _report_every(k: int) -> int:
    return max(1, k // 200)


def _greedy_dense(
    z: torch.Tensor, mind: torch.Tensor, k: int, progress: ProgressFn, cancel: CancelToken | None
) -> np.ndarray:
    """The plain loop: every iteration updates all ``N`` min-distances (used on GPUs)."""
    chosen = torch.empty(k, dtype=torch.long, device=z.device)
    every = _report_every(k)
    for i in range(k):
        idx = torch.argmax(mind)
        chosen[i] = idx
        mind = torch.minimum(mind, torch.linalg.vector_norm(z - z[idx], dim=1))
        if i % every == 0:
            checkpoint(cancel)
            progress("coreset", i, k)
    progress("coreset", k, k)
    return chosen.cpu().numpy()


def _split_blocks(z: np.ndarray, leaf_size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Recursively halve the points along their principal direction until blocks hold <= ``leaf_size``.

    Returns ``order`` (a permutation of ``N``; each block is a contiguous run of it) and ``bounds``
    (``[n_blocks + 1]`` offsets into ``order``).
    """
    rng = np.random.default_rng(seed)
    done: list[np.ndarray] = []
    stack = [np.arange(z.shape[0])]
    while stack:
        idx = stack.pop()
        if len(idx) <= leaf_size:
            done.append(idx)
            continue
        pts = z[idx]
        centred = pts - pts.mean(axis=0)
        v = rng.standard_normal(z.shape[1]).astype(np.float32)
        for _ in range(3):  # power iteration: a good enough principal direction
            v = centred.T @ (centred @ v)
            v /= np.linalg.norm(v) + 1e-12
        proj = centred @ v
        half = len(idx) // 2
        part = np.argpartition(proj, half)
        stack.append(idx[part[half:]])
        stack.append(idx[part[:half]])
    order = np.concatenate(done)
    bounds = np.zeros(len(done) + 1, dtype=np.int64)
    bounds[1:] = np.cumsum([len(b) for b in done])
    return order, bounds


def _greedy_pruned(
    z: np.ndarray,
    mind0: np.ndarray,
    k: int,
    leaf_size: int,
    progress: ProgressFn,
    cancel: CancelToken | None,
) -> np.ndarray:
    """Greedy k-center with block pruning; exact, see the module docstring."""
    order, bounds = _split_blocks(z, leaf_size)
    zs = np.ascontiguousarray(z[order])
    mind = np.ascontiguousarray(mind0[order], dtype=np.float32)
    starts, lengths = bounds[:-1], np.diff(bounds)
    centres = np.add.reduceat(zs, starts, axis=0) / lengths[:, None]
    block_of = np.repeat(np.arange(len(starts)), lengths)
    radius = np.zeros(len(starts), dtype=np.float32)
    np.maximum.at(radius, block_of, np.linalg.norm(zs - centres[block_of], axis=1))
    radius *= 1.0001  # float32 rounding must never make the bound too tight
    block_max = np.maximum.reduceat(mind, starts)

    chosen = np.empty(k, dtype=np.int64)
    every = _report_every(k)
    for i in range(k):
        b = int(np.argmax(block_max))
        s, e = bounds[b], bounds[b + 1]
        j = s + int(np.argmax(mind[s:e]))
        chosen[i] = order[j]
        c = zs[j]
        diff = centres - c
        lower = np.sqrt(np.einsum("ij,ij->i", diff, diff)) - radius
        touched = np.flatnonzero(lower < block_max)
        t_len = lengths[touched]
        offsets = np.cumsum(t_len) - t_len
        idx = np.repeat(starts[touched] - offsets, t_len) + np.arange(int(t_len.sum()))
        diff = zs[idx] - c
        dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        new = np.minimum(mind[idx], dist)
        mind[idx] = new
        block_max[touched] = np.maximum.reduceat(new, offsets)
        if i % every == 0:
            checkpoint(cancel)
            progress("coreset", i, k)
    progress("coreset", k, k)
    return chosen
