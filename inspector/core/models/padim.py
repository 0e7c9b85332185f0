"""PaDiM (Defard et al., "PaDiM: a Patch Distribution Modeling Framework for Anomaly Detection and
Localization", 2020).

fit:     good images -> backbone layers 1-3, layer2/3 bilinearly upsampled to layer1's grid and concatenated
         (resnet18: 64 + 128 + 256 = 448 channels on 56 x 56 at 224 px) -> a fixed random subset of ``D``
         channels (seeded, stored with the model; resnet18: 100, wide_resnet50_2: 550) -> per position ``p``
         a Gaussian ``N(mu_p, Sigma_p + 0.01 I)``, accumulated over the images in a streaming way.
predict: image -> the same embedding ``[P, D]`` -> Mahalanobis distance per position (``[h, w]``) ->
         upsampled to the input and blurred (sigma 4) like PatchCore's map; image score = max of the map.

Memory grows with ``P x D^2``: ``estimate_memory`` states it for a configuration without building anything,
and ``fit`` refuses (``InsufficientMemoryError``, with the figures) when it will not fit in free memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..backbones.build import build_feature_extractor
from ..backbones.extractor import FeatureExtractor
from ..backbones.weights import WeightsSource
from ..components.anomaly_map import anomaly_maps
from ..components.gaussian_stats import PositionGaussians, position_mahalanobis
from ..errors import InvalidInput
from ..io.images import SkippedImage, iter_batches
from ..runtime.device import configure_threads, resolve_device
from ..runtime.memory import format_bytes, require_memory
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

PAPER_DIMS = {"resnet18": 100, "wide_resnet50_2": 550}  # channels kept at random, as in the paper


def default_dims(backbone: str, channels: int) -> int:
    """The paper's number of kept channels for ``backbone``; other backbones keep ``min(channels, 550)``."""
    return min(channels, PAPER_DIMS.get(backbone, 550))


@dataclass
class PadimConfig(ModelConfig):
    backbone: str = "resnet18"
    layers: list[str] = field(default_factory=lambda: ["layer1", "layer2", "layer3"])
    weights: str = "pretrained"  # "pretrained" (timm hub), "random" (tests only) or a weights file path
    resize: int = 256
    crop: int = 224
    dims: int = 0  # channels kept at random; 0: the paper's choice for the backbone (see PAPER_DIMS)
    covariance_eps: float = 0.01  # added to the covariance's diagonal
    blur_sigma: float = 4.0
    batch_size: int = 8
    seed: int = 0  # of the random channel subset
    device: str = "auto"
    geometry: str = "center-crop"  # center-crop or stretch: one fixed input shape (io/geometry.py)
    reduced_decode: bool = False  # JPEGs decoded at a reduced size (io/images.read_image_at); absent in old models


@dataclass(frozen=True)
class PadimMemory:
    """What a PaDiM configuration holds: ``positions`` Gaussians of ``dims`` dimensions."""

    positions: int  # h * w of the first layer's grid
    grid: tuple[int, int]
    channels: tuple[int, ...]  # per layer, before the random subset
    dims: int

    @property
    def model_bytes(self) -> int:
        """The trained model: means ``[P, D]`` and precisions ``[P, D, D]``, float32."""
        return 4 * self.positions * self.dims * (self.dims + 1)

    @property
    def fit_bytes(self) -> int:
        """Peak while fitting: float64 running sums ``[P, D, D]`` + ``[P, D]`` plus the float32 model."""
        return 8 * self.positions * self.dims * (self.dims + 1) + self.model_bytes

    def describe(self) -> str:
        return (f"{self.positions} positions ({self.grid[0]}x{self.grid[1]}) x {self.dims} dims: "
                f"{format_bytes(self.fit_bytes)} to train, {format_bytes(self.model_bytes)} to keep")


def feature_shapes(backbone: str, layers: Sequence[str], crop: int) -> list[tuple[int, int, int]]:
    """``(C, H, W)`` of each layer's map for a ``crop`` x ``crop`` input, traced on the meta device (free)."""
    from ..backbones.catalogue import meta_model, resolve_backbone

    model = meta_model(resolve_backbone(backbone, guess_layers=False).timm_name)  # BackboneError if unknown
    with torch.device("meta"):
        outs = FeatureExtractor(model, layers)(torch.zeros(1, 3, crop, crop))
    return [tuple(o.shape[1:]) for o in outs]


