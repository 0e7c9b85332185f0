"""Locally aware patch features (PatchCore, Sec. 3.1; the official ``PatchMaker``/``Preprocessing``/``Aggregator``).

For each chosen layer ``[b, C_l, H_l, W_l]``:
1. the 3x3 neighbourhood of every position (unfold, stride 1, padding 1) flattened to ``C_l * 9`` values;
2. reduced to ``pretrain_dim`` by adaptive average pooling over that flattened vector (``MeanMapper``);
3. grids aligned to the first layer's by bilinear upsampling.
The layers' vectors are stacked (``[L * pretrain_dim]``) and pooled again to ``target_dim``.

Steps 2 and 3 are linear and act on different axes (channels vs. positions), so they commute: this module
pools at each layer's own grid and upsamples afterwards, which gives the official result with 4x less work
on layer3. Output: ``[b, H_0 * W_0, target_dim]``, one vector per position of the first layer's grid.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _adaptive_pool_last(x: torch.Tensor, size: int) -> torch.Tensor:
    """Adaptive average pooling over the last axis of ``[..., n]`` -> ``[..., size]``."""
    lead = x.shape[:-1]
    return F.adaptive_avg_pool1d(x.reshape(-1, 1, x.shape[-1]), size).reshape(*lead, size)


def patch_features(
    maps: list[torch.Tensor],
    patchsize: int = 3,
    pretrain_dim: int = 1024,
    target_dim: int = 1024,
) -> tuple[torch.Tensor, tuple[int, int]]:
    """``maps``: per layer ``[b, C_l, H_l, W_l]`` -> (``[b, H_0 * W_0, target_dim]``, ``(H_0, W_0)``)."""
    ref_h, ref_w = maps[0].shape[-2:]
    pad = (patchsize - 1) // 2
    per_layer = []
    for fmap in maps:
        b, c, h, w = fmap.shape
        patches = F.unfold(fmap.float(), kernel_size=patchsize, padding=pad, stride=1)  # [b, C*p*p, h*w]
        pooled = _adaptive_pool_last(patches.transpose(1, 2), pretrain_dim)  # [b, h*w, P]
        if (h, w) != (ref_h, ref_w):
            grid = pooled.transpose(1, 2).reshape(b, pretrain_dim, h, w)
            grid = F.interpolate(grid, size=(ref_h, ref_w), mode="bilinear", align_corners=False)
            pooled = grid.reshape(b, pretrain_dim, ref_h * ref_w).transpose(1, 2)
        per_layer.append(pooled)
    stacked = torch.stack(per_layer, dim=2)  # [b, H0*W0, L, P]
    out = _adaptive_pool_last(stacked.reshape(*stacked.shape[:2], -1), target_dim)
    return out, (int(ref_h), int(ref_w))
