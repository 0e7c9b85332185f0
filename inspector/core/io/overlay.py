"""Heatmap overlays: an anomaly map coloured and blended over the original image (Qt-free; used by CLI and app)."""

from __future__ import annotations

import cv2
import numpy as np

# The colour maps offered everywhere (CLI overlays and the app's heatmap view), by the names pyqtgraph and OpenCV
# both know; the first is the default in both.
COLORMAPS = {"turbo": cv2.COLORMAP_TURBO, "inferno": cv2.COLORMAP_INFERNO, "viridis": cv2.COLORMAP_VIRIDIS,
             "magma": cv2.COLORMAP_MAGMA, "plasma": cv2.COLORMAP_PLASMA}
DEFAULT_COLORMAP = "turbo"


def colorize(amap: np.ndarray, vmin: float, vmax: float, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """``[H, W]`` float -> uint8 RGB ``[H, W, 3]``, ``vmin`` and below dark blue, ``vmax`` and above red."""
    span = max(vmax - vmin, 1e-12)
    scaled = np.clip((amap.astype(np.float32) - vmin) / span, 0.0, 1.0)
    bgr = cv2.applyColorMap((scaled * 255).astype(np.uint8), COLORMAPS[colormap])
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def map_to_image(amap: np.ndarray, size: tuple[int, int], crop_box: tuple[float, float, float, float],
                 fill: float = np.nan) -> np.ndarray:
    """Place a ``[crop, crop]`` map over the inspected region of an image of ``size`` (h, w); ``fill`` elsewhere."""
    h, w = size
    x0, y0, x1, y1 = (int(round(v)) for v in crop_box)
    out = np.full((h, w), fill, dtype=np.float32)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    out[y0:y1, x0:x1] = cv2.resize(amap.astype(np.float32), (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    return out


def overlay(image: np.ndarray, amap_full: np.ndarray, vmin: float, vmax: float, alpha: float = 0.5,
            colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """Blend a full-size map (NaN = not inspected, left as is) over uint8 RGB ``image``."""
    valid = ~np.isnan(amap_full)
    colours = colorize(np.nan_to_num(amap_full, nan=vmin), vmin, vmax, colormap)
    out = image.copy()
    blended = (image.astype(np.float32) * (1 - alpha) + colours.astype(np.float32) * alpha).astype(np.uint8)
    out[valid] = blended[valid]
    return out
