"""``inspector evaluate DATASET_DIR``: train on train/good, score test/, print and save the metrics."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import TqdmProgress, add_model_options
from .models import MODEL_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="evaluate on a folder in the MVTec AD layout",
                       description="Train on DATASET_DIR/train/good, score DATASET_DIR/test, report image "
                                   "AUROC, pixel AUROC and PRO (with ground_truth masks), F1, timings, memory.")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--model", default="patchcore", choices=MODEL_KINDS)
    p.add_argument("--json", type=Path, default=None, metavar="OUT.json", help="write the results as JSON")
    p.add_argument("--roi", type=Path, default=None, metavar="MASK.png",
                   help="region to inspect: a mask image, white = inspect (scaled to each image's size)")
    p.add_argument("--eval-max-side", type=int, default=512, metavar="PX",
                   help="pixel metrics over the whole frame scaled so its longer side is at most PX (default 512)")
    p.add_argument("--train-subset", type=int, default=0, metavar="N",
                   help="train on N evenly spaced training images only (quick runs; default all)")
    add_model_options(p, default_backbone="resnet18")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..core.evaluation.mvtec import evaluate
    from ..core.io.atomic import write_json
    from .common import patchcore_config, read_roi
    from .models import build_model

    progress = TqdmProgress(args.quiet)
    result = evaluate(lambda: build_model(args, patchcore_config(args)), args.dataset, progress,
                      roi=read_roi(args.roi), roi_source=str(args.roi or ""), eval_max_side=args.eval_max_side,
                      train_subset=args.train_subset)
    progress.close()
    print(format_result(result))
    if args.json:
        write_json(args.json, result.to_dict())
        print(f"results written to {args.json}")
    return 0


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.2f} %"


def format_result(r) -> str:
    lines = [
        f"{r.model} / {r.backbone} [{', '.join(r.layers)}] on {r.dataset}",
        f"  geometry      {r.geometry_detail}" + (f"; region {r.region}" if r.region else ""),
        f"  image AUROC   {_pct(r.image_auroc)}",
        f"  pixel AUROC   {_pct(r.pixel_auroc)}",
        f"  PRO (0.3)     {_pct(r.pro)}",
        f"  pixel metrics {r.eval_size}",
        f"  F1 (best)     {_pct(r.f1)} at score {r.f1_threshold:.4g}",
        f"  fit           {r.fit_seconds:.1f} s (features {r.feature_seconds or 0:.1f} s, "
        f"coreset {r.coreset_seconds or 0:.1f} s)",
        f"  inference     {r.inference_ms_per_image:.1f} ms/image",
        f"  peak RSS      {r.peak_rss_mb:.0f} MB",
        f"  images        {r.n_train} train, {r.n_test} test",
    ]
    for t, auc in r.per_type_image_auroc.items():
        lines.append(f"    {t:<20} image AUROC {_pct(auc)}")
    if r.skipped:
        lines.append(f"  skipped {len(r.skipped)} file(s): " + "; ".join(r.skipped[:5]))
    return "\n".join(lines)
