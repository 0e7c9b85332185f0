"""What every anomaly model in Inspector shares: config on disk, predictions, fit reports, format errors.

A trained model is a folder: ``model.json`` (format version, model kind, config, weights identity, stats)
plus tensors in safetensors files. ``model.json`` is replaced atomically last, and it names the tensor files
it belongs with, so an interrupted save always leaves a complete model (the old one or the new one).
"""

from __future__ import annotations

import math
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from ..errors import InspectorError
from ..io.atomic import atomic_path, write_json
from ..io.geometry import Geometry, GeometryError
from ..io.images import SkippedImage
from ..io.locks import locked
from ..io.versioned import read_versioned
from ..runtime.pacing import TimedSplit
from ..runtime.progress import CancelToken, ProgressFn, checkpoint, no_progress
from .framing import assemble, iter_frame_groups, paced_batches, view_batches

FORMAT_VERSION = 1
MODEL_FILE = "model.json"


class ModelFormatError(InspectorError):
    """The model folder is missing, damaged, or written by a newer Inspector than this one."""


class WeightsMismatchError(InspectorError):
    """The backbone weights at hand are not the ones the model was trained with."""


class NotTrainedError(InspectorError, RuntimeError):
    pass


@dataclass
class Prediction:
    path: Path
    score: float
    anomaly_map: np.ndarray | None  # full-frame [mh, mw] float32 (Geometry.map_size), None for image-level models
    size: tuple[int, int]  # original (h, w)
    region: np.ndarray | None = None  # bool [mh, mw]: the inspected pixels of the map (None: all of it)


@dataclass
class FitReport:
    n_train: int
    skipped: list[SkippedImage] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage: features, coreset, index, ...
    info: dict[str, float | int | str] = field(default_factory=dict)


class Stopwatch:
    """``with watch("stage"):`` adds the block's wall time to ``watch.seconds["stage"]``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


def read_model_json(folder: str | Path) -> dict:
    path = Path(folder) / MODEL_FILE
    try:
        return read_versioned(path, FORMAT_VERSION, key="format_version", what="model file",
                              damaged=ModelFormatError, too_new=ModelFormatError)
    except FileNotFoundError:
        raise ModelFormatError(f"{folder} holds no trained model ({MODEL_FILE} not found)") from None


LOCK_FILE = ".lock"
_TENSORS_NAME = re.compile(r"tensors-[0-9a-f]{6,64}\.safetensors")


@contextmanager
def model_folder_lock(folder: str | Path, shared: bool = False) -> Iterator[None]:
    """Hold the model folder's lock: exclusive while saving, shared while loading (so a save never removes the
    tensors file a reader is about to open, and two saves never interleave)."""
    folder = Path(folder)
    if shared and not folder.is_dir():  # nothing to load: let the caller say so, create nothing
        yield
        return
    with locked(folder / LOCK_FILE, shared=shared):
        yield


def save_model_folder(folder: str | Path, meta: dict, tensors: dict[str, torch.Tensor]) -> None:
    """Write ``tensors`` to a new uniquely named safetensors file, then ``model.json`` naming it, atomically.

    Under the folder's exclusive lock: a concurrent save waits, readers wait, and the clean-up (tensors files
    no ``model.json`` names any more, temporary files an interrupted save left) only ever removes files that the
    ``model.json`` just written does not name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with model_folder_lock(folder):
        name = f"tensors-{uuid.uuid4().hex[:12]}.safetensors"
        with atomic_path(folder / name) as tmp:
            save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))
        write_json(folder / MODEL_FILE, {**meta, "format_version": FORMAT_VERSION, "tensors_file": name})
        for old in folder.glob("tensors-*.safetensors"):
            if old.name != name:
                _remove(old)
        for tmp in folder.glob(".*.tmp"):  # left by a save that was killed (nobody else writes here now)
            _remove(tmp)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # e.g. still open by a reader on Windows: the next save removes it
        pass


def tensors_path(folder: str | Path, meta: dict) -> Path:
    """The tensors file ``model.json`` names: a plain file name inside ``folder``, or ``ModelFormatError``."""
    folder = Path(folder)
    name = meta.get("tensors_file")
    if not isinstance(name, str) or not _TENSORS_NAME.fullmatch(name):
        raise ModelFormatError(f"{folder}: model.json names the tensors file {name!r}, which is not a file of "
                               f"this model folder; refusing it")
    path = folder / name
    try:
        inside = path.resolve().parent == folder.resolve()
    except OSError:
        inside = False
    if not inside:
        raise ModelFormatError(f"{folder}: the tensors file {name} leads outside the model folder; refusing it")
    return path


def load_model_tensors(folder: str | Path, meta: dict) -> dict[str, torch.Tensor]:
    path = tensors_path(folder, meta)
    if not path.is_file():
        raise ModelFormatError(f"{folder}: the model's tensor file {path.name} is missing")
    try:
        return load_file(str(path))
    except Exception as exc:
        raise ModelFormatError(f"{path} is damaged: {exc}") from None


