"""``python -m inspector``: the same entry point as the ``inspector`` command (see ``inspector/cli.py``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
