"""Locally aware patch features (PatchCore, Sec. 3.1; the official ``PatchMaker``/``Preprocessing``/``Aggregator``).

For each chosen layer ``[b, C_l, H_l, W_l]``:
1. the 3x3 neighbourhood of every position (unfold, stride 1, padding 1) flattened to ``C_l * 9`` values
   in (channel, row, column) order;
2. reduced to ``pretrain_dim`` by adaptive average pooling over that flattened vector (``MeanMapper``);
3. grids aligned to the first layer's by bilinear upsampling.
The layers' vectors are stacked (``[L * pretrain_dim]``) and pooled again to ``target_dim`` (``Aggregator``).

Steps 2 and the final pooling are fixed linear maps over channels, and step 3 is a linear map over
positions, so they commute. This module folds both poolings into one sparse matrix per layer
(``[target_dim, C_l * 9]``, a handful of non-zeros per row, applied as weighted gathers) at the layer's own
grid, and upsamples afterwards: the official result, with a fraction of the memory traffic.
``reference_patch_features`` is the official order of operations, kept for tests.
Output: ``[b, H_0 * W_0, target_dim]``, one vector per position of the first layer's grid.

``concat_features`` is the other aggregation (``feature_aggregation = "concat"``, anomalib's PatchCore): each
layer's map is averaged over 3x3 neighbourhoods (``avg_pool2d``, stride 1, zero padding counted, as
``nn.AvgPool2d(3, 1, 1)``), brought to the first layer's grid (bilinear, ``align_corners=False``) and the layers'
channels are concatenated: ``sum(C_l)`` dimensions (128 + 256 = 384 for resnet18 layer2 + layer3), no channel
ever averaged with another. The pooling and the upsampling are linear and act on rows and columns separately, so
a layer on another grid goes through two small precomputed matrices (``[H_0, h]`` and ``[W_0, w]``, the
upsampling times the pooling), a layer already on the grid is pooled, both channels-last, and each is copied into
its channels of the output. ``reference_concat_features`` is the plain order (pool, interpolate, concatenate).
``ConcatHead`` is the same step as a module, which OpenVINO compiles together with the backbone.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def adaptive_pool_matrix(n: int, m: int) -> torch.Tensor:
    """The ``[m, n]`` matrix of ``adaptive_avg_pool1d`` from ``n`` to ``m`` values (float64, dense)."""
    mat = torch.zeros(m, n, dtype=torch.float64)
    for i in range(m):
        start, end = (i * n) // m, -((-(i + 1) * n) // m)
        mat[i, start:end] = 1.0 / (end - start)
    return mat


def _windows(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each of the ``m`` windows of ``adaptive_avg_pool1d`` over ``n`` values."""
    i = np.arange(m)
    return (i * n) // m, -((-(i + 1) * n) // m)


@lru_cache(maxsize=16)
def layer_projections(
    channels: tuple[int, ...], patchsize: int, pretrain_dim: int, target_dim: int
) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], ...]:
    """Per layer: (output rows it feeds ``[r]``, column indices ``[r, t]``, weights ``[r, t]``).

    Row ``i`` of the folded ``[target_dim, C_l * p * p]`` matrix (the final pooling's rows restricted to
    layer ``layer`` times the layer's own pooling) has at most ``t`` (a few) non-zeros: output
    ``rows[i] = sum_j weights[i, j] * input[columns[i, j]]`` (unused taps have weight 0). Built from the
    pooling windows directly, never as a dense matrix (a 4096-channel layer would need 300 MB).
    """
    n_layers = len(channels)
    f_start, f_end = _windows(n_layers * pretrain_dim, target_dim)
    out = []
    for layer, c in enumerate(channels):
        n = c * patchsize * patchsize
        p_start, p_end = _windows(n, pretrain_dim)
        rows, entries = [], []
        for t in range(target_dim):
            lo, hi = max(f_start[t], layer * pretrain_dim), min(f_end[t], (layer + 1) * pretrain_dim)
            if lo >= hi:
                continue
            weight_t = 1.0 / (f_end[t] - f_start[t])
            acc: dict[int, float] = {}
            for q in range(lo - layer * pretrain_dim, hi - layer * pretrain_dim):
                w = weight_t / (p_end[q] - p_start[q])
                for col in range(p_start[q], p_end[q]):
                    acc[col] = acc.get(col, 0.0) + w
            rows.append(t)
            entries.append(acc)
        taps = max(len(e) for e in entries)
        columns = torch.zeros(len(rows), taps, dtype=torch.long)
        weights = torch.zeros(len(rows), taps, dtype=torch.float64)
        for i, acc in enumerate(entries):
            columns[i, : len(acc)] = torch.tensor(list(acc.keys()))
            weights[i, : len(acc)] = torch.tensor(list(acc.values()), dtype=torch.float64)
        out.append((torch.tensor(rows, dtype=torch.long), columns, weights.float()))
    return tuple(out)


