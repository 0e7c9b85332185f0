"""Helpers shared by the screenshot scripts: drive a real QApplication and save small PNGs of its widgets."""

from __future__ import annotations

import time
from pathlib import Path

MAX_BYTES = 300_000  # photos inside make big PNGs: above this a 256-colour palette keeps them small


class Shooter:
    def __init__(self, app, out: str | Path):
        self.app = app
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)

    def pump(self, seconds: float = 0.3) -> None:
        """Let the event loop run for ``seconds`` (layouts settle, images load)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def wait(self, cond, timeout: float = 900.0) -> None:
        """Run the event loop until ``cond()`` holds."""
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError("the app did not get there in time")
            self.app.processEvents()
            time.sleep(0.02)

    def save(self, widget, name: str) -> Path:
        """``widget`` as ``OUT/name.png`` (palette PNG when the full-colour one is large)."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage

        self.pump(0.5)
        image = widget.grab().toImage()
        path = self.out / f"{name}.png"
        image.save(str(path), "PNG", 9)
        if path.stat().st_size > MAX_BYTES:
            image.convertToFormat(QImage.Format_Indexed8, Qt.DiffuseDither).save(str(path), "PNG", 9)
        print(f"{path}: {image.width()}x{image.height()}, {path.stat().st_size // 1024} KB", flush=True)
        return path
