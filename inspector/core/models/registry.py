"""Which anomaly model classes a project can use, found by kind name ("patchcore", "padim", "gaussian").

Each kind is a module ``inspector.core.<kind>`` holding a model class with ``kind = "<kind>"`` and the
fit / predict / save / load interface of ``PatchCore``, and a config dataclass (``...Config``) with
``from_dict``. Kinds whose module is not installed yet are simply not offered.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from typing import Any

from ..errors import InspectorError
from ..runtime.progress import ProgressFn, no_progress

KNOWN_KINDS = ("patchcore", "padim", "gaussian")
LABELS = {"patchcore": "PatchCore", "padim": "PaDiM", "gaussian": "Gaussian (image level, no heatmap)"}


class UnknownModelKind(InspectorError, ValueError):
    pass


def available_kinds() -> list[str]:
    return [k for k in KNOWN_KINDS if importlib.util.find_spec(f"inspector.core.models.{k}") is not None]


def _module(kind: str):
    if kind not in KNOWN_KINDS or importlib.util.find_spec(f"inspector.core.models.{kind}") is None:
        raise UnknownModelKind(f"unknown model kind '{kind}' (this version offers: {', '.join(available_kinds())})")
    return importlib.import_module(f"inspector.core.models.{kind}")


def model_class(kind: str) -> type:
    module = _module(kind)
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "kind", None) == kind and hasattr(value, "fit"):
            return value
    raise UnknownModelKind(f"inspector.core.models.{kind} defines no model class with kind '{kind}'")


def config_class(kind: str) -> type:
    module = _module(kind)
    for name, value in vars(module).items():
        if (isinstance(value, type) and name.endswith("Config") and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__):
            return value
    raise UnknownModelKind(f"inspector.core.models.{kind} defines no config dataclass")


def make_config(kind: str, values: dict[str, Any]) -> Any:
    """The kind's config from a settings dict; keys the kind does not know are ignored."""
    cls = config_class(kind)
    if hasattr(cls, "from_dict"):
        return cls.from_dict(values)
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in known})


def default_config(kind: str) -> dict[str, Any]:
    """The settings of a new model of ``kind``: the config's defaults, with the geometry and scoring method for
    new projects where the kind has them (a config's own defaults stay the old ones, so models and project settings
    saved without those keys load as they were: center-crop, the official aggregation)."""
    from ..io.geometry import DEFAULT_GEOMETRY

    values = dataclasses.asdict(config_class(kind)())
    if "reduced_decode" in values:  # new models decode large JPEGs at the size they use (old ones: full size)
        values["reduced_decode"] = True
    if kind == "patchcore":  # PaDiM and Gaussian keep the paper's centre crop unless asked
        from .patchcore import NEW_MODEL_DEFAULTS

        values["geometry"] = DEFAULT_GEOMETRY
        values.update(NEW_MODEL_DEFAULTS)
    return values


def completed_settings(kind: str, stored: dict[str, Any]) -> dict[str, Any]:
    """``stored`` model settings completed for editing: keys it lacks get the new-model defaults when it is empty
    (a new project), else the config's own defaults (an older project keeps training the way it did)."""
    base = default_config(kind) if not stored else dataclasses.asdict(config_class(kind)())
    return {**base, **{k: v for k, v in stored.items() if k in base}}


def build_model(kind: str, values: dict[str, Any], progress: ProgressFn = no_progress):
    """A new model; ``progress`` hears of a first-use preparation (PatchCore's backbone conversion)."""
    return model_class(kind)(make_config(kind, values), progress=progress)


def load_model(folder, weights: str | None = None, device: str | None = None) -> Any:
    """The trained model saved in ``folder``, whatever its kind (read from its model.json)."""
    from .base import read_model_json

    kind = read_model_json(folder).get("model", "patchcore")
    return model_class(kind).load(folder, weights=weights, device=device)
