"""Which model class a ``--model`` name means (PatchCore; PaDiM and Gaussian register here too)."""

from __future__ import annotations

import argparse

MODEL_KINDS = ["patchcore"]


def build_model(args: argparse.Namespace, patchcore_config):
    kind = getattr(args, "model", "patchcore")
    if kind == "patchcore":
        from ..core.patchcore import PatchCore

        return PatchCore(patchcore_config)
    raise ValueError(f"unknown model '{kind}' (choose from {', '.join(MODEL_KINDS)})")


def load_model(folder, weights: str | None = None, device: str | None = None):
    from ..core.model import read_model_json
    from ..core.patchcore import PatchCore

    kind = read_model_json(folder).get("model")
    if kind == "patchcore":
        return PatchCore.load(folder, weights=weights, device=device)
    raise ValueError(f"{folder} holds a '{kind}' model, which this version cannot load")
