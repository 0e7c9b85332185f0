"""How much memory a model needs, how much the machine has, and a clear refusal when it will not fit."""

from __future__ import annotations

import psutil

from ..errors import InspectorError


class InsufficientMemoryError(InspectorError, ValueError):
    """A model configuration needs more memory than the machine has free; the message gives the figures."""


def available_memory() -> int:
    """Bytes of memory the system can give this process now without swapping."""
    return int(psutil.virtual_memory().available)


def format_bytes(n: float) -> str:
    """``1536 * 2**20`` -> ``"1.5 GB"`` (binary units, named the way people read them)."""
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def require_memory(needed: int, what: str, advice: str = "", headroom: float = 0.9) -> None:
    """Raise ``InsufficientMemoryError`` when ``needed`` bytes exceed ``headroom`` x the free memory."""
    free = available_memory()
    if needed > headroom * free:
        raise InsufficientMemoryError(
            f"{what} needs about {format_bytes(needed)} of memory, but only {format_bytes(free)} is free on "
            f"this machine." + (f" {advice}" if advice else "")
        )
