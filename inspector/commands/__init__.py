"""The ``inspector`` subcommands: each module here has ``register(subparsers)``; ``cli.py`` loads those in COMMANDS."""

COMMANDS = ["train", "inspect", "evaluate", "compare", "backbones", "project", "watch", "serve", "report"]
