"""Entry point of the packaged (PyInstaller) application: the same as ``inspector`` (no arguments: the window;
a project folder: the window on it; ``--check``: the installation self-check)."""

import sys

from inspector.cli import main

if __name__ == "__main__":
    sys.exit(main())
