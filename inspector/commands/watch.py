"""``inspector watch PROJECT IN_DIR [--move-to DIR] [--jsonl FILE]``: the hot folder (see core/project/hotfolder.py).

Runs until Ctrl+C (or SIGTERM); each part is finished before it stops. Killed outright, it takes up the
half-done part on the next start: every file is scored exactly once.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help="score every image that arrives in a folder (hot folder)",
                       description="Watch IN_DIR and score each new image with the project's model, thresholds "
                                   "and settings; record it in the project; append a JSON line per part.")
    p.add_argument("project", type=Path, metavar="PROJECT")
    p.add_argument("in_dir", type=Path, metavar="IN_DIR")
    p.add_argument("--move-to", type=Path, default=None, metavar="DIR",
                   help="move each scored file to DIR/pass, DIR/uncertain or DIR/fail")
    p.add_argument("--folder-names", choices=("verdict", "okng"), default="verdict",
                   help="'okng': DIR/OK, DIR/CHECK, DIR/NG instead")
    p.add_argument("--jsonl", type=Path, default=None, metavar="FILE", help="append one JSON line per part")
    p.add_argument("--poll", action="store_true",
                   help="list the folder instead of waiting for file-system events (network drives)")
    p.add_argument("--interval", type=float, default=0.05, help="seconds between looks (default 0.05)")
    p.add_argument("--settle", type=float, default=1.0,
                   help="a file whose end is not recognised is complete after this many seconds unchanged "
                        "(default 1.0; PNG, JPEG and BMP are recognised at once)")
    p.add_argument("--quiet", action="store_true", help="no line per part on the terminal")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.project.hotfolder import HotFolder

    def show(payload: dict) -> None:
        if not args.quiet:
            score = "" if payload.get("score") is None else f"{payload['score']:.6g}"
            print(f"{payload['time']}  {payload.get('verdict') or '-':10s} {score:>12s}  {payload['file']}"
                  + (f"  ({payload['error']})" if payload.get("error") else ""), flush=True)

    folder = HotFolder(args.project, args.in_dir, move_to=args.move_to, jsonl=args.jsonl, names=args.folder_names,
                       poll=args.poll, interval=args.interval, settle=args.settle, on_part=show)
    stop = lambda *_: folder.stop()  # noqa: E731
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    print(f"watching {args.in_dir} for project {args.project} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    folder.run()
    c = folder.counts
    print(f"stopped: {c['pass']} pass, {c['uncertain']} uncertain, {c['fail']} fail, {c['unreadable']} unreadable",
          file=sys.stderr)
    return 0
