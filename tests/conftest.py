"""Every test runs with its own empty profile: HOME, INSPECTOR_HOME and the XDG folders point into tmp_path."""

from __future__ import annotations

import os

import pytest

import inspector  # noqa: F401  (before any test imports torch: sets the OpenMP wait policy)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# eager torch unless a test asks for OpenVINO (tests/core/backbones/test_runtime.py): with an empty cache per
# test every model would be converted again, and module-scoped models are built before any fixture runs
os.environ["INSPECTOR_BACKBONE_RUNTIME"] = "torch"


@pytest.fixture(autouse=True)
def _fresh_profile(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("INSPECTOR_HOME", str(home / "inspector"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    return home


@pytest.fixture(scope="session")
def random_weights(tmp_path_factory) -> str:
    """A file of seeded random resnet18 weights, written once per session: like ``weights="random"``, but the
    same on every load, so a saved model or project can be reopened (a model refuses other weights)."""
    from synthetic_defects import shared_random_weights

    return str(shared_random_weights(tmp_path_factory))
