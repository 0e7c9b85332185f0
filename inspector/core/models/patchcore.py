"""PatchCore (Roth et al., "Towards Total Recall in Industrial Anomaly Detection", CVPR 2022).

fit:     good images -> backbone layers -> locally aware patch features ``[N, D]`` (memory bank)
         -> approximate greedy coreset ``[M, D]`` -> faiss ``IndexFlatL2``.
predict: image -> patch features ``[h*w, D]`` -> distance to the nearest bank vector per patch
         -> anomaly map (``[h, w]`` upsampled to the input, blurred, sigma 4); image score = max patch score,
         optionally reweighted with the bank neighbours of the nearest vector (paper eq. 7).
The config's defaults are the official implementation's, so a model.json saved before a field existed reads
back as it was trained. New models start from ``NEW_MODEL_DEFAULTS`` (the CLI, the app's new project), which
differ where measurements showed a better choice (README, "Which PatchCore"): every choice is a config field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..backbones.build import build_feature_extractor
from ..backbones.runtime import attach_runtime
from ..backbones.weights import WeightsSource
from ..components.anomaly_map import BLUR_BORDERS, INTERPOLATIONS, anomaly_maps
from ..components.coreset import coreset_size, projection_matrix, select_coreset
from ..components.memory_bank import SpilledBank
from ..components.patch_features import ConcatHead, patch_features
from ..components.search import NearestNeighbours
from ..errors import InvalidInput
from ..io.geometry import check_geometry
from ..io.images import SkippedImage
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
from .framing import iter_frame_groups, paced_batches, patch_validity, view_batches


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
    # absent in models saved before they existed, which read as these (the official implementation's):
    feature_aggregation: str = "official"  # official (pool C*9 to 1024, stack, pool) | concat (3x3 mean, concat)
    map_interpolation: str = "bilinear"  # patch grid to pixels: bilinear | nearest
    blur_border: str = "reflect"  # edges of the blur: reflect (scipy's, edge repeated) | mirror (torch's)
    batch_size: int = 8
    seed: int = 0
    device: str = "auto"
    geometry: str = "center-crop"  # center-crop | whole | stretch | tiles (io/geometry.py); absent in old models
    reduced_decode: bool = False  # JPEGs decoded at a reduced size the geometry allows; absent in old models: full
    tile_overlap: float = 0.25  # tiles: fraction of a tile shared with its neighbour
    tile_scale: float = 1.0  # tiles: 1.0 = native resolution
    max_pixels: int = 4_000_000  # whole: network input pixels per image at most
    max_bank_patches: int = 1_000_000  # patch vectors the coreset chooses from; beyond, a uniform sample


FEATURE_AGGREGATIONS = ("official", "concat")

# What a new model gets where the config's own default keeps the old behaviour (see the module docstring).
# Measured on bottle, bsdata_pitting and planted off-centre spots (README, "Which PatchCore"): concatenated
# features gave the better image AUROC where it was not saturated (bsdata +1.6 points at 1 %, +2.7 at 10 %), the
# same pixel AUROC (within 0.2), a lower PRO (0.4-2.5 points), and fit 2-14x faster; reweighting (eq. 7, b = 9,
# anomalib's) raised image AUROC on bsdata every time (+0.15 to +0.7) and lowered it nowhere; nearest upsampling
# and torch's mirrored blur border changed pixel AUROC and PRO by less than 0.2 either way, so maps stay official.
NEW_MODEL_DEFAULTS: dict = {"feature_aggregation": "concat", "map_interpolation": "bilinear",
                            "blur_border": "reflect", "reweight_neighbors": 9}


def check_method(config: PatchCoreConfig) -> None:
    """Refuse an unknown aggregation, interpolation or blur border (a hand-edited config) in one clear line."""
    for name, allowed in (("feature_aggregation", FEATURE_AGGREGATIONS), ("map_interpolation", INTERPOLATIONS),
                          ("blur_border", BLUR_BORDERS)):
        if getattr(config, name) not in allowed:
            raise InvalidInput(f"PatchCore {name} must be one of {', '.join(allowed)}, not {getattr(config, name)!r}")
    if config.feature_aggregation == "concat" and config.patchsize % 2 != 1:
        raise InvalidInput(f"concatenated features need an odd patchsize, not {config.patchsize}")


def feature_stride(backbone: str, layers: list[str], crop: int) -> int:
    """Input pixels per patch of the first layer's grid (8 for ResNet layer2), traced on the meta device."""
    from .padim import feature_shapes

    h = int(feature_shapes(backbone, layers, crop)[0][1])
    return max(1, round(crop / h))


