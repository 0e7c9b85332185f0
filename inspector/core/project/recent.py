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

    def _load(self) -> tuple[list[dict], bool]:
        """(the entries this version understands, whether it may rewrite the file).

        A list written by a newer Inspector is read as far as its entries look like ours and never
        overwritten (an older version must not erase a newer one's list); a damaged file is kept beside as
        ``projects.json.damaged`` before a new list replaces it."""
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], True
        except OSError:
            return [], False
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("version"), int):
            try:
                self.file.replace(self.file.with_name(self.file.name + ".damaged"))
            except OSError:
                return [], False
            return [], True
        projects = data.get("projects")
        entries = [e for e in projects if isinstance(e, dict) and isinstance(e.get("path"), str)] \
            if isinstance(projects, list) else []
        return entries, data["version"] <= REGISTRY_VERSION

    def _read(self) -> list[dict]:
        return self._load()[0]

    def _update(self, change) -> None:
        entries, writable = self._load()
        if writable:
            write_json(self.file, {"version": REGISTRY_VERSION, "projects": change(entries)})

    def entries(self) -> list[ProjectEntry]:
        """All known projects, most recently opened first."""
        out = []
        for e in self._read():
            opened = e.get("last_opened", 0)
            opened = float(opened) if isinstance(opened, (int, float)) and not isinstance(opened, bool) else 0.0
            out.append(ProjectEntry(Path(e["path"]), str(e.get("name") or Path(e["path"]).name), opened))
        return sorted(out, key=lambda e: e.last_opened, reverse=True)

    def touch(self, path: Path, name: str) -> None:
        """Record that the project at ``path`` was just opened (or created)."""
        key = str(Path(path).resolve())
        self._update(lambda entries: [e for e in entries if e["path"] != key]
                     + [{"path": key, "name": name, "last_opened": time.time()}])

    def rename(self, path: Path, name: str) -> None:
        key = str(Path(path).resolve())
        self._update(lambda entries: [{**e, "name": name} if e["path"] == key else e for e in entries])

    def forget(self, path: Path) -> None:
        key = str(Path(path).resolve())
        self._update(lambda entries: [e for e in entries if e["path"] != key])
