"""Every test runs with its own empty profile: HOME, INSPECTOR_HOME and the XDG folders point into tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BOTTLE = SHARED_DATA / "mvtec_ad" / "bottle"
RESNET18_WEIGHTS = SHARED_DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"

needs_shared_data = pytest.mark.skipif(
    not (BOTTLE.is_dir() and RESNET18_WEIGHTS.is_file()),
    reason=f"real data not found at {SHARED_DATA} (the MVTec AD bottle images and the resnet18 weights)",
)


@pytest.fixture(autouse=True)
def _fresh_profile(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("INSPECTOR_HOME", str(home / "inspector"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    return home
