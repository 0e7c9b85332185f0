"""Input geometry: how an image becomes the network's input, and where its maps go back in the whole frame.

Four geometries (``Geometry.kind``):

- ``center-crop``: shorter side resized to ``resize``, the centre ``crop`` x ``crop`` square inspected (the
  paper's MVTec AD set-up; everything outside the square is never looked at).
- ``whole``: the entire image, aspect ratio kept: shorter side to ``resize``, the longer side follows,
  both rounded to the backbone's stride (the patch grid follows the part). At most ``max_pixels`` input
  pixels per image.
- ``stretch``: the entire image resized to a ``crop`` x ``crop`` square (anomalib's default).
- ``tiles``: overlapping ``crop`` x ``crop`` tiles at ``tile_scale`` x the native resolution (1.0 = native),
  ``tile_overlap`` the fraction of a tile shared with its neighbour; the tile maps are blended into one map.

Coordinates. Each geometry resizes the frame ``[h, w]`` to a *work* size and takes one or more *views*
(boxes of the work image; the network input). Maps are returned over the whole frame at the *map size*
(``map_size``; aspect kept): the work size for center-crop / whole / tiles (tiles: at most ``max_map_side``
pixels on a side), the frame with its shorter side at ``crop`` for stretch. Pixels no view covers are 0.
A region mask (``roi``: True = inspect) at any size is scaled to each frame; outside it the network input is
the mean colour (0 after normalisation), so nothing there influences a score, not even through the network's
receptive field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from ..errors import InvalidInput

GEOMETRIES = ("center-crop", "whole", "stretch", "tiles")
# For new PatchCore models (new projects, the CLI). Measured (README "What is inspected"): on bottle and bsdata
# stretch is as good as or better than every other geometry on image AUROC, close to the best full-frame pixel
# AUROC, at the centre crop's cost whatever the image size. Models saved without the key are center-crop.
DEFAULT_GEOMETRY = "stretch"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class GeometryError(InvalidInput):
    """An image cannot be fed to the network with the chosen geometry (e.g. too many pixels)."""


def check_geometry(kind: str) -> str:
    if kind not in GEOMETRIES:
        raise InvalidInput(f"unknown geometry '{kind}' (choose from {', '.join(GEOMETRIES)})")
    return kind


def tile_starts(length: int, tile: int, overlap: float) -> list[int]:
    """Start offsets of tiles of ``tile`` pixels covering ``length`` pixels, neighbours sharing at least
    ``overlap`` (a fraction in [0, 1)) of a tile; evenly spread, first at 0, last ending at ``length``."""
    if length <= tile:
        return [0]
    step = max(1, int(tile * (1.0 - overlap)))
    n = math.ceil((length - tile) / step) + 1
    return [round(i * (length - tile) / (n - 1)) for i in range(n)]


@dataclass
class View:
    """One network input of a frame: ``image`` ``[3, H, W]``, the ``box`` ``(x0, y0, x1, y1)`` its map covers
    in the frame's map (map pixels), and ``valid`` ``[H, W]`` bool (the region to inspect; None: all)."""

    image: torch.Tensor
    box: tuple[int, int, int, int]
    valid: np.ndarray | None


@dataclass
class Frame:
    """One image prepared for the network: its views and the inspected area of its full-frame map."""

    path: Path | None
    size: tuple[int, int]  # original (h, w)
    map_size: tuple[int, int]  # (mh, mw) of the full-frame map
    views: list[View]
    region: np.ndarray | None  # bool [mh, mw]: pixels some view covers and the region includes; None: all


