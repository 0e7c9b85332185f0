"""The one place that composes the backbone rooms: catalogue (which timm model), weights (which tensors) and
extractor (which layers), into a ready, pruned, frozen feature extractor."""

from __future__ import annotations

from typing import Sequence

import torch

from .catalogue import BackboneError, adapt_state_dict, meta_model, resolve_backbone
from .extractor import FeatureExtractor
from .timm_import import import_timm
from .weights import WeightsSource, create_pretrained, load_strict, read_state_dict, resolve_source, state_hash


def build_feature_extractor(
    timm_name: str, layers: Sequence[str], weights: WeightsSource, input_size: int = 224
) -> tuple[FeatureExtractor, str]:
    """Create a backbone with its weights, keep only what ``layers`` need; returns (extractor, weights hash).

    ``timm_name`` is a reference name (``wideresnet50``, ``mobilenet_v2``) or any timm model name. ``pretrained``
    weights are the file imported for that backbone if there is one, else the timm hub's (cached). The
    modules the chosen layers need are found by tracing a copy built on the ``meta`` device (free), then
    the real model is pruned before its weights are loaded strictly. ``extractor.weights_label`` says which
    weights were used.
    """
    timm = import_timm()  # imported when a model is built, not when the CLI or app starts

    spec = resolve_backbone(timm_name, guess_layers=False)
    weights = resolve_source(weights, spec.name)
    try:
        ran = FeatureExtractor(meta_model(spec.timm_name), layers).executed_modules(input_size)
    except (AssertionError, RuntimeError) as exc:  # e.g. a ViT built for 224 given a 256 crop
        raise BackboneError(
            f"backbone '{spec.name}' cannot take a {input_size}x{input_size} input ({exc}); "
            f"use its own input size, {spec.input_size}"
        ) from None
    if weights.kind == "pretrained":
        model = create_pretrained(spec.timm_name)
    else:
        with torch.random.fork_rng(devices=[]):  # "random" is the same network every time (tests, reloads)
            torch.manual_seed(0)
            model = timm.create_model(spec.timm_name, pretrained=False)
    extractor = FeatureExtractor(model, layers)
    pruned = extractor.prune(ran)
    if weights.kind == "file":
        state = adapt_state_dict(spec.timm_name, read_state_dict(weights.path))
        load_strict(model, state, pruned, weights.path)
    extractor.eval()
    extractor.weights_label = f"{spec.name}: {weights.describe()}"
    return extractor, state_hash(model)
