"""Evaluate a model on a folder in the MVTec AD layout: ``train/good``, ``test/<type>``, ``ground_truth/<type>``.

Trains on ``train/good``, scores every image under ``test/``, and computes image AUROC, pixel AUROC and PRO
(when masks exist), F1 at the best threshold, timings and peak memory. Pixel metrics are computed at the
model's input resolution, with masks resized and cropped like the images (as the official code does).
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import InspectorError
from ..io.images import ImageReadError, SkippedImage, find_images, read_image
from ..runtime.progress import CancelToken, ProgressFn, no_progress
from . import metrics


class DatasetLayoutError(InspectorError, ValueError):
    pass


@dataclass
class TestSample:
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

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(
    model_factory: Callable[[], object],
    dataset: str | Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> EvaluationResult:
    """Fit ``model_factory()`` on ``train/good`` and score ``test/``; any model with ``fit``/``predict``."""
    train, samples = discover(dataset)
    model = model_factory()
    t0 = time.perf_counter()
    report = model.fit(train, progress, cancel)
    fit_seconds = time.perf_counter() - t0

    skipped: list = []
    by_path = {s.path: s for s in samples}
    scores, labels, maps, masks, types = [], [], [], [], []
    t0 = time.perf_counter()
    preds = list(model.predict([s.path for s in samples], progress, cancel, skipped))
    infer_seconds = time.perf_counter() - t0
    pre = model.preprocessor
    for p in preds:
        s = by_path[p.path]
        scores.append(p.score)
        labels.append(s.label)
        types.append(s.defect_type)
        if p.anomaly_map is None:
            continue
        # Pixel metrics use good images (no defect anywhere) and defect images with a readable mask; a defect
        # image without one is left out rather than counted as all good pixels.
        if s.label == 0:
            mask = np.zeros(p.anomaly_map.shape, bool)
        elif s.mask_path is None:
            continue
        else:
            try:
                mask = pre.mask(read_image(s.mask_path)[:, :, 0])
            except ImageReadError as exc:
                skipped.append(SkippedImage(s.mask_path, f"mask left out of pixel metrics: {exc}"))
                continue
        maps.append(p.anomaly_map)
        masks.append(mask)
    scores_a, labels_a = np.asarray(scores), np.asarray(labels)
    pixel_auroc = pro = None
    if maps and any(m.any() for m in masks):
        maps_a, masks_a = np.stack(maps), np.stack(masks)
        pixel_auroc = metrics.pixel_auroc(maps_a, masks_a)
        pro = metrics.pro_score(maps_a, masks_a)
    per_type = {}
    goods = labels_a == 0
    for t in sorted(set(types) - {"good"}):
        sel = goods | (np.asarray(types) == t)
        per_type[t] = metrics.image_auroc(scores_a[sel], labels_a[sel])
    f1, thr = metrics.best_f1(scores_a, labels_a)
    cfg = model.config
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
        skipped=[str(s) for s in report.skipped + skipped],
        per_type_image_auroc=per_type,
    )
