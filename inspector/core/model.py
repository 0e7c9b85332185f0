"""What every anomaly model in Inspector shares: config on disk, predictions, fit reports, format errors.

A trained model is a folder: ``model.json`` (format version, model kind, config, weights identity, stats)
plus tensors in safetensors files. ``model.json`` is replaced atomically last, and it names the tensor files
it belongs with, so an interrupted save always leaves a complete model (the old one or the new one).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .atomic import atomic_path, write_json
from .images import SkippedImage

FORMAT_VERSION = 1
MODEL_FILE = "model.json"


class ModelFormatError(Exception):
    """The model folder is missing, damaged, or written by a newer Inspector than this one."""


class WeightsMismatchError(Exception):
    """The backbone weights at hand are not the ones the model was trained with."""


class NotTrainedError(RuntimeError):
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

    def __call__(self, stage: str):
        watch = self

        class _Block:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                watch.seconds[stage] = watch.seconds.get(stage, 0.0) + time.perf_counter() - self.t

        return _Block()


def read_model_json(folder: str | Path) -> dict:
    path = Path(folder) / MODEL_FILE
    if not path.is_file():
        raise ModelFormatError(f"{folder} holds no trained model ({MODEL_FILE} not found)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{path} is damaged: {exc}") from None
    version = meta.get("format_version")
    if not isinstance(version, int):
        raise ModelFormatError(f"{path} has no format version")
    if version > FORMAT_VERSION:
        raise ModelFormatError(
            f"{path} was written by a newer Inspector (model format {version}; this one reads up to "
            f"{FORMAT_VERSION}). Update Inspector to use this model."
        )
    return meta


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
