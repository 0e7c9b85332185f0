"""``inspector inspect MODEL_DIR IMAGES... --out OUT_DIR``: score images, write scores.csv and heatmap overlays."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import cv2
import numpy as np

from .common import TqdmProgress, output_folder, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("inspect", help="score images with a trained model",
                       description="Score images with a trained model: OUT_DIR/scores.csv and a heatmap "
                                   "overlay PNG per image (one colour scale for the whole run).")
    p.add_argument("model", type=Path, metavar="MODEL_DIR")
    p.add_argument("images", nargs="+", metavar="IMAGES_OR_DIRS")
    p.add_argument("--out", required=True, type=Path, metavar="OUT_DIR")
    p.add_argument("--threshold", type=float, default=None,
                   help="the fail line: scores at or above it are marked 'defect' (the app's rule)")
    p.add_argument("--weights", default=None, help="backbone weights file, if it moved since training")
    p.add_argument("--device", default=None)
    p.add_argument("--batch-size", type=positive_int, default=None)
    p.add_argument("--alpha", type=float, default=0.5, help="heatmap opacity (default 0.5)")
    p.add_argument("--no-heatmaps", action="store_true", help="write scores.csv only")
    p.add_argument("--roi", type=Path, default=None, metavar="MASK.png",
                   help="region to inspect for this run (white = inspect), instead of the one saved with the model")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.io.atomic import atomic_path, write_bytes
    from ..core.io.images import find_images, read_image
    from ..core.io.overlay import map_to_image, overlay
    from ..core.project.thresholds import FAIL, Thresholds
    from .common import read_roi
    from .models import load_model

    fail_line = Thresholds(args.threshold, args.threshold) if args.threshold is not None else None
    model = load_model(args.model, weights=args.weights, device=args.device)
    if args.roi is not None:
        model.set_roi(read_roi(args.roi))
    paths, skipped = find_images(args.images)
    if not paths:
        print("error: no images to inspect", file=sys.stderr)
        for s in skipped:
            print(f"  {s}", file=sys.stderr)
        return 2
    output_folder(args.out).mkdir(parents=True, exist_ok=True)
    progress = TqdmProgress(args.quiet)
    preds = []
    for p in model.predict(paths, progress, None, skipped, args.batch_size):
        if p.anomaly_map is not None:
            p.anomaly_map = p.anomaly_map.astype(np.float16)  # 100 KB per image kept until the colour scale is known
        preds.append(p)
    progress.close()

    names = _unique_names([p.path for p in preds])
    with atomic_path(args.out / "scores.csv") as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["path", "score", "verdict", "heatmap"])
            for p, name in zip(preds, names):
                verdict = "" if args.threshold is None else ("defect" if fail_line.verdict(p.score) == FAIL else "good")
                heat = "" if args.no_heatmaps or p.anomaly_map is None else f"{name}_heatmap.png"
                w.writerow([str(p.path), f"{p.score:.6f}", verdict, heat])
            for s in skipped:
                w.writerow([str(s.path), "", f"skipped: {s.reason}", ""])

    maps = [p.anomaly_map if p.region is None else p.anomaly_map[p.region] for p in preds if p.anomaly_map is not None]
    maps = [m for m in maps if m.size]
    if maps and not args.no_heatmaps:
        vmin = float(min(m.min() for m in maps))
        vmax = float(max(m.max() for m in maps))
        for p, name in zip(preds, names):
            # read again rather than keep every full-size original until the run's colour scale is known
            img = read_image(p.path)
            full = map_to_image(p.anomaly_map, img.shape[:2], model.preprocessor.map_box(*img.shape[:2], p.anomaly_map.shape))
            full[~model.inspected_area(*img.shape[:2])] = np.nan  # not inspected: the image shows through
            rgb = overlay(img, full, vmin, vmax, args.alpha)
            ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            write_bytes(args.out / f"{name}_heatmap.png", png.tobytes())
    print(f"scored {len(preds)} image(s) -> {args.out / 'scores.csv'}")
    if preds and not maps:
        print(f"the {model.kind} model gives image scores only: no heatmaps")
    if skipped:
        print(f"skipped {len(skipped)} file(s):")
        for s in skipped:
            print(f"  {s}")
    return 0


def _unique_names(paths: list[Path]) -> list[str]:
    """File stems, made unique with the parent folder's name (test/a/000.png vs test/b/000.png), and short enough
    for ``NAME_heatmap.png`` to be a valid file name (a long one is cut and given a hash of the full path)."""
    stems = [p.stem for p in paths]
    dup = {s for s in stems if stems.count(s) > 1}
    names = [f"{p.parent.name}_{p.stem}" if p.stem in dup else p.stem for p in paths]
    return [_short(n, p) for n, p in zip(names, paths)]


def _short(name: str, path: Path, limit: int = 200) -> str:
    if len(name.encode("utf-8")) <= limit:
        return name
    import hashlib

    digest = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    cut = name.encode("utf-8")[: limit - 11].decode("utf-8", "ignore")
    return f"{cut}-{digest}"
