"""Progress reporting and cooperative cancellation for the engine's long loops.

Every long loop in the core (feature extraction, coreset selection, scoring) takes a ``CancelToken`` and a
``ProgressCallback``: the loop reports how far it is and checks the token between steps. Nothing is ever
killed; a cancelled loop raises ``Cancelled`` at its next check, leaving no partial result behind.
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol


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
