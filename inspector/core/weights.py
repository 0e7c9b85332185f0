"""Getting a backbone's pretrained weights: the timm hub (cached), a local file, or (tests only) none.

A factory PC is often offline, so a weights file can be given instead of a download. Loading is strict over
the modules the chosen layers need: a missing key is an error that names it, and so is a key that matches
nothing in the model; keys of pruned modules (later stages, the classifier) are ignored. Files are read
without unpickling: safetensors, or ``torch.load(weights_only=True)`` for ``.pth``/``.pt``/``.bin``.
The network is never silently left untrained: random weights only when ``random`` is asked for by name.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .paths import weights_cache_dir


class WeightsError(Exception):
    """The weights could not be obtained or do not fit the model; the message says how to fix it."""


@dataclass(frozen=True)
class WeightsSource:
    """``kind`` is ``pretrained`` (timm hub, cached), ``file`` (``path``) or ``random`` (explicit, for tests)."""

    kind: str = "pretrained"
    path: str | None = None

    @staticmethod
    def parse(spec: str | None) -> "WeightsSource":
        """``None``/``"pretrained"`` -> hub; ``"random"`` -> random init; anything else is a file path."""
        if spec is None or spec == "pretrained":
            return WeightsSource("pretrained")
        if spec == "random":
            return WeightsSource("random")
        return WeightsSource("file", str(Path(spec).expanduser().resolve()))

    def describe(self) -> str:
        return {"pretrained": "pretrained (timm hub)", "random": "random (untrained)"}.get(self.kind, self.path or "")


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a weights file without unpickling: ``.safetensors``, or a ``torch.save`` file with weights_only."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except WeightsError:
        raise
    except Exception as exc:
        raise WeightsError(f"cannot read weights file {path.name}: {exc}") from None
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path.name} does not hold a state dict of tensors")
    return {k.removeprefix("module."): v for k, v in state.items()}


def load_strict(model: nn.Module, state: dict[str, torch.Tensor], pruned: list[str], source: str) -> None:
    """Load ``state`` into ``model``; every key the model needs must be there, every key given must fit.

    Keys under a pruned module are ignored. Raises ``WeightsError`` naming missing/unexpected/misshaped keys.
    """
    expected = model.state_dict()
    ignored = tuple(p + "." for p in pruned)
    given = {k: v for k, v in state.items() if not k.startswith(ignored)}
    missing = sorted(set(expected) - set(given))
    unexpected = sorted(set(given) - set(expected))
    misshaped = sorted(k for k in set(given) & set(expected) if given[k].shape != expected[k].shape)
    if missing or unexpected or misshaped:
        parts = []
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", misshaped)):
            if keys:
                more = f" (+{len(keys) - 8} more)" if len(keys) > 8 else ""
                parts.append(f"{label} keys: {', '.join(keys[:8])}{more}")
        raise WeightsError(
            f"the weights in {source} do not fit {type(model).__name__}: " + "; ".join(parts)
        )
    model.load_state_dict(given, strict=True)


def state_hash(model: nn.Module) -> str:
    """SHA-256 of the model's tensors (names, shapes, bytes): identifies the weights whatever the file format."""
    h = hashlib.sha256()
    for key, value in sorted(model.state_dict().items()):
        if not torch.is_floating_point(value):
            continue  # e.g. BatchNorm's num_batches_tracked: not part of what the network computes
        h.update(key.encode())
        h.update(str(tuple(value.shape)).encode())
        h.update(value.detach().cpu().contiguous().float().numpy().tobytes())
    return h.hexdigest()


def create_pretrained(timm_name: str, **kwargs) -> nn.Module:
    """Create a timm model with its hub weights, downloading (with progress) into the user cache on first use.

    Raises ``WeightsError`` with the ways out when the download fails (offline PC, unknown weights).
    """
    import timm

    cache = weights_cache_dir()
    cached = any(d.name.startswith(f"models--timm--{timm_name}") for d in cache.iterdir())
    if not cached and not _hub_reachable():
        raise WeightsError(
            f"pretrained weights for '{timm_name}' are not in the cache ({cache}) and the model hub cannot "
            f"be reached (no internet?).\nConnect this PC once to download them, or pass a weights file "
            f"downloaded elsewhere with --weights FILE (.safetensors or .pth)."
        )
    try:
        return timm.create_model(timm_name, pretrained=True, cache_dir=str(cache), **kwargs)
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WeightsError(
            f"could not get pretrained weights for '{timm_name}' from the timm model hub ({reason}).\n"
            f"This PC may be offline. Either connect it once (the weights are then cached in {cache}), "
            f"or download the weights file on another machine and pass it with --weights FILE "
            f"(.safetensors or .pth)."
        ) from None


def _hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    """A quick name lookup, so an offline PC fails in a second instead of after a minute of retries."""
    import socket
    from concurrent.futures import ThreadPoolExecutor, TimeoutError

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except (OSError, TimeoutError):
        return False
    finally:
        pool.shutdown(wait=False)
