"""A project on disk: one product type's good images, its trained model, inspected parts, scores and reviews.

Layout of a project folder (movable as a whole; nothing in it refers to the outside)::

    project.json   format version + one section per component (settings, thresholds, layout), each read and
                   written by its own small serializer below; replaced atomically on every change
    project.db     SQLite (WAL): images, results (score, model verdict, map file), reviews (append-only)
    images/        every image copied in, named by the SHA-256 of its bytes (so duplicates are found)
    thumbs/        small PNG thumbnails, same names
    model/         the trained model (``PatchCore.save``; written atomically by the engine)
    maps/          anomaly maps of scored images, float16 ``.npy``, full frame at the geometry's map size
                   (``allow_pickle=False``; maps of older versions are ``[crop, crop]``, see ``Geometry.map_box``)
    region/        the region to inspect, ``vN.png`` (white = inspect), one file per version; the current
                   version is in the database (``meta.region``); none = the whole image
    project.db.bak, project.json.bak
                   the last good copies, written at a clean close (SQLite's online backup, checked first; at
                   most once per ``BACKUP_INTERVAL_S``), for ``Project.restore_backup``
    .inspector.clean
                   project.db's size and time at the editor's last clean close: when they still match at the next
                   open, the integrity check is skipped (it costs ~1 s at 100,000 parts); after a crash it runs

Roles of an image: ``train`` (good, used to fit), ``holdout`` (good, held out of fitting and scored after it,
giving the good-score distribution) and ``inspected`` (a part to judge). The same bytes may be both a
training image and an inspected one (a confirmed-good part folded back into training) but never twice in
one pool. Reviews are never updated or deleted: a decision is a new row, undo is a new row restoring the
previous decision, and the model's verdict is a separate column that no review touches. (Only removing an
inspected part for good, ``remove_inspected``, takes its reviews with it.)

No Qt here: the CLI, a script or the app's worker threads use this module directly. Every connection is
per thread (SQLite objects may not cross threads), each write is one transaction.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

import cv2
import numpy as np

from ..errors import InspectorError, InvalidInput
from ..io.atomic import atomic_path, write_bytes, write_json
from ..io.geometry import Geometry
from ..io.images import ImageReadError, SkippedImage, find_images, read_image
from ..io.locks import FileLock
from ..io.versioned import read_versioned
from ..models import registry as model_kinds
from ..runtime.progress import CancelToken, ProgressFn, call_cancellable, checkpoint, no_progress
from .thresholds import Suggestion, Thresholds, first_guess, suggest_thresholds

FORMAT_VERSION = 1
SCHEMA_VERSION = 1  # PRAGMA user_version of project.db
PROJECT_FILE = "project.json"
DB_FILE = "project.db"
LOCK_FILE = ".inspector.lock"  # held by the editor: the app or a CLI project command
CLEAN_FILE = ".inspector.clean"  # project.db's size and time at the editor's last clean close (JSON)
BACKUP_SUFFIX = ".bak"  # project.db.bak, project.json.bak: the last good copies (``Project.close``)
BACKUP_INTERVAL_S = float(os.environ.get("INSPECTOR_BACKUP_INTERVAL", 600))  # at most one backup per 10 min
MODEL_DIR = "model"
THUMB_SIZE = 160
ROLES = ("train", "holdout", "inspected")
GOOD_ROLES = ("train", "holdout")
DECISIONS = ("good", "defect")


class ProjectError(InspectorError):
    """Something about a project folder that the user must fix (the message says what)."""


class ProjectFormatError(ProjectError):
    """The folder is not a project, or its project.json is damaged."""


class ProjectTooNewError(ProjectFormatError):
    """The project was written by a newer Inspector than this one."""


class ProjectReadOnlyError(ProjectError):
    """The project is open read-only here (another Inspector holds it for changes, or it was asked for)."""


class RefusedRow(ProjectError):
    """A database row names a file that is not one of the project's own (tampered or damaged): it is ignored."""


# Every path a project stores is derived from a content hash or an id, and checked against these before use:
# nothing a project file says may touch a file outside the project folder.
_HASH = re.compile(r"[0-9a-f]{64}")
_IMAGE_FILE = re.compile(r"images/([0-9a-f]{64})\.[a-z0-9]{1,10}")
_MAP_FILE = re.compile(r"maps/[0-9]{1,15}-g[0-9]{1,15}\.npy")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")



def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------- sections
@dataclass
class ProjectSettings:
    """Everything that defines how this project's model is built. Every model setting is editable."""

    name: str = "Untitled"
    model_kind: str = "patchcore"
    model: dict[str, Any] = field(default_factory=dict)  # the kind's config (e.g. PatchCoreConfig fields)
    holdout_fraction: float = 0.15
    holdout_seed: int = 0
    suggest_percentile: float = 100.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ProjectSettings":
        """The settings section; a value of the wrong type or out of range raises ``ValueError`` naming it."""
        if not isinstance(data, dict):
            raise ValueError(f"the settings are a {type(data).__name__}, not a set of settings")
        s = cls()
        checks = {
            "name": lambda v: isinstance(v, str),
            "model_kind": lambda v: isinstance(v, str),
            "model": lambda v: v is None or isinstance(v, dict),
            "holdout_fraction": lambda v: _number(v) and 0 <= v < 1,
            "holdout_seed": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "suggest_percentile": lambda v: _number(v) and 0 <= v <= 100,
        }
        for key, ok in checks.items():
            if key in data:
                if not ok(data[key]):
                    raise ValueError(f"{key} = {data[key]!r} is not a valid value")
                setattr(s, key, data[key])
        s.model = dict(s.model or {})
        return s

    def model_config(self):
        return model_kinds.make_config(self.model_kind, self.model)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _thresholds_to_json(t: Thresholds | None) -> dict | None:
    return t.to_dict() if t else None


@dataclass
class Layout:
    """An opaque window-layout blob (Qt's saveState) with the version of the app's layout it belongs to."""

    version: int
    state: bytes

    def to_dict(self) -> dict:
        return {"version": self.version, "state": base64.b64encode(self.state).decode("ascii")}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Layout | None":
        if not isinstance(data, dict) or not isinstance(data.get("version"), int):
            return None
        try:
            return cls(data["version"], base64.b64decode(data.get("state", "")))
        except (ValueError, TypeError):
            return None


# ----------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class ImageRecord:
    id: int
    hash: str
    name: str  # the original file name
    file: str  # relative to the project folder
    role: str
    width: int
    height: int
    added_at: str


@dataclass(frozen=True)
class ResultRecord:
    image: ImageRecord
    score: float
    verdict: str | None  # the model's verdict at the current thresholds; None without thresholds
    map_file: str | None
    decision: str | None  # the latest human decision, None if not reviewed (or the decision was undone)
    decided_at: str | None


# verdicts and decisions as small integer codes, for columns of 100,000 parts (``ResultColumns``)
VERDICT_CODES = {None: -1, "pass": 0, "uncertain": 1, "fail": 2}
DECISION_CODES = {None: -1, "good": 0, "defect": 1}
VERDICT_OF_CODE = {v: k for k, v in VERDICT_CODES.items()}
DECISION_OF_CODE = {v: k for k, v in DECISION_CODES.items()}


@dataclass
class ResultColumns:
    """The inspected parts as columns, aligned, in id order (``Project.result_columns``): what a view of
    100,000 parts needs to count, sort, filter and draw without a ``ResultRecord`` per part. Rows the store
    refuses (see ``Project.problems``) are left out, as in ``results()``."""

    ids: np.ndarray  # [N] int64
    scores: np.ndarray  # [N] float64
    verdicts: np.ndarray  # [N] int8, ``VERDICT_CODES``
    decisions: np.ndarray  # [N] int8, ``DECISION_CODES`` (the latest live decision)
    in_training: np.ndarray  # [N] bool: the same bytes are a good image of the training set (train / holdout)
    holdout: np.ndarray  # held-out good scores, float64

    @classmethod
    def empty(cls) -> "ResultColumns":
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8), np.zeros(0, np.int8), np.zeros(0, bool),
                   np.zeros(0))