def patch_features(
    maps: list[torch.Tensor],
    patchsize: int = 3,
    pretrain_dim: int = 1024,
    target_dim: int = 1024,
) -> tuple[torch.Tensor, tuple[int, int]]:
    """``maps``: per layer ``[b, C_l, H_l, W_l]`` -> (``[b, H_0 * W_0, target_dim]``, ``(H_0, W_0)``)."""
    b = maps[0].shape[0]
    ref_h, ref_w = (int(s) for s in maps[0].shape[-2:])
    pad = (patchsize - 1) // 2
    projections = layer_projections(tuple(int(m.shape[1]) for m in maps), patchsize, pretrain_dim, target_dim)
    out = torch.zeros(b, target_dim, ref_h, ref_w, dtype=torch.float32, device=maps[0].device)
    for fmap, (rows, columns, weights) in zip(maps, projections):
        h, w = fmap.shape[-2:]
        patches = F.unfold(fmap.float(), kernel_size=patchsize, padding=pad, stride=1)  # [b, C*p*p, h*w]
        columns, weights = columns.to(fmap.device), weights.to(fmap.device)
        reduced = patches[:, columns[:, 0]] * weights[:, 0, None]
        for t in range(1, columns.shape[1]):
            reduced += patches[:, columns[:, t]] * weights[:, t, None]
        reduced = reduced.reshape(b, len(rows), h, w)  # [b, r, h, w]
        if (h, w) != (ref_h, ref_w):
            reduced = F.interpolate(reduced, size=(ref_h, ref_w), mode="bilinear", align_corners=False)
        out[:, rows.to(fmap.device)] += reduced
    return out.flatten(2).transpose(1, 2).contiguous(), (ref_h, ref_w)


def reference_patch_features(
    maps: list[torch.Tensor], patchsize: int = 3, pretrain_dim: int = 1024, target_dim: int = 1024
) -> torch.Tensor:
    """The official implementation's order: unfold, upsample the unfolded grid, pool, stack, pool. For tests."""
    b = maps[0].shape[0]
    ref_h, ref_w = maps[0].shape[-2:]
    pad = (patchsize - 1) // 2
    per_layer = []
    for fmap in maps:
        c, h, w = fmap.shape[1:]
        patches = F.unfold(fmap.float(), kernel_size=patchsize, padding=pad, stride=1)  # [b, C*p*p, h*w]
        grid = patches.reshape(b, c * patchsize * patchsize, h, w)
        if (h, w) != (ref_h, ref_w):
            grid = F.interpolate(grid, size=(ref_h, ref_w), mode="bilinear", align_corners=False)
        vectors = grid.flatten(2).transpose(1, 2).reshape(-1, 1, c * patchsize * patchsize)
        per_layer.append(F.adaptive_avg_pool1d(vectors, pretrain_dim).squeeze(1))
    stacked = torch.stack(per_layer, dim=1).reshape(-1, 1, len(maps) * pretrain_dim)
    return F.adaptive_avg_pool1d(stacked, target_dim).reshape(b, ref_h * ref_w, target_dim)


def _pool_matrix(n: int, k: int) -> torch.Tensor:
    """``[n, n]`` float64: 1-D average over ``k`` neighbours (zero padding counted, divisor ``k``)."""
    mat = torch.zeros(n, n, dtype=torch.float64)
    r = k // 2
    for i in range(n):
        mat[i, max(0, i - r) : min(n, i + r + 1)] = 1.0 / k
    return mat


def _interp_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """``[n_out, n_in]`` float64: ``F.interpolate(mode="bilinear", align_corners=False)`` along one axis."""
    eye = torch.eye(n_in, dtype=torch.float64).unsqueeze(0)
    return F.interpolate(eye, size=n_out, mode="linear", align_corners=False)[0].T.contiguous()


@lru_cache(maxsize=32)
def pooled_alignment(n_in: int, n_out: int, patchsize: int) -> torch.Tensor:
    """``[n_out, n_in]`` float32: the 1-D pooling then the 1-D alignment to the first layer's grid, one matrix."""
    return (_interp_matrix(n_in, n_out) @ _pool_matrix(n_in, patchsize)).float()


