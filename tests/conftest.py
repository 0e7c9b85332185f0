"""Every test runs with its own empty profile: HOME, INSPECTOR_HOME and the XDG folders point into tmp_path."""

from __future__ import annotations

import os

import pytest

import inspector  # noqa: F401  (before any test imports torch: sets the OpenMP wait policy)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _fresh_profile(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("INSPECTOR_HOME", str(home / "inspector"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    return home
