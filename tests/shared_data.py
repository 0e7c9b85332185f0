"""Where the real evaluation data lives (``../shared/data`` beside the checkout) and a skip marker for it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# beside the checkout (../shared/data), or two levels up for a worktree under wt/; INSPECTOR_SHARED_DATA wins
_CANDIDATES = [Path(os.environ["INSPECTOR_SHARED_DATA"])] if os.environ.get("INSPECTOR_SHARED_DATA") else []
_CANDIDATES += [Path(__file__).resolve().parents[n] / "shared" / "data" for n in (2, 3)]
SHARED_DATA = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
BOTTLE = SHARED_DATA / "mvtec_ad" / "bottle"
RESNET18_WEIGHTS = SHARED_DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"

needs_shared_data = pytest.mark.skipif(
    not (BOTTLE.is_dir() and RESNET18_WEIGHTS.is_file()),
    reason=f"real data not found at {SHARED_DATA} (the MVTec AD bottle images and the resnet18 weights)",
)
