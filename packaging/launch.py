"""Entry point of the packaged (PyInstaller) application: open the Inspector window."""

import sys

from inspector.app.main import main

if __name__ == "__main__":
    sys.exit(main())