def estimate_memory(config: PadimConfig) -> PadimMemory:
    """Memory a PaDiM configuration needs, without weights or images (for the UI and for ``fit``'s check)."""
    shapes = feature_shapes(config.backbone, config.layers, config.crop)
    channels = tuple(int(c) for c, _, _ in shapes)
    total = sum(channels)
    dims = config.dims or default_dims(config.backbone, total)
    if not 1 <= dims <= total:
        raise InvalidInput(f"PaDiM dims must be between 1 and {total} (the layers' channels) for "
                         f"{config.backbone} {'+'.join(config.layers)}, got {dims}")
    h, w = int(shapes[0][1]), int(shapes[0][2])
    return PadimMemory(h * w, (h, w), channels, dims)


def random_channels(total: int, dims: int, seed: int) -> torch.Tensor:
    """A fixed random subset of ``dims`` of ``total`` channel indices, sorted, int64 ``[dims]``."""
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(total, generator=g)[:dims].sort().values


class Padim(AnomalyModel):
    kind = "padim"

    def __init__(self, config: PadimConfig | None = None, progress: ProgressFn = no_progress):  # nothing to report
        self.config = config or PadimConfig()
        configure_threads()
        self.device = resolve_device(self.config.device)
        self.memory = estimate_memory(self.config)
        extractor, weights_hash = build_feature_extractor(
            self.config.backbone, self.config.layers, WeightsSource.parse(self.config.weights), self.config.crop
        )
        self.extractor = extractor.to(self.device)
        self.weights_hash = weights_hash
        self.preprocessor = self.config.preprocessor()
        self.check_geometry()
        self._set_channels(random_channels(sum(self.memory.channels), self.memory.dims, self.config.seed))
        self.mean: torch.Tensor | None = None  # [P, D] float32, CPU
        self.precision: torch.Tensor | None = None  # [P, D, D] float32, CPU: inverse of (covariance + eps I)
        self._on_device: tuple[torch.Tensor, torch.Tensor] | None = None
        self.stats: dict = {}

    def _set_channels(self, channel_index: torch.Tensor) -> None:
        """Split the global channel subset into per-layer indices (the subset is sorted, so concatenating the
        per-layer selections gives the subset's order)."""
        self.channel_index = channel_index.to(torch.int64)
        self._per_layer: list[torch.Tensor] = []
        start = 0
        for c in self.memory.channels:
            sel = self.channel_index[(self.channel_index >= start) & (self.channel_index < start + c)] - start
            self._per_layer.append(sel.to(self.device))
            start += c

    # ----------------------------------------------------------------------------------------- features
    @torch.no_grad()
    def embed(self, images: torch.Tensor, cancel: CancelToken | None = None) -> torch.Tensor:
        """``[b, 3, H, W]`` normalized images -> embeddings ``[b, P, D]`` (float32, on the model's device).

        Channels are selected before upsampling (bilinear interpolation acts per channel, so the result is
        the same and the unused channels are never upsampled).
        """
        maps = self.extractor(images.to(self.device), cancel=cancel)
        h, w = maps[0].shape[-2:]
        parts = []
        for m, sel in zip(maps, self._per_layer):
            if sel.numel() == 0:
                continue
            m = m.index_select(1, sel)
            if m.shape[-2:] != (h, w):
                m = F.interpolate(m, size=(h, w), mode="bilinear", align_corners=False)
            parts.append(m)
        return torch.cat(parts, 1).flatten(2).transpose(1, 2).float()

    # ---------------------------------------------------------------------------------------------- fit
    def fit(
        self,
        paths: Sequence[Path],
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> FitReport:
        """Fit the per-position Gaussians on good images. On error or cancel the previous state is kept."""
        cfg, mem = self.config, self.memory
        require_memory(
            mem.fit_bytes, f"PaDiM with {cfg.backbone} ({mem.describe()})",
            "Choose fewer dimensions, a smaller crop size or a smaller backbone.",
        )
        watch = Stopwatch()
        skipped: list[SkippedImage] = []
        gaussians = PositionGaussians(mem.positions, mem.dims)
        progress("features", 0, len(paths))
        with watch("features"):
            for batch in iter_batches(paths, self.preprocessor, cfg.batch_size, skipped):
                for piece in self.pace().slices(len(batch.images), cancel):  # with a token: pieces of ~0.3 s, checked
                    gaussians.update(self.embed(batch.images[piece], cancel))
                progress("features", gaussians.n + len(skipped), len(paths))
        if gaussians.n < 2:
            listed = "; ".join(str(s) for s in skipped[:5])
            raise InvalidInput(f"PaDiM needs at least 2 readable training images, found {gaussians.n} among "
                             f"{len(paths)} file(s). {listed}".strip())
        checkpoint(cancel)

        def step(done: int, total: int) -> None:
            checkpoint(cancel)
            progress("fit", done, total)

        with watch("fit"):
            mean, precision = gaussians.finish(cfg.covariance_eps, step=step)
        checkpoint(cancel)  # a cancel that came during the last step still leaves the previous model
        self.mean, self.precision, self._on_device = mean, precision, None
        self.stats = {"n_train": gaussians.n, "positions": mem.positions, "grid_h": mem.grid[0],
                      "grid_w": mem.grid[1], "channels": sum(mem.channels), "feature_dim": mem.dims,
                      "model_bytes": mem.model_bytes}
        return FitReport(gaussians.n, skipped, watch.seconds, dict(self.stats))

    # ------------------------------------------------------------------------------------------ predict
    def _device_tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.mean is None or self.precision is None:
            raise NotTrainedError("the model is not trained yet")
        if self._on_device is None:
            self._on_device = (self.mean.to(self.device), self.precision.to(self.device))
        return self._on_device

    @torch.no_grad()
    def distance_grid(self, images: torch.Tensor) -> torch.Tensor:
        """``[b, 3, H, W]`` -> Mahalanobis distance per position ``[b, h, w]`` (before upsampling)."""
        mean, precision = self._device_tensors()
        dist = position_mahalanobis(self.embed(images), mean, precision)
        return dist.reshape(images.shape[0], *self.memory.grid)

    @torch.no_grad()
    def predict_batch(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """``[b, 3, H, W]`` -> (image scores ``[b]`` = max of each map, anomaly maps ``[b, H, W]`` float32)."""
        maps = anomaly_maps(self.distance_grid(images), images.shape[-2:], self.config.blur_sigma)
        scores = maps.flatten(1).amax(1)
        return scores.double().cpu().numpy(), maps.float().cpu().numpy()

    # --------------------------------------------------------------------------------------- save/load
    def save(self, folder: str | Path) -> None:
        if self.mean is None or self.precision is None:
            raise NotTrainedError("nothing to save: the model is not trained yet")
        save_model_folder(folder, self.model_meta(),
                          {"mean": self.mean, "precision": self.precision, "channel_index": self.channel_index})

    @classmethod
    def load(cls, folder: str | Path, weights: str | None = None, device: str | None = None) -> "Padim":
        """Load a trained model; ``weights`` overrides where the backbone weights come from (they must be the
        very weights it was trained with, or ``WeightsMismatchError`` is raised)."""
        with model_folder_lock(folder, shared=True):  # a concurrent save waits
            model, meta = cls._new_for_load(folder, PadimConfig, weights, device)
            mem = model.memory
            require_memory(mem.model_bytes, f"this PaDiM model ({mem.describe()})")
            tensors = load_model_tensors(folder, meta)
            expected = {"mean": (mem.positions, mem.dims), "precision": (mem.positions, mem.dims, mem.dims),
                        "channel_index": (mem.dims,)}
            for name, shape in expected.items():
                if name not in tensors:
                    raise ModelFormatError(f"{folder}: '{name}' is missing from the model files")
                if tuple(tensors[name].shape) != shape:
                    raise ModelFormatError(f"{folder}: '{name}' has shape {tuple(tensors[name].shape)}, "
                                           f"expected {shape} for this configuration")
            for name in ("mean", "precision"):
                check_tensor(folder, name, tensors[name], len(expected[name]))
            index = tensors["channel_index"].to(torch.int64)
            if index.min() < 0 or index.max() >= sum(mem.channels) or not bool((index[1:] > index[:-1]).all()):
                raise ModelFormatError(f"{folder}: the stored channel subset is not valid for {model.config.backbone}")
            model._set_channels(index)
            model.mean, model.precision = tensors["mean"].float(), tensors["precision"].float()
            model.stats = meta.get("stats", {})
        return model
