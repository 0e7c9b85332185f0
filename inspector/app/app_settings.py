"""Application-wide settings (window geometry, last folders) in the platformdirs config folder.

Stored with a version: a file from another settings version is ignored rather than misapplied.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.io.atomic import write_json
from ..core.io.paths import user_config_dir

SETTINGS_VERSION = 1


class AppSettings:
    def __init__(self):
        self.file = user_config_dir() / "app.json"
        self.values: dict[str, Any] = {}
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("version") == SETTINGS_VERSION:
                self.values = dict(data.get("values") or {})
        except (OSError, ValueError):
            pass

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value

    def save(self) -> None:
        write_json(self.file, {"version": SETTINGS_VERSION, "values": self.values})
