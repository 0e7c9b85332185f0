"""``hidden_modules(names)``: import something while some optional modules it would pull in stay out.

Python's documented way to make an import fail is ``sys.modules[name] = None``; a library that treats the
failure as "not installed" then takes its fallback. The names are shown again afterwards (a later ``import``
works as before), and a module already imported is left alone. Used for timm without Triton on a PC with no GPU
(``backbones.timm_import``) and for OpenVINO without its usage telemetry (``backbones.runtime``).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterable, Iterator


@contextmanager
def hidden_modules(names: Iterable[str]) -> Iterator[None]:
    """While the block runs, importing any of ``names`` not imported yet fails with ``ImportError``."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
