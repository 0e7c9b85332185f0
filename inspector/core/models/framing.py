"""Image files -> frames (``Geometry.frame``) -> batches of network inputs grouped by shape -> full-frame maps.

Images of different sizes never share a tensor: views are batched only with views of the same shape
(a group of same-size photos batches as before; ``whole`` photos of other sizes, or tiles, form their own
batches). Frames are decoded ahead on threads; a group holds about ``batch_size`` views' worth of frames.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch

from ..components.tiling import stitch
from ..io.geometry import Frame, Geometry, GeometryError
from ..io.images import ImageReadError, SkippedImage, read_image_at
from ..runtime.pacing import TimedSplit
from ..runtime.progress import CancelToken


def iter_frame_groups(
    paths: Sequence[Path],
    geometry: Geometry,
    roi: np.ndarray | None,
    batch_size: int,
    skipped: list[SkippedImage],
    workers: int = 2,
) -> Iterator[list[Frame]]:
    """Read and prepare images in order, yielding lists of frames; unreadable files go to ``skipped``.

    A group has ``batch_size`` frames for single-view geometries, one frame for tiles (a tiled frame already
    fills several batches), so only a group or two of inputs are in memory at once.
    """
    per_group = 1 if geometry.kind == "tiles" else max(1, batch_size)

    def load(p: Path) -> Frame | str:
        try:
            img, size = read_image_at(p, geometry.decode_size)  # JPEGs decoded at the size the geometry uses
            return geometry.frame(img, roi, p, size)
        except (ImageReadError, GeometryError) as exc:
            return str(exc)

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        chunks = [list(paths[i : i + per_group]) for i in range(0, len(paths), per_group)]
        pending = pool.map(load, chunks[0]) if chunks else iter(())
        for n, chunk in enumerate(chunks):
            results = list(pending)
            if n + 1 < len(chunks):
                pending = pool.map(load, chunks[n + 1])
            skipped.extend(SkippedImage(p, r) for p, r in zip(chunk, results) if isinstance(r, str))
            frames = [r for r in results if not isinstance(r, str)]
            if frames:
                yield frames
    finally:
        # closed early (a cancel, an error): the images not started are dropped, only those being decoded
        # are waited for (one per worker), not the whole next group
        pool.shutdown(wait=True, cancel_futures=True)


def view_batches(
    frames: Sequence[Frame], batch_size: int
) -> Iterator[tuple[torch.Tensor, list[np.ndarray | None], list[tuple[int, int]]]]:
    """``(images [b, 3, H, W], valid masks [H, W] or None per view, (frame index, view index) per view)``,
    each batch of one input shape."""
    by_shape: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for fi, frame in enumerate(frames):
        for vi, view in enumerate(frame.views):
            by_shape.setdefault(tuple(view.image.shape), []).append((fi, vi))
    for items in by_shape.values():
        for i in range(0, len(items), max(1, batch_size)):
            part = items[i : i + batch_size]
            views = [frames[fi].views[vi] for fi, vi in part]
            yield torch.stack([v.image for v in views]), [v.valid for v in views], part


def paced_batches(
    batches: Iterable[tuple[torch.Tensor, list[np.ndarray | None], list[tuple[int, int]]]],
    pace: TimedSplit,
    cancel: CancelToken | None,
) -> Iterator[tuple[torch.Tensor, list[np.ndarray | None], list[tuple[int, int]]]]:
    """``view_batches``' batches cut into pieces of views that take the caller about ``pace.seconds`` each (the
    caller's work on a piece is what is timed), the token checked before each piece. Without a token: as they
    are. A cancel thus answers within a piece (one view at least) instead of a whole batch."""
    for images, valid, items in batches:
        for piece in pace.slices(len(items), cancel):
            yield images[piece], valid[piece], items[piece]


def patch_validity(valid: np.ndarray | None, grid: tuple[int, int]) -> np.ndarray | None:
    """A view's region ``[H, W]`` -> bool ``[h, w]`` over its patch grid: a patch counts when at least half of
    its cell is inside the region."""
    if valid is None:
        return None
    import cv2

    h, w = grid
    frac = cv2.resize(valid.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    return frac >= 0.5


def assemble(frame: Frame, view_maps: Sequence[np.ndarray], ramp: float) -> np.ndarray:
    """The views' maps -> the frame's full-frame map ``[mh, mw]`` float32, 0 outside the inspected area."""
    full = stitch(view_maps, [v.box for v in frame.views], frame.map_size, ramp)
    if frame.region is not None:
        full = np.where(frame.region, full, np.float32(0.0)).astype(np.float32)
    return full
