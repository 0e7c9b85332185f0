"""What every anomaly model in Inspector shares: config on disk, predictions, fit reports, format errors.

A trained model is a folder: ``model.json`` (format version, model kind, config, weights identity, stats)
plus tensors in safetensors files. ``model.json`` is replaced atomically last, and it names the tensor files
it belongs with, so an interrupted save always leaves a complete model (the old one or the new one).
"""

from __future__ import annotations

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
from ..io.images import Preprocessor, SkippedImage, iter_batches
from ..io.versioned import read_versioned
from ..runtime.progress import CancelToken, ProgressFn, checkpoint, no_progress

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
    anomaly_map: np.ndarray | None  # [crop, crop] float32, None for image-level models
    size: tuple[int, int]  # original (h, w)


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


def save_model_folder(folder: str | Path, meta: dict, tensors: dict[str, torch.Tensor]) -> None:
    """Write ``tensors`` to a new uniquely named safetensors file, then ``model.json`` naming it, atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"tensors-{uuid.uuid4().hex[:12]}.safetensors"
    with atomic_path(folder / name) as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))
    write_json(folder / MODEL_FILE, {**meta, "format_version": FORMAT_VERSION, "tensors_file": name})
    for old in folder.glob("tensors-*.safetensors"):
        if old.name != name:
            old.unlink(missing_ok=True)


def load_model_tensors(folder: str | Path, meta: dict) -> dict[str, torch.Tensor]:
    path = Path(folder) / str(meta.get("tensors_file", ""))
    if not path.is_file():
        raise ModelFormatError(f"{folder}: the model's tensor file {path.name} is missing")
    try:
        return load_file(str(path))
    except Exception as exc:
        raise ModelFormatError(f"{path} is damaged: {exc}") from None


class ModelConfig:
    """Mixed into every model's config dataclass: reading it back from ``model.json``, its preprocessing."""

    resize: int
    crop: int

    @classmethod
    def from_dict(cls, data: dict):
        """The config from a ``model.json`` section; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def preprocessor(self) -> Preprocessor:
        return Preprocessor(resize=self.resize, crop=self.crop)


class AnomalyModel:
    """What every model kind shares: scoring image files in batches, and the bookkeeping of save and load.

    A subclass sets ``kind`` and has ``config`` (a dataclass with ``weights`` and ``batch_size``),
    ``preprocessor``, ``weights_hash``, ``stats`` and ``predict_batch(images [b, 3, H, W]) -> (scores [b],
    anomaly maps [b, H, W] float32, or None for an image-level model)``.
    """

    kind = ""

    def predict_batch(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def predict(
        self,
        paths: Sequence[Path],
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        skipped: list[SkippedImage] | None = None,
        batch_size: int | None = None,
    ) -> Iterator[Prediction]:
        """Score image files in batches; unreadable ones are appended to ``skipped``."""
        skipped = [] if skipped is None else skipped
        done = 0
        progress("inspect", 0, len(paths))
        for batch in iter_batches(paths, self.preprocessor, batch_size or self.config.batch_size, skipped):
            checkpoint(cancel)
            scores, maps = self.predict_batch(batch.images)
            for i, path in enumerate(batch.paths):
                yield Prediction(path, float(scores[i]), None if maps is None else maps[i], batch.sizes[i])
            done += len(batch.paths)
            progress("inspect", done + len(skipped), len(paths))

    def model_meta(self) -> dict:
        """The ``model.json`` content common to every kind (``save_model_folder`` adds the format fields)."""
        return {
            "model": self.kind,
            "config": asdict(self.config),
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
        config = config_cls.from_dict(meta["config"])
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
