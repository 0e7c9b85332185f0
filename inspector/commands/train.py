"""``inspector train GOOD_DIR --out MODEL_DIR``: fit a model on images of good parts and save it."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from .common import TqdmProgress, add_model_options
from .models import MODEL_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model on a folder of good images",
                       description="Train a model (PatchCore, PaDiM or Gaussian) on images of good parts and save it "
                                   "to MODEL_DIR.")
    p.add_argument("good", nargs="+", metavar="GOOD_DIR", help="folders or files of good images")
    p.add_argument("--out", required=True, type=Path, metavar="MODEL_DIR", help="where to save the model")
    p.add_argument("--model", default="patchcore", choices=MODEL_KINDS, help="model kind (default: %(default)s)")
    p.add_argument("--roi", type=Path, default=None, metavar="MASK.png",
                   help="region to inspect: a mask image, white = inspect (scaled to each image's size); saved with "
                        "the model")
    add_model_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.io.images import find_images
    from .common import output_folder, patchcore_config, read_roi
    from .models import build_model

    paths, missing = find_images(args.good)
    if not paths:
        print(f"error: no images found in {', '.join(map(str, args.good))}", file=sys.stderr)
        for s in missing:
            print(f"  {s}", file=sys.stderr)
        return 2
    created = not args.out.exists()
    output_folder(args.out, "model")  # before the fit: a wrong --out fails now, not after minutes of work
    try:
        model = build_model(args, patchcore_config(args))
        model.set_roi(read_roi(args.roi))
        if hasattr(model, "memory"):  # PaDiM: memory grows with positions x dims^2
            print(f"{model.kind} memory: {model.memory.describe()}")
        progress = TqdmProgress(args.quiet)
        report = model.fit(paths, progress)
        progress.close()
        model.save(args.out)
    except BaseException:
        if created:  # leave no empty folder behind a refused or cancelled training
            with contextlib.suppress(OSError):
                args.out.rmdir()
        raise
    skipped = missing + report.skipped
    print(f"trained on {report.n_train} image(s); model saved to {args.out}")
    for stage, sec in report.seconds.items():
        print(f"  {stage}: {sec:.1f} s")
    if "geometry" in report.info:
        print(f"  geometry: {report.info['geometry']}")
    if "defect_footprint_note" in report.info:
        print(f"  smallest defect: {report.info['defect_footprint_note']}")
    if report.info.get("bank_sampled", 1) < 1:
        print(f"  bank: {report.info['n_patches']} patch vectors, {100 * report.info['bank_sampled']:.1f} % sampled "
              f"for the coreset (--max-bank-patches)")
    if skipped:
        print(f"skipped {len(skipped)} file(s):")
        for s in skipped:
            print(f"  {s}")
    return 0
