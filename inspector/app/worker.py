"""Long work off the UI thread: one job at a time, with started / progress / finished / errored signals.

A job is a plain function ``fn(progress, cancel) -> result`` from ``inspector.core.project.jobs``. It runs on a
``QThread``; its progress callback becomes a (throttled) Qt signal, ``Cancelled`` becomes ``cancelled``,
any other exception becomes ``errored`` with the message and the traceback, so the window shows every error
in one place. Cancel sets the job's ``CancelToken``; the core's loops check it between steps, nothing is
killed. On quit the window cancels the running job and waits for it.
"""

from __future__ import annotations

import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal

from ..core.runtime.progress import Cancelled, CancelToken, ProgressFn

JobFn = Callable[[ProgressFn, CancelToken], Any]


class _JobThread(QThread):
    progressed = Signal(str, int, int)
    succeeded = Signal(object)
    failed = Signal(str, str)
    was_cancelled = Signal()

    def __init__(self, fn: JobFn, token: CancelToken, parent: QObject | None = None):
        super().__init__(parent)
        self.fn = fn
        self.token = token
        self._last_emit = 0.0
        self._last_stage = ""

    def _progress(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        # at most ~25 updates a second, but always the first and last of a stage
        if stage != self._last_stage or done >= total or now - self._last_emit >= 0.04:
            self._last_emit, self._last_stage = now, stage
            self.progressed.emit(stage, int(done), int(total))

    def run(self) -> None:
        try:
            result = self.fn(self._progress, self.token)
        except Cancelled:
            self.was_cancelled.emit()
        except Exception as exc:  # every error becomes a signal, shown in one place by the window
            message = str(exc) or type(exc).__name__
            self.failed.emit(message, traceback.format_exc())
        else:
            self.succeeded.emit(result)


class JobRunner(QObject):
    """Runs one job at a time. Signals carry the job itself (a ``ProjectJob`` member, or any object whose
    ``str()`` is its title), so views tell jobs apart by identity, never by comparing titles."""

    started = Signal(object)  # job
    progress = Signal(object, str, int, int)  # job, stage, done, total
    finished = Signal(object, object)  # job, result
    errored = Signal(object, str, str)  # job, message, traceback
    cancelled = Signal(object)  # job
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: _JobThread | None = None
        self._job: object = None
        self._callbacks: dict[str, Callable] = {}

    @property
    def busy(self) -> bool:
        return self._thread is not None

    @property
    def job(self) -> object:
        """The running job (None when idle)."""
        return self._job if self._thread is not None else None

    @property
    def title(self) -> str:
        return str(self._job) if self._job is not None else ""

    def start(self, job: object, fn: JobFn, on_finished: Callable[[Any], None] | None = None,
              on_settled: Callable[[], None] | None = None) -> bool:
        """Start ``fn`` on a worker thread; False (and nothing started) while another job runs.

        ``on_finished(result)`` runs on the UI thread after success; ``on_settled()`` after any outcome.
        """
        if self._thread is not None:
            return False
        self._job = job
        self._callbacks = {"finished": on_finished, "settled": on_settled}
        thread = _JobThread(fn, CancelToken(), self)
        thread.progressed.connect(self._on_progress)
        thread.succeeded.connect(self._on_succeeded)
        thread.failed.connect(self._on_failed)
        thread.was_cancelled.connect(self._on_cancelled)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self.busyChanged.emit(True)
        self.started.emit(job)
        thread.start()
        return True

    def cancel(self) -> None:
        if self._thread is not None:
            self._thread.token.cancel()

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Cancel the running job and block until its thread has ended (used on quit and close)."""
        thread = self._thread
        if thread is None:
            return True
        thread.token.cancel()
        ok = thread.wait(timeout_ms)
        self._on_thread_finished()
        return ok

    # the thread's outcome signals arrive (queued) before its ``finished``
    def _on_progress(self, stage: str, done: int, total: int) -> None:
        if self._thread is not None:
            self.progress.emit(self._job, stage, done, total)

    # (after ``wait`` the job is settled already: a late outcome is dropped)
    def _on_succeeded(self, result: Any) -> None:
        if self._thread is None:
            return
        callback = self._callbacks.get("finished")
        if callback is not None:
            try:
                callback(result)
            except Exception as exc:
                self.errored.emit(self._job, str(exc) or type(exc).__name__, traceback.format_exc())
                return
        self.finished.emit(self._job, result)

    def _on_failed(self, message: str, detail: str) -> None:
        if self._thread is not None:
            self.errored.emit(self._job, message, detail)

    def _on_cancelled(self) -> None:
        if self._thread is not None:
            self.cancelled.emit(self._job)

    def _on_thread_finished(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._thread = None
        settled = self._callbacks.get("settled")
        self._callbacks = {}
        thread.deleteLater()
        if settled is not None:
            settled()
        self.busyChanged.emit(False)
