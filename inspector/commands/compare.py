"""``inspector compare DATASET_DIR --models ... --backbones ...``: evaluate every model x backbone, one table.

Each combination is trained on ``train/good`` and scored on ``test/`` as ``inspector evaluate`` does; the table
(image AUROC, pixel AUROC, PRO, feature size, fit time, ms per image) is printed and written to OUT_DIR as
``compare.csv`` and ``compare.md`` (and the full results as ``compare.json``). A combination that cannot run
(no weights for a backbone, not enough memory, ...) becomes a row with the reason; the others still run.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import sys
from pathlib import Path

from ..core.errors import InvalidInput
from ..core.evaluation.compare import COLUMNS, HEADERS, cell, evaluate_row
from .common import TqdmProgress, add_geometry_options, add_method_options
from .models import MODEL_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="evaluate several models and backbones on one dataset, as a table",
                       description="Train and evaluate every model x backbone combination on DATASET_DIR "
                                   "(MVTec AD layout); print the table and write it as CSV and Markdown.")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--models", nargs="+", default=list(MODEL_KINDS), choices=MODEL_KINDS)
    p.add_argument("--backbones", nargs="+", default=["resnet18"], metavar="BACKBONE")
    p.add_argument("--weights", nargs="+", default=[], metavar="[BACKBONE=]FILE",
                   help="backbone weights: one for all backbones, one per backbone in order, or BACKBONE=FILE "
                        "pairs; 'pretrained' (timm hub) where none is given")
    p.add_argument("--out", type=Path, default=Path("compare-results"), metavar="OUT_DIR",
                   help="where compare.csv / compare.md / compare.json go (default: %(default)s)")
    g = p.add_argument_group("models")
    g.add_argument("--layers", nargs="+", default=None, metavar="LAYER",
                   help="layers for every model (default: each model's own; --<model>-layers wins)")
    for kind in MODEL_KINDS:
        g.add_argument(f"--{kind}-layers", nargs="+", default=None, metavar="LAYER",
                       help=f"{kind} layers (default: the model's own for the backbone)")
    g.add_argument("--coreset-ratio", type=float, default=0.1, help="PatchCore coreset fraction (default 0.1)")
    add_method_options(g)
    g.add_argument("--padim-dims", type=int, default=0, metavar="D", help="PaDiM random channels (0: paper's)")
    g.add_argument("--gaussian-level", type=int, default=0, metavar="K", help="Gaussian: level K only (0: sum)")
    g.add_argument("--image-size", type=int, default=None,
                   help="resize the shorter side to this (default: 256 for a 224 crop, in proportion otherwise)")
    g.add_argument("--crop-size", type=int, default=None, help="center crop (default: each backbone's input, 224)")
    add_geometry_options(g, several=True)
    g.add_argument("--roi", type=Path, default=None, metavar="MASK.png", help="region to inspect (white = inspect)")
    g.add_argument("--eval-max-side", type=int, default=512, metavar="PX",
                   help="pixel metrics over the whole frame scaled so its longer side is at most PX (default 512)")
    g.add_argument("--train-subset", type=int, default=0, metavar="N",
                   help="train on N evenly spaced training images only (quick runs; default all)")
    g.add_argument("--batch-size", type=int, default=8)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="auto")
    g.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def weights_for(backbones: list[str], specs: list[str]) -> dict[str, str]:
    """Map each backbone to its weights from ``--weights``; 'pretrained' where none is given."""
    out = {b: "pretrained" for b in backbones}
    pairs = [s for s in specs if "=" in s and s.split("=", 1)[0] in out]
    plain = [s for s in specs if s not in pairs]
    for s in pairs:
        name, path = s.split("=", 1)
        out[name] = path
    if len(plain) == 1 and not pairs:
        out = {b: plain[0] for b in backbones}
    elif plain and len(plain) == len(backbones) and not pairs:
        out = dict(zip(backbones, plain))
    elif plain:
        raise InvalidInput(f"--weights: give one file for all backbones, one per backbone ({len(backbones)}), or "
                         f"BACKBONE=FILE pairs; got {' '.join(specs)}")
    return out


def run_one(kind: str, backbone: str, weights: str, args: argparse.Namespace, progress,
            geometry: str | None = None) -> dict:
    """Evaluate one combination; a failure is returned as a row with the reason, never raised."""
    from ..core.evaluation.mvtec import evaluate
    from ..core.models.registry import default_config
    from .common import read_roi
    from .models import model_config, model_from_config

    geometry = geometry or default_config(kind)["geometry"]
    ns = copy.copy(args)
    ns.model, ns.backbone, ns.weights, ns.geometry = kind, backbone, weights, geometry
    ns.layers = getattr(args, f"{kind}_layers") or getattr(args, "layers", None)
    row: dict = {"model": kind, "backbone": backbone, "layers": "", "geometry": geometry, "status": "ok"}

    def evaluate_combination():
        config = model_config(kind, ns)
        row["layers"] = " ".join(config.layers)
        roi = getattr(args, "roi", None)
        return evaluate(lambda: model_from_config(config), args.dataset, progress, roi=read_roi(roi),
                        roi_source=str(roi or ""), eval_max_side=getattr(args, "eval_max_side", 512),
                        train_subset=getattr(args, "train_subset", 0))

    return evaluate_row(row, evaluate_combination)


def markdown_table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join("---" for _ in HEADERS) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(cell(r, c).replace("|", "/") for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(["" if r.get(c) is None else (f"{r[c]:.6g}" if isinstance(r.get(c), float) else r[c])
                    for c in COLUMNS])
    return buf.getvalue()


def write_tables(out: Path, rows: list[dict], dataset: Path) -> None:
    from ..core.io.atomic import write_bytes, write_json

    out.mkdir(parents=True, exist_ok=True)
    write_bytes(out / "compare.csv", csv_text(rows).encode("utf-8"))
    write_bytes(out / "compare.md", (f"# {dataset}\n\n" + markdown_table(rows)).encode("utf-8"))
    write_json(out / "compare.json", {"dataset": str(dataset), "rows": rows})


def run(args: argparse.Namespace) -> int:
    weights = weights_for(args.backbones, args.weights)
    rows: list[dict] = []
    try:
        for backbone in args.backbones:
            for kind in args.models:
                for geometry in getattr(args, "geometries", None) or [None]:
                    progress = TqdmProgress(args.quiet)
                    if not args.quiet:
                        print(f"== {kind} / {backbone} / {geometry or 'default geometry'}", file=sys.stderr)
                    rows.append(run_one(kind, backbone, weights[backbone], args, progress, geometry))
                    progress.close()
                    if rows:  # each finished row is on disk at once
                        write_tables(args.out, rows, args.dataset)
    finally:  # a Ctrl+C still leaves the table of what finished
        if rows:
            write_tables(args.out, rows, args.dataset)
    print(markdown_table(rows), end="")
    print(f"table written to {args.out / 'compare.csv'} and {args.out / 'compare.md'}")
    return 0 if any(r["status"] == "ok" for r in rows) else 1
