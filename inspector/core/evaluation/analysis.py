"""What a trained model sees, for the app's analysis views (no Qt here; the app runs these on a worker).

- ``layer_maps``: each chosen backbone layer's output for one image, summed over channels, min-max normalised
  to [0, 1] and laid over the original image (the views are stitched like the anomaly maps are);
- ``bank_histogram``: per memory-bank vector, the sum over its dimensions, normalised to 0-255, counted in bins;
- ``bank_pca``: the memory bank projected to its first two principal axes (fit on the bank, or a fixed-seed
  sample of at most ``max_rows`` rows) and one image's patch vectors projected into the same axes, with each
  patch's distance to its nearest bank vector (its anomaly score before blurring);
- ``labelled_roc``: the ROC curve and AUROC of scores against human decisions (good / defect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import cv2
import numpy as np
import torch

from ..errors import InvalidInput
from ..models.framing import assemble, patch_validity
from .metrics import image_auroc, roc_curve


@dataclass(frozen=True)
class LayerMap:
    layer: str
    map: np.ndarray  # [H, W] float32 in [0, 1], the original image's size
    grid: tuple[int, int]  # the layer's own resolution (h, w) of the first view
    inside: np.ndarray | None = None  # [H, W] bool: the inspected area (None: the whole image); 0 outside


def _normalise(a: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    values = a if where is None or not where.any() else a[where]
    lo, hi = float(values.min()), float(values.max())
    out = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    out = np.clip(out, 0.0, 1.0).astype(np.float32)
    return out if where is None or not where.any() else np.where(where, out, np.float32(0.0))


@torch.no_grad()
def layer_maps(model, image: np.ndarray) -> list[LayerMap]:
    """uint8 RGB ``[H, W, 3]`` -> one ``LayerMap`` per layer of ``model.config.layers`` (any model with an
    ``extractor``): the layer's channels summed, stitched over the views, min-max normalised over the
    inspected area (0 outside it), resized to ``[H, W]``."""
    if image.ndim != 3 or image.shape[2] != 3:
        raise InvalidInput(f"expected an RGB image [H, W, 3], got shape {image.shape}")
    geometry = model.preprocessor
    frame = geometry.frame(image, getattr(model, "roi", None))
    views = frame.views
    per_layer: list[list[np.ndarray]] = [[] for _ in model.config.layers]
    grids: list[tuple[int, int]] = []
    for view in views:
        x = view.image.unsqueeze(0).to(model.device)
        maps = model.extractor(x)
        for i, m in enumerate(maps):
            per_layer[i].append(m[0].float().sum(dim=0).cpu().numpy())
            if len(grids) < len(maps):
                grids.append((int(m.shape[-2]), int(m.shape[-1])))
    h, w = frame.size
    inside = None
    if frame.region is not None:
        inside = cv2.resize(frame.region.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    out = []
    for name, view_maps, grid in zip(model.config.layers, per_layer, grids):
        full = assemble(frame, view_maps, geometry.blend_ramp(h, w))  # [mh, mw], 0 outside the inspected area
        full = _normalise(full, frame.region)
        out.append(LayerMap(name, cv2.resize(full, (w, h), interpolation=cv2.INTER_LINEAR), grid, inside))
    return out


def _bank(model) -> np.ndarray:
    bank = getattr(model, "memory_bank", None)
    if bank is None:
        raise InvalidInput(f"a {getattr(model, 'kind', 'model')} model has no memory bank (PatchCore has one)")
    return bank.numpy() if isinstance(bank, torch.Tensor) else np.asarray(bank)


def bank_histogram(bank, bins: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per bank vector ``[M, D]`` the sum over its dimensions, normalised to 0-255 (min -> 0, max -> 255)
    -> ``(counts [bins] int64, edges [bins + 1])`` over 0..255. Accepts a model with a ``memory_bank``."""
    if not isinstance(bank, (np.ndarray, torch.Tensor)):
        bank = _bank(bank)
    b = bank.numpy() if isinstance(bank, torch.Tensor) else np.asarray(bank)
    if b.ndim != 2 or len(b) == 0:
        raise InvalidInput(f"expected a non-empty bank [M, D], got shape {b.shape}")
    sums = b.astype(np.float64).sum(axis=1)
    lo, hi = sums.min(), sums.max()
    scaled = (sums - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(sums)
    counts, edges = np.histogram(scaled, bins=bins, range=(0.0, 255.0))
    return counts.astype(np.int64), edges


@dataclass(frozen=True)
class Pca:
    bank_xy: np.ndarray  # [m, 2] the (sampled) bank rows in the first two principal axes
    bank_rows: np.ndarray  # [m] which bank rows those are
    patch_xy: np.ndarray  # [p, 2] the image's patch vectors in the same axes (empty without an image)
    patch_distance: np.ndarray  # [p] each patch's distance to its nearest bank vector
    explained: tuple[float, float]  # the fraction of the bank's variance along each axis
    grid: tuple[int, int]  # the patch grid of the first view (h, w)


def fit_pca(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """``rows [m, D]`` -> (mean ``[D]``, axes ``[D, 2]``, explained variance fractions) via the covariance."""
    x = rows.astype(np.float64)
    mean = x.mean(axis=0)
    cov = np.cov(x - mean, rowvar=False)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:2]
    axes = vectors[:, order]
    for j in range(axes.shape[1]):  # a fixed sign: the largest component positive
        if axes[np.abs(axes[:, j]).argmax(), j] < 0:
            axes[:, j] *= -1.0
    total = float(values.clip(min=0).sum()) or 1.0
    explained = tuple(float(max(values[i], 0.0)) / total for i in order)
    return mean, axes, (explained + (0.0, 0.0))[:2]


@torch.no_grad()
def bank_pca(model, image: np.ndarray | None = None, max_rows: int = 20_000, seed: int = 0) -> Pca:
    """The PatchCore model's memory bank in 2-D, and ``image``'s patch vectors (inside the region) with
    their nearest-neighbour distance, projected into the same axes."""
    bank = _bank(model)
    rows = np.arange(len(bank))
    if len(bank) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(bank), max_rows, replace=False))
    sample = bank[rows]
    if len(sample) < 3:
        raise InvalidInput("the memory bank has fewer than 3 vectors: nothing to project")
    mean, axes, explained = fit_pca(sample)
    bank_xy = ((sample - mean) @ axes).astype(np.float32)
    patch_xy = np.zeros((0, 2), np.float32)
    dist = np.zeros(0, np.float32)
    grid = (0, 0)
    if image is not None:
        frame = model.preprocessor.frame(image, getattr(model, "roi", None))
        feats = []
        for view in frame.views:
            f, g = model.embed(view.image.unsqueeze(0))
            f = f[0]
            ok = patch_validity(view.valid, g)
            if ok is not None:
                f = f[torch.from_numpy(ok.reshape(-1))]
            feats.append(f.numpy())
            grid = grid if grid != (0, 0) else (int(g[0]), int(g[1]))
        flat = np.concatenate(feats).astype(np.float32)
        if len(flat):
            d, _ = model.search.search(flat, 1)
            dist = d[:, 0].astype(np.float32)
            patch_xy = ((flat - mean) @ axes).astype(np.float32)
    return Pca(bank_xy, rows, patch_xy, dist, explained, grid)


@dataclass(frozen=True)
class Roc:
    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auroc: float
    n_good: int
    n_defect: int


def labelled_roc(items: Iterable) -> Roc | None:
    """ROC of the scores of parts a person decided on: ``items`` have ``.score`` and ``.decision`` ("good" or
    "defect"; others are ignored). None unless both a good and a defect part are among them."""
    scores: list[float] = []
    labels: list[bool] = []
    for r in items:
        if r.decision in ("good", "defect"):
            scores.append(float(r.score))
            labels.append(r.decision == "defect")
    return roc_from_scores(scores, labels)


def roc_from_scores(scores: Sequence[float], labels: Sequence[bool]) -> Roc | None:
    n_defect = int(sum(bool(v) for v in labels))
    n_good = len(labels) - n_defect
    if n_defect == 0 or n_good == 0:
        return None
    fpr, tpr, thresholds = roc_curve(scores, labels)
    return Roc(fpr, tpr, thresholds, float(image_auroc(scores, labels)), n_good, n_defect)
