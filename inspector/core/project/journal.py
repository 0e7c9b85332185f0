"""The hot folder's journal: one row per file that arrived, in the project's database, so that a watcher killed
at any moment and started again scores every file exactly once.

A file is known by (hot folder, name, size, modification time): the same file still lying there after a restart
is recognised without reading it; a new file of the same name (copied again) is a new arrival. Each row walks
through these states, each step committed before the next one starts::

    pending  -> scored (result recorded in the project; the JSON line and the destination fixed here)
             -> moved  (file moved to --move-to/<verdict>/, or left where it is)
             -> done   (JSON line appended)
    gone: the file disappeared before it could be scored (nothing recorded)

After a crash, ``unfinished()`` lists the rows to take up again from the step they reached. Re-scoring a
``pending`` file is harmless: the project knows its bytes (same SHA-256) and replaces the result in place.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from .line import utc_now
from .store import DB_FILE

STATES = ("pending", "scored", "moved", "done", "gone")

SCHEMA = """
CREATE TABLE IF NOT EXISTS line_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    folder TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'scored', 'moved', 'done', 'gone')),
    arrived_at TEXT NOT NULL,
    payload TEXT,
    dest TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (folder, name, size, mtime_ns)
);
CREATE INDEX IF NOT EXISTS line_journal_state ON line_journal(folder, state);
"""


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    size: int
    mtime_ns: int
    state: str
    arrived_at: str
    payload: dict | None
    dest: str | None


class Journal:
    """The journal rows of one hot folder (``folder``: its resolved path) in ``project_folder``'s database."""

    def __init__(self, project_folder: str | Path, folder: str | Path):
        self.folder = str(Path(folder).resolve())
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(Path(project_folder) / DB_FILE, timeout=30, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._conn:
            self._conn.executescript(SCHEMA)

    @staticmethod
    def _entry(r: sqlite3.Row) -> Entry:
        return Entry(r["id"], r["name"], r["size"], r["mtime_ns"], r["state"], r["arrived_at"],
                     json.loads(r["payload"]) if r["payload"] else None, r["dest"])

    def find(self, name: str, size: int, mtime_ns: int) -> Entry | None:
        with self._lock:
            r = self._conn.execute("SELECT * FROM line_journal WHERE folder = ? AND name = ? AND size = ? AND "
                                   "mtime_ns = ?", (self.folder, name, size, mtime_ns)).fetchone()
        return self._entry(r) if r else None

    def get(self, entry_id: int) -> Entry:
        with self._lock:
            r = self._conn.execute("SELECT * FROM line_journal WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(r)

    def begin(self, name: str, size: int, mtime_ns: int, arrived_at: str | None = None) -> Entry:
        with self._lock, self._conn:
            now = utc_now()
            cur = self._conn.execute(
                "INSERT INTO line_journal (folder, name, size, mtime_ns, state, arrived_at, updated_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?, ?)", (self.folder, name, size, mtime_ns, arrived_at or now, now))
        return self.get(cur.lastrowid)

    def scored(self, entry_id: int, payload: dict, dest: str | None) -> None:
        with self._lock, self._conn:
            self._conn.execute("UPDATE line_journal SET state = 'scored', payload = ?, dest = ?, updated_at = ? "
                               "WHERE id = ?", (json.dumps(payload, ensure_ascii=False), dest, utc_now(), entry_id))

    def set_state(self, entry_id: int, state: str) -> None:
        if state not in STATES:
            raise ValueError(state)
        with self._lock, self._conn:
            self._conn.execute("UPDATE line_journal SET state = ?, updated_at = ? WHERE id = ?",
                               (state, utc_now(), entry_id))

    def unfinished(self) -> list[Entry]:
        """Rows a previous run left half-way (pending, scored, moved), oldest first."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM line_journal WHERE folder = ? AND state IN "
                                      "('pending', 'scored', 'moved') ORDER BY id", (self.folder,)).fetchall()
        return [self._entry(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT state, COUNT(*) FROM line_journal WHERE folder = ? GROUP BY state",
                                      (self.folder,)).fetchall()
        return {r[0]: r[1] for r in rows}

    def close(self) -> None:
        with self._lock:
            self._conn.close()