def check_tensor(folder: str | Path, name: str, t: torch.Tensor, ndim: int, width: int | None = None) -> None:
    """Refuse a stored tensor that is empty, has the wrong number of dimensions or width, or is not finite."""
    if t.ndim != ndim or t.numel() == 0:
        raise ModelFormatError(f"{folder}: '{name}' has shape {tuple(t.shape)}; a {ndim}-D, non-empty tensor "
                               f"was expected (the model file is damaged)")
    if width is not None and t.shape[-1] != width:
        raise ModelFormatError(f"{folder}: '{name}' is {t.shape[-1]} wide, the model's configuration says {width}")
    if t.is_floating_point() and not bool(torch.isfinite(t).all()):
        raise ModelFormatError(f"{folder}: '{name}' holds non-finite values (the model file is damaged)")


class ModelConfig:
    """Mixed into every model's config dataclass: reading it back from ``model.json``, its input geometry.

    A config without a ``geometry`` key (models saved before geometries existed) is ``center-crop``.
    """

    resize: int
    crop: int

    @classmethod
    def from_dict(cls, data: dict):
        """The config from a ``model.json`` section; keys this version does not know are ignored, a known key
        of the wrong type (or a size that is not positive) raises ``ModelFormatError``."""
        if not isinstance(data, dict):
            raise ModelFormatError(f"the model's config is a {type(data).__name__}, not a set of settings")
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = getattr(cls(), f.name)
            if not _same_kind(value, default):
                raise ModelFormatError(f"the model's config has {f.name} = {value!r}; "
                                       f"a {type(default).__name__} was expected (model.json is damaged)")
            if f.name in _POSITIVE and value <= 0:
                raise ModelFormatError(f"the model's config has {f.name} = {value!r}; it must be positive")
            values[f.name] = value
        return cls(**values)

    def preprocessor(self, stride: int = 8) -> Geometry:
        """The input geometry (``geometry``, ``resize``, ``crop``, tile settings) for a backbone of ``stride``."""
        return Geometry(kind=getattr(self, "geometry", "center-crop"), resize=self.resize, crop=self.crop,
                        stride=stride, tile_overlap=getattr(self, "tile_overlap", 0.25),
                        tile_scale=getattr(self, "tile_scale", 1.0),
                        max_pixels=getattr(self, "max_pixels", 4_000_000),
                        reduced_decode=getattr(self, "reduced_decode", False))


_POSITIVE = {"batch_size", "resize", "crop", "patchsize", "pretrain_embed_dimension", "target_embed_dimension",
             "coreset_ratio", "coreset_projection_dim", "coreset_start_points"}


def _same_kind(value, default) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and math.isfinite(value)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, (list, tuple)):
        return isinstance(value, list) and all(_same_kind(v, default[0]) for v in value) if default else \
            isinstance(value, list)
    return True


