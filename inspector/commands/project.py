"""``inspector project ...``: a project headless, with the same core the app uses (a project made here opens in
the app and the other way round).

    inspector project create DIR [--name N --model K --backbone B --layers L... --weights W ...]
    inspector project add DIR IMAGES...            good images (folders searched recursively)
    inspector project train DIR
    inspector project inspect DIR IMAGES... [--json]
    inspector project status DIR [--json]
    inspector project thresholds DIR (--pass X --fail Y | --suggest [--percentile P])
    inspector project export DIR --out part.inspector [--with-weights]
    inspector project import part.inspector DIR [--name N] [--weights FILE]
    inspector project prune DIR (--ids N... | --older-than DAYS | --keep-last N | --retention)
    inspector project retention DIR [--days D] [--parts N] [--off]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from .common import TqdmProgress, add_model_options, read_roi
from .models import MODEL_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("project", help="create, fill, train and use a project without the app",
                       description="Work with a project folder headless (the same project the app opens).")
    psub = p.add_subparsers(dest="project_command", metavar="ACTION", required=True)

    c = psub.add_parser("create", help="create a new project in an empty or new folder")
    c.add_argument("folder", type=Path, metavar="DIR")
    c.add_argument("--name", default=None, help="project name (default: the folder's name)")
    c.add_argument("--model", default="patchcore", choices=MODEL_KINDS, help="model kind (default: %(default)s)")
    c.add_argument("--holdout", type=float, default=0.15, metavar="FRACTION",
                   help="share of the good images held out to suggest thresholds (default 0.15)")
    add_model_options(c)
    c.add_argument("--roi", type=Path, default=None, metavar="MASK.png",
                   help="region to inspect (white = inspect), kept in the project; scaled to each image's size")
    c.set_defaults(run=create)

    a = psub.add_parser("add", help="copy good images into the project's training set")
    a.add_argument("folder", type=Path, metavar="DIR")
    a.add_argument("images", nargs="+", metavar="IMAGES_OR_DIRS")
    a.add_argument("--quiet", action="store_true")
    a.set_defaults(run=add)

    t = psub.add_parser("train", help="train the project's model on its good images")
    t.add_argument("folder", type=Path, metavar="DIR")
    t.add_argument("--quiet", action="store_true")
    t.set_defaults(run=train)

    i = psub.add_parser("inspect", help="inspect parts: copied into the project, scored and classified")
    i.add_argument("folder", type=Path, metavar="DIR")
    i.add_argument("images", nargs="+", metavar="IMAGES_OR_DIRS")
    i.add_argument("--json", action="store_true", help="print one JSON line per part instead of a table")
    i.add_argument("--quiet", action="store_true")
    i.set_defaults(run=inspect)

    s = psub.add_parser("status", help="counts, model state and thresholds")
    s.add_argument("folder", type=Path, metavar="DIR")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(run=status)

    th = psub.add_parser("thresholds", help="set the pass/fail thresholds, or set them from the data")
    th.add_argument("folder", type=Path, metavar="DIR")
    th.add_argument("--pass", dest="pass_", type=float, default=None, metavar="X", help="scores below X pass")
    th.add_argument("--fail", type=float, default=None, metavar="Y", help="scores at or above Y fail")
    th.add_argument("--suggest", action="store_true",
                    help="set them from the held-out good images and the review decisions")
    th.add_argument("--percentile", type=float, default=None,
                    help="with --suggest: percentile of the good scores for the pass line (default: the project's)")
    th.set_defaults(run=thresholds)

    e = psub.add_parser("export", help="write the trained model, settings and thresholds to one .inspector file")
    e.add_argument("folder", type=Path, metavar="DIR")
    e.add_argument("--out", required=True, type=Path, metavar="FILE.inspector")
    e.add_argument("--with-weights", action="store_true",
                   help="include the backbone weights, so an offline PC needs nothing else")
    e.set_defaults(run=export)

    im = psub.add_parser("import", help="create a project from a .inspector file (checked before anything is written)")
    im.add_argument("package", type=Path, metavar="FILE.inspector")
    im.add_argument("folder", type=Path, metavar="DIR")
    im.add_argument("--name", default=None, help="project name (default: the exported project's)")
    im.add_argument("--weights", default=None, metavar="FILE", help="use this backbone weights file on this PC")
    im.set_defaults(run=import_)

    pr = psub.add_parser("prune", help="remove inspected parts with their images, maps and reviews")
    pr.add_argument("folder", type=Path, metavar="DIR")
    how = pr.add_mutually_exclusive_group(required=True)
    how.add_argument("--ids", type=int, nargs="+", metavar="ID", help="these parts (ids as in status/report)")
    how.add_argument("--older-than", type=float, metavar="DAYS", help="parts inspected more than DAYS ago")
    how.add_argument("--keep-last", type=int, metavar="N", help="all but the newest N parts")
    how.add_argument("--retention", action="store_true", help="what the project's retention setting removes")
    pr.set_defaults(run=prune)

    rt = psub.add_parser("retention", help="show or set how long the line keeps inspected parts")
    rt.add_argument("folder", type=Path, metavar="DIR")
    rt.add_argument("--days", type=float, default=None, help="keep parts of the last DAYS days")
    rt.add_argument("--parts", type=int, default=None, help="keep the newest N parts")
    rt.add_argument("--off", action="store_true", help="keep everything")
    rt.set_defaults(run=retention)


def _open(folder: Path):
    from ..core.project.store import Project

    return Project.open(folder)


def create(args: argparse.Namespace) -> int:
    from ..core.project.store import Project, ProjectSettings
    from .models import model_config

    config = model_config(args.model, args)
    settings = ProjectSettings(model_kind=args.model, model=dataclasses.asdict(config),
                               holdout_fraction=args.holdout)
    region = read_roi(args.roi)  # read before anything is created: a bad mask file leaves no folder behind
    with Project.create(args.folder, args.name or args.folder.name, settings) as project:
        if region is not None:
            project.set_region(region)
        geometry = getattr(config, "geometry", "center-crop")
        print(f"created project '{project.name}' in {args.folder} ({args.model}, {config.backbone}, {geometry}"
              + (", with a region to inspect)" if region is not None else ")"))
    return 0


def add(args: argparse.Namespace) -> int:
    from ..core.project import jobs

    with _open(args.folder) as project:
        progress = TqdmProgress(args.quiet)
        report = jobs.add_good_images(project, args.images, progress)
        progress.close()
        print(f"added {len(report.added)} good image(s); {project.count(('train', 'holdout'))} in the training set")
        _print_skipped(report.skipped, [f"{src}: already in the project as {name}" for src, name in report.duplicates])
        return 0 if report.added or report.duplicates else 2


def train(args: argparse.Namespace) -> int:
    from ..core.project import jobs

    with _open(args.folder) as project:
        progress = TqdmProgress(args.quiet)
        report = jobs.train(project, progress)
        progress.close()
        print(f"trained on {report.n_train} image(s), {report.n_holdout} held out, {report.n_rescored} inspected "
              f"part(s) re-scored, in {report.seconds:.1f} s")
        t = project.thresholds
        if t is not None:
            how = "suggested from the held-out images" if report.suggested else "kept"
            print(f"thresholds ({how}): pass < {t.pass_:.6g} <= uncertain < {t.fail:.6g} <= fail")
        else:
            print("no thresholds yet: set them with 'inspector project thresholds DIR --pass X --fail Y'")
        _print_skipped(report.skipped)
        return 0


def inspect(args: argparse.Namespace) -> int:
    from ..core.project import jobs

    with _open(args.folder) as project:
        progress = TqdmProgress(args.quiet or args.json)
        report = jobs.inspect(project, args.images, progress)
        progress.close()
        ids = [r.id for r in report.added.added] + [i for i in dict.fromkeys(report.added.duplicate_ids)]
        rows = [project.result(i) for i in dict.fromkeys(ids)]
        rows = [r for r in rows if r is not None]
        if args.json:
            for r in rows:
                print(json.dumps({"file": r.image.name, "image_id": r.image.id, "score": round(r.score, 6),
                                  "verdict": r.verdict}, ensure_ascii=False))
            for s in report.added.skipped + report.skipped:
                print(json.dumps({"file": str(s.path), "verdict": "unreadable", "error": s.reason}, ensure_ascii=False))
        else:
            for r in rows:
                print(f"{r.score:12.6g}  {r.verdict or '-':9s}  {r.image.name}")
            counts = {v: sum(r.verdict == v for r in rows) for v in ("pass", "uncertain", "fail")}
            print(f"inspected {len(rows)} part(s): {counts['pass']} pass, {counts['uncertain']} uncertain, "
                  f"{counts['fail']} fail")
            _print_skipped(report.added.skipped + report.skipped)
        return 0 if rows else 2


def status(args: argparse.Namespace) -> int:
    from ..core.project.line import project_status

    with _open(args.folder) as project:
        st = project_status(project)
    if args.json:
        print(json.dumps(st, indent=2, ensure_ascii=False))
        return 0
    m = st["model"]
    print(f"project   {st['name']}  ({st['folder']})")
    print(f"images    {st['images']['good']} good ({st['images']['train']} train, {st['images']['holdout']} held out), "
          f"{st['images']['inspected']} inspected")
    if m["trained"]:
        stale = "  (out of date: the good images or settings changed since)" if m.get("stale") else ""
        print(f"model     {m.get('kind')} {m.get('backbone')} {','.join(m.get('layers') or [])}, id {m.get('id')}, "
              f"trained {m.get('trained_at')} on {m.get('n_train')} image(s){stale}")
    else:
        print("model     not trained")
    t = st["thresholds"]
    print(f"thresholds pass < {t['pass']:.6g}, fail >= {t['fail']:.6g}" if t else "thresholds not set")
    v = st["verdicts"]
    print(f"verdicts  {v['pass']} pass, {v['uncertain']} uncertain, {v['fail']} fail, {v['none']} unclassified")
    return 0


def thresholds(args: argparse.Namespace) -> int:
    from ..core.errors import InvalidInput
    from ..core.project.thresholds import Thresholds

    given = args.pass_ is not None or args.fail is not None
    if args.suggest == given or (given and (args.pass_ is None or args.fail is None)):
        raise InvalidInput("give either --pass X --fail Y, or --suggest")
    with _open(args.folder) as project:
        if args.suggest:
            suggestion = project.suggest(args.percentile)
            t, reason = suggestion.thresholds, suggestion.reason
        else:
            t, reason = Thresholds(args.pass_, args.fail), "set by hand"
        project.set_thresholds(t)
        v = {x: sum(r.verdict == x for r in project.results()) for x in ("pass", "uncertain", "fail")}
    print(f"thresholds: pass < {t.pass_:.6g} <= uncertain < {t.fail:.6g} <= fail ({reason})")
    print(f"inspected parts now: {v['pass']} pass, {v['uncertain']} uncertain, {v['fail']} fail")
    return 0


def export(args: argparse.Namespace) -> int:
    from ..core.project.package import export_package

    with _open(args.folder) as project:
        manifest = export_package(project, args.out, args.with_weights)
    size = args.out.stat().st_size / 1e6
    print(f"exported model {manifest['model_id']} of '{manifest['name']}' to {args.out} ({size:.1f} MB"
          f"{', with the backbone weights' if manifest['with_weights'] else ''})")
    return 0


def import_(args: argparse.Namespace) -> int:
    from ..core.project.package import import_package

    result = import_package(args.package, args.folder, args.name, args.weights)
    print(f"imported '{result.name}' into {result.project} (weights: {result.weights})")
    if result.warning:
        print(f"warning: {result.warning}", file=sys.stderr)
    return 0


def prune(args: argparse.Namespace) -> int:
    from ..core.project import retention as r

    with _open(args.folder) as project:
        if args.ids:
            ids = args.ids
        elif args.older_than is not None:
            ids = project.inspected_ids(before=r.cutoff(args.older_than))
        elif args.keep_last is not None:
            ids = project.inspected_ids(beyond_newest=args.keep_last)
        else:
            ids = r.expired_ids(project, r.get_retention(project))
        n = project.remove_inspected(ids)
        left = project.count(("inspected",))
    print(f"removed {n} inspected part(s); {left} left")
    return 0


def retention(args: argparse.Namespace) -> int:
    from ..core.project import retention as r

    with _open(args.folder) as project:
        if args.off:
            r.set_retention(project, r.Retention())
        elif args.days is not None or args.parts is not None:
            r.set_retention(project, r.Retention(args.days, args.parts))
        print(r.get_retention(project).describe())
    return 0


def _print_skipped(skipped, extra: list[str] = ()) -> None:
    lines = [str(s) for s in skipped] + list(extra)
    if lines:
        print(f"skipped {len(lines)} file(s):", file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
