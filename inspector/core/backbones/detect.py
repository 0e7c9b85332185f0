"""Which architecture a weights file fits: its keys and shapes against candidate timm models on the meta device.

A file fits a model when every tensor in it names a tensor of the model with the same shape (after the
torchvision-to-timm renaming the model's family needs) and it holds the model's weights from the input up to
some depth, with no gap: a file cut after ``layer3`` fits resnet18 but not resnet34 (whose ``layer3.2``...
would be missing). Candidates are tried cheapest-first: timm names that appear in the file name, then the
reference backbones, then every timm model whose first convolution the file has; the first two tiers stop the
search when they find a fit. Building a model on the meta device costs 10-70 ms, no memory, no download.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import torch

from ..runtime.progress import CancelToken, checkpoint
from .catalogue import REFERENCE, BackboneError, adapt_state_dict, meta_model
from .timm_import import import_timm


@dataclass(frozen=True)
class Fit:
    """A timm model the file fits: ``covered`` of its ``total`` tensors are in the file (the rest come after the
    file's last layer, e.g. ``layer4`` and ``fc`` of a file cut after ``layer3``); ``name`` is the reference
    name when a reference backbone builds that model, else the timm name."""

    name: str
    timm_name: str
    covered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.covered == self.total


def _counts(key: str) -> bool:
    return not key.endswith("num_batches_tracked")


def fits(state: dict[str, torch.Tensor], timm_name: str) -> Fit | None:
    """How ``state`` fits ``timm_name`` (see the module doc), or ``None`` when it does not."""
    try:
        adapted = adapt_state_dict(timm_name, state)
        model = meta_model(timm_name)
    except (BackboneError, RuntimeError, ValueError, KeyError, TypeError, AttributeError, NotImplementedError):
        return None
    own = [(k, tuple(v.shape)) for k, v in model.state_dict().items() if _counts(k)]
    shapes = dict(own)
    given = {k: tuple(v.shape) for k, v in adapted.items() if _counts(k)}
    if not given or any(shapes.get(k) != shape for k, shape in given.items()):
        return None
    last = max(i for i, (k, _) in enumerate(own) if k in given)
    if any(k not in given for k, _ in own[:last + 1]):
        return None  # a gap: the file skips tensors the model computes before its deepest one
    name = next((s.name for s in REFERENCE if s.timm_name == timm_name), timm_name)
    return Fit(name, timm_name, len(given), len(own))


def _first_conv_keys(timm_name: str) -> tuple[str, ...]:
    timm = import_timm()

    cfg = timm.models.get_pretrained_cfg(timm_name)
    first = getattr(cfg, "first_conv", None) if cfg is not None else None
    if isinstance(first, str):
        first = (first,)
    return tuple(f"{f}.weight" for f in first or ())


def candidates(path: str | os.PathLike, state: dict[str, torch.Tensor]) -> Iterable[tuple[int, str]]:
    """(tier, timm name) in the order they are worth trying; see the module doc."""
    timm = import_timm()

    names = timm.list_models()
    stem = re.sub(r"[^a-z0-9]", "", Path(path).stem.lower())
    seen: set[str] = set()
    in_name = sorted((n for n in names if re.sub(r"[^a-z0-9]", "", n) in stem), key=len, reverse=True)
    reference = [s.timm_name.split(".")[0] for s in REFERENCE if s.timm_name]
    for tier, group in ((0, in_name), (1, reference)):
        for name in group:
            if name not in seen and timm.is_model(name):
                seen.add(name)
                yield tier, name
    for name in names:
        if name in seen:
            continue
        keys = _first_conv_keys(name)
        if keys and any(k in adapt_state_dict(name, state) for k in keys):
            yield 2, name


def detect_backbone(path: str | os.PathLike, state: dict[str, torch.Tensor] | None = None,
                    progress: Callable[[str, int, int], None] | None = None,
                    cancel: CancelToken | None = None, only: Sequence[str] | None = None) -> list[Fit]:
    """The architectures ``path`` fits, best first (complete files first, then the most tensors covered).

    ``only``: timm names to try instead of the tiers (tests, or a caller that knows its shortlist).
    An unreadable file raises ``WeightsError``; a file that fits nothing gives ``[]``.
    """
    from .weights import read_state_dict

    state = read_state_dict(path) if state is None else state
    order = [(0, n) for n in only] if only is not None else list(candidates(path, state))
    found: list[Fit] = []
    for i, (tier, name) in enumerate(order):
        checkpoint(cancel)
        if found and tier == 2 and any(f for f in found):
            break  # a named or reference model fits: the long tail is not searched
        if progress is not None:
            progress("detect", i, len(order))
        fit = fits(state, name)
        if fit is not None:
            found.append(fit)
    found.sort(key=lambda f: (not f.complete, -f.covered))
    return found
