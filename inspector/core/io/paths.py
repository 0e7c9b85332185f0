"""Where Inspector keeps its data, caches and logs (platformdirs; overridable with INSPECTOR_HOME for tests)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "inspector"


def _root(kind: str) -> Path | None:
    home = os.environ.get("INSPECTOR_HOME")
    return Path(home) / kind if home else None


def user_data_dir() -> Path:
    return _root("data") or Path(platformdirs.user_data_dir(APP, appauthor=False))


def user_cache_dir() -> Path:
    return _root("cache") or Path(platformdirs.user_cache_dir(APP, appauthor=False))


def user_config_dir() -> Path:
    return _root("config") or Path(platformdirs.user_config_dir(APP, appauthor=False))


def weights_cache_dir() -> Path:
    path = user_cache_dir() / "weights"
    path.mkdir(parents=True, exist_ok=True)
    return path