def concat_features(
    maps: list[torch.Tensor], patchsize: int = 3, out: torch.Tensor | None = None
) -> tuple[torch.Tensor, tuple[int, int]]:
    """``maps``: per layer ``[b, C_l, H_l, W_l]`` -> (``[b, H_0 * W_0, sum C_l]`` float32, ``(H_0, W_0)``).

    ``out`` (optional, ``[b, H_0, W_0, sum C_l]`` float32 contiguous on the maps' device) is written in place
    and returned as the flat view; otherwise it is allocated once. Each layer writes its own channel slice.
    """
    if patchsize % 2 != 1:
        raise ValueError(f"concatenated features pool over an odd neighbourhood, not {patchsize}")
    b = maps[0].shape[0]
    ref_h, ref_w = (int(s) for s in maps[0].shape[-2:])
    dim = sum(int(m.shape[1]) for m in maps)
    if out is None:
        out = torch.empty(b, ref_h, ref_w, dim, dtype=torch.float32, device=maps[0].device)
    c0 = 0
    for fmap in maps:
        c, h, w = (int(s) for s in fmap.shape[1:])
        target = out[..., c0 : c0 + c]  # [b, H_0, W_0, c], strided view of the output
        # channels-last first (a copy unless the maps are already): pooling an NCHW map ran 20x slower
        x = fmap.float().permute(0, 2, 3, 1).contiguous()  # [b, h, w, c]
        if (h, w) == (ref_h, ref_w):
            pooled = F.avg_pool2d(x.permute(0, 3, 1, 2), patchsize, 1, patchsize // 2)  # channels-last in and out
            target.copy_(pooled.permute(0, 2, 3, 1))
        else:
            a_h = pooled_alignment(h, ref_h, patchsize).to(fmap.device)
            a_w = pooled_alignment(w, ref_w, patchsize).to(fmap.device)
            rows = torch.matmul(a_h, x.view(b, h, w * c))  # [b, H_0, w * c]
            # into a contiguous temporary, then the channel slice: a product written straight into the strided
            # slice ran as one small product per row
            target.copy_(torch.matmul(a_w, rows.view(b * ref_h, w, c)).view(b, ref_h, ref_w, c))
        c0 += c
    return out.view(b, ref_h * ref_w, dim), (ref_h, ref_w)


def _plain_concat(maps: list[torch.Tensor], patchsize: int) -> torch.Tensor:
    """anomalib's order, ``[b, sum C_l, H_0, W_0]``: ``avg_pool2d`` per layer, bilinear to the first layer's grid
    (every later layer, whatever its size: shape-free, so a traced graph takes any input), concatenate."""
    pooled = [F.avg_pool2d(m.float(), patchsize, 1, patchsize // 2) for m in maps]
    size = pooled[0].shape[-2:]
    return torch.cat([pooled[0]] + [F.interpolate(p, size=size, mode="bilinear", align_corners=False)
                                    for p in pooled[1:]], dim=1)


def reference_concat_features(maps: list[torch.Tensor], patchsize: int = 3) -> torch.Tensor:
    """anomalib's order (``_plain_concat``) as ``[b, H_0 * W_0, sum C_l]``. For tests."""
    return _plain_concat(maps, patchsize).flatten(2).transpose(1, 2)


class ConcatHead(nn.Module):
    """``concat_features`` as a module over the extractor's maps -> ``[b, H_0, W_0, sum C_l]`` float32.

    Eager calls run ``concat_features``. Traced (``torch.jit.trace``, as OpenVINO's converter does) it is the plain
    order of ``reference_concat_features`` (pool, interpolate, concatenate) in shape-free operations, so the
    converted graph takes any input size and the compiler fuses it with the backbone
    (``backbones/runtime.py``); each input size is then checked against the eager result."""

    def __init__(self, patchsize: int = 3):
        super().__init__()
        if patchsize % 2 != 1:
            raise ValueError(f"concatenated features pool over an odd neighbourhood, not {patchsize}")
        self.patchsize = patchsize
        self.cache_tag = f"concat-avg{patchsize}-bilinear"  # part of the converted graph's cache key

    def forward(self, maps: list[torch.Tensor]) -> torch.Tensor:
        if torch.jit.is_tracing():
            return _plain_concat(list(maps), self.patchsize).permute(0, 2, 3, 1)
        feats, (h, w) = concat_features(list(maps), self.patchsize)
        return feats.view(feats.shape[0], h, w, feats.shape[-1])
