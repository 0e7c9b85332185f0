"""``inspector report PROJECT [--since T --until T | --batch NAME] --out report.html [--csv FILE]``: the batch report."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write a self-contained HTML report (and CSV) of the inspected parts",
                       description="One printable HTML file with every image embedded, plus the same rows as CSV.")
    p.add_argument("project", type=Path, metavar="PROJECT")
    p.add_argument("--since", default=None, help="parts inspected from this time (2026-12-01 or 2026-12-01T06:00; "
                                                 "local time unless a zone is given)")
    p.add_argument("--until", default=None, help="parts inspected before this time")
    p.add_argument("--batch", default=None, metavar="NAME",
                   help="only the parts inspected from the folder NAME (their names start with NAME/)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.html")
    p.add_argument("--csv", type=Path, default=None, metavar="FILE.csv", help="default: beside --out, .csv")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.project.report import parse_time, write_report
    from ..core.project.store import Project

    since, until = parse_time(args.since), parse_time(args.until)
    csv_target = args.csv or args.out.with_suffix(".csv")
    with Project.open(args.project, read_only=True) as project:  # it only reads: the app may hold the project
        rows = write_report(project, args.out, since, until, csv_target, args.batch)
    print(f"report of {len(rows)} part(s) -> {args.out} and {csv_target}")
    return 0
