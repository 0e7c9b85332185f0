"""Keeping a line's project from growing forever: remove inspected parts by id, older than N days, or all but
the newest N, and a per-project retention setting (kept in the project's database) that the hot folder and the
service apply as they go.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..errors import InvalidInput
from .store import DB_FILE, Project, ProjectReadOnlyError

KEY = "retention"


@dataclass(frozen=True)
class Retention:
    days: float | None = None  # keep parts inspected in the last ``days`` days
    parts: int | None = None  # keep the newest ``parts`` parts

    def __post_init__(self) -> None:
        if self.days is not None and not self.days > 0:
            raise InvalidInput(f"days to keep must be more than 0, not {self.days}")
        if self.parts is not None and self.parts < 1:
            raise InvalidInput(f"parts to keep must be at least 1, not {self.parts}")

    @property
    def active(self) -> bool:
        return self.days is not None or self.parts is not None

    def describe(self) -> str:
        if not self.active:
            return "keep every inspected part"
        rules = ([f"the last {self.days:g} day(s)"] if self.days is not None else []) + (
            [f"the newest {self.parts} part(s)"] if self.parts is not None else [])
        return "keep " + " and ".join(rules)


def _conn(project: Project) -> sqlite3.Connection:
    conn = sqlite3.connect(project.folder / DB_FILE, timeout=30)
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    return conn


def get_retention(project: Project) -> Retention:
    conn = _conn(project)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
    finally:
        conn.close()
    if not row:
        return Retention()
    try:
        data = json.loads(row[0])
        return Retention(data.get("days"), data.get("parts"))
    except (ValueError, TypeError, AttributeError, InvalidInput):
        return Retention()


def set_retention(project: Project, retention: Retention) -> None:
    """Save the setting (the editor only: the app or ``inspector project retention``)."""
    if project.read_only or project.line:
        raise ProjectReadOnlyError(f"the retention setting is changed in the app or with 'inspector project "
                                   f"retention'{': ' + project.read_only_reason if project.read_only else ''}")
    conn = _conn(project)
    try:
        with conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         (KEY, json.dumps({"days": retention.days, "parts": retention.parts})))
    finally:
        conn.close()


def cutoff(days: float, now: datetime | None = None) -> str:
    """The stored-time string (UTC ISO, seconds) ``days`` before now."""
    now = now or datetime.now(timezone.utc)
    return (now - timedelta(days=days)).isoformat(timespec="seconds")


def expired_ids(project: Project, retention: Retention) -> list[int]:
    ids: set[int] = set()
    if retention.days is not None:
        ids |= set(project.inspected_ids(before=cutoff(retention.days)))
    if retention.parts is not None:
        ids |= set(project.inspected_ids(beyond_newest=retention.parts))
    return sorted(ids)


def apply_retention(project: Project, retention: Retention | None = None) -> int:
    """Remove the inspected parts the retention setting no longer keeps. Returns how many were removed."""
    retention = retention or get_retention(project)
    if not retention.active:
        return 0
    return project.remove_inspected(expired_ids(project, retention))