class PatchCore(AnomalyModel):
    kind = "patchcore"
    supports_roi = True
    geometries = ("center-crop", "whole", "stretch", "tiles")

    def __init__(self, config: PatchCoreConfig | None = None, progress: ProgressFn = no_progress):
        """``progress`` hears of the backbone's conversion to OpenVINO (stage ``backbone``), its first use only."""
        self.config = config or PatchCoreConfig()
        check_geometry(self.config.geometry)
        check_method(self.config)
        configure_threads()
        self.device = resolve_device(self.config.device)
        extractor, weights_hash = build_feature_extractor(
            self.config.backbone, self.config.layers, WeightsSource.parse(self.config.weights), self.config.crop
        )
        # channels-last convolutions are ~20 % faster on CPUs (oneDNN) and no slower on GPUs
        self.extractor = extractor.to(self.device, memory_format=torch.channels_last)
        if self.config.feature_aggregation == "concat":  # compiled together with the backbone where it runs on OpenVINO
            self.extractor.head = ConcatHead(self.config.patchsize)
        # OpenVINO on the CPU unless INSPECTOR_BACKBONE_RUNTIME=torch (backbones/runtime.py): converted once, cached
        self.backbone_runtime = attach_runtime(self.extractor, weights_hash, self.device, progress=progress)
        self.weights_hash = weights_hash
        self.stride = feature_stride(self.config.backbone, self.config.layers, self.config.crop)
        self.feature_dim = self._feature_dim()
        self.preprocessor = self.config.preprocessor(self.stride)
        self.roi = None
        self.memory_bank: torch.Tensor | None = None  # [M, D] float32, CPU
        self.search: NearestNeighbours | None = None
        self.stats: dict = {}

    # ----------------------------------------------------------------------------------------- features
    def _feature_dim(self) -> int:
        """D: ``target_embed_dimension`` (official) or the layers' channels summed (concat)."""
        if self.config.feature_aggregation == "official":
            return self.config.target_embed_dimension
        from .padim import feature_shapes

        return sum(int(s[0]) for s in feature_shapes(self.config.backbone, self.config.layers, self.config.crop))

    @torch.no_grad()
    def embed(
        self, images: torch.Tensor, cancel: CancelToken | None = None
    ) -> tuple[torch.Tensor, tuple[int, int]]:
        """``[b, 3, H, W]`` normalized images -> (patch features ``[b, h*w, D]`` on the CPU, ``(h, w)``).

        Concatenated features come from the extractor's head: on OpenVINO, the backbone and the aggregation are
        one compiled graph (measured on bottle, resnet18, batch 8: the aggregation in torch cost ~0.9 ms per
        image on top of a ~8 ms backbone)."""
        images = images.to(self.device)
        if self.extractor.runner is None or images.device.type != "cpu":  # eager torch: channels-last convolutions
            images = images.contiguous(memory_format=torch.channels_last)  # (OpenVINO takes NCHW: no copy for it)
        cfg = self.config
        if cfg.feature_aggregation == "concat":
            feats = self.extractor.features(images, cancel=cancel)  # [b, h, w, D]
            b, h, w, d = feats.shape
            return feats.reshape(b, h * w, d).cpu(), (int(h), int(w))
        maps = self.extractor(images, cancel=cancel)
        feats, grid = patch_features(maps, cfg.patchsize, cfg.pretrain_embed_dimension, cfg.target_embed_dimension)
        return feats.cpu(), grid

    # ---------------------------------------------------------------------------------------------- fit
    def fit(
        self,
        paths: Sequence[Path],
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> FitReport:
        """Build the memory bank from good images. On error or cancel the model keeps its previous state.

        Every view of every image (one for center-crop / whole / stretch, the tiles for ``tiles``) adds its
        patch vectors, except patches outside the region (``roi``). The full bank is never in memory: each
        batch's vectors are projected for the coreset right away and spilled to a temporary file, from which
        only the chosen rows are read back. When the bank would exceed ``max_bank_patches`` vectors, each one
        is kept with the same probability (estimated from the first image), so the coreset chooses from about
        that many: memory and coreset time stay bounded, at the price of rare normal patches possibly
        missing from the sample (the ``bank_sampled`` fraction is in the stats).
        Progress counts network inputs (tiles for ``tiles``).
        """
        cfg = self.config
        geometry = self.preprocessor
        watch = Stopwatch()
        skipped: list[SkippedImage] = []
        dim = self.feature_dim
        projection = projection_matrix(dim, cfg.coreset_projection_dim, cfg.seed)
        rng = np.random.default_rng(cfg.seed)
        filled = seen = n_train = views_done = 0
        keep_p = 1.0
        total_views = None
        footprint = first_size = None
        progress("features", 0, len(paths))
        with SpilledBank(dim, projection=projection if dim > cfg.coreset_projection_dim else None) as bank:
            with watch("features"):
                for frames in iter_frame_groups(paths, geometry, self.roi, cfg.batch_size, skipped):
                    if total_views is None:
                        f0 = frames[0]
                        total_views = len(paths) * len(f0.views)
                        footprint, first_size = geometry.footprint(*f0.size), f0.size
                        per_image = sum(self._valid_count(v.valid, v.image.shape[-2:]) for v in f0.views)
                        keep_p = min(1.0, cfg.max_bank_patches / max(1, per_image * len(paths)))
                        bank.reserve(int(per_image * len(paths) * keep_p * 1.05) + 1024)  # untouched: free
                    for images, valid, _ in paced_batches(view_batches(frames, cfg.batch_size), self.pace(), cancel):
                        feats, grid = self.embed(images, cancel)
                        masks = [patch_validity(v, grid) for v in valid]
                        if all(ok is None for ok in masks):  # every patch: the batch as it is, not a copy
                            feats = feats.reshape(-1, feats.shape[-1])
                        else:
                            feats = torch.cat([f if ok is None else f[torch.from_numpy(ok.reshape(-1))]
                                               for f, ok in zip(feats, masks)])
                        seen += len(feats)
                        if keep_p < 1.0:
                            feats = feats[torch.from_numpy(rng.random(len(feats)) < keep_p)]
                        if len(feats):
                            bank.append(feats)  # spilled, and projected for the coreset
                            filled += len(feats)
                        views_done += len(valid)
                        progress("features", min(views_done, total_views), total_views)
                    n_train += len(frames)
            if n_train == 0:
                listed = "; ".join(str(s) for s in skipped[:5])
                raise InvalidInput(f"no readable training images among {len(paths)} file(s). {listed}".strip())
            if filled == 0:
                raise InvalidInput("no patch of the training images lies inside the region to inspect")
            checkpoint(cancel)
            projected = bank.projected()
            with watch("coreset"):
                keep = select_coreset(
                    projected, coreset_size(filled, cfg.coreset_ratio),
                    start_points=cfg.coreset_start_points, seed=cfg.seed, progress=progress, cancel=cancel,
                    device=self.device, consume=True,
                )
                del projected
                coreset = bank.read(np.sort(keep))
        checkpoint(cancel)
        with watch("index"):
            search = NearestNeighbours(coreset.numpy(), self.device, cancel=cancel)
        self.memory_bank, self.search = coreset, search
        self.stats = {"n_train": n_train, "n_patches": seen, "bank_sampled": round(filled / max(1, seen), 4),
                      "coreset_size": int(coreset.shape[0]), "feature_dim": int(coreset.shape[1]),
                      "geometry": geometry.describe(), "patch_stride_px": self.stride}
        if footprint is not None:
            self.stats["defect_footprint_px"] = [round(footprint[0], 1), round(footprint[1], 1)]
            self.stats["defect_footprint_note"] = (
                f"one patch covers about {footprint[0]:.0f}x{footprint[1]:.0f} original pixels of a "
                f"{first_size[1]}x{first_size[0]} image: about the smallest defect this geometry resolves")
        return FitReport(n_train, skipped, watch.seconds, dict(self.stats))

    def _valid_count(self, valid: np.ndarray | None, shape) -> int:
        h, w = (int(s) // self.stride for s in shape)
        ok = patch_validity(valid, (h, w))
        return h * w if ok is None else int(ok.sum())

    # ------------------------------------------------------------------------------------------ predict
    @torch.no_grad()
    def predict_batch(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """``[b, 3, H, W]`` network inputs -> (image scores ``[b]``, anomaly maps ``[b, H, W]`` float32)."""
        return self.predict_views(images, [None] * len(images))

    @torch.no_grad()
    def predict_views(
        self, images: torch.Tensor, valid: list[np.ndarray | None], cancel: CancelToken | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Views ``[b, 3, H, W]`` and their regions (``[H, W]`` bool or None) -> (scores ``[b]``, maps ``[b, H, W]``).

        Patches outside a view's region never score: the score is the largest patch score inside it (0 when
        none is), and those patches take the smallest score inside before the map is upsampled and blurred.
        """
        if self.search is None:
            raise NotTrainedError("the model is not trained yet")
        # The paper's symbols (Roth et al. 2022, Sec. 3.3): M the memory bank (the coreset), P(x) the locally
        # aware patch features of an image x, m_test one of them, m* its nearest neighbour in M.
        # P(x_test): [b, p, d], on the (h, w) patch grid
        feats, (h, w) = self.embed(images, cancel)  # (a first use of this size compiles it: waited on the token)
        b, p, d = feats.shape
        flat = feats.reshape(-1, d).numpy()
        # ||m_test - m*||_2 for every m_test in P(x_test), and the index of m* in M. The token is checked between
        # chunks of queries. Whole parts (every geometry but tiles) on a line are usually aligned, their same
        # patches alike: the search visits them position by position across images (faster, the same answers).
        aligned = 1 if self.preprocessor.kind == "tiles" else b
        dist, nn_idx = self.search.search(flat, 1, cancel, images=aligned)
        patch = dist[:, 0].reshape(b, p).astype(np.float32)
        # the region to inspect: patches outside it take no part in the score
        inside = np.ones((b, p), bool)
        for j, v in enumerate(valid):
            ok = patch_validity(v, (h, w))
            if ok is not None:
                inside[j] = ok.reshape(-1)
        # m_test,* = argmax over m_test of ||m_test - m*||  (eq. 6: the most anomalous patch)
        masked = np.where(inside, patch, -np.inf)
        top = masked.argmax(axis=1)
        # s* = ||m_test,* - m*||_2  (eq. 6: the unweighted image score; 0 when no patch is inside the region)
        scores = np.where(inside.any(axis=1), patch[np.arange(b), top], 0.0).astype(np.float64)
        # s = (1 - softmax over N_b(m*)) * s*  (eq. 7, when reweighting with b = reweight_neighbors > 1)
        k = self.config.reweight_neighbors
        if k > 1:
            m_test_star = flat.reshape(b, p, d)[np.arange(b), top]
            m_star = nn_idx[:, 0].reshape(b, p)[np.arange(b), top]
            scores *= self._reweight(m_test_star, m_star, k)
        # the map: patches outside the region take the smallest score inside, then the patch-score grid is
        # upsampled to the input and blurred with a Gaussian of sigma = blur_sigma (Sec. 3.3)
        if not inside.all():
            low = np.where(inside, patch, np.inf).min(axis=1, keepdims=True)
            patch = np.where(inside, patch, np.where(np.isfinite(low), low, 0.0)).astype(np.float32)
        cfg = self.config
        maps = anomaly_maps(torch.from_numpy(patch.reshape(b, h, w)), images.shape[-2:], cfg.blur_sigma,
                            cfg.map_interpolation, cfg.blur_border)
        return scores, maps.numpy()

    def _reweight(self, test_feats: np.ndarray, nearest: np.ndarray, k: int) -> np.ndarray:
        """Paper eq. 7: the weight ``1 - exp||m_test,* - m*|| / sum_{m in N_b(m*)} exp||m_test,* - m||``.

        ``test_feats`` ``[b, d]`` are m_test,* (each image's most anomalous patch), ``nearest`` ``[b]`` the index
        of its m* in M, ``k`` = b the neighbourhood size. Returns the weights ``[b]``.
        """
        bank = self.search.bank
        # N_b(m*): the k nearest bank vectors of m* (m* itself first, at distance 0)
        _, support = self.search.search(bank[nearest], min(k, len(bank)))
        # ||m_test,* - m|| for m in N_b(m*): [b, k]
        dists = np.linalg.norm(bank[support] - test_feats[:, None, :], axis=2)
        # softmax over N_b(m*) (shifted by the row maximum for stability), taken at m* (column 0)
        dists = dists - dists.max(axis=1, keepdims=True)
        soft = np.exp(dists) / np.exp(dists).sum(axis=1, keepdims=True)
        return 1.0 - soft[:, 0]

    # --------------------------------------------------------------------------------------- save/load
    def save(self, folder: str | Path) -> None:
        if self.memory_bank is None:
            raise NotTrainedError("nothing to save: the model is not trained yet")
        save_model_folder(folder, self.model_meta(), {"memory_bank": self.memory_bank, **self.roi_tensors()})

    @classmethod
    def load(cls, folder: str | Path, weights: str | None = None, device: str | None = None) -> "PatchCore":
        """Load a trained model. ``weights`` overrides where the backbone weights come from (e.g. a moved
        file); they must be the very weights it was trained with, or ``WeightsMismatchError`` is raised."""
        with model_folder_lock(folder, shared=True):  # a concurrent save waits
            model, meta = cls._new_for_load(folder, PatchCoreConfig, weights, device)
            tensors = load_model_tensors(folder, meta)
            if "memory_bank" not in tensors:
                raise ModelFormatError(f"{folder}: the memory bank is missing from the model files")
            check_tensor(folder, "memory_bank", tensors["memory_bank"], 2, model.feature_dim)
            model.memory_bank = tensors["memory_bank"].float()
            model.load_roi(tensors)
            model.search = NearestNeighbours(model.memory_bank.numpy(), model.device)
            model.stats = meta.get("stats", {})
        return model
