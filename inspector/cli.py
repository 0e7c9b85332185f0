"""The ``inspector`` command: with no arguments it opens the app; subcommands run the engine headless."""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="Unsupervised visual inspection. Run without arguments to open the application.",
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(sub)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the user asked for something impossible: shown as one line, no traceback."""
    from .core.backbone import LayerNotFoundError
    from .core.evaluation import DatasetLayoutError
    from .core.model import ModelFormatError, NotTrainedError, WeightsMismatchError
    from .core.weights import WeightsError

    return (WeightsError, ModelFormatError, WeightsMismatchError, NotTrainedError, DatasetLayoutError,
            LayerNotFoundError, ValueError, FileNotFoundError, PermissionError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from .app.main import main as app_main

        return app_main([])
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


if __name__ == "__main__":
    sys.exit(main())
