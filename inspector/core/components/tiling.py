"""Stitching the maps of several views (tiles, a centre crop, the whole image) into one full-frame map.

Each view's map ``[H, W]`` is resized to its box in the frame's map and added with a weight; overlapping
tiles are blended with a window that falls off linearly over ``ramp`` pixels towards each tile border
(a patch near a tile border sees less context: its neighbour tile, which sees it in the middle, takes
over). The result is the weighted mean where any view covers the frame, 0 elsewhere.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np


def blend_window(h: int, w: int, ramp: float) -> np.ndarray:
    """``[h, w]`` float32 weights: 1 inside, falling linearly to a small positive value at the borders."""
    if ramp <= 0:
        return np.ones((h, w), np.float32)

    def ramp1d(n: int) -> np.ndarray:
        x = np.arange(n, dtype=np.float32) + 0.5
        return np.clip(np.minimum(x, n - x) / ramp, 1e-3, 1.0)

    return np.outer(ramp1d(h), ramp1d(w)).astype(np.float32)


def stitch(
    maps: Sequence[np.ndarray],
    boxes: Sequence[tuple[int, int, int, int]],
    size: tuple[int, int],
    ramp: float = 0.0,
) -> np.ndarray:
    """View maps ``[H_i, W_i]`` placed at ``boxes`` ``(x0, y0, x1, y1)`` of a ``size`` (h, w) map -> ``[h, w]``
    float32, overlaps blended with ``blend_window(.., ramp)`` (``ramp`` in map pixels), 0 where no view is."""
    h, w = size
    if len(maps) == 1 and tuple(boxes[0]) == (0, 0, w, h) and maps[0].shape == (h, w):
        return maps[0].astype(np.float32, copy=False)
    acc = np.zeros((h, w), np.float32)
    weight = np.zeros((h, w), np.float32)
    for amap, (x0, y0, x1, y1) in zip(maps, boxes):
        bh, bw = y1 - y0, x1 - x0
        part = amap.astype(np.float32, copy=False)
        if part.shape != (bh, bw):
            part = cv2.resize(part, (bw, bh), interpolation=cv2.INTER_LINEAR)
        win = blend_window(bh, bw, ramp) if len(maps) > 1 else np.ones((bh, bw), np.float32)
        acc[y0:y1, x0:x1] += part * win
        weight[y0:y1, x0:x1] += win
    covered = weight > 0
    acc[covered] /= weight[covered]
    return acc
