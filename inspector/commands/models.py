"""Which model class a ``--model`` name means, and its config from the command-line options."""

from __future__ import annotations

import argparse

MODEL_KINDS = ["patchcore", "padim", "gaussian"]


def model_config(kind: str, args: argparse.Namespace, layers: list[str] | None = None):
    """The ``kind``'s config from the shared model options; ``layers`` (or ``--layers``) else the kind's default."""
    from .common import input_sizes, patchcore_config

    layers = layers or getattr(args, "layers", None)
    if kind == "patchcore":
        config = patchcore_config(args)
        if layers:
            config.layers = list(layers)
        return config
    resize, crop = input_sizes(args)
    common = dict(backbone=args.backbone, weights=args.weights, resize=resize, crop=crop,
                  batch_size=args.batch_size, device=args.device)
    if kind == "padim":
        from ..core.padim import PadimConfig

        return PadimConfig(**common, layers=list(layers or ["layer1", "layer2", "layer3"]),
                           dims=getattr(args, "padim_dims", 0) or 0, seed=args.seed)
    if kind == "gaussian":
        from ..core.gaussian import GaussianConfig

        return GaussianConfig(**common, layers=list(layers or []), level=getattr(args, "gaussian_level", 0) or 0)
    raise ValueError(f"unknown model '{kind}' (choose from {', '.join(MODEL_KINDS)})")


def model_from_config(config):
    """A new, untrained model for ``config`` (its class is found from the config's type)."""
    from ..core.gaussian import GaussianConfig, GaussianModel
    from ..core.padim import Padim, PadimConfig
    from ..core.patchcore import PatchCore, PatchCoreConfig

    for config_cls, model_cls in ((PatchCoreConfig, PatchCore), (PadimConfig, Padim), (GaussianConfig, GaussianModel)):
        if isinstance(config, config_cls):
            return model_cls(config)
    raise TypeError(f"no model for a {type(config).__name__}")


def build_model(args: argparse.Namespace, patchcore_config=None):
    """The model ``--model`` names, configured from ``args`` (``patchcore_config`` given for PatchCore)."""
    kind = getattr(args, "model", "patchcore")
    if kind == "patchcore" and patchcore_config is not None:
        return model_from_config(patchcore_config)
    return model_from_config(model_config(kind, args))


def load_model(folder, weights: str | None = None, device: str | None = None):
    from ..core.model import read_model_json

    kind = read_model_json(folder).get("model")
    if kind == "patchcore":
        from ..core.patchcore import PatchCore as cls
    elif kind == "padim":
        from ..core.padim import Padim as cls
    elif kind == "gaussian":
        from ..core.gaussian import GaussianModel as cls
    else:
        raise ValueError(f"{folder} holds a '{kind}' model, which this version cannot load")
    return cls.load(folder, weights=weights, device=device)
