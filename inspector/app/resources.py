"""Finding the files in ``resources/`` (icons, style sheets) from a checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource(name: str) -> Path | None:
    """The path of ``resources/<name>``, or None when it is not shipped with this installation."""
    bases = [Path(getattr(sys, "_MEIPASS", "")) / "resources", Path(__file__).resolve().parents[2] / "resources"]
    for base in bases:
        if (base / name).is_file():
            return base / name
    return None
