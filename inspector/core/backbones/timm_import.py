"""``import_timm()``: timm, imported without loading Triton on a machine with no GPU that could run it.

timm imports torchvision (``FrozenBatchNorm2d``), whose ``ops`` import ``torch._dynamo``, which imports Triton
when it is installed (it is, with every CUDA build of torch): ``libtriton.so`` and its Python package added
75 MB to every process that builds a backbone, 6 % of a 400-image PatchCore fit's peak RSS on a CPU-only PC,
for a GPU kernel compiler that cannot run there. Where torch sees no CUDA/ROCm or XPU device, Triton is hidden
while timm imports (``sys.modules["triton"] = None``: Python's documented way to make an import fail, which
torch takes as "Triton is not installed") and shown again afterwards; with a GPU nothing changes.
Every ``import timm`` in Inspector goes through here, so the first one (whichever it is) decides.
"""

from __future__ import annotations

import sys
from types import ModuleType

from ..runtime.imports import hidden_modules


def gpu_present() -> bool:
    """True when torch sees a device Triton compiles for (CUDA, ROCm through the CUDA API, or Intel XPU)."""
    import torch

    xpu = getattr(torch, "xpu", None)
    return bool(torch.cuda.is_available() or (xpu is not None and xpu.is_available()))


def import_timm() -> ModuleType:
    """The ``timm`` module (imported on first call; see the module doc for what is left out on a CPU-only PC)."""
    timm = sys.modules.get("timm")
    if timm is not None:
        return timm
    with hidden_modules(() if gpu_present() else ("triton",)):
        import timm
    return timm
