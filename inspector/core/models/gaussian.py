"""The Gaussian image-level model (Rippel, Mertens, Merhof, "Modeling the Distribution of Normal Data in
Pre-Trained Deep Features for Anomaly Detection", ICPR 2020).

fit:     good images -> the backbone's feature map at every level (EfficientNet: stem, each of the 7 block
         stages and the head = levels 1-9; ResNet: stem and each stage) -> global average pooling, one
         vector ``[C_l]`` per image and level -> per level a mean and a Ledoit-Wolf shrunk covariance.
predict: image -> pooled vectors -> Mahalanobis distance to each level's Gaussian -> summed over the levels
         (or the distance at one chosen level; level 7 is usually best with EfficientNet).
An image-level model: it gives a score per image and no anomaly map (``Prediction.anomaly_map`` is None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..backbones.build import build_feature_extractor
from ..backbones.weights import WeightsSource
from ..components.gaussian_stats import ledoit_wolf, mahalanobis
from ..errors import InvalidInput
from ..io.images import SkippedImage, iter_batches
from ..runtime.device import configure_threads, resolve_device
from ..runtime.progress import CancelToken, ProgressFn, checkpoint, no_progress
from .base import (
    AnomalyModel,
    FitReport,
    ModelConfig,
    ModelFormatError,
    NotTrainedError,
    Stopwatch,
    check_tensor,
    load_model_tensors,
    model_folder_lock,
    save_model_folder,
)


def default_levels(backbone: str) -> list[str]:
    """The module names of every level of ``backbone`` (traced on the meta device, no weights needed).

    EfficientNet-like (``conv_stem``, ``bn1``, ``blocks``, ``conv_head``, ``bn2``): ``bn1`` (the stem's
    conv + BN + activation), ``blocks.0`` ... ``blocks.N-1``, ``bn2`` (the head's). ResNet-like: ``act1``
    (the stem) and ``layer1`` ... ``layer4``.
    """
    from ..backbones.catalogue import meta_model, resolve_backbone

    model = meta_model(resolve_backbone(backbone, guess_layers=False).timm_name)  # BackboneError if unknown
    children = dict(model.named_children())
    if {"conv_stem", "bn1", "blocks", "conv_head", "bn2"} <= children.keys():
        return ["bn1"] + [f"blocks.{i}" for i in range(len(children["blocks"]))] + ["bn2"]
    stages = [f"layer{i}" for i in range(1, 5) if f"layer{i}" in children]
    if stages:
        return [stem for stem in ("act1",) if stem in children] + stages
    raise InvalidInput(f"no default levels are known for '{backbone}': name its level modules explicitly "
                     f"(top-level modules: {', '.join(children)})")


@dataclass
class GaussianConfig(ModelConfig):
    backbone: str = "tf_efficientnet_b4"
    layers: list[str] = field(default_factory=list)  # the levels' modules; empty: every level (default_levels)
    level: int = 0  # 0: score = sum of the distances over all levels; k >= 1: level k only (1-based)
    weights: str = "pretrained"  # "pretrained" (timm hub), "random" (tests only) or a weights file path
    resize: int = 380  # EfficientNet-B4's input size, as in the paper
    crop: int = 380
    batch_size: int = 8
    device: str = "auto"
    geometry: str = "center-crop"  # center-crop or stretch: one fixed input shape (io/geometry.py)
    reduced_decode: bool = False  # JPEGs decoded at a reduced size (io/images.read_image_at); absent in old models


def _inverse(cov: torch.Tensor) -> torch.Tensor:
    """Inverse of a symmetric PSD matrix; the pseudo-inverse where it is singular (a level with no variance)."""
    inv, info = torch.linalg.inv_ex(cov)
    if int(info) == 0 and torch.isfinite(inv).all():
        return inv
    return torch.linalg.pinv(cov, hermitian=True)


class GaussianModel(AnomalyModel):
    kind = "gaussian"

    def __init__(self, config: GaussianConfig | None = None, progress: ProgressFn = no_progress):  # nothing to report
        self.config = config or GaussianConfig()
        if not self.config.layers:
            self.config.layers = default_levels(self.config.backbone)
        if not 0 <= self.config.level <= len(self.config.layers):
            raise InvalidInput(f"level must be 0 (all levels summed) or between 1 and {len(self.config.layers)}, "
                             f"got {self.config.level}")
        configure_threads()
        self.device = resolve_device(self.config.device)
        extractor, weights_hash = build_feature_extractor(
            self.config.backbone, self.config.layers, WeightsSource.parse(self.config.weights), self.config.crop
        )
        self.extractor = extractor.to(self.device)
        self.weights_hash = weights_hash
        self.preprocessor = self.config.preprocessor()
        self.check_geometry()
        self.means: list[torch.Tensor] | None = None  # per level [C_l] float64, CPU
        self.precisions: list[torch.Tensor] | None = None  # per level [C_l, C_l] float64, CPU
        self.stats: dict = {}

    # ----------------------------------------------------------------------------------------- features
    @torch.no_grad()
    def embed(self, images: torch.Tensor, cancel: CancelToken | None = None) -> list[torch.Tensor]:
        """``[b, 3, H, W]`` -> per level the globally average-pooled features ``[b, C_l]`` (float64, CPU)."""
        maps = self.extractor(images.to(self.device), cancel=cancel)
        return [m.mean(dim=(2, 3)).to("cpu", torch.float64) for m in maps]

    # ---------------------------------------------------------------------------------------------- fit
    def fit(
        self,
        paths: Sequence[Path],
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> FitReport:
        """Fit one Gaussian per level on good images. On error or cancel the previous state is kept."""
        cfg = self.config
        watch = Stopwatch()
        skipped: list[SkippedImage] = []
        pooled: list[list[torch.Tensor]] = [[] for _ in cfg.layers]
        n = 0
        progress("features", 0, len(paths))
        with watch("features"):
            for batch in iter_batches(paths, self.preprocessor, cfg.batch_size, skipped):
                checkpoint(cancel)
                for level, feats in zip(pooled, self.embed(batch.images, cancel)):
                    level.append(feats)
                n += len(batch.paths)
                progress("features", n + len(skipped), len(paths))
        if n < 2:
            listed = "; ".join(str(s) for s in skipped[:5])
            raise InvalidInput(f"the Gaussian model needs at least 2 readable training images, found {n} among "
                             f"{len(paths)} file(s). {listed}".strip())
        means, precisions, shrinkages = [], [], []
        with watch("fit"):
            for i, level in enumerate(pooled):
                checkpoint(cancel)
                x = torch.cat(level)  # [N, C_l]
                cov, shrinkage = ledoit_wolf(x)
                means.append(x.mean(0))
                precisions.append(_inverse(cov))
                shrinkages.append(round(shrinkage, 6))
                progress("fit", i + 1, len(pooled))
        checkpoint(cancel)  # a cancel that came during the last level still leaves the previous model
        channels = [int(m.numel()) for m in means]
        self.means, self.precisions = means, precisions
        self.stats = {"n_train": n, "levels": len(channels), "channels": channels, "shrinkage": shrinkages,
                      "feature_dim": sum(channels) if cfg.level == 0 else channels[cfg.level - 1]}
        return FitReport(n, skipped, watch.seconds, dict(self.stats))

    # ------------------------------------------------------------------------------------------ predict
    @torch.no_grad()
    def level_scores(self, images: torch.Tensor) -> np.ndarray:
        """``[b, 3, H, W]`` -> Mahalanobis distance at every level ``[b, L]`` (float64)."""
        if self.means is None or self.precisions is None:
            raise NotTrainedError("the model is not trained yet")
        dists = [mahalanobis(x, m, p) for x, m, p in zip(self.embed(images), self.means, self.precisions)]
        return torch.stack(dists, 1).numpy()

    def predict_batch(self, images: torch.Tensor) -> tuple[np.ndarray, None]:
        """``[b, 3, H, W]`` -> (image scores ``[b]``, None: this model gives no anomaly map)."""
        per_level = self.level_scores(images)
        level = self.config.level
        return (per_level.sum(1) if level == 0 else per_level[:, level - 1]), None

    # --------------------------------------------------------------------------------------- save/load
    def save(self, folder: str | Path) -> None:
        if self.means is None or self.precisions is None:
            raise NotTrainedError("nothing to save: the model is not trained yet")
        tensors = {}
        for i, (m, p) in enumerate(zip(self.means, self.precisions)):
            tensors[f"mean.{i}"], tensors[f"precision.{i}"] = m, p
        save_model_folder(folder, self.model_meta(), tensors)

    @classmethod
    def load(cls, folder: str | Path, weights: str | None = None, device: str | None = None) -> "GaussianModel":
        """Load a trained model; ``weights`` overrides where the backbone weights come from (they must be the
        very weights it was trained with, or ``WeightsMismatchError`` is raised)."""
        with model_folder_lock(folder, shared=True):  # a concurrent save waits
            model, meta = cls._new_for_load(folder, GaussianConfig, weights, device)
            tensors = load_model_tensors(folder, meta)
            means, precisions = [], []
            for i in range(len(model.config.layers)):
                m, p = tensors.get(f"mean.{i}"), tensors.get(f"precision.{i}")
                if m is None or p is None:
                    raise ModelFormatError(f"{folder}: the Gaussian of level {i + 1} is missing from the model files")
                if m.ndim != 1 or tuple(p.shape) != (m.numel(), m.numel()):
                    raise ModelFormatError(f"{folder}: the Gaussian of level {i + 1} has inconsistent shapes "
                                           f"{tuple(m.shape)} and {tuple(p.shape)}")
                check_tensor(folder, f"mean.{i}", m, 1)
                check_tensor(folder, f"precision.{i}", p, 2)
                means.append(m.to(torch.float64))
                precisions.append(p.to(torch.float64))
            model.means, model.precisions = means, precisions
            model.stats = meta.get("stats", {})
        return model
