"""Progress reporting and cooperative cancellation for the engine's long loops.

Every long loop in the core (feature extraction, coreset selection, scoring) takes a ``CancelToken`` and a
``ProgressCallback``: the loop reports how far it is and checks the token between steps. Nothing is ever
killed; a cancelled loop raises ``Cancelled`` at its next check, leaving no partial result behind.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Protocol, TypeVar

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a core loop when its ``CancelToken`` was cancelled."""


class CancelToken:
    """A thread-safe flag that a UI (or a signal handler) sets and a worker's loops check."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


class ProgressCallback(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None:
        """``stage`` names the step ("features", "coreset", ...); ``done`` of ``total`` units are finished."""


def no_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


def checkpoint(cancel: CancelToken | None) -> None:
    """Raise ``Cancelled`` if ``cancel`` was cancelled; a no-op for ``None``."""
    if cancel is not None:
        cancel.raise_if_cancelled()


ProgressFn = Callable[[str, int, int], None]


def call_cancellable(fn: Callable[..., T], cancel: CancelToken | None, poll: float = 0.05,
                     progress: ProgressFn | None = None) -> T:
    """``fn()``, for a step that cannot check a token itself (building a backbone, compiling it), answering a
    cancel within ``poll`` seconds: ``fn`` runs on a helper thread while this one waits on the token. On a
    cancel, ``Cancelled`` is raised at once and ``fn`` is left to finish on its own (nothing is killed), its
    result dropped. Without a token, ``fn()`` runs here.

    With ``progress``, ``fn`` is called as ``fn(report)``: what it reports is passed on to ``progress`` from this
    thread, as it waits (never from the helper, and nothing after a cancel)."""
    if cancel is None:
        return fn() if progress is None else fn(progress)
    outcome: list = []
    done = threading.Event()
    reports: queue.SimpleQueue = queue.SimpleQueue()

    def run() -> None:
        try:
            outcome.append((True, fn() if progress is None else fn(lambda *report: reports.put(report))))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            outcome.append((False, exc))
        finally:
            done.set()

    def relay() -> None:
        while progress is not None and not reports.empty():
            progress(*reports.get())

    checkpoint(cancel)
    # not a daemon: a process that ends meanwhile waits for the step instead of tearing down the libraries
    # under it (seen: "terminate called without an active exception" when a backbone was still being built)
    threading.Thread(target=run, name="cancellable-step", daemon=False).start()
    while not done.wait(poll):
        relay()
        checkpoint(cancel)
    relay()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
