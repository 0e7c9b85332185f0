"""From a grid of patch scores to a per-pixel anomaly map (PatchCore's ``RescaleSegmentor``).

Bilinear upsampling of the ``[b, h, w]`` patch-score grid to the input size, then a Gaussian blur with
``sigma`` = 4 pixels (kernel truncated at 4 sigma, edges mirrored, as ``scipy.ndimage.gaussian_filter``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def gaussian_kernel1d(sigma: float, truncate: float = 4.0) -> torch.Tensor:
    radius = int(truncate * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def _symmetric_pad(x: torch.Tensor, r: int, dim: int) -> torch.Tensor:
    """Pad ``r`` on both sides of ``dim`` by mirroring including the edge value (scipy's 'reflect')."""
    n = x.shape[dim]
    reps = math.ceil(r / n) if n else 0
    parts = [x]
    for _ in range(reps):  # grow until wide enough (only matters when r > size)
        cur = torch.cat(parts, dim=dim) if len(parts) > 1 else parts[0]
        parts = [cur.flip(dim), cur, cur.flip(dim)]
    full = torch.cat(parts, dim=dim)
    mid = (full.shape[dim] - n) // 2
    return full.narrow(dim, mid - r, n + 2 * r)


def gaussian_blur(maps: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``[b, H, W]``."""
    if sigma <= 0:
        return maps
    k = gaussian_kernel1d(sigma).to(maps.device, maps.dtype)
    r = (k.numel() - 1) // 2
    x = maps.unsqueeze(1)
    x = F.conv2d(_symmetric_pad(x, r, 3), k.view(1, 1, 1, -1))
    x = F.conv2d(_symmetric_pad(x, r, 2), k.view(1, 1, -1, 1))
    return x.squeeze(1)


def anomaly_maps(patch_scores: torch.Tensor, size: int | tuple[int, int], sigma: float = 4.0) -> torch.Tensor:
    """``[b, h, w]`` patch scores -> ``[b, H, W]`` anomaly maps (bilinear upsampling, then blur)."""
    size = (size, size) if isinstance(size, int) else size
    up = F.interpolate(patch_scores.unsqueeze(1).float(), size=size, mode="bilinear", align_corners=False)
    return gaussian_blur(up.squeeze(1), sigma)