def scale_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A mask ``[H, W]`` (bool or 0/255) at another ``size`` (h, w), nearest-neighbour, as bool."""
    h, w = size
    m = (np.asarray(mask) > 0).astype(np.uint8)
    if m.shape[:2] != (h, w):
        m = cv2.resize(m, (w, h), interpolation=cv2.INTER_NEAREST)
    return m > 0


@dataclass(frozen=True)
class Geometry:
    kind: str = "center-crop"
    resize: int = 256  # center-crop, whole: the shorter side
    crop: int = 224  # center-crop: the square; stretch: the square; tiles: the tile side (the backbone input)
    stride: int = 8  # the backbone's stride at the patch grid (input pixels per patch)
    tile_overlap: float = 0.25
    tile_scale: float = 1.0
    max_pixels: int = 4_000_000  # whole: network input pixels per image
    max_map_side: int = 2048  # tiles: the full-frame map's longer side at most
    reduced_decode: bool = True  # decode_size gives a size (JPEGs may be decoded smaller); False: always full size
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    def __post_init__(self) -> None:
        check_geometry(self.kind)
        if not 0.0 <= self.tile_overlap < 1.0:
            raise InvalidInput(f"tile overlap must be in [0, 1), got {self.tile_overlap}")
        if self.tile_scale <= 0:
            raise InvalidInput(f"tile scale must be positive, got {self.tile_scale}")

    # ------------------------------------------------------------------------------------- sizes
    def _round(self, x: float) -> int:
        return max(self.stride, int(round(x / self.stride)) * self.stride)

    def resized_shape(self, h: int, w: int) -> tuple[int, int]:
        """Center-crop's resize (torchvision ``Resize(resize)``): the shorter side to ``resize``."""
        if h <= w:
            return self.resize, max(self.resize, int(self.resize * w / h))
        return max(self.resize, int(self.resize * h / w)), self.resize

    def work_size(self, h: int, w: int) -> tuple[int, int]:
        """The size ``(h, w)`` the frame is resized to before the views are taken."""
        if self.kind == "center-crop":
            return self.resized_shape(h, w)
        if self.kind == "stretch":
            return self.crop, self.crop
        if self.kind == "whole":
            s = self.resize / min(h, w)
            wh, ww = self._round(h * s), self._round(w * s)
            if wh * ww > self.max_pixels:
                raise GeometryError(
                    f"a {w}x{h} image becomes {ww}x{wh} = {wh * ww / 1e6:.1f} M network pixels with geometry "
                    f"'whole' at {self.resize} px, over the cap of {self.max_pixels / 1e6:.1f} M; use 'tiles' "
                    f"for large or very elongated images, or a smaller size")
            return wh, ww
        s = max(self.tile_scale, self.crop / min(h, w))  # tiles: at least one whole tile fits
        return max(self.crop, round(h * s)), max(self.crop, round(w * s))

    def map_size(self, h: int, w: int) -> tuple[int, int]:
        """The size ``(mh, mw)`` of the full-frame map returned for a frame ``(h, w)``."""
        if self.kind == "stretch":
            s = self.crop / min(h, w)
            return max(1, round(h * s)), max(1, round(w * s))
        wh, ww = self.work_size(h, w)
        if self.kind == "tiles" and max(wh, ww) > self.max_map_side:
            s = self.max_map_side / max(wh, ww)
            return max(1, round(wh * s)), max(1, round(ww * s))
        return wh, ww

    def input_boxes(self, h: int, w: int) -> list[tuple[int, int, int, int]]:
        """The views' boxes ``(x0, y0, x1, y1)`` in the work image."""
        wh, ww = self.work_size(h, w)
        if self.kind == "center-crop":
            top = int(round((wh - self.crop) / 2.0))
            left = int(round((ww - self.crop) / 2.0))
            return [(left, top, left + self.crop, top + self.crop)]
        if self.kind in ("whole", "stretch"):
            return [(0, 0, ww, wh)]
        t = self.crop
        return [(x, y, x + t, y + t) for y in tile_starts(wh, t, self.tile_overlap)
                for x in tile_starts(ww, t, self.tile_overlap)]

    def map_boxes(self, h: int, w: int) -> list[tuple[int, int, int, int]]:
        """The views' boxes in map pixels."""
        wh, ww = self.work_size(h, w)
        mh, mw = self.map_size(h, w)
        sy, sx = mh / wh, mw / ww
        return [(round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy))
                for x0, y0, x1, y1 in self.input_boxes(h, w)]

    def blend_ramp(self, h: int, w: int) -> float:
        """How many map pixels overlapping tiles blend over (0 for single-view geometries)."""
        if self.kind != "tiles":
            return 0.0
        return self.tile_overlap * self.crop * self.map_size(h, w)[0] / self.work_size(h, w)[0]

    def n_views(self, h: int, w: int) -> int:
        return len(self.input_boxes(h, w))

    def crop_box(self, h: int, w: int) -> tuple[float, float, float, float]:
        """The inspected area's bounding box ``(x0, y0, x1, y1)`` in original pixels (all but center-crop: all)."""
        if self.kind != "center-crop":
            return 0.0, 0.0, float(w), float(h)
        rh, rw = self.work_size(h, w)
        x0, y0, x1, y1 = self.input_boxes(h, w)[0]
        sy, sx = h / rh, w / rw
        return x0 * sx, y0 * sy, x1 * sx, y1 * sy

    def map_box(self, h: int, w: int, shape: tuple[int, ...]) -> tuple[float, float, float, float]:
        """Where a stored map of ``shape`` goes in the image, in original pixels: the whole frame, except a
        ``[crop, crop]`` map of a center-crop model written before maps became full-frame (its crop box)."""
        if self.kind == "center-crop" and tuple(shape[:2]) == (self.crop, self.crop) \
                and self.map_size(h, w) != (self.crop, self.crop):
            return self.crop_box(h, w)
        return 0.0, 0.0, float(w), float(h)

    def footprint(self, h: int, w: int) -> tuple[float, float]:
        """One patch's footprint ``(x, y)`` in original pixels: about the smallest defect the grid resolves."""
        wh, ww = self.work_size(h, w)
        return self.stride * w / ww, self.stride * h / wh

    # ------------------------------------------------------------------------------------ images
    def _normalize(self, rgb: np.ndarray) -> torch.Tensor:
        x = rgb.astype(np.float32) / 255.0
        x = (x - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))

    def decode_size(self, h: int, w: int) -> tuple[int, int] | None:
        """The smallest (h, w) of a frame of (h, w) that this geometry uses: its work size, which an image may
        be decoded at or above (``read_image_at``); None for tiles (at native scale: every pixel counts) and for models
        saved before reduced decoding (they keep scoring the full decode they were trained on)."""
        if self.kind == "tiles" or not self.reduced_decode:
            return None
        return self.work_size(h, w)

    def _work_image(self, img: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
        """The frame at its work size; ``size``: the frame's full (h, w) when ``img`` was decoded smaller."""
        h, w = size or img.shape[:2]
        wh, ww = self.work_size(h, w)
        if (wh, ww) == img.shape[:2]:
            return img
        interpolation = cv2.INTER_AREA if wh * ww < img.shape[0] * img.shape[1] else cv2.INTER_LINEAR
        return cv2.resize(img, (ww, wh), interpolation=interpolation)

    def __call__(self, img: np.ndarray) -> torch.Tensor:
        """uint8 RGB ``[H, W, 3]`` -> the one network input ``[3, H', W']`` (not for tiles: use ``frame``)."""
        if self.kind == "tiles":
            raise GeometryError("the 'tiles' geometry gives several inputs per image: use Geometry.frame")
        x0, y0, x1, y1 = self.input_boxes(*img.shape[:2])[0]
        return self._normalize(self._work_image(img)[y0:y1, x0:x1])

    def frame(self, img: np.ndarray, roi: np.ndarray | None = None, path: Path | None = None,
              size: tuple[int, int] | None = None) -> Frame:
        """uint8 RGB ``[H, W, 3]`` (and a region mask of any size, True = inspect) -> its ``Frame``. ``size``: the
        image's full (h, w) when ``img`` was decoded at a reduced size (sizes and maps follow the full image)."""
        h, w = size or img.shape[:2]
        work = self._work_image(img, (h, w))
        wh, ww = work.shape[:2]
        mh, mw = self.map_size(h, w)
        roi_work = None if roi is None else scale_mask(roi, (wh, ww))
        views = []
        for (x0, y0, x1, y1), box in zip(self.input_boxes(h, w), self.map_boxes(h, w)):
            x = self._normalize(work[y0:y1, x0:x1])
            valid = None
            if roi_work is not None:
                valid = roi_work[y0:y1, x0:x1]
                # outside the region the network sees the mean colour: what lies there never reaches a score
                x = x * torch.from_numpy(valid.astype(np.float32))
            views.append(View(x, box, valid))
        region = None
        if self.kind == "center-crop" and (mh, mw) != (self.crop, self.crop):
            x0, y0, x1, y1 = views[0].box
            region = np.zeros((mh, mw), bool)
            region[y0:y1, x0:x1] = True
        if roi is not None:
            scaled = scale_mask(roi, (mh, mw))
            region = scaled if region is None else region & scaled
        return Frame(path, (h, w), (mh, mw), views, region)

    def inspected_area(self, h: int, w: int, roi: np.ndarray | None = None) -> np.ndarray:
        """bool ``[h, w]``: the original pixels this geometry and region inspect (for drawing the outline)."""
        x0, y0, x1, y1 = (int(round(v)) for v in self.crop_box(h, w))
        area = np.zeros((h, w), bool)
        area[max(0, y0):y1, max(0, x0):x1] = True
        return area if roi is None else area & scale_mask(roi, (h, w))

    def mask(self, mask: np.ndarray) -> np.ndarray:
        """A ground-truth mask ``[H, W]`` -> bool at the full-frame map size (nearest-neighbour)."""
        return scale_mask(mask, self.map_size(*mask.shape[:2]))

    def describe(self) -> str:
        if self.kind == "center-crop":
            return f"center-crop {self.crop}x{self.crop} of the image resized to {self.resize} px (shorter side)"
        if self.kind == "whole":
            return f"whole image, shorter side {self.resize} px (aspect kept)"
        if self.kind == "stretch":
            return f"whole image stretched to {self.crop}x{self.crop}"
        return (f"tiles of {self.crop}x{self.crop} at {self.tile_scale:g}x native resolution, "
                f"{self.tile_overlap:.0%} overlap")
