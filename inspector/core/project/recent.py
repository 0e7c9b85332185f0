"""The list of known projects (most recently opened first), kept in the user data folder.

A project can live in any folder; the registry only remembers where. Entries whose folder has disappeared
(a removed USB drive, a deleted folder) are kept but reported as missing, so the start screen can say so.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..io.atomic import write_json
from ..io.paths import user_data_dir

REGISTRY_FILE = "projects.json"
REGISTRY_VERSION = 1


@dataclass(frozen=True)
class ProjectEntry:
    path: Path
    name: str
    last_opened: float  # seconds since the epoch

    @property
    def exists(self) -> bool:
        return (self.path / "project.json").is_file()


def default_projects_dir() -> Path:
    return user_data_dir() / "projects"


class ProjectRegistry:
    def __init__(self, file: Path | None = None):
        self.file = file or user_data_dir() / REGISTRY_FILE

    def _read(self) -> list[dict]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict) or data.get("version") != REGISTRY_VERSION:
            return []
        return [e for e in data.get("projects", []) if isinstance(e, dict) and "path" in e]

    def _write(self, entries: list[dict]) -> None:
        write_json(self.file, {"version": REGISTRY_VERSION, "projects": entries})

    def entries(self) -> list[ProjectEntry]:
        """All known projects, most recently opened first."""
        out = [
            ProjectEntry(Path(e["path"]), str(e.get("name") or Path(e["path"]).name), float(e.get("last_opened", 0)))
            for e in self._read()
        ]
        return sorted(out, key=lambda e: e.last_opened, reverse=True)

    def touch(self, path: Path, name: str) -> None:
        """Record that the project at ``path`` was just opened (or created)."""
        key = str(Path(path).resolve())
        entries = [e for e in self._read() if e["path"] != key]
        entries.append({"path": key, "name": name, "last_opened": time.time()})
        self._write(entries)

    def rename(self, path: Path, name: str) -> None:
        key = str(Path(path).resolve())
        entries = self._read()
        for e in entries:
            if e["path"] == key:
                e["name"] = name
        self._write(entries)

    def forget(self, path: Path) -> None:
        key = str(Path(path).resolve())
        self._write([e for e in self._read() if e["path"] != key])
