"""PatchCore (Roth et al., "Towards Total Recall in Industrial Anomaly Detection", CVPR 2022).

fit:     good images -> backbone layers -> locally aware patch features ``[N, D]`` (memory bank)
         -> approximate greedy coreset ``[M, D]`` -> faiss ``IndexFlatL2``.
predict: image -> patch features ``[h*w, D]`` -> distance to the nearest bank vector per patch
         -> anomaly map (``[h, w]`` upsampled to the input, blurred, sigma 4); image score = max patch score,
         optionally reweighted with the bank neighbours of the nearest vector (paper eq. 7).
Defaults are the official implementation's; every one is a field of ``PatchCoreConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..backbones.build import build_feature_extractor
from ..backbones.weights import WeightsSource
from ..components.anomaly_map import anomaly_maps
from ..components.coreset import coreset_size, projection_matrix, select_coreset
from ..components.memory_bank import SpilledBank
from ..components.patch_features import patch_features
from ..components.search import NearestNeighbours
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


@dataclass
class PatchCoreConfig(ModelConfig):
    backbone: str = "wide_resnet50_2"
    layers: list[str] = field(default_factory=lambda: ["layer2", "layer3"])
    weights: str = "pretrained"  # "pretrained" (timm hub), "random" (tests only) or a weights file path
    resize: int = 256
    crop: int = 224
    patchsize: int = 3
    pretrain_embed_dimension: int = 1024
    target_embed_dimension: int = 1024
    coreset_ratio: float = 0.1
    coreset_projection_dim: int = 128
    coreset_start_points: int = 10
    reweight_neighbors: int = 0  # 0: plain nearest neighbour (published runs); b > 1: paper eq. 7 with b
    blur_sigma: float = 4.0
    batch_size: int = 8
    seed: int = 0
    device: str = "auto"


class PatchCore(AnomalyModel):
    kind = "patchcore"

    def __init__(self, config: PatchCoreConfig | None = None):
        self.config = config or PatchCoreConfig()
        configure_threads()
        self.device = resolve_device(self.config.device)
        extractor, weights_hash = build_feature_extractor(
            self.config.backbone, self.config.layers, WeightsSource.parse(self.config.weights), self.config.crop
        )
        # channels-last convolutions are ~20 % faster on CPUs (oneDNN) and no slower on GPUs
        self.extractor = extractor.to(self.device, memory_format=torch.channels_last)
        self.weights_hash = weights_hash
        self.preprocessor = self.config.preprocessor()
        self.memory_bank: torch.Tensor | None = None  # [M, D] float32, CPU
        self.search: NearestNeighbours | None = None
        self.stats: dict = {}

    # ----------------------------------------------------------------------------------------- features
    @torch.no_grad()
    def embed(self, images: torch.Tensor, cancel: CancelToken | None = None) -> tuple[torch.Tensor, tuple[int, int]]:
        """``[b, 3, H, W]`` normalized images -> (patch features ``[b, h*w, D]`` on the CPU, ``(h, w)``)."""
        maps = self.extractor(images.to(self.device, memory_format=torch.channels_last), cancel=cancel)
        feats, grid = patch_features(
            maps, self.config.patchsize, self.config.pretrain_embed_dimension, self.config.target_embed_dimension
        )
        return feats.cpu(), grid

    # ---------------------------------------------------------------------------------------------- fit
    def fit(
        self,
        paths: Sequence[Path],
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> FitReport:
        """Build the memory bank from good images. On error or cancel the model keeps its previous state.

        The full bank is never in memory: each batch's patch vectors are projected for the coreset right
        away and spilled to a temporary file, from which only the chosen rows are read back.
        """
        cfg = self.config
        watch = Stopwatch()
        skipped: list[SkippedImage] = []
        dim = cfg.target_embed_dimension
        projection = projection_matrix(dim, cfg.coreset_projection_dim, cfg.seed)
        projected: torch.Tensor | None = None
        filled = 0
        progress("features", 0, len(paths))
        with SpilledBank(dim) as bank:
            with watch("features"):
                for batch in iter_batches(paths, self.preprocessor, cfg.batch_size, skipped):
                    checkpoint(cancel)
                    feats, _ = self.embed(batch.images, cancel)
                    per_image = feats.shape[1]
                    feats = feats.reshape(-1, dim)
                    if projected is None:  # one allocation: no list of chunks, no concatenation copy
                        width = cfg.coreset_projection_dim if dim > cfg.coreset_projection_dim else dim
                        projected = torch.empty(len(paths) * per_image, width, dtype=torch.float32)
                    z = feats @ projection if dim > cfg.coreset_projection_dim else feats
                    projected[filled : filled + len(feats)] = z
                    bank.append(feats)
                    filled += len(feats)
                    progress("features", len(skipped) + filled // per_image, len(paths))
            n_train = len(paths) - len(skipped)
            if projected is None or n_train == 0:
                listed = "; ".join(str(s) for s in skipped[:5])
                raise InvalidInput(f"no readable training images among {len(paths)} file(s). {listed}".strip())
            checkpoint(cancel)
            with watch("coreset"):
                keep = select_coreset(
                    projected[:filled], coreset_size(filled, cfg.coreset_ratio),
                    start_points=cfg.coreset_start_points, seed=cfg.seed, progress=progress, cancel=cancel,
                    device=self.device,
                )
                del projected
                coreset = bank.read(np.sort(keep))
        checkpoint(cancel)
        with watch("index"):
            search = NearestNeighbours(coreset.numpy(), self.device)
        self.memory_bank, self.search = coreset, search
        self.stats = {"n_train": n_train, "n_patches": filled, "coreset_size": int(coreset.shape[0]),
                      "feature_dim": int(coreset.shape[1])}
        return FitReport(n_train, skipped, watch.seconds, dict(self.stats))

    # ------------------------------------------------------------------------------------------ predict
    @torch.no_grad()
    def predict_batch(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """``[b, 3, H, W]`` -> (image scores ``[b]``, anomaly maps ``[b, H, W]`` float32)."""
        if self.search is None:
            raise NotTrainedError("the model is not trained yet")
        feats, (h, w) = self.embed(images)
        b, p, d = feats.shape
        flat = feats.reshape(-1, d).numpy()
        dist, nn_idx = self.search.search(flat, 1)
        patch = dist[:, 0].reshape(b, p)
        top = patch.argmax(axis=1)
        scores = patch[np.arange(b), top].astype(np.float64)
        k = self.config.reweight_neighbors
        if k > 1:
            scores *= self._reweight(flat.reshape(b, p, d)[np.arange(b), top], nn_idx[:, 0].reshape(b, p)[np.arange(b), top], k)
        maps = anomaly_maps(torch.from_numpy(patch.reshape(b, h, w)), images.shape[-2:], self.config.blur_sigma)
        return scores, maps.numpy()

    def _reweight(self, test_feats: np.ndarray, nearest: np.ndarray, k: int) -> np.ndarray:
        """Paper eq. 7: ``1 - softmax(|m_test - m|, m in N_k(m*))[m*]`` for each image's most anomalous patch."""
        bank = self.search.bank
        _, support = self.search.search(bank[nearest], min(k, len(bank)))  # N_k(m*), m* itself first
        dists = np.linalg.norm(bank[support] - test_feats[:, None, :], axis=2)  # [b, k]
        dists = dists - dists.max(axis=1, keepdims=True)
        soft = np.exp(dists) / np.exp(dists).sum(axis=1, keepdims=True)
        return 1.0 - soft[:, 0]

    # --------------------------------------------------------------------------------------- save/load
    def save(self, folder: str | Path) -> None:
        if self.memory_bank is None:
            raise NotTrainedError("nothing to save: the model is not trained yet")
        save_model_folder(folder, self.model_meta(), {"memory_bank": self.memory_bank})

    @classmethod
    def load(cls, folder: str | Path, weights: str | None = None, device: str | None = None) -> "PatchCore":
        """Load a trained model. ``weights`` overrides where the backbone weights come from (e.g. a moved
        file); they must be the very weights it was trained with, or ``WeightsMismatchError`` is raised."""
        with model_folder_lock(folder, shared=True):  # a concurrent save waits
            model, meta = cls._new_for_load(folder, PatchCoreConfig, weights, device)
            tensors = load_model_tensors(folder, meta)
            if "memory_bank" not in tensors:
                raise ModelFormatError(f"{folder}: the memory bank is missing from the model files")
            check_tensor(folder, "memory_bank", tensors["memory_bank"], 2, model.config.target_embed_dimension)
            model.memory_bank = tensors["memory_bank"].float()
            model.search = NearestNeighbours(model.memory_bank.numpy(), model.device)
            model.stats = meta.get("stats", {})
        return model
