"""``python -m inspector`` opens the application (``python -m inspector PROJECT_FOLDER`` opens it on a project);
with a subcommand (``train``, ``inspect``, ...) it runs the command line instead."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (len(argv) == 1 and (Path(argv[0]) / "project.json").is_file()):
        from .app.main import main as app_main

        return app_main(argv)
    from .cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