@dataclass
class AddReport:
    added: list[ImageRecord] = field(default_factory=list)
    duplicates: list[tuple[Path, str]] = field(default_factory=list)  # (file dropped, name already in project)
    duplicate_ids: list[int] = field(default_factory=list)  # the images those duplicates are already in as
    skipped: list[SkippedImage] = field(default_factory=list)


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    file TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('train', 'holdout', 'inspected')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    added_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS images_good_hash ON images(hash) WHERE role IN ('train', 'holdout');
CREATE UNIQUE INDEX IF NOT EXISTS images_inspected_hash ON images(hash) WHERE role = 'inspected';
CREATE TABLE IF NOT EXISTS results (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    score REAL NOT NULL,
    verdict TEXT CHECK (verdict IN ('pass', 'uncertain', 'fail')),
    map_file TEXT,
    generation INTEGER NOT NULL,
    scored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id INTEGER NOT NULL REFERENCES images(id),
    decision TEXT NOT NULL CHECK (decision IN ('good', 'defect', 'cleared')),
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_image ON reviews(image_id, id);
CREATE INDEX IF NOT EXISTS images_role ON images(role, id);
CREATE INDEX IF NOT EXISTS results_rank ON results(score DESC, image_id, verdict);
CREATE TABLE IF NOT EXISTS decisions (
    image_id INTEGER PRIMARY KEY REFERENCES images(id),
    review_id INTEGER NOT NULL,
    decision TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS reviews_latest AFTER INSERT ON reviews
    BEGIN INSERT OR REPLACE INTO decisions VALUES (NEW.image_id, NEW.id, NEW.decision, NEW.decided_at); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
"""
_NO_DELETE_TRIGGER = SCHEMA[SCHEMA.index("CREATE TRIGGER IF NOT EXISTS reviews_no_delete"):].strip()

# The latest decision per image: ``decisions`` is kept by a trigger on the append-only ``reviews`` (one row
# per reviewed image, so counts and lookups never scan the review history); ``_LATEST_DECISION_SCAN`` computes
# the same from the history (for a database of an older schema, and to fill ``decisions`` when migrating).
_LATEST_DECISION_SCAN = """
    SELECT r.image_id, r.decision, r.decided_at, r.id AS review_id FROM reviews r
    JOIN (SELECT image_id, MAX(id) AS id FROM reviews GROUP BY image_id) last ON last.id = r.id
"""
_LATEST_DECISION = "SELECT image_id, decision, decided_at FROM decisions"


# one image with its result and latest decision, by index lookups (no scan of all reviews)
_ONE_RESULT = """
    SELECT i.*, r.score, r.verdict, r.map_file, d.decision, d.decided_at
    FROM images i JOIN results r ON r.image_id = i.id LEFT JOIN decisions d ON d.image_id = i.id
"""
_RESULT_COLUMNS = """
    SELECT i.id, i.hash, i.name, i.file, i.role, i.width, i.height, i.added_at,
           r.score, r.verdict, r.map_file, d.decision, d.decided_at
    FROM images i JOIN results r ON r.image_id = i.id LEFT JOIN decisions d ON d.image_id = i.id
"""


def _of_roles(roles: Sequence[str]) -> str:
    """A ``results`` filter to images of ``roles`` (constant roles only). Written as "not one of the other roles":
    the excluded images are few (good ones), so SQLite scans ``results`` in index order and keeps the others."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    others = [r for r in ROLES if r not in roles]
    if not others:
        return "1"
    return f"image_id NOT IN (SELECT id FROM images WHERE role IN ({', '.join(repr(r) for r in others)}))"


def _statements(script: str) -> list[str]:
    """The statements of a schema script (``executescript`` would commit; these run in one transaction)."""
    out, current = [], ""
    for line in script.strip().splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def _expand(paths: Iterable[str | Path]) -> tuple[list[Path], list[str], list[SkippedImage]]:
    """Image files under ``paths`` with the names shown for them: a file dropped alone keeps its name; one
    found in a dropped folder is named by its path from that folder's parent ("broken/000.png"), so parts
    with the same file name in different folders stay distinguishable."""
    files: list[Path] = []
    names: list[str] = []
    skipped: list[SkippedImage] = []
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw)
        found, missing = find_images([root])
        skipped += missing
        for f in found:
            key = f.resolve()
            if key in seen:
                continue
            seen.add(key)
            files.append(f)
            names.append(f.relative_to(root.parent).as_posix() if root.is_dir() else f.name)
    return files, names, skipped


@dataclass(frozen=True)
class ProjectSummary:
    name: str
    n_good: int
    n_inspected: int  # scored parts (what Results and Review show)
    n_reviewed: int
    trained: bool
    n_unscored: int = 0  # parts imported by an interrupted inspection, scored by the next one

    def describe(self) -> str:
        parts = [f"{self.n_good} good image(s)", "trained" if self.trained else "not trained"]
        if self.n_inspected:
            parts.append(f"{self.n_inspected} inspected, {self.n_reviewed} reviewed")
        if self.n_unscored:
            parts.append(f"{self.n_unscored} not scored yet (inspect to resume)")
        return " · ".join(parts)


def summarize(folder: str | Path) -> ProjectSummary | None:
    """A project's name and counts for a list, read-only (nothing is created or locked); None if unreadable."""
    folder = Path(folder)
    try:
        data = json.loads((folder / PROJECT_FILE).read_text(encoding="utf-8"))
        name = str((data.get("settings") or {}).get("name") or folder.name)
        conn = sqlite3.connect(f"{(folder / DB_FILE).resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            n_good = count("SELECT COUNT(*) FROM images WHERE role IN ('train', 'holdout')")
            n_inspected = count("SELECT COUNT(*) FROM images i JOIN results r ON r.image_id = i.id "
                                "WHERE i.role = 'inspected'")
            n_unscored = count("SELECT COUNT(*) FROM images WHERE role = 'inspected'") - n_inspected
            n_reviewed = count(f"SELECT COUNT(*) FROM ({_LATEST_DECISION_SCAN}) WHERE decision != 'cleared'")
        finally:
            conn.close()
    except (OSError, ValueError, sqlite3.Error, AttributeError):
        return None
    return ProjectSummary(name, n_good, n_inspected, n_reviewed, (folder / MODEL_DIR / "model.json").is_file(),
                          n_unscored)


class Project:
    """An open project. Create with ``Project.create``, open with ``Project.open``; ``close()`` when done.

    Who may change what, between processes:

    - one *editor* (the app, or an ``inspector project`` command) holds the editor lock (an OS file lock on
      ``.inspector.lock``, dropped even when that process is killed) and may change everything: images,
      training, thresholds, settings, reviews. Another would-be editor opens the project read-only,
      ``read_only_reason`` says why, and every change raises ``ProjectReadOnlyError`` with that reason: a careful
      user expects this rather than two programs silently overwriting each other's thresholds;
    - *line* processes (``inspector watch`` or ``serve``, opened with ``line=True``) take no lock and only record
      inspections (add parts, store their scores, apply the retention). They run beside the editor: the engineer
      moves the lines or retrains in the app while the line keeps scoring, and the line picks the change up
      between parts (``reload``). SQLite orders the processes' rows; retraining replaces only the scores it
      re-computed, so parts the line recorded meanwhile are kept.
    """

    def __init__(self, folder: Path, settings: ProjectSettings, thresholds: Thresholds | None,
                 layout: Layout | None, lock: FileLock | None = None, read_only_reason: str = "",
                 line: bool = False, salvage: bool = False, problems: Sequence[str] = ()):
        self.folder = Path(folder)
        self.settings = settings
        self._thresholds = thresholds
        self._layout = layout
        self._lock = lock
        self.read_only_reason = read_only_reason
        self.line = line  # a line process: records inspections only
        self.problems: list[str] = list(problems)  # what was found damaged or refused, in words (rows refused, ...)
        self.salvage = salvage  # a damaged project opened read-only: show what can be read
        self._unreadable_db = False  # (salvage) project.db could not be read at all: an empty one stands in
        self._refused: set[str] = set()
        self._json_lock = threading.Lock()
        self._model_lock = threading.RLock()
        self._model: Any = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._conn_lock = threading.Lock()
        self._opened_ok = False  # the open passed its checks: only then may close() call it clean
        if salvage:
            self._open_salvaged()
            return
        try:
            checked = self._needs_check()
            conn = self._db()  # create (or check) the schema now, on the opening thread
            if checked:
                problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
                if problem != "ok":
                    raise sqlite3.DatabaseError(problem)
            if not self.read_only and not self.line:
                (self.folder / CLEAN_FILE).unlink(missing_ok=True)  # a crash from here on: checked next time
                self._recover()
                if checked and len(self.backups(self.folder)) < 2 and (self.folder / PROJECT_FILE).exists():
                    try:
                        self._backup(conn)  # a first backup (projects made before backups existed)
                    except OSError:
                        pass
            self._opened_ok = True
        except sqlite3.DatabaseError as exc:
            self.close()
            raise ProjectFormatError(f"{self.folder / DB_FILE} is damaged ({exc}); restore it from a backup") from None
        except BaseException:
            self.close()
            raise

    # ----------------------------------------------------------------------- integrity and backups
    def _needs_check(self) -> bool:
        """Whether to run the integrity check at open: skipped only when project.db is exactly as the editor left
        it at its last clean close (same size and time, no write-ahead log pending)."""
        try:
            stamp = json.loads((self.folder / CLEAN_FILE).read_text())
            st = (self.folder / DB_FILE).stat()
            wal = self.folder / (DB_FILE + "-wal")
            return not (isinstance(stamp, dict) and stamp.get("size") == st.st_size
                        and stamp.get("mtime_ns") == st.st_mtime_ns and (not wal.exists() or wal.stat().st_size == 0))
        except (OSError, ValueError):
            return True

    def _backup(self, conn: sqlite3.Connection) -> None:
        """Copy project.db (SQLite's online backup: consistent while others read) and project.json beside them
        as ``.bak``, each written atomically. Only a database that passes the integrity check is copied."""
        if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
            return
        with atomic_path(self.folder / (DB_FILE + BACKUP_SUFFIX)) as tmp:
            target = sqlite3.connect(tmp)
            try:
                conn.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        if (self.folder / PROJECT_FILE).is_file():
            write_bytes(self.folder / (PROJECT_FILE + BACKUP_SUFFIX), (self.folder / PROJECT_FILE).read_bytes())

    def _close_cleanly(self) -> None:
        """The editor's clean close: a backup when the last one is older than ``BACKUP_INTERVAL_S``, then the
        write-ahead log folded in and the clean stamp written (so the next open can skip the integrity check).
        Never raises: a failure here only means the next open checks again."""
        db = self.folder / DB_FILE
        try:
            conn = sqlite3.connect(db, timeout=5)
            try:
                bak = self.folder / (DB_FILE + BACKUP_SUFFIX)
                if len(self.backups(self.folder)) < 2 or time.time() - bak.stat().st_mtime >= BACKUP_INTERVAL_S:
                    self._backup(conn)
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                conn.close()
            if not busy:
                st = db.stat()
                write_json(self.folder / CLEAN_FILE, {"size": st.st_size, "mtime_ns": st.st_mtime_ns})
        except (sqlite3.Error, OSError):
            pass

    @staticmethod
    def damage(folder: str | Path) -> dict[str, str]:
        """What is damaged in a project folder, in words: {"project.json": why, "project.db": why} (empty: the
        files read and pass the integrity check). A newer version's project is not damage."""
        folder = Path(folder)
        found: dict[str, str] = {}
        if not (folder / PROJECT_FILE).exists() and not (folder / DB_FILE).exists():
            return found  # not a project at all
        try:
            Project._read_json(folder)
        except ProjectTooNewError:
            pass
        except ProjectFormatError as exc:
            found[PROJECT_FILE] = str(exc)
        db = folder / DB_FILE
        if db.exists():
            try:
                # immutable: looking writes nothing (not even the shared-memory file) into a damaged folder
                conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=5)
                try:
                    problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
                finally:
                    conn.close()
                if problem != "ok":
                    found[DB_FILE] = problem
            except sqlite3.Error as exc:
                found[DB_FILE] = str(exc)
        return found

    @staticmethod
    def backups(folder: str | Path) -> dict[str, Path]:
        """The backups a project folder holds: {"project.db": path, "project.json": path}."""
        folder = Path(folder)
        return {name: folder / (name + BACKUP_SUFFIX) for name in (DB_FILE, PROJECT_FILE)
                if (folder / (name + BACKUP_SUFFIX)).is_file()}

    @classmethod
    def restore_backup(cls, folder: str | Path) -> list[str]:
        """Replace each damaged file (``damage``) by its backup; the damaged one is kept as
        ``<name>.damaged-<UTC time>`` (and its write-ahead log with it, which must not meet the restored copy).
        Takes the editor's lock. Returns what was done, in words; raises ``ProjectError`` when something
        damaged has no usable backup (then nothing is changed)."""
        folder = Path(folder)
        lock, why = cls._take_lock(folder, False)
        if lock is None:
            raise ProjectError(f"cannot restore {folder}: {why}")
        try:
            damaged = cls.damage(folder)
            backups = cls.backups(folder)
            for name in damaged:
                if name not in backups:
                    raise ProjectError(f"{name} is damaged and there is no backup of it ({name}{BACKUP_SUFFIX})")
            if DB_FILE in damaged:  # the backup itself must pass the check before anything is moved
                conn = sqlite3.connect(f"{backups[DB_FILE].resolve().as_uri()}?mode=ro", uri=True)
                try:
                    if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                        raise ProjectError(f"the backup {backups[DB_FILE].name} is damaged too")
                except sqlite3.Error as exc:
                    raise ProjectError(f"the backup {backups[DB_FILE].name} is damaged too ({exc})") from None
                finally:
                    conn.close()
            if PROJECT_FILE in damaged:
                try:
                    json.loads(backups[PROJECT_FILE].read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise ProjectError(f"the backup {backups[PROJECT_FILE].name} is damaged too ({exc})") from None
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            done = []
            for name in damaged:
                kept = f"{name}.damaged-{stamp}"
                os.replace(folder / name, folder / kept)
                for extra in ("-wal", "-shm") if name == DB_FILE else ():
                    if (folder / (name + extra)).exists():
                        os.replace(folder / (name + extra), folder / (kept + extra))
                write_bytes(folder / name, backups[name].read_bytes())
                when = datetime.fromtimestamp(backups[name].stat().st_mtime).strftime("%Y-%m-%d %H:%M")
                done.append(f"{name} restored from the backup of {when} (the damaged file is kept as {kept})")
            (folder / CLEAN_FILE).unlink(missing_ok=True)
            return done
        finally:
            lock.release()

    def _open_salvaged(self) -> None:
        """(read-only, damaged) Open what can be read: the database if its tables read, else an empty one in
        memory standing in (``problems`` says so). Nothing is written."""
        try:
            conn = self._db()
            conn.execute("SELECT COUNT(*) FROM images").fetchone()
            self.result_columns()
            self.images()
        except sqlite3.Error as exc:
            self._unreadable_db = True
            self.release_thread_connection()
            self.problems.append(f"{DB_FILE} cannot be read ({exc}); no images or results are shown")

    @property
    def read_only(self) -> bool:
        return bool(self.read_only_reason)

    def _require_writable(self) -> None:
        """Only the editor changes images, training, thresholds, settings and reviews."""
        self._require_recorder()
        if self.line:
            raise ProjectReadOnlyError("this line process records inspections only: change the thresholds, the "
                                       "settings or the training in the app or with 'inspector project'")

    def _require_recorder(self) -> None:
        """The editor and the line process record inspections."""
        if self.read_only:
            raise ProjectReadOnlyError(f"the project is open read-only: {self.read_only_reason}")

    @staticmethod
    def _take_lock(folder: Path, read_only: bool, line: bool = False) -> tuple[FileLock | None, str]:
        """(the editor's lock, '') or (None, why this process opens the project read-only); (None, '') for the
        line, which needs no lock (it only adds rows)."""
        if read_only:
            return None, "opened read-only on request"
        if line:
            return None, ""
        lock = FileLock(folder / LOCK_FILE)
        try:
            got = lock.acquire(wait=False)
        except OSError as exc:
            return None, f"the project folder cannot be written ({exc.strerror or exc})"
        if not got:
            who = lock.owner() or "another Inspector"
            return None, f"it is open for changes in {who}; close it there to change it here"
        lock.write_owner("Inspector")
        return lock, ""

    # ------------------------------------------------------------------------------- open / create
    @classmethod
    def create(cls, folder: str | Path, name: str, settings: ProjectSettings | None = None) -> "Project":
        folder = Path(folder)
        if (folder / PROJECT_FILE).exists():
            raise ProjectError(f"{folder} already holds a project; open it instead")
        if folder.exists() and any(folder.iterdir()):
            raise ProjectError(f"{folder} is not empty; choose an empty or new folder for a project")
        settings = settings or ProjectSettings()
        settings.name = name.strip() or "Untitled"
        if not settings.model:
            settings.model = model_kinds.default_config(settings.model_kind)
        folder.mkdir(parents=True, exist_ok=True)
        lock, why = cls._take_lock(folder, False)
        if lock is None:
            raise ProjectError(f"cannot create a project in {folder}: {why}")
        project = cls(folder, settings, None, None, lock)
        project._write_json()
        return project

    @classmethod
    def open(cls, folder: str | Path, read_only: bool = False, line: bool = False, salvage: bool = False) -> "Project":
        """Open a project for changes (the editor), as the line process (``line``: records inspections only), or
        read-only when asked or when another process holds that role (then ``read_only_reason`` says so).
        ``salvage``: a damaged project, read-only, showing what can be read (``problems`` says what cannot)."""
        folder = Path(folder)
        if salvage:
            settings, thresholds, layout, problems = cls._read_json_salvaged(folder)
            return cls(folder, settings, thresholds, layout, None, "it is damaged; restore it or repair it to change it",
                       salvage=True, problems=problems)
        settings, thresholds, layout = cls._read_json(folder)
        lock, why = cls._take_lock(folder, read_only, line)
        return cls(folder, settings, thresholds, layout, lock, why, line=line)

    @staticmethod
    def _read_json(folder: Path) -> tuple[ProjectSettings, Thresholds | None, Layout | None]:
        path = folder / PROJECT_FILE
        try:
            data = read_versioned(path, FORMAT_VERSION, key="format_version", what="project file",
                                  damaged=ProjectFormatError, too_new=ProjectTooNewError)
        except FileNotFoundError:
            raise ProjectFormatError(f"{folder} is not an Inspector project (no {PROJECT_FILE})") from None
        try:
            settings = ProjectSettings.from_dict(data.get("settings") or {})
            thresholds = Thresholds.from_dict(data.get("thresholds"))
        except (TypeError, ValueError, AttributeError) as exc:
            raise ProjectFormatError(f"{path} has invalid settings: {exc}") from None
        return settings, thresholds, Layout.from_dict(data.get("layout"))

    @staticmethod
    def _read_json_salvaged(folder: Path) -> tuple[ProjectSettings, Thresholds | None, Layout | None, list[str]]:
        """``_read_json`` section by section: a damaged section is left at its default and named."""
        problems: list[str] = []
        try:
            return (*Project._read_json(folder), problems)
        except ProjectTooNewError:
            raise
        except ProjectFormatError as exc:
            problems.append(str(exc))
        try:
            data = json.loads((folder / PROJECT_FILE).read_text(encoding="utf-8"))
            data = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            data = {}
        sections = {}
        for key, read, default in (("settings", lambda d: ProjectSettings.from_dict(d or {}), ProjectSettings()),
                                   ("thresholds", Thresholds.from_dict, None), ("layout", Layout.from_dict, None)):
            try:
                sections[key] = read(data.get(key))
            except (TypeError, ValueError, AttributeError, KeyError):
                sections[key] = default
                problems.append(f"{PROJECT_FILE}: the {key} cannot be read; shown as none")
        return sections["settings"], sections["thresholds"], sections["layout"], problems

    def reload(self) -> None:
        """Re-read settings and thresholds that another process (the editor) saved. For the line, between parts."""
        with self._json_lock:
            self.settings, self._thresholds, self._layout = self._read_json(self.folder)

    def _write_json(self) -> None:
        from ... import __version__

        self._require_writable()
        with self._json_lock:
            write_json(self.folder / PROJECT_FILE, {
                "format_version": FORMAT_VERSION,
                "written_by": f"inspector {__version__}",
                "settings": self.settings.to_dict(),
                "thresholds": _thresholds_to_json(self._thresholds),
                "layout": self._layout.to_dict() if self._layout else None,
            })

    def release_thread_connection(self) -> None:
        """Close this thread's database connection (a worker thread calls it when its job ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._conn_lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()

    def close(self) -> None:
        with self._conn_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            clean = self._opened_ok and self._lock is not None and not self.read_only and not self.line
            self._connections.clear()
        if clean:
            self._close_cleanly()
        self._local = threading.local()
        with self._model_lock:
            self._model = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ database
    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            path = self.folder / DB_FILE
            if self._unreadable_db:  # (salvage) an empty database stands in for one that cannot be read
                conn = sqlite3.connect(":memory:", check_same_thread=False)
                self._migrate(conn)
                conn.execute("PRAGMA query_only=ON")
            elif self.read_only:
                # salvage: immutable, so not even the shared-memory and log files are created beside it
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if self.salvage else ''}",
                                       uri=True, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA query_only=ON")
            else:
                conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            try:
                self._check_schema_version(conn)
                if not self.read_only:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                if not self.read_only:
                    self._migrate(conn)
                elif conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    conn.execute(f"CREATE TEMP VIEW decisions AS {_LATEST_DECISION_SCAN}")
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
            with self._conn_lock:
                self._connections.append(conn)
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Create the schema, or bring an older one up to ``SCHEMA_VERSION`` (0: no ``decisions`` table yet)."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(SCHEMA):
                conn.execute(statement)
            if version < 1:
                conn.execute("INSERT OR REPLACE INTO decisions (image_id, review_id, decision, decided_at) "
                             f"SELECT image_id, review_id, decision, decided_at FROM ({_LATEST_DECISION_SCAN})")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _check_schema_version(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ProjectTooNewError(
                f"this project's database was written by a newer Inspector (schema {version}; this version reads "
                f"up to {SCHEMA_VERSION}). Update Inspector to open it.")

    # ------------------------------------------------------------------------------ stored paths
    def _inside(self, rel: str) -> Path | None:
        """``folder / rel`` when it really is inside the project folder (links followed), else None."""
        try:
            path = self.folder / rel
            path.resolve().relative_to(self.folder.resolve())
        except (ValueError, OSError):
            return None
        return path

    def _refuse(self, message: str) -> None:
        if message not in self._refused:
            self._refused.add(message)
            self.problems.append(message)

    def _row_problem(self, row: sqlite3.Row) -> str:
        """Why an images row (with its result's map_file, if selected) is refused, or ''."""
        h, f = row["hash"], row["file"]
        if not isinstance(h, str) or not _HASH.fullmatch(h):
            return f"image {row['id']}: its content hash {str(h)[:80]!r} is not a SHA-256"
        # the names alone here (a listing of 100,000 rows stays fast); links are checked where a file is touched
        m = _IMAGE_FILE.fullmatch(f) if isinstance(f, str) else None
        if m is None or m.group(1) != h:
            return f"image {row['id']}: its file {str(f)[:80]!r} is not a file of this project"
        if "map_file" in row.keys():
            mf = row["map_file"]
            if mf is not None and (not isinstance(mf, str) or not _MAP_FILE.fullmatch(mf)):
                return f"image {row['id']}: its anomaly map {str(mf)[:80]!r} is not a file of this project"
        return ""

    def _valid_rows(self, rows: Iterable[sqlite3.Row]) -> list[sqlite3.Row]:
        out = []
        for r in rows:
            why = self._row_problem(r)
            if why:
                self._refuse(f"project.db: {why}; the row is ignored")
            else:
                out.append(r)
        return out

    def _map_path(self, rel: str | None) -> Path | None:
        if not isinstance(rel, str) or not _MAP_FILE.fullmatch(rel):
            return None
        return self._inside(rel)

    def _unlink(self, path: Path | None) -> None:
        if path is not None:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass

    def _meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    @staticmethod
    def _image(row: sqlite3.Row) -> ImageRecord:
        return ImageRecord(row["id"], row["hash"], row["name"], row["file"], row["role"], row["width"],
                           row["height"], row["added_at"])

    # ------------------------------------------------------------------------------------ settings
    @property
    def name(self) -> str:
        return self.settings.name

    def rename(self, name: str) -> None:
        self._require_writable()
        name = name.strip()
        if not name:
            raise ProjectError("a project name cannot be empty")
        self.settings.name = name
        self._write_json()

    def save_settings(self, settings: ProjectSettings) -> None:
        self._require_writable()
        model_kinds.make_config(settings.model_kind, settings.model)  # fails early on an unknown kind
        self.settings = settings
        self._write_json()

    @property
    def thresholds(self) -> Thresholds | None:
        return self._thresholds

    def set_thresholds(self, thresholds: Thresholds | None) -> None:
        """Save the thresholds and re-classify every scored image with them."""
        self._require_writable()
        self._thresholds = thresholds
        self._write_json()
        self.reclassify()

    def layout(self, version: int) -> bytes | None:
        """The saved window layout, or None when there is none or it belongs to another layout version."""
        if self._layout is None or self._layout.version != version:
            return None
        return self._layout.state

    def save_layout(self, version: int, state: bytes) -> None:
        """Keep the window layout (not saved when the project is open read-only: it is a convenience)."""
        self._layout = Layout(version, bytes(state))
        if not self.read_only:
            self._write_json()

    # -------------------------------------------------------------------------------------- images
    def path_of(self, image: ImageRecord) -> Path:
        """The project's copy of the image; ``RefusedRow`` if the record names anything else."""
        m = _IMAGE_FILE.fullmatch(image.file) if isinstance(image.file, str) else None
        path = self._inside(image.file) if m and m.group(1) == image.hash else None
        if path is None:
            raise RefusedRow(f"project.db: image {image.id} names {image.file!r}, which is not a file of this "
                             f"project; refusing it")
        return path

    def thumbnail(self, image: ImageRecord) -> Path:
        """The image's thumbnail file, made now if missing (e.g. deleted by hand; not when read-only)."""
        if not _HASH.fullmatch(image.hash or ""):
            raise RefusedRow(f"project.db: image {image.id} has no valid content hash; refusing it")
        path = self.folder / "thumbs" / f"{image.hash}.png"
        if not path.is_file() and not self.read_only:
            try:
                self._write_thumbnail(read_image(self.path_of(image)), image.hash)
            except (ImageReadError, OSError):
                pass
        return path

    def _write_thumbnail(self, rgb: np.ndarray, digest: str) -> None:
        h, w = rgb.shape[:2]
        scale = THUMB_SIZE / max(h, w)
        if scale < 1:
            rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        if ok:
            write_bytes(self.folder / "thumbs" / f"{digest}.png", png.tobytes())

    def images(self, roles: Sequence[str] = ROLES) -> list[ImageRecord]:
        marks = ",".join("?" * len(roles))
        rows = self._db().execute(f"SELECT * FROM images WHERE role IN ({marks}) ORDER BY id", tuple(roles))
        return [self._image(r) for r in self._valid_rows(rows)]

    def image(self, image_id: int) -> ImageRecord:
        row = self._db().execute("SELECT * FROM images WHERE id = ?", (image_id,)).fetchone()
        if row is None:
            raise KeyError(f"no image with id {image_id}")
        why = self._row_problem(row)
        if why:
            raise RefusedRow(f"project.db: {why}; refusing it")
        return self._image(row)

    def unscored(self) -> list[ImageRecord]:
        """Inspected parts imported but not scored (an inspection was cancelled, killed or ran out of disk):
        ``jobs.inspect`` and ``jobs.train`` score them, so nothing imported stays invisible."""
        rows = self._db().execute(
            "SELECT i.* FROM images i LEFT JOIN results r ON r.image_id = i.id "
            "WHERE i.role = 'inspected' AND r.image_id IS NULL ORDER BY i.id")
        return [self._image(r) for r in self._valid_rows(rows)]

    def count(self, roles: Sequence[str]) -> int:
        marks = ",".join("?" * len(roles))
        return self._db().execute(f"SELECT COUNT(*) FROM images WHERE role IN ({marks})", tuple(roles)).fetchone()[0]

    def add_images(
        self,
        paths: Iterable[str | Path],
        role: str = "train",
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> AddReport:
        """Copy image files (folders are searched recursively) into the project.

        Good images (``role="train"``) already in the training set, and parts already inspected
        (``role="inspected"``), are reported as duplicates (same SHA-256 of the bytes) and not added again;
        unreadable files are skipped with the reason. Each image is committed as it is copied, so a cancel
        keeps those already in. Progress stage: ``"import"``.
        """
        if role not in ("train", "inspected"):
            raise ValueError(f"images are added as 'train' or 'inspected', not {role!r}")
        self._require_writable() if role == "train" else self._require_recorder()
        files, names, missing = _expand(paths)
        report = AddReport(skipped=list(missing))
        pool = GOOD_ROLES if role == "train" else ("inspected",)
        progress("import", 0, len(files))
        for i, src in enumerate(files):
            checkpoint(cancel)
            try:
                data = src.read_bytes()
                rgb = read_image(src)
            except (ImageReadError, OSError) as exc:
                report.skipped.append(SkippedImage(src, str(exc)))
                progress("import", i + 1, len(files))
                continue
            digest = hashlib.sha256(data).hexdigest()
            marks = ",".join("?" * len(pool))
            existing = self._db().execute(
                f"SELECT id, name FROM images WHERE hash = ? AND role IN ({marks})", (digest, *pool)
            ).fetchone()
            if existing is None:
                try:
                    report.added.append(self._insert_image(names[i], str(src), data, digest, rgb, role))
                except sqlite3.IntegrityError:  # the same bytes were added meanwhile (another thread)
                    existing = self._db().execute(
                        f"SELECT id, name FROM images WHERE hash = ? AND role IN ({marks})", (digest, *pool)
                    ).fetchone()
                    if existing is None:
                        raise
            if existing is not None:
                report.duplicates.append((src, existing["name"]))
                report.duplicate_ids.append(existing["id"])
            progress("import", i + 1, len(files))
        return report

    def _insert_image(self, name: str, source: str, data: bytes | None, digest: str, rgb: np.ndarray | None,
                      role: str, file: str | None = None, size: tuple[int, int] | None = None) -> ImageRecord:
        if file is None:
            suffix = Path(name).suffix.lower()
            file = f"images/{digest}{suffix if _SUFFIX.fullmatch(suffix) else '.img'}"
        target = self.folder / file
        if not target.is_file() and data is not None:
            write_bytes(target, data)
        if rgb is not None:
            if not (self.folder / "thumbs" / f"{digest}.png").is_file():
                self._write_thumbnail(rgb, digest)
            size = rgb.shape[:2]
        h, w = size or (0, 0)
        conn = self._db()
        with conn:
            cur = conn.execute(
                "INSERT INTO images (hash, name, source, file, role, width, height, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (digest, name, source, file, role, w, h, now_iso()))
        return self.image(cur.lastrowid)

    def remove_images(self, ids: Iterable[int]) -> int:
        """Remove good images from the training set (inspected parts and their reviews stay, as history).

        The copied file is deleted once no image row refers to it any more. Returns how many were removed.
        """
        ids = list(ids)
        if not ids:
            return 0
        self._require_writable()
        conn = self._db()
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT * FROM images WHERE id IN ({marks}) AND role IN ('train', 'holdout')", ids).fetchall()
        maps = [r["map_file"] for r in conn.execute(
            f"SELECT map_file FROM results WHERE image_id IN ({marks}) AND map_file IS NOT NULL", ids)]
        with conn:
            conn.executemany("DELETE FROM images WHERE id = ?", [(r["id"],) for r in rows])
        for r in self._valid_rows(rows):  # a refused row's files are never touched
            still_used = conn.execute("SELECT 1 FROM images WHERE file = ?", (r["file"],)).fetchone()
            if not still_used:
                self._unlink(self._inside(r["file"]))
                self._unlink(self._inside(f"thumbs/{r['hash']}.png"))
        for m in maps:
            self._unlink(self._map_path(m))
        return len(rows)

    # ----------------------------------------------------------------------------- held-out split
    def plan_holdout(self) -> tuple[list[ImageRecord], list[ImageRecord]]:
        """Split the good images into (fit, held out): ``holdout_fraction`` of them (at least 1 once there are
        5 or more, never all), chosen by a seeded shuffle of the images sorted by content hash, so the same
        set of images always gives the same split, whatever order they were added in."""
        good = sorted(self.images(GOOD_ROLES), key=lambda r: r.hash)
        n = len(good)
        n_hold = 0
        if n >= 5:
            n_hold = min(n - 1, max(1, int(round(self.settings.holdout_fraction * n))))
        order = np.random.default_rng(self.settings.holdout_seed).permutation(n)
        held = {int(i) for i in order[:n_hold]}
        fit = [g for i, g in enumerate(good) if i not in held]
        hold = [g for i, g in enumerate(good) if i in held]
        return fit, hold

    # -------------------------------------------------------------------------------------- model
    @property
    def model_dir(self) -> Path:
        """The current model's folder: ``model/``, or, when training was interrupted after its database commit
        and this process may not finish the swap (read-only), the staged ``model.g<generation>/``."""
        staged = self.folder / f"{MODEL_DIR}.g{self.generation()}"
        installs = not (self.read_only or self.line)  # only the editor finishes an interrupted swap
        return staged if not installs and (staged / "model.json").is_file() else self.folder / MODEL_DIR

    def has_model(self) -> bool:
        return (self.model_dir / "model.json").is_file()

    def model(self, cancel: CancelToken | None = None):
        """The trained model, loaded on first use and kept (thread-safe). Raises if there is none.
        Loading (seconds: a backbone, an index) answers ``cancel`` at once (``call_cancellable``)."""
        with self._model_lock:
            if self._model is None:
                if not self.has_model():
                    raise ProjectError("this project has no trained model yet: add good images and press Train")
                folder = self.model_dir  # read on this thread (the database connection is per thread)
                self._model = call_cancellable(lambda: model_kinds.load_model(folder), cancel)
            return self._model

    def preprocessor(self) -> Geometry:
        """The geometry the model sees: the trained model's, else the settings'. Cheap: reads JSON.
        (Its ``stride`` is the common 8: enough to place maps, see ``Geometry.map_box`` / ``inspected_area``.)"""
        config = self.settings.model
        if self.has_model():
            try:
                config = json.loads((self.model_dir / "model.json").read_text(encoding="utf-8")).get("config", config)
            except (OSError, ValueError):
                pass
        return Geometry(kind=str(config.get("geometry", "center-crop")), resize=int(config.get("resize", 256)),
                        crop=int(config.get("crop", 224)), tile_overlap=float(config.get("tile_overlap", 0.25)),
                        tile_scale=float(config.get("tile_scale", 1.0)))

    def build_model(self, progress: ProgressFn = no_progress, cancel: CancelToken | None = None):
        """A new, untrained model from the current settings, with the project's region to inspect. Building
        (seconds: a backbone, its first conversion) answers ``cancel`` at once (``call_cancellable``)."""
        region = self.region()  # read on this thread (the database connection is per thread)
        kind, config = self.settings.model_kind, self.settings.model
        model = call_cancellable(lambda report: model_kinds.build_model(kind, config, report), cancel, progress=progress)
        if region is not None:
            model.set_roi(region)
        return model

    # ------------------------------------------------------------------------------------- region
    def region_file(self) -> Path | None:
        """The current region mask file (``region/vN.png``), or None when the whole image is inspected."""
        rel = self._meta("region")
        if not rel:
            return None
        if not re.fullmatch(r"region/v[0-9]{1,9}\.png", rel):  # never a path outside the project
            raise ProjectFormatError(f"the project's region file name {rel!r} is not one Inspector writes")
        return self.folder / rel

    def region(self) -> np.ndarray | None:
        """The region to inspect as bool ``[H, W]`` (True = inspect), or None (the whole image)."""
        path = self.region_file()
        if path is None:
            return None
        return read_image(path)[:, :, 0] > 127

    def set_region(self, mask: np.ndarray | None) -> None:
        """Save a new version of the region (bool or 0/255 ``[H, W]``, white = inspect; None: the whole image).
        Written atomically as ``region/vN.png`` before the database points to it; the model becomes stale."""
        self._require_writable()
        rel = ""
        if mask is not None:
            m = np.asarray(mask)
            m = m[..., 0] if m.ndim == 3 else m
            if m.ndim != 2 or not (m > 0).any():
                raise InvalidInput("the region must be a 2-D mask with some white (inspected) pixels")
            version = int(self._meta("region_version", "0")) + 1
            ok, png = cv2.imencode(".png", np.where(m > 0, 255, 0).astype(np.uint8))
            rel = f"region/v{version}.png"
            (self.folder / "region").mkdir(exist_ok=True)
            write_bytes(self.folder / rel, png.tobytes())
            with self._db() as conn:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('region_version', ?)", (str(version),))
        with self._db() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('region', ?)", (rel,))

    def _region_hash(self) -> str:
        path = self.region_file()
        return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None and path.is_file() else ""

    def generation(self) -> int:
        """How many times the model was trained (0: never); map files carry it in their names."""
        return int(self._meta("generation", "0"))

    def training_info(self) -> dict:
        """What the current model was trained on: n_train, n_holdout, trained_at, seconds, signature."""
        return json.loads(self._meta("training", "{}"))

    def _signature(self) -> str:
        good = sorted(r.hash for r in self.images(GOOD_ROLES))
        content = {"good": good, "kind": self.settings.model_kind, "model": self.settings.model,
                   "holdout": [self.settings.holdout_fraction, self.settings.holdout_seed]}
        region = self._region_hash()
        if region:  # only when a region is set, so that models trained before regions existed stay current
            content["region"] = region
        blob = json.dumps(content, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def model_is_stale(self) -> bool:
        """True when the good images or the model settings changed since the model was trained."""
        return self.has_model() and self.training_info().get("signature") != self._signature()

    def commit_training(self, model, fit: Sequence[ImageRecord], holdout: Sequence[ImageRecord],
                        scored: Sequence[tuple[int, float, np.ndarray | None]], info: dict) -> None:
        """Make a freshly trained model current: save it, record the split, and replace the scores of the
        held-out and inspected images ``scored`` = [(image id, score, map [crop, crop] or None)] with the new
        model's, in one transaction. Nothing before this call changes the project."""
        self._require_writable()
        generation = self.generation() + 1
        new_maps = {image_id: self._write_map(image_id, generation, amap) for image_id, _, amap in scored}
        # The new model goes to model.g<N> first; the database commit below is what makes it current (D6): a
        # crash before it leaves the old model and scores, a crash after it is finished by the next opening.
        staged = self.folder / f"{MODEL_DIR}.g{generation}"
        if staged.exists():
            shutil.rmtree(staged)
        model.save(staged)
        meta = json.loads((staged / "model.json").read_text(encoding="utf-8"))
        write_json(staged / "model.json", {**meta, "project_generation": generation})
        conn = self._db()
        stamp = now_iso()
        info = {**info, "n_train": len(fit), "n_holdout": len(holdout), "trained_at": stamp,
                "signature": self._signature(), "model_kind": getattr(model, "kind", self.settings.model_kind)}
        with conn:
            conn.executemany("UPDATE images SET role = 'train' WHERE id = ?", [(r.id,) for r in fit])
            conn.executemany("UPDATE images SET role = 'holdout' WHERE id = ?", [(r.id,) for r in holdout])
            # replace what was re-scored and drop the scores of images now used to fit; a part the line
            # recorded while this model trained keeps its score (from the model it was inspected with)
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS rescored (id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM rescored")
            conn.executemany("INSERT OR IGNORE INTO rescored VALUES (?)", [(i,) for i, _, _ in scored])
            replaced = "image_id IN (SELECT id FROM rescored) OR image_id IN (SELECT id FROM images WHERE role = 'train')"
            old_maps = [r["map_file"] for r in conn.execute(
                f"SELECT map_file FROM results WHERE map_file IS NOT NULL AND ({replaced})")]
            conn.execute(f"DELETE FROM results WHERE {replaced}")
            conn.executemany(
                "INSERT INTO results (image_id, score, verdict, map_file, generation, scored_at) "
                "VALUES (?, ?, NULL, ?, ?, ?)",
                [(i, float(s), new_maps[i], generation, stamp) for i, s, _ in scored])
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(generation),))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('training', ?)", (json.dumps(info),))
        self._install_staged_model(generation)
        with self._model_lock:
            self._model = model
        kept = set(new_maps.values())
        for m in old_maps:
            if m not in kept:
                self._unlink(self._map_path(m))
        self.reclassify()

    def _install_staged_model(self, generation: int) -> None:
        """Move ``model.g<generation>`` (committed in the database) to ``model/``; the old one is removed."""
        staged = self.folder / f"{MODEL_DIR}.g{generation}"
        if not (staged / "model.json").is_file():
            return
        current, old = self.folder / MODEL_DIR, self.folder / f"{MODEL_DIR}.old"
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
        if current.exists():
            os.replace(current, old)
        os.replace(staged, current)
        shutil.rmtree(old, ignore_errors=True)

    def _recover(self) -> None:
        """Finish or undo what an interrupted run left (the writer does this on opening): a staged model the
        database committed is installed, any other is removed; map files no result names, temporary files of
        killed writes and copies no image row names are deleted (D6, D14)."""
        generation = self.generation()
        for d in self.folder.glob(f"{MODEL_DIR}.g*"):
            if d.name == f"{MODEL_DIR}.g{generation}" and (d / "model.json").is_file():
                self._install_staged_model(generation)
            elif d.is_dir() and not d.is_symlink():
                shutil.rmtree(d, ignore_errors=True)
        old = self.folder / f"{MODEL_DIR}.old"
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        conn = self._db()
        model_json = self.folder / MODEL_DIR / "model.json"
        if model_json.is_file():
            try:
                stamped = json.loads(model_json.read_text(encoding="utf-8")).get("project_generation")
            except (OSError, ValueError, AttributeError):
                stamped = None
            if stamped is not None and stamped != generation:
                self.problems.append(f"the model in {MODEL_DIR}/ is generation {stamped} but the database is at "
                                     f"{generation}: train again to make them agree")
        # maps are derived data (a retrain makes them again): one no result names is an orphan. Image copies are
        # never swept: if the database were damaged, they are what a user would rebuild the project from.
        used_maps = {r[0] for r in conn.execute("SELECT map_file FROM results WHERE map_file IS NOT NULL")}
        maps = self.folder / "maps"
        if maps.is_dir() and not maps.is_symlink():
            for f in maps.glob("*.npy"):
                if _MAP_FILE.fullmatch(f"maps/{f.name}") and f"maps/{f.name}" not in used_maps:
                    self._unlink(f)
        for sub in ("", "maps", "images", "thumbs", MODEL_DIR):  # temporary files of killed writes
            d = self.folder / sub
            if d.is_dir() and not d.is_symlink():
                for f in d.glob(".*.tmp"):
                    if f.is_file() and not f.is_symlink():
                        self._unlink(f)


    def _write_map(self, image_id: int, generation: int, amap: np.ndarray | None) -> str | None:
        if amap is None:
            return None
        rel = f"maps/{image_id}-g{generation}.npy"
        buf = io.BytesIO()
        np.save(buf, np.asarray(amap, dtype=np.float16), allow_pickle=False)
        write_bytes(self.folder / rel, buf.getvalue())
        return rel

    def load_map(self, result: ResultRecord) -> np.ndarray | None:
        """The anomaly map ``[crop, crop]`` float32 of a scored image, or None (image-level model, or missing)."""
        path = self._map_path(result.map_file)
        if path is None:
            return None
        try:
            return np.load(path, allow_pickle=False).astype(np.float32)
        except (OSError, ValueError):
            return None

    def record_result(self, image_id: int, score: float, amap: np.ndarray | None) -> None:
        """Store one inspected image's score (and map) from the current model, classified at the thresholds."""
        self._require_recorder()
        generation = self.generation()
        old = self._db().execute("SELECT map_file FROM results WHERE image_id = ?", (image_id,)).fetchone()
        rel = self._write_map(image_id, generation, amap)
        verdict = self._thresholds.verdict(score) if self._thresholds else None
        conn = self._db()
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO results (image_id, score, verdict, map_file, generation, scored_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (image_id, float(score), verdict, rel, generation, now_iso()))
        if old and old["map_file"] and old["map_file"] != rel:
            self._unlink(self._map_path(old["map_file"]))

    def reclassify(self) -> None:
        """Recompute every stored verdict from its score and the current thresholds (one statement; only the rows
        whose verdict changes are written, so moving a line a little writes a few rows, not all of them)."""
        self._require_writable()
        conn = self._db()
        with conn:
            if self._thresholds is None:
                conn.execute("UPDATE results SET verdict = NULL WHERE verdict IS NOT NULL")
            else:
                case = Thresholds.sql_case()
                conn.execute(f"UPDATE results SET verdict = {case} WHERE verdict IS NOT {case}",
                             {"p": self._thresholds.pass_, "f": self._thresholds.fail})

    # ------------------------------------------------------------------------------------ results
    def results(self, roles: Sequence[str] = ("inspected",)) -> list[ResultRecord]:
        """Every scored image of ``roles`` in id order (refused rows left out, see ``problems``)."""
        marks = ",".join("?" * len(roles))
        return self._results_where(f"i.role IN ({marks}) ORDER BY i.id", tuple(roles))

    def result(self, image_id: int) -> ResultRecord | None:
        """One scored image (index lookups only: constant time however many parts the project holds)."""
        found = self._results_where("i.id = ?", (image_id,))
        return found[0] if found else None

    def _results_where(self, where: str, args: Sequence) -> list[ResultRecord]:
        """ResultRecords from plain tuples (a ``sqlite3.Row`` per row and name lookups cost more than the query
        at 100,000 parts); every row's stored names are checked as in ``_row_problem``."""
        out = []
        for (iid, h, name, file, role, w, hgt, added, score, verdict, mf, dec, dat) in self._raw(
                f"{_RESULT_COLUMNS} WHERE {where}", args):
            m = _IMAGE_FILE.fullmatch(file) if isinstance(file, str) else None
            if m is None or m.group(1) != h or (mf is not None and not (isinstance(mf, str) and _MAP_FILE.fullmatch(mf))):
                self._refuse(f"project.db: image {iid}: its file or anomaly map is not a file of this project; "
                             f"the row is ignored")
                continue
            live = dec if dec in DECISIONS else None
            out.append(ResultRecord(ImageRecord(iid, h, name, file, role, w, hgt, added), score, verdict, mf, live,
                                    dat if live else None))
        return out

    # ------------------------------------------------------------------ fast queries for large projects
    # The app should not hold 100,000 ResultRecords per view: it keeps the id list of a view (``result_ids``,
    # ``review_queue_ids``), shows counts from ``counts()``, draws the histogram from ``scores()`` and loads
    # the rows it displays with ``results_for(ids)`` (a page at a time) or ``result(id)`` (one key press).
    def counts(self) -> dict[str, int]:
        """How many of each, by SQL: good, inspected (scored), unscored, pass / uncertain / fail / unclassified,
        reviewed (a live decision), to_review (the review queue without passed parts), confirmed_good."""
        conn = self._db()
        one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa: E731
        by_verdict = dict(self._raw(
            f"SELECT COALESCE(verdict, 'none'), COUNT(*) FROM results WHERE {_of_roles(('inspected',))} "
            f"GROUP BY verdict"))
        n_inspected = sum(by_verdict.values())
        decided = (f"SELECT d.image_id, d.decision FROM ({_LATEST_DECISION}) d JOIN images i ON i.id = d.image_id "
                   f"JOIN results r ON r.image_id = i.id WHERE i.role = 'inspected' AND d.decision != 'cleared'")
        return {
            "good": one("SELECT COUNT(*) FROM images WHERE role IN ('train', 'holdout')"),
            "inspected": n_inspected,
            "unscored": one("SELECT COUNT(*) FROM images WHERE role = 'inspected'") - n_inspected,
            "pass": by_verdict.get("pass", 0), "uncertain": by_verdict.get("uncertain", 0),
            "fail": by_verdict.get("fail", 0), "unclassified": by_verdict.get("none", 0),
            "to_review": n_inspected - by_verdict.get("pass", 0),
            "reviewed": one(f"SELECT COUNT(*) FROM ({decided})"),
            "confirmed_good": one(
                f"SELECT COUNT(*) FROM ({decided}) x JOIN images i ON i.id = x.image_id WHERE x.decision = 'good' "
                f"AND NOT EXISTS (SELECT 1 FROM images g WHERE g.hash = i.hash AND g.role IN ('train', 'holdout'))"),
        }

    def result_columns(self) -> ResultColumns:
        """Inspected parts as columns (ids, scores, verdict and decision codes) plus the held-out scores, in one
        query; stored names are checked per row as in ``results()`` (refused rows left out). (Checking them in SQL
        instead was measured slower: string functions over 100,000 rows cost more than fetching the names.)"""
        rows = self._raw(
            "SELECT i.id, i.hash, i.file, r.map_file, r.score, r.verdict, d.decision, i.role "
            "FROM images i JOIN results r ON r.image_id = i.id LEFT JOIN decisions d ON d.image_id = i.id "
            "WHERE i.role IN ('inspected', 'holdout') ORDER BY i.id")
        good = {h for (h,) in self._raw("SELECT hash FROM images WHERE role IN ('train', 'holdout')")}
        image_ok, map_ok = _IMAGE_FILE.fullmatch, _MAP_FILE.fullmatch
        parts, holdout = [], []
        for iid, h, f, mf, score, verdict, decision, role in rows:
            m = image_ok(f) if isinstance(f, str) else None
            if m is None or m.group(1) != h or (mf is not None and not (isinstance(mf, str) and map_ok(mf))):
                self._refuse(f"project.db: image {iid}: its file or anomaly map is not a file of this project; "
                             f"the row is ignored")
            elif role == "holdout":
                holdout.append(score)
            else:
                parts.append((iid, score, VERDICT_CODES.get(verdict, -1), DECISION_CODES.get(decision, -1), h in good))
        n = len(parts)
        cols = [np.fromiter((p[k] for p in parts), dtype, n) for k, dtype in
                enumerate((np.int64, np.float64, np.int8, np.int8, bool))]
        return ResultColumns(*cols, holdout=np.asarray(holdout, np.float64))

    def result_labels(self) -> dict[int, tuple[str, str]]:
        """{image id: (file name, added at)} of the inspected parts with a result (to sort or filter a view by
        name or date without reading whole rows)."""
        return {iid: (name, added) for iid, name, added in self._raw(
            "SELECT i.id, i.name, i.added_at FROM images i JOIN results r ON r.image_id = i.id "
            "WHERE i.role = 'inspected'")}

    def result_ids(self, roles: Sequence[str] = ("inspected",)) -> list[int]:
        """Ids of the scored images of ``roles``, in id order (what ``results()`` lists, without the rows)."""
        return [r[0] for r in self._raw(f"SELECT image_id FROM results WHERE {_of_roles(roles)} ORDER BY image_id")]

    def review_queue_ids(self, include_passed: bool = False) -> list[int]:
        """``review_queue()`` as ids, by SQL: fail, uncertain and unclassified parts by falling score, then
        (with ``include_passed``) the passed ones."""
        rows = self._raw(f"SELECT image_id, verdict FROM results WHERE {_of_roles(('inspected',))} "
                         f"ORDER BY score DESC, image_id")
        flagged = [i for i, v in rows if v != "pass"]
        return flagged + ([i for i, v in rows if v == "pass"] if include_passed else [])

    def results_for(self, ids: Sequence[int]) -> list[ResultRecord]:
        """The scored images ``ids`` in that order (ids without a result, or refused, are left out)."""
        out: dict[int, ResultRecord] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.update((r.image.id, r) for r in self._results_where(f"i.id IN ({','.join('?' * len(chunk))})", chunk))
        return [out[i] for i in ids if i in out]

    def scores(self, roles: Sequence[str] = ("inspected",)) -> np.ndarray:
        """Every stored score of ``roles`` as float64 ``[N]`` (for the histogram), by SQL."""
        rows = self._raw(f"SELECT score FROM results WHERE {_of_roles(roles)}")
        return np.fromiter((r[0] for r in rows), dtype=np.float64, count=len(rows))

    def _raw(self, sql: str, args: Sequence = ()) -> list[tuple]:
        """Rows as plain tuples (no ``sqlite3.Row`` per row: 100,000 of them cost more than the query)."""
        cur = self._db().cursor()
        cur.row_factory = None
        return cur.execute(sql, tuple(args)).fetchall()

    def holdout_scores(self) -> list[float]:
        return [r.score for r in self.results(("holdout",))]

    def review_queue(self, include_passed: bool = False) -> list[ResultRecord]:
        """Parts a person should look at, in the review session's order (``core.project.review``)."""
        from .review import review_order

        return review_order(self.results(), include_passed)

    # ------------------------------------------------------------------------------------ reviews
    def review(self, image_id: int, decision: str | None) -> None:
        """Record a person's decision ("good", "defect", or None to clear it) as a new, timestamped row."""
        if decision is not None and decision not in DECISIONS:
            raise InvalidInput(f"a decision is 'good' or 'defect', not {decision!r}")
        self._require_writable()
        conn = self._db()
        with conn:
            conn.execute("INSERT INTO reviews (image_id, decision, decided_at) VALUES (?, ?, ?)",
                         (image_id, decision or "cleared", now_iso()))

    def history(self, image_id: int) -> list[tuple[str, str]]:
        """Every decision ever recorded for an image, oldest first: [(decision, timestamp)]."""
        rows = self._db().execute(
            "SELECT decision, decided_at FROM reviews WHERE image_id = ? ORDER BY id", (image_id,))
        return [(r["decision"], r["decided_at"]) for r in rows]

    def reviewed_scores(self) -> tuple[list[float], list[float]]:
        """(scores of parts confirmed good, scores of parts confirmed defective), by SQL."""
        rows = self._db().execute(
            f"SELECT d.decision, r.score FROM ({_LATEST_DECISION}) d JOIN images i ON i.id = d.image_id "
            f"JOIN results r ON r.image_id = i.id WHERE i.role = 'inspected' AND d.decision IN ('good', 'defect') "
            f"ORDER BY i.id").fetchall()
        return [s for d, s in rows if d == "good"], [s for d, s in rows if d == "defect"]

    def suggest(self, percentile: float | None = None) -> Suggestion:
        """Thresholds from the held-out and reviewed scores; with neither, a first guess from the inspected
        parts' spread (``thresholds.first_guess``). Raises ``InvalidInput`` when there are no scores at all."""
        results = self.results()
        good = [r.score for r in results if r.decision == "good"]
        defect = [r.score for r in results if r.decision == "defect"]
        holdout = self.holdout_scores()
        if not (holdout or good or defect):
            return first_guess([r.score for r in results])
        p = self.settings.suggest_percentile if percentile is None else percentile
        return suggest_thresholds(holdout, good, defect, p)

    def export_reviews_csv(self, target: str | Path) -> int:
        """Write one row per inspected part: file, score, model verdict, human decision and when (UTC and this
        PC's local time), how many decisions were made, and the thresholds and model generation the verdicts
        come from. Returns the number of rows."""
        from datetime import datetime, timezone

        def local(stamp: str | None) -> str:
            if not stamp:
                return ""
            when = datetime.fromisoformat(stamp)
            when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
            return when.astimezone().isoformat(timespec="seconds")

        rows = self.results()
        made = dict(self._db().execute("SELECT image_id, COUNT(*) FROM reviews GROUP BY image_id").fetchall())
        t = self._thresholds
        pass_, fail = (f"{t.pass_:.6g}", f"{t.fail:.6g}") if t else ("", "")
        generation = self.generation()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["file", "sha256", "score", "model_verdict", "decision", "decided_at", "decided_local",
                         "decisions_made", "pass_threshold", "fail_threshold", "model_generation"])
        for r in rows:
            writer.writerow([r.image.name, r.image.hash, f"{r.score:.6g}", r.verdict or "", r.decision or "",
                             r.decided_at or "", local(r.decided_at), made.get(r.image.id, 0), pass_, fail,
                             generation])
        with atomic_path(target) as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        return len(rows)

    # ----------------------------------------------------------------------- learning from review
    def confirmed_good_outside_training(self) -> list[ResultRecord]:
        good = {r.hash for r in self.images(GOOD_ROLES)}
        return [r for r in self.results() if r.decision == "good" and r.image.hash not in good]

    def add_confirmed_good_to_training(self) -> list[ImageRecord]:
        """Add every inspected part confirmed good (and not yet a training image) to the training set.
        The inspected record, its score and its review stay as they are."""
        self._require_writable()
        added = []
        for r in self.confirmed_good_outside_training():
            img = r.image
            added.append(self._insert_image(img.name, f"review:{img.id}", None, img.hash, None, "train",
                                            file=img.file, size=(img.height, img.width)))
        return added

    # ------------------------------------------------------------------------- removing inspected parts
    def remove_inspected(self, ids: Iterable[int]) -> int:
        """Remove inspected parts for good: their results, maps, review history and (when no other image row
        uses them, e.g. a part folded into training) their image and thumbnail files. Returns how many."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return 0
        self._require_recorder()  # the editor, or the line applying the retention setting
        removed = 0
        conn = self._db()
        for k in range(0, len(ids), 500):
            chunk = ids[k : k + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT * FROM images WHERE id IN ({marks}) AND role = 'inspected'", chunk).fetchall()
            found = [r["id"] for r in rows]
            if not found:
                continue
            fmarks = ",".join("?" * len(found))
            maps = [r["map_file"] for r in conn.execute(
                f"SELECT map_file FROM results WHERE image_id IN ({fmarks}) AND map_file IS NOT NULL", found)]
            # Reviews are append-only (a trigger refuses deletes); a part removed for good takes its history
            # with it: the trigger is lifted and restored inside the same transaction, invisible to others.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DROP TRIGGER IF EXISTS reviews_no_delete")
                conn.execute(f"DELETE FROM reviews WHERE image_id IN ({fmarks})", found)
                conn.execute(f"DELETE FROM decisions WHERE image_id IN ({fmarks})", found)
                conn.execute(f"DELETE FROM results WHERE image_id IN ({fmarks})", found)
                conn.execute(f"DELETE FROM images WHERE id IN ({fmarks})", found)
                conn.execute(_NO_DELETE_TRIGGER)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            for r in self._valid_rows(rows):  # a refused row's files are never touched
                if not conn.execute("SELECT 1 FROM images WHERE file = ?", (r["file"],)).fetchone():
                    self._unlink(self._inside(r["file"]))
                    self._unlink(self._inside(f"thumbs/{r['hash']}.png"))
            for m in maps:
                self._unlink(self._map_path(m))
            removed += len(found)
        return removed

    def inspected_ids(self, before: str | None = None, beyond_newest: int | None = None) -> list[int]:
        """Ids of inspected parts added before the ISO time ``before`` (UTC, as stored), or all but the newest
        ``beyond_newest`` ones; oldest first."""
        sql, params = "SELECT id FROM images WHERE role = 'inspected'", []
        if before is not None:
            sql += " AND added_at < ?"
            params.append(before)
        sql += " ORDER BY id DESC"
        if beyond_newest is not None:
            sql += " LIMIT -1 OFFSET ?"
            params.append(int(beyond_newest))
        return sorted(r[0] for r in self._db().execute(sql, params))

    # ------------------------------------------------------------------------------------ deletion
    def delete(self) -> None:
        """Close the project and delete its folder (only if it really is a project folder)."""
        self._require_writable()
        self.close()
        if not (self.folder / PROJECT_FILE).is_file():
            raise ProjectError(f"{self.folder} does not look like a project folder; not deleting it")
        shutil.rmtree(self.folder)
