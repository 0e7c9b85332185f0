"""Advisory file locks between processes (and threads): ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows.

The operating system drops a lock when its holder exits, even after kill -9, so a crash never leaves a folder
locked. Locks are advisory: they order Inspector's own readers and writers, nothing else.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class FileLock:
    """A lock on ``path`` (created if missing). ``acquire(shared, wait)`` returns False when ``wait`` is False and
    another holder has it. Shared locks are exclusive on Windows (msvcrt has no shared mode)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, shared: bool = False, wait: bool = True, timeout: float | None = None) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if _try_lock(fd, shared):
                self._fd = fd
                return True
            if not wait or (deadline is not None and time.monotonic() >= deadline):
                os.close(fd)
                return False
            time.sleep(0.02)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)

    def write_owner(self, what: str) -> None:
        """Note in the lock file who holds it (shown to the others); the lock itself is the OS's."""
        if self._fd is None:
            return
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "what": what,
                           "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode()
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, info)

    def owner(self) -> str:
        """Who holds the lock, in words ("process 123 on host PC-7 since ..."), or '' if not recorded."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return f"{info.get('what', 'Inspector')} (process {info['pid']} on {info['host']} since {info['since']})"
        except (OSError, ValueError, KeyError, TypeError):
            return ""

    def __del__(self) -> None:
        self.release()


@contextmanager
def locked(path: str | os.PathLike, shared: bool = False) -> Iterator[FileLock | None]:
    """Hold the lock at ``path`` for the block (waiting for it). On a read-only folder, where no lock file can
    be made, a shared lock is skipped (nobody can write there either) and yields None."""
    lock = FileLock(path)
    try:
        lock.acquire(shared=shared)
    except OSError:
        if not shared:
            raise
        yield None
        return
    try:
        yield lock
    finally:
        lock.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    _BYTE = 1 << 20  # lock a byte far past the owner note, so the others can still read the note

    def _try_lock(fd: int, shared: bool) -> bool:
        os.lseek(fd, _BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, _BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _try_lock(fd: int, shared: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
