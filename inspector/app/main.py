"""Start the desktop application (called by ``inspector.cli.main`` for ``inspector`` or ``inspector PROJECT``)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path


def _warm_up() -> None:
    """Import the engine (torch, timm, faiss, numba's compiled loops) in the background while the user looks at
    the start screen, so pressing Train neither waits for it nor freezes the window while it loads."""
    try:
        import inspector.core.models.patchcore  # noqa: F401
        from inspector.core.components import coreset

        coreset.warm_up()
    except Exception as exc:  # the job that needs it will report it properly; note it for support
        print(f"inspector: loading the engine failed: {exc}", file=sys.stderr)


def missing_platform_libraries() -> list[str]:
    """System libraries Qt's X11 plugin needs that this PC lacks (``ldd``'s "not found"), e.g.
    ``libxcb-cursor.so.0`` on a minimal Debian. Without them Qt aborts the process with a cryptic message, so
    the app checks first. ``[]`` when nothing is missing, or when it cannot tell (not Linux, no ``ldd``,
    another platform plugin chosen, a Wayland session)."""
    import shutil
    import subprocess

    if not sys.platform.startswith("linux"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if (platform and not platform.startswith("xcb")) or (not platform and os.environ.get("WAYLAND_DISPLAY")):
        return []
    try:
        import PySide6
    except ImportError:
        return []
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    ldd = shutil.which("ldd")
    if ldd is None or not plugin.is_file():
        return []
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split("=>")[0].strip() for line in out.splitlines() if "not found" in line})


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library: ``libxcb-cursor.so.0`` -> ``libxcb-cursor0``,
    ``libxkbcommon-x11.so.0`` -> ``libxkbcommon-x11-0``."""
    base, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    return (base + ("-" if base[-1:].isdigit() else "") + version).lower() if version else base.lower()


def check_installation() -> int:
    """``inspector check`` (or ``--check``): load every library the app needs, run the engine once on a tiny
    image, print versions. For support staff verifying an installation (or a packaged build) without clicking through the app."""
    import numpy as np

    from ..core.io.images import Preprocessor

    report = {}
    for name in ("PySide6", "pyqtgraph", "torch", "timm", "faiss", "cv2", "numpy", "safetensors"):
        module = __import__(name)
        report[name] = getattr(module, "__version__", "ok")
    import timm
    import torch

    from ..core.components.patch_features import patch_features
    from ..core.components.search import NearestNeighbours

    x = Preprocessor(resize=64, crop=64)(np.zeros((80, 80, 3), np.uint8))[None]
    with torch.no_grad():
        maps = timm.create_model("resnet18", pretrained=False, features_only=True, out_indices=(2,))(x)
    feats, _ = patch_features(maps, 3, 16, 16)
    dist, _ = NearestNeighbours(feats[0].numpy()).search(feats[0].numpy(), 1)
    report["engine"] = f"ok (patch features {tuple(feats.shape)}, self-distance {float(dist.max()):.1g})"
    for name, version in report.items():
        print(f"{name:12s} {version}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Open the window, on ``argv[0]`` if a project folder is given (``inspector.cli.main`` decides when)."""
    argv = sys.argv[1:] if argv is None else argv
    project = argv[0] if argv else None
    missing = missing_platform_libraries()
    if missing:
        packages = " ".join(dict.fromkeys(debian_package(m) for m in missing))
        print("inspector: the window cannot open: Qt's X11 support needs system libraries this PC lacks: "
              f"{', '.join(missing)}.\nOn Debian or Ubuntu: sudo apt-get install -y {packages}\n"
              "(The command line works without them: inspector --help.)", file=sys.stderr)
        return 1

    from PySide6.QtCore import QTimer

    from . import i18n
    from .app_settings import AppSettings
    from .collector import UiThreadCollector
    from .main_window import MainWindow

    app = make_application(i18n.chosen(AppSettings()))
    threading.Thread(target=_warm_up, name="engine-warm-up", daemon=True).start()
    window = MainWindow()
    window.show()
    if project:  # once the event loop runs: opening may ask (a damaged project) in a dialog
        QTimer.singleShot(0, lambda: window.open_project(project))
    try:
        return app.exec()
    finally:
        for collector in app.findChildren(UiThreadCollector):
            collector.stop()


def make_application(language: str = "system"):
    """The QApplication as the app runs it (``main`` and the screenshot scripts): its names and icon, the
    translators for ``language`` (before any widget is built: each text is translated once), and cyclic garbage
    collected on the UI thread only (``collector.py``: a worker must never free a widget)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from . import i18n
    from .collector import UiThreadCollector
    from .resources import resource

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Inspector")
    app.setOrganizationName("Inspector")
    app.setApplicationDisplayName("Inspector")
    i18n.install(app, language)
    UiThreadCollector(app)  # owned by the app
    icon = resource("inspector.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    return app


if __name__ == "__main__":
    sys.exit(main())
