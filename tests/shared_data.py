"""Where the real evaluation data lives (``../shared/data`` beside the checkout) and a skip marker for it."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BOTTLE = SHARED_DATA / "mvtec_ad" / "bottle"
RESNET18_WEIGHTS = SHARED_DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"

needs_shared_data = pytest.mark.skipif(
    not (BOTTLE.is_dir() and RESNET18_WEIGHTS.is_file()),
    reason=f"real data not found at {SHARED_DATA} (the MVTec AD bottle images and the resnet18 weights)",
)