class AnomalyModel:
    """What every model kind shares: scoring image files in batches, and the bookkeeping of save and load.

    A subclass sets ``kind`` and has ``config`` (a dataclass with ``weights`` and ``batch_size``),
    ``preprocessor``, ``weights_hash``, ``stats`` and ``predict_batch(images [b, 3, H, W]) -> (scores [b],
    anomaly maps [b, H, W] float32, or None for an image-level model)``.
    """

    kind = ""
    roi: np.ndarray | None = None  # bool [H, W] region to inspect (True), scaled to each image; None: all
    supports_roi = False
    geometries: tuple[str, ...] = ("center-crop", "stretch")  # those whose views share one fixed shape

    def predict_batch(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def predict_views(
        self, images: torch.Tensor, valid: list[np.ndarray | None], cancel: CancelToken | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """``[b, 3, H, W]`` views and their regions -> (scores ``[b]``, maps ``[b, H, W]`` or None). ``cancel``
        may be checked inside (a model whose single view can take long); ``predict`` checks between pieces."""
        return self.predict_batch(images)

    def pace(self) -> TimedSplit:
        """Sizes the pieces of views ``fit`` and ``predict`` work on with a cancel token, by their measured
        time (``framing.paced_batches``); one per model, made on first use."""
        if "_pace" not in self.__dict__:
            self._pace = TimedSplit()
        return self._pace

    def check_geometry(self) -> None:
        kind = self.preprocessor.kind
        if kind not in self.geometries:
            raise GeometryError(f"{self.kind} works with the geometries {', '.join(self.geometries)}, "
                                f"not '{kind}' (it needs one fixed input shape)")

    def set_roi(self, mask: np.ndarray | None) -> None:
        """The region to inspect, ``[H, W]`` (True or non-zero = inspect; any size: it is scaled to each image)."""
        if mask is None:
            self.roi = None
            return
        if not self.supports_roi:
            raise GeometryError(f"{self.kind} does not support an inspection region; use PatchCore")
        mask = np.asarray(mask)
        if mask.ndim == 3:
            mask = mask[..., 0]
        if mask.ndim != 2 or min(mask.shape) < 2:
            raise GeometryError(f"a region mask must be a 2-D image, got shape {mask.shape}")
        roi = mask > 0
        if not roi.any():
            raise GeometryError("the region mask is all black: nothing would be inspected (white = inspect)")
        self.roi = roi

    def predict(
        self,
        paths: Sequence[Path],
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        skipped: list[SkippedImage] | None = None,
        batch_size: int | None = None,
    ) -> Iterator[Prediction]:
        """Score image files; unreadable ones are appended to ``skipped``. Maps cover the whole frame.

        Progress counts network inputs (tiles, for the ``tiles`` geometry; images otherwise). The image score
        is the model's (the largest patch score, for PatchCore) over the views, or for ``tiles`` the
        maximum of the stitched map.
        """
        skipped = [] if skipped is None else skipped
        geometry: Geometry = self.preprocessor
        bs = batch_size or self.config.batch_size
        done, total = 0, None
        progress("inspect", 0, len(paths))
        for frames in iter_frame_groups(paths, geometry, self.roi, bs, skipped):
            if total is None:
                total = len(paths) * len(frames[0].views)
            checkpoint(cancel)
            out: dict[tuple[int, int], tuple[float, np.ndarray | None]] = {}
            # with a token, in pieces of views of ~0.3 s (backbone, search and maps together)
            for images, valid, items in paced_batches(view_batches(frames, bs), self.pace(), cancel):
                scores, maps = self.predict_views(images, valid, cancel=cancel)
                for j, key in enumerate(items):
                    out[key] = (float(scores[j]), None if maps is None else maps[j])
                done += len(items)
                progress("inspect", min(done, total), total)
            for fi, frame in enumerate(frames):
                parts = [out[(fi, vi)] for vi in range(len(frame.views))]
                score = max(s for s, _ in parts)
                amap = None
                if parts[0][1] is not None:
                    amap = assemble(frame, [m for _, m in parts], geometry.blend_ramp(*frame.size))
                    if geometry.kind == "tiles":
                        score = float(amap.max() if frame.region is None else amap[frame.region].max(initial=0.0))
                yield Prediction(frame.path, score, amap, frame.size, frame.region)
        progress("inspect", total or len(paths), total or len(paths))

    def roi_tensors(self) -> dict[str, torch.Tensor]:
        """The region to save with the model (in its safetensors file, so it is replaced atomically with it)."""
        return {} if self.roi is None else {"roi": torch.from_numpy(self.roi.astype(np.uint8))}

    def load_roi(self, tensors: dict[str, torch.Tensor]) -> None:
        if "roi" in tensors:
            self.roi = tensors["roi"].numpy() > 0

    def inspected_area(self, h: int, w: int) -> np.ndarray:
        """bool ``[h, w]``: the pixels of an ``h`` x ``w`` image this model inspects (geometry and region)."""
        return self.preprocessor.inspected_area(h, w, self.roi)

    def model_meta(self) -> dict:
        """The ``model.json`` content common to every kind (``save_model_folder`` adds the format fields)."""
        return {
            "model": self.kind,
            "config": asdict(self.config),
            "region": None if self.roi is None else {"size": list(self.roi.shape),
                                                     "inspected": float(self.roi.mean())},
            "weights": {"source": self.config.weights, "sha256": self.weights_hash, "name": self._weights_label()},
            "stats": self.stats,
        }

    def _weights_label(self) -> str:
        """Which weights the backbone has, in words (``wideresnet50: pretrained (timm hub)``, a file path)."""
        return getattr(getattr(self, "extractor", None), "weights_label", "") or str(self.config.weights)

    @classmethod
    def read_meta(cls, folder: str | Path) -> dict:
        """``model.json`` of ``folder``, checked to hold a model of this kind."""
        meta = read_model_json(folder)
        if meta.get("model") != cls.kind:
            raise ModelFormatError(f"{folder} holds a '{meta.get('model')}' model, not {cls.kind}")
        return meta

    @classmethod
    def _new_for_load(cls, folder: str | Path, config_cls: type, weights: str | None, device: str | None):
        """The untrained model a saved ``folder`` describes, with its weights checked -> (model, meta).

        ``weights`` overrides where the backbone weights come from (e.g. a moved file); they must be the very
        weights the model was trained with, or ``WeightsMismatchError`` is raised.
        """
        meta = cls.read_meta(folder)
        config = config_cls.from_dict(meta.get("config"))
        if weights is not None:
            config.weights = weights
        if device is not None:
            config.device = device
        model = cls(config)
        model.check_weights(meta)
        return model, meta

    def check_weights(self, meta: dict) -> None:
        """Raise ``WeightsMismatchError`` unless the backbone weights are the ones the model was trained with."""
        from ..backbones.weights import mismatch_message

        expected = meta.get("weights", {}).get("sha256")
        if expected and self.weights_hash != expected:
            raise WeightsMismatchError(mismatch_message(meta["weights"], self._weights_label(), self.weights_hash))
