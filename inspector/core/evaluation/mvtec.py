"""Evaluate a model on a folder in the MVTec AD layout: ``train/good``, ``test/<type>``, ``ground_truth/<type>``.

Trains on ``train/good``, scores every image under ``test/``, and computes image AUROC, pixel AUROC and PRO
(when masks exist), F1 at the best threshold, timings and peak memory.

Pixel metrics cover the whole original frame, whatever the geometry: each image's full-frame map and its
ground-truth mask are brought to the image's *evaluation size*, the original frame scaled down (never up,
aspect kept) so that its longer side is at most ``eval_max_side`` (512 px by default; bottle's 900x900 ->
512x512, bsdata's 1130x460 -> 512x208): maps bilinearly, masks nearest-neighbour. A defect the geometry does
not look at (outside a centre crop, outside the region) therefore counts as missed. Images of different sizes
are evaluated each at its own size.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from ..errors import InspectorError
from ..io.geometry import scale_mask
from ..io.images import ImageReadError, SkippedImage, find_images, read_image
from ..runtime.progress import CancelToken, ProgressFn, call_cancellable, checkpoint, no_progress
from . import metrics


class DatasetLayoutError(InspectorError, ValueError):
    pass


@dataclass
class TestSample:
    __test__ = False  # not a pytest test class, whatever its name
    path: Path
    label: int  # 0 good, 1 defect
    defect_type: str
    mask_path: Path | None


def discover(dataset: str | Path) -> tuple[list[Path], list[TestSample]]:
    """Find training images and labelled test images of an MVTec-AD-style folder."""
    root = Path(dataset)
    train_dir, test_dir = root / "train" / "good", root / "test"
    if not train_dir.is_dir() or not test_dir.is_dir():
        raise DatasetLayoutError(
            f"{root} is not in the MVTec AD layout: expected train/good/ and test/<type>/ folders"
        )
    train, _ = find_images([train_dir])
    samples: list[TestSample] = []
    for type_dir in sorted(p for p in test_dir.iterdir() if p.is_dir()):
        files, _ = find_images([type_dir])
        for f in files:
            label = 0 if type_dir.name == "good" else 1
            mask = root / "ground_truth" / type_dir.name / f"{f.stem}_mask.png"
            samples.append(TestSample(f, label, type_dir.name, mask if mask.is_file() else None))
    if not train:
        raise DatasetLayoutError(f"no training images in {train_dir}")
    if not samples:
        raise DatasetLayoutError(f"no test images under {test_dir}")
    return train, samples


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass
class EvaluationResult:
    dataset: str
    model: str
    backbone: str
    layers: list[str]
    coreset_ratio: float | None
    image_auroc: float
    pixel_auroc: float | None
    pro: float | None
    f1: float
    f1_threshold: float
    fit_seconds: float
    feature_seconds: float | None
    coreset_seconds: float | None
    inference_ms_per_image: float
    peak_rss_mb: float
    n_train: int
    n_test: int
    feature_dim: int | None
    skipped: list[str]
    per_type_image_auroc: dict[str, float]
    geometry: str = "center-crop"
    geometry_detail: str = ""
    region: dict | None = None  # the inspection region: its source and the fraction of the frame it covers
    eval_size: str = ""  # how pixel metrics were computed
    defect_footprint_px: list | None = None
    per_type_count: dict[str, int] = field(default_factory=dict)  # scored images of each type, goods included
    image_scores: list[float] = field(default_factory=list)  # each scored image's score, in scoring order
    image_labels: list[int] = field(default_factory=list)  # and its label (1 = defect): the ROC curve's data
    config: dict = field(default_factory=dict)  # the model's settings as trained (the method, geometry, sizes...)

    def to_dict(self) -> dict:
        return asdict(self)


def eval_size(h: int, w: int, max_side: int) -> tuple[int, int]:
    """The frame ``(h, w)`` scaled down (never up, aspect kept) so that its longer side is at most ``max_side``."""
    s = min(1.0, max_side / max(h, w))
    return max(1, round(h * s)), max(1, round(w * s))


def evaluate(
    model_factory: Callable[[], object],
    dataset: str | Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    roi: np.ndarray | None = None,
    roi_source: str = "",
    eval_max_side: int = 512,
    train_subset: int = 0,
) -> EvaluationResult:
    """Fit ``model_factory()`` on ``train/good`` and score ``test/``; any model with ``fit``/``predict``.

    ``roi`` (True = inspect) is given to the model before training; ``train_subset`` > 0 trains on that many
    training images, evenly spaced (for quick comparisons; the result records it).
    """
    train, samples = discover(dataset)
    return evaluate_samples(model_factory, train, samples, str(dataset), progress, cancel, roi=roi,
                            roi_source=roi_source, eval_max_side=eval_max_side, train_subset=train_subset)


def evaluate_samples(
    model_factory: Callable[[], object],
    train: list[Path],
    samples: list[TestSample],
    dataset: str = "",
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    roi: np.ndarray | None = None,
    roi_source: str = "",
    eval_max_side: int = 512,
    train_subset: int = 0,
) -> EvaluationResult:
    """``evaluate`` on given images: fit on ``train``, score the labelled ``samples`` (a folder in the MVTec
    layout, or parts a person reviewed). Pixel metrics need masks: without any, they are None."""
    if not train:
        raise DatasetLayoutError("there are no good images to train on")
    if not samples:
        raise DatasetLayoutError("there are no labelled images to score")
    if train_subset and train_subset < len(train):
        step = len(train) / train_subset
        train = [train[int(i * step)] for i in range(train_subset)]
    model = call_cancellable(model_factory, cancel)  # building a backbone takes seconds and checks no token
    if roi is not None:
        model.set_roi(roi)
    t0 = time.perf_counter()
    report = model.fit(train, progress, cancel)
    fit_seconds = time.perf_counter() - t0

    skipped: list = []
    by_path = {s.path: s for s in samples}
    scores, labels, maps, masks, types = [], [], [], [], []
    t0 = time.perf_counter()
    preds = list(model.predict([s.path for s in samples], progress, cancel, skipped))
    infer_seconds = time.perf_counter() - t0
    for p in preds:
        s = by_path[p.path]
        scores.append(p.score)
        labels.append(s.label)
        types.append(s.defect_type)
        if p.anomaly_map is None:
            continue
        # Pixel metrics use good images (no defect anywhere) and defect images with a readable mask; a defect
        # image without one is left out rather than counted as all good pixels.
        eh, ew = eval_size(*p.size, eval_max_side)
        if s.label == 0:
            mask = np.zeros((eh, ew), bool)
        elif s.mask_path is None:
            continue
        else:
            try:
                mask = scale_mask(read_image(s.mask_path)[:, :, 0], (eh, ew))
            except ImageReadError as exc:
                skipped.append(SkippedImage(s.mask_path, f"mask left out of pixel metrics: {exc}"))
                continue
        amap = p.anomaly_map
        if amap.shape != (eh, ew):
            amap = cv2.resize(amap.astype(np.float32), (ew, eh), interpolation=cv2.INTER_LINEAR)
        maps.append(amap)
        masks.append(mask)
    scores_a, labels_a = np.asarray(scores), np.asarray(labels)
    pixel_auroc = pro = None
    if maps and any(m.any() for m in masks):
        same = len({m.shape for m in maps}) == 1
        maps_a, masks_a = (np.stack(maps), np.stack(masks)) if same else (maps, masks)
        checkpoint(cancel)  # each pixel metric sorts every pixel: ~0.5 s for 80 images at 512 px on 2 cores
        pixel_auroc = metrics.pixel_auroc(maps_a, masks_a)
        checkpoint(cancel)
        pro = metrics.pro_score(maps_a, masks_a)
    per_type = {}
    goods, types_a = labels_a == 0, np.asarray(types)
    for t in sorted({t for t, label in zip(types, labels) if label == 1}):  # each defect type against all goods
        sel = goods | (types_a == t)
        per_type[t] = metrics.image_auroc(scores_a[sel], labels_a[sel])
    per_type_count = {t: int((types_a == t).sum()) for t in sorted(set(types))}
    f1, thr = metrics.best_f1(scores_a, labels_a)
    cfg = model.config
    geometry = model.preprocessor
    sizes = sorted({p.size for p in preds})
    region = None
    if getattr(model, "roi", None) is not None:
        region = {"source": roi_source or "given", "inspected_fraction": round(float(model.roi.mean()), 4)}
    return EvaluationResult(
        dataset=str(dataset),
        model=model.kind,
        backbone=cfg.backbone,
        layers=list(cfg.layers),
        coreset_ratio=getattr(cfg, "coreset_ratio", None),
        image_auroc=metrics.image_auroc(scores_a, labels_a),
        pixel_auroc=pixel_auroc,
        pro=pro,
        f1=f1,
        f1_threshold=thr,
        fit_seconds=fit_seconds,
        feature_seconds=report.seconds.get("features"),
        coreset_seconds=report.seconds.get("coreset"),
        inference_ms_per_image=1000.0 * infer_seconds / max(1, len(preds)),
        peak_rss_mb=peak_rss_mb(),
        n_train=report.n_train,
        n_test=len(preds),
        feature_dim=report.info.get("feature_dim"),
        config=asdict(cfg) if is_dataclass(cfg) else {},
        skipped=[str(s) for s in report.skipped + skipped],
        per_type_image_auroc=per_type,
        per_type_count=per_type_count,
        image_scores=[float(v) for v in scores],
        image_labels=[int(v) for v in labels],
        geometry=geometry.kind,
        geometry_detail=geometry.describe(),
        region=region,
        eval_size=(f"whole frame, longer side at most {eval_max_side} px: "
                   + ", ".join(f"{w}x{h} -> {eval_size(h, w, eval_max_side)[1]}x{eval_size(h, w, eval_max_side)[0]}"
                               for h, w in sizes[:4]) + (" ..." if len(sizes) > 4 else "")),
        defect_footprint_px=(model.stats or {}).get("defect_footprint_px") if hasattr(model, "stats") else None,
    )
