"""The one entry point: ``inspector``, ``python -m inspector`` and the packaged app all call :func:`main`.

- no arguments, or a project folder: open the app (on that project);
- ``check`` (or ``--check``, as the packaged app is called by support staff): the installation self-check;
- any other subcommand: the engine headless (train, inspect, evaluate, ...).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from pathlib import Path

from . import __version__
from .commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="Unsupervised visual inspection. Run without arguments to open the application.",
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", help="check the installation (libraries, engine) and exit")
    check.set_defaults(run=lambda args: _check())
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(sub)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the user asked for something impossible: shown as one line, no traceback.

    Everything else (a bare ``ValueError`` or ``KeyError`` from deep inside) is a bug and keeps its traceback.
    """
    from .core.errors import InspectorError

    return (InspectorError, FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


# Operating-system errors that are the machine's state, not a bug: a full disk, a read-only or missing folder.
_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG, errno.EEXIST,
                       errno.ENOTDIR, errno.EISDIR, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _check() -> int:
    from .app.main import check_installation

    return check_installation()


def _opens_the_app(argv: list[str]) -> bool:
    """No arguments, or one that is not a subcommand but an existing folder (a project to open)."""
    if not argv:
        return True
    return len(argv) == 1 and argv[0] not in COMMANDS and argv[0] != "check" and Path(argv[0]).is_dir()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--check"]:
        argv = ["check"]
    if _opens_the_app(argv):
        from .app.main import main as app_main

        return app_main(argv)
    args = build_parser().parse_args(argv)
    if not getattr(args, "run", None):
        build_parser().print_help()
        return 0
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("\ncancelled; nothing was saved", file=sys.stderr)
        return 130
    except _user_errors() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT_ERRNOS:
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; nothing more was written", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
