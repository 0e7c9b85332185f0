"""Which model class a ``--model`` name means, and its config from the command-line options."""

from __future__ import annotations

import argparse

from ..core.errors import InvalidInput
from ..core.models.registry import KNOWN_KINDS

MODEL_KINDS = list(KNOWN_KINDS)


def model_config(kind: str, args: argparse.Namespace, layers: list[str] | None = None):
    """The ``kind``'s config from the shared model options; ``layers`` (or ``--layers``) else the kind's default."""
    from .common import input_sizes, new_model_config, patchcore_config

    layers = layers or getattr(args, "layers", None)
    if kind == "patchcore":
        config = patchcore_config(args)
        if layers:
            config.layers = list(layers)
        return config
    if kind not in ("padim", "gaussian"):
        raise InvalidInput(f"unknown model '{kind}' (choose from {', '.join(MODEL_KINDS)})")
    resize, crop = input_sizes(args)
    common = dict(backbone=args.backbone, weights=args.weights, resize=resize, crop=crop, batch_size=args.batch_size,
                  device=args.device, geometry=getattr(args, "geometry", None))
    if kind == "padim":
        return new_model_config(kind, **common, layers=list(layers or ["layer1", "layer2", "layer3"]),
                                dims=getattr(args, "padim_dims", 0) or 0, seed=args.seed)
    return new_model_config(kind, **common, layers=list(layers or []), level=getattr(args, "gaussian_level", 0) or 0)


def model_from_config(config):
    """A new, untrained model for ``config`` (its kind is found from the config's type)."""
    from ..core.models import registry as model_kinds

    for kind in model_kinds.available_kinds():
        if isinstance(config, model_kinds.config_class(kind)):
            return model_kinds.model_class(kind)(config)
    raise TypeError(f"no model for a {type(config).__name__}")


def build_model(args: argparse.Namespace, patchcore_config=None):
    """The model ``--model`` names, configured from ``args`` (``patchcore_config`` given for PatchCore)."""
    kind = getattr(args, "model", "patchcore")
    if kind == "patchcore" and patchcore_config is not None:
        return model_from_config(patchcore_config)
    return model_from_config(model_config(kind, args))


def load_model(folder, weights: str | None = None, device: str | None = None):
    """The trained model in ``folder``, whatever its kind (``core.models.registry.load_model``)."""
    from ..core.models.registry import load_model as load

    return load(folder, weights=weights, device=device)
