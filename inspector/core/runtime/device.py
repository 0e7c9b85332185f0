"""Which device the engine computes on, and how many threads it uses."""

from __future__ import annotations

import os

import torch

from ..errors import InvalidInput

_threads_configured = False


def configure_threads() -> int:
    """Let torch (and faiss, if present) use every core of the machine once. Returns the thread count."""
    global _threads_configured
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not _threads_configured:
        torch.set_num_threads(n)
        try:
            import faiss

            faiss.omp_set_num_threads(n)
        except Exception:  # faiss missing or built without OpenMP: its own default is fine
            pass
        _threads_configured = True
    return n


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when torch sees a GPU, else the CPU; ``cpu``/``cuda``/``cuda:N`` are taken as given.

    Raises ``ValueError`` when CUDA is asked for but not available, so a typo never silently runs on the CPU.
    """
    name = (name or "auto").lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise InvalidInput(f"unknown device {name!r}: use auto, cpu or cuda[:N]") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InvalidInput(f"device {name!r} was requested but torch sees no CUDA GPU on this machine")
    return device
