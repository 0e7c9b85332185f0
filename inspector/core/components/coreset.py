"""Approximate greedy coreset subsampling (PatchCore, Roth et al. 2022, Sec. 3.2; the official
``ApproximateGreedyCoresetSampler``).

Greedy k-center (minimax facility location) over the memory bank, made affordable as in the paper:
1. project the features ``[N, D]`` to ``projection_dim`` (128) dimensions with a random linear map
   (Johnson-Lindenstrauss), seeded;
2. start from each point's mean distance to ``start_points`` (10) random points;
3. repeatedly take the point farthest from the chosen set and lower every point's min-distance.

Step 3 never forms an ``N x N`` matrix. On the CPU it is also pruned exactly (as in Elkan's k-means):
every point remembers the chosen centre ``a(x)`` nearest to it. A new centre ``c`` can only lower a point's
min-distance ``u(x)`` if ``|c - a(x)| < 2 u(x)`` (triangle inequality), so each iteration computes the
distances from ``c`` to the ``k`` centres so far, and exact distances only for the points that pass that
test; everything else is one cheap pass over ``N`` integers. The selection is the same as the plain loop's
(up to ties between equal floats). On a GPU the plain loop is used: it is fast there.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import InvalidInput
from ..runtime.progress import CancelToken, ProgressFn, checkpoint, no_progress


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
    device: torch.device | str | None = None,
) -> np.ndarray:
    """Select a coreset of ``features`` ``[N, D]``; returns the chosen row indices ``[k]`` in selection order.

    The projection runs where ``features`` are; the selection on ``device`` (default: the same place).

    ``progress("coreset", i, k)`` is called as points are chosen and ``cancel`` is checked every iteration,
    so a cancelled selection stops within milliseconds by raising ``Cancelled``.
    """
    z = random_projection(features, projection_dim, seed)
    return select_coreset(z, coreset_size(len(z), ratio), start_points=start_points, seed=seed,
                          progress=progress, cancel=cancel, device=device)


def select_coreset(
    z: torch.Tensor,
    k: int,
    *,
    start_points: int = 10,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    device: torch.device | str | None = None,
) -> np.ndarray:
    """Steps 2-3 on already projected points ``z`` ``[N, d]``: the indices ``[k]`` of the chosen points."""
    n = z.shape[0]
    if k >= n:
        progress("coreset", n, n)
        return np.arange(n)
    if device is not None:
        z = z.to(device)
    mind = _start_distances(z, start_points, seed)
    if z.device.type == "cpu":
        return _greedy_pruned(z.numpy(), mind.numpy(), k, progress, cancel)
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
        checkpoint(cancel)  # every iteration: an Event check costs ~50 ns
        if i % every == 0:
            progress("coreset", i, k)
    progress("coreset", k, k)
    return chosen.cpu().numpy()


def _principal_axes(z: np.ndarray) -> np.ndarray:
    """Rotate centred ``z`` ``[N, d]`` onto its principal axes (orthogonal: all distances are unchanged)."""
    mean = z.mean(axis=0, dtype=np.float64)
    cov = np.zeros((z.shape[1], z.shape[1]))
    for i in range(0, len(z), 32768):  # float64 accumulation without a float64 copy of all of z
        chunk = z[i : i + 32768].astype(np.float64)
        cov += chunk.T @ chunk
    cov = cov / len(z) - np.outer(mean, mean)
    _, vecs = np.linalg.eigh(cov)
    rot = vecs[:, ::-1].astype(np.float32)  # largest variance first
    return np.ascontiguousarray((z - mean.astype(np.float32)) @ rot)


def _greedy_pruned(
    z: np.ndarray,
    mind0: np.ndarray,
    k: int,
    progress: ProgressFn,
    cancel: CancelToken | None,
    low_dims: int = 16,
) -> np.ndarray:
    """Greedy k-center with triangle-inequality pruning; exact, see the module docstring.

    ``z`` ``[N, d]`` projected features, ``mind0`` ``[N]`` start distances; returns ``[k]`` indices.
    Distances are first bounded from below on the ``low_dims`` leading principal coordinates (a distance
    over some coordinates of an orthonormal basis never exceeds the full one); the full ``d`` coordinates
    are read only where that bound cannot settle the question.
    """
    n, d = z.shape
    z = _principal_axes(z)
    lo = min(low_dims, d)
    z_lo = np.ascontiguousarray(z[:, :lo])
    mind = np.array(mind0, dtype=np.float32)
    # assign[x] = slot of the centre nearest to x; slot 0 is the start "anchor" (the mean distance), which is
    # no point, so its distance to any new centre is kept at 0: points still assigned to it are always checked.
    assign = np.zeros(n, dtype=np.int32)
    centres = np.zeros((k + 1, d), dtype=np.float32)
    centres_lo = np.zeros((k + 1, lo), dtype=np.float32)
    reach = np.zeros(k + 1, dtype=np.float32)  # upper bound of 2 u(x) over each centre's points
    to_centre = np.zeros(k + 1, dtype=np.float32)  # lower bound of |c - centre| for the newest c
    # |c - a(x)| < 2 u(x), with a small margin so that float rounding never prunes a point that could improve
    grow = np.float32(2.0 * (1.0 + 1e-4))
    limit = grow * mind + 1e-6
    chosen = np.empty(k, dtype=np.int64)
    every = _report_every(k)
    for i in range(k):
        j = int(np.argmax(mind))
        chosen[i] = j
        c, c_lo = z[j], z_lo[j]
        if i:
            bound = _distances(centres_lo[1 : i + 1], c_lo)
            close = np.flatnonzero(bound < reach[1 : i + 1])
            bound[close] = _distances(centres[1 + close], c)
            to_centre[1 : i + 1] = bound
        centres[i + 1], centres_lo[i + 1] = c, c_lo
        cand = np.flatnonzero(to_centre[assign] < limit)
        cand = cand[_distances(z_lo[cand], c_lo) < mind[cand]]
        dist = _distances(z[cand], c)
        better = dist < mind[cand]
        upd, new = cand[better], dist[better]
        mind[upd] = new
        limit[upd] = grow * new + 1e-6
        assign[upd] = i + 1
        reach[i + 1] = limit[upd].max() if len(upd) else 1e-6
        checkpoint(cancel)  # every iteration: an Event check costs ~50 ns
        if i % every == 0:
            progress("coreset", i, k)
    progress("coreset", k, k)
    return chosen


def _distances(points: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Euclidean distances of ``points`` ``[m, d]`` to ``c`` ``[d]``."""
    diff = points - c
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))
