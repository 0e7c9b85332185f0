"""The hot folder: score every image that arrives in a folder exactly once, with the project's model.

``HotFolder(project_folder, in_dir, ...)`` is Qt-free; ``run()`` blocks until ``stop()`` is called from another
thread (the CLI calls it from the main thread; the app runs it on a worker). For each part it calls
``on_part(payload: dict)`` with the JSON line written for it (time, file, score, verdict, thresholds,
model_id, generation, image_id, ms, seq, arrived, dest; ``error`` for an unreadable file).

How files are found: file-system events from ``watchdog`` (or, with ``poll=True``, a listing of the folder
every ``interval`` seconds, for network drives where events do not arrive), plus a full listing at start and
every ``rescan`` seconds, so nothing is missed when the event queue overflows in a burst. Only the folder's
top level is watched, and only files with an image extension: a file written under a temporary name
(``x.png.tmp``, ``x.part``, ``.x.png``) is taken once it is renamed to its final name.

When a file is complete: its size and modification time did not change for ``settle`` seconds, or, sooner,
they did not change between two looks and the file ends the way its format ends (PNG ``IEND``, JPEG ``FFD9``,
BMP as long as its header says).

Exactly once: see ``journal.py``. Memory: the queue holds file names only; parts are scored one at a time,
oldest first, so a burst of thousands of files is worked off in arrival order in constant memory.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..io.atomic import write_bytes
from ..io.images import IMAGE_EXTENSIONS, ImageReadError
from .journal import Entry, Journal
from .line import UNREADABLE, LineInspector, dumps, utc_now

log = logging.getLogger(__name__)

FOLDER_NAMES = {
    "verdict": {"pass": "pass", "uncertain": "uncertain", "fail": "fail", None: "unclassified", UNREADABLE: UNREADABLE},
    "okng": {"pass": "OK", "uncertain": "CHECK", "fail": "NG", None: "unclassified", UNREADABLE: UNREADABLE},
}
TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".download", ".swp")
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
LOOK_AHEAD = 64  # candidates checked for completeness per pass (oldest first)


def is_part_name(name: str) -> bool:
    """A file the hot folder takes: an image extension, not hidden, not a temporary name."""
    low = name.lower()
    if name.startswith((".", "~")) or low.endswith(TEMP_SUFFIXES):
        return False
    return Path(low).suffix in IMAGE_EXTENSIONS


def ends_complete(path: Path, size: int) -> bool:
    """True when the file ends as its format ends (PNG, JPEG, BMP); False when unknown or not yet."""
    try:
        with open(path, "rb") as f:
            head = f.read(6)
            f.seek(max(0, size - 12))
            tail = f.read(12)
    except OSError:
        return False
    if head.startswith(b"\x89PNG"):
        return tail == PNG_END
    if head.startswith(b"\xff\xd8"):
        return tail.endswith(b"\xff\xd9")
    if head.startswith(b"BM") and len(head) == 6:
        return int.from_bytes(head[2:6], "little") == size
    return False


@dataclass
class _Candidate:
    name: str
    key: tuple[int, int]  # (size, mtime_ns) at the last look
    since: float  # monotonic time the key was first seen
    order: tuple[int, str]  # (mtime_ns when first seen, name): arrival order
    arrived: str


class HotFolder:
    """Watch ``in_dir`` and score each arriving image with the project at ``project_folder`` (see module doc).

    ``move_to``: move each scored file to ``move_to/<pass|uncertain|fail>/`` (``names="okng"``: OK/CHECK/NG);
    unreadable files always go to ``<move_to or in_dir>/unreadable/`` with ``<name>.reason.txt`` beside them.
    ``jsonl``: append one JSON line per part to this file.
    """

    def __init__(self, project_folder: str | Path, in_dir: str | Path, *, move_to: str | Path | None = None,
                 jsonl: str | Path | None = None, names: str = "verdict", poll: bool = False,
                 interval: float = 0.05, settle: float = 1.0, rescan: float = 5.0,
                 on_part: Callable[[dict], None] | None = None):
        self.in_dir = Path(in_dir)
        if not self.in_dir.is_dir():
            raise FileNotFoundError(f"the hot folder {self.in_dir} does not exist")
        if names not in FOLDER_NAMES:
            raise ValueError(f"folder names are 'verdict' or 'okng', not {names!r}")
        self.project_folder = Path(project_folder)
        self.move_to = Path(move_to) if move_to else None
        self.jsonl = Path(jsonl) if jsonl else None
        self.names = FOLDER_NAMES[names]
        self.poll = poll
        self.interval = interval
        self.settle = settle
        self.rescan = rescan
        self.on_part = on_part
        self.counts = {"pass": 0, "uncertain": 0, "fail": 0, "unclassified": 0, UNREADABLE: 0}
        self._stop = threading.Event()
        self._events: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._candidates: dict[str, _Candidate] = {}
        self._finished: set[tuple[str, int, int]] = set()
        self.inspector: LineInspector | None = None
        self.journal: Journal | None = None

    # ------------------------------------------------------------------------------------ control
    def stop(self) -> None:
        """Ask ``run`` to return after the part in hand (callable from any thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Take up what a previous run left half-way, then watch until ``stop()``."""
        self.inspector = LineInspector(self.project_folder)
        self.journal = Journal(self.project_folder, self.in_dir)
        observer = None
        try:
            self.inspector.model  # noqa: B018  (no model: fail now, before touching any file)
            self._recover()
            if not self.poll:
                observer = self._start_observer()
            self._scan()
            last_scan = time.monotonic()
            period = 2 * self.interval if self.poll else self.rescan
            while not self._stop.is_set():
                self._drain_events()
                if time.monotonic() - last_scan >= period:
                    self._scan()
                    last_scan = time.monotonic()
                ready = self._next_ready()
                if ready is None:
                    self._stop.wait(self.interval)
                    continue
                self._take(ready)
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
            self.journal.close()
            self.inspector.close()

    # ------------------------------------------------------------------------------ finding files
    def _start_observer(self):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        events = self._events

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.is_directory:
                    return
                for p in (getattr(event, "dest_path", ""), event.src_path):
                    if p:
                        events.put(os.fsdecode(p))

        observer = Observer()
        observer.schedule(Handler(), str(self.in_dir), recursive=False)
        observer.daemon = True
        observer.start()
        return observer

    def _consider(self, name: str, st: os.stat_result | None = None) -> None:
        if name in self._candidates or not is_part_name(name):
            return
        try:
            st = st or (self.in_dir / name).stat()
        except OSError:
            return
        if not os.path.isfile(self.in_dir / name):
            return
        key = (name, st.st_size, st.st_mtime_ns)
        if key in self._finished:
            return
        known = self.journal.find(*key)
        if known is not None and known.state in ("done", "gone"):
            self._finished.add(key)  # dealt with before (e.g. by an earlier run): a cache of files still lying here
            return
        self._candidates[name] = _Candidate(name, (st.st_size, st.st_mtime_ns), time.monotonic(),
                                            (st.st_mtime_ns, name), utc_now())

    def _drain_events(self) -> None:
        while True:
            try:
                p = Path(self._events.get_nowait())
            except queue.Empty:
                return
            if p.parent == self.in_dir or p.parent.resolve() == self.in_dir.resolve():
                self._consider(p.name)

    def _scan(self) -> None:
        present: set[tuple[str, int, int]] = set()
        try:
            with os.scandir(self.in_dir) as it:
                for e in it:
                    if e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        present.add((e.name, st.st_size, st.st_mtime_ns))
                        self._consider(e.name, st)
        except OSError as exc:
            log.warning("cannot list %s: %s", self.in_dir, exc)
            return
        self._finished &= present  # the cache only remembers files that are still there

    def _next_ready(self) -> _Candidate | None:
        now = time.monotonic()
        for cand in sorted(self._candidates.values(), key=lambda c: c.order)[:LOOK_AHEAD]:
            path = self.in_dir / cand.name
            try:
                st = path.stat()
            except OSError:
                del self._candidates[cand.name]  # gone before it was complete
                continue
            key = (st.st_size, st.st_mtime_ns)
            if key != cand.key:
                cand.key, cand.since = key, now
                continue
            quiet = now - cand.since
            if st.st_size > 0 and (quiet >= self.settle or (quiet >= self.interval and ends_complete(path, st.st_size))):
                return cand
        return None

    # ----------------------------------------------------------------------------- one part
    def _take(self, cand: _Candidate) -> None:
        del self._candidates[cand.name]
        size, mtime_ns = cand.key
        entry = self.journal.find(cand.name, size, mtime_ns) or self.journal.begin(cand.name, size, mtime_ns,
                                                                                     cand.arrived)
        self._finish(entry, recovering=False)
        if self.move_to is None:
            self._finished.add((cand.name, size, mtime_ns))

    def _recover(self) -> None:
        for entry in self.journal.unfinished():
            log.info("taking up %s where the last run stopped (%s)", entry.name, entry.state)
            self._finish(entry, recovering=True)

    def _finish(self, entry: Entry, recovering: bool) -> None:
        src = self.in_dir / entry.name
        if entry.state == "pending":
            self.inspector.refresh()  # between parts: a retrained model or moved lines take effect here
            try:
                result = self.inspector.score_file(src, entry.name)
            except ImageReadError as exc:
                if not src.exists():
                    self.journal.set_state(entry.id, "gone")
                    return
                result = self.inspector.unreadable(entry.name, str(exc))
            payload = {**result.to_json(), "seq": entry.id, "arrived": entry.arrived_at}
            dest = self._destination(result.verdict, entry)
            payload["dest"] = str(dest) if dest else None
            if result.verdict == UNREADABLE:
                write_bytes(dest.parent / f"{dest.name}.reason.txt", f"{result.error}\n".encode("utf-8"))
            self.journal.scored(entry.id, payload, str(dest) if dest else None)
            entry = self.journal.get(entry.id)
        if entry.state == "scored":
            if entry.dest:
                self._move(src, Path(entry.dest))
            self.journal.set_state(entry.id, "moved")
        payload = dict(entry.payload or {})
        if self.jsonl and not (recovering and self._already_written(entry.id)):
            self._append_line(payload)
        self.journal.set_state(entry.id, "done")
        verdict = payload.get("verdict")
        key = verdict if verdict in self.counts else "unclassified"
        self.counts[key] += 1
        if self.on_part is not None:
            try:
                self.on_part(payload)
            except Exception:  # a listener's bug must not stop the line
                log.exception("on_part callback failed")

    def _destination(self, verdict: str | None, entry: Entry) -> Path | None:
        if verdict != UNREADABLE and self.move_to is None:
            return None
        folder = (self.move_to or self.in_dir) / self.names.get(verdict, "unclassified")
        target = folder / entry.name
        if target.exists():  # never overwrite: the journal id makes the name unique and stable across restarts
            target = folder / f"{Path(entry.name).stem}_{entry.id}{Path(entry.name).suffix}"
        return target

    @staticmethod
    def _move(src: Path, dest: Path) -> None:
        if not src.exists():
            return  # moved before a crash, or taken away by someone
        dest.parent.mkdir(parents=True, exist_ok=True)
        # A link and an unlink, not a rename: renaming out of the watched folder is an unpaired move, which
        # watchdog holds for 0.5 s looking for its other half, delaying the next arrival's events behind it.
        try:
            os.link(src, dest)
        except FileExistsError:
            if not os.path.samefile(src, dest):  # a kill between link and unlink leaves the same file twice
                os.replace(src, dest)
                return
        except OSError:  # another file system, or no hard links there
            try:
                os.replace(src, dest)
            except OSError:
                shutil.move(str(src), str(dest))
            return
        os.unlink(src)

    # --------------------------------------------------------------------------------- JSON lines
    def _append_line(self, payload: dict) -> None:
        self.jsonl.parent.mkdir(parents=True, exist_ok=True)
        data = (dumps(payload) + "\n").encode("utf-8")
        fd = os.open(self.jsonl, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)  # one write of a whole line with O_APPEND: never interleaved, never torn by a kill
            os.fsync(fd)
        finally:
            os.close(fd)

    def _already_written(self, seq: int) -> bool:
        """Whether the JSON line of ``seq`` is among the file's last lines (a crash right after writing it).
        A torn last line (power loss) is cut off first."""
        if not self.jsonl or not self.jsonl.is_file():
            return False
        size = self.jsonl.stat().st_size
        with open(self.jsonl, "rb+") as f:
            f.seek(max(0, size - (1 << 18)))
            tail = f.read()
            if tail and not tail.endswith(b"\n"):
                cut = tail.rfind(b"\n") + 1
                f.truncate(size - len(tail) + cut)
                tail = tail[:cut]
        import json

        for line in tail.splitlines()[-64:]:
            try:
                if json.loads(line).get("seq") == seq:
                    return True
            except (ValueError, AttributeError):
                continue
        return False
