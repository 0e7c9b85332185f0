"""Start the desktop application: ``inspector`` with no arguments, or ``python -m inspector [PROJECT]``."""

from __future__ import annotations

import argparse
import sys
import threading


def _warm_up() -> None:
    """Import the engine (torch, timm, faiss) in the background while the user looks at the start screen,
    so pressing Train does not wait for it."""
    try:
        import inspector.core.patchcore  # noqa: F401
    except Exception:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inspector", description="Open the Inspector application.")
    parser.add_argument("project", nargs="?", help="a project folder to open")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow
    from .resources import resource

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Inspector")
    app.setOrganizationName("Inspector")
    app.setApplicationDisplayName("Inspector")
    icon = resource("inspector.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    threading.Thread(target=_warm_up, name="engine-warm-up", daemon=True).start()
    window = MainWindow()
    window.show()
    if args.project:
        window.open_project(args.project)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
