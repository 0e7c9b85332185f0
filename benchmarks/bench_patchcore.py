"""PatchCore speed and memory on real data: MVTec AD bottle with the shared ImageNet resnet18 weights.

    python benchmarks/bench_patchcore.py [--ratios 0.01 0.1] [--baseline]

Each coreset ratio runs in its own process, so its peak RSS is its own. Printed per ratio: feature
extraction, coreset and index seconds, the whole fit, inference ms per image with batch 1 and batch 8
(preprocessed tensors: the model alone) and end to end (reading the PNG files too), peak RSS, image AUROC.
``--baseline`` also times, on the same features in the same run, the plain greedy loop that the official
code and anomalib run (every iteration updates all N distances), so the speed-up is a ratio from one run.
This is a benchmark, not a test: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BOTTLE = DATA / "mvtec_ad" / "bottle"
WEIGHTS = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"


def run_one(ratio: float, baseline: bool) -> dict:
    import numpy as np
    import torch

    import inspector  # noqa: F401  (first: it sets the OpenMP wait policy before torch and faiss load)
    from inspector.core.components import coreset
    from inspector.core.evaluation.metrics import image_auroc
    from inspector.core.evaluation.mvtec import discover, peak_rss_mb
    from inspector.core.io.images import iter_batches
    from inspector.core.models.patchcore import PatchCore, PatchCoreConfig

    train, samples = discover(BOTTLE)
    model = PatchCore(PatchCoreConfig(backbone="resnet18", layers=["layer2", "layer3"], weights=str(WEIGHTS),
                                      coreset_ratio=ratio, device="cpu"))
    t0 = time.perf_counter()
    report = model.fit(train)
    fit = time.perf_counter() - t0
    out = {"ratio": ratio, "fit_s": fit, **{f"{k}_s": v for k, v in report.seconds.items()},
           "coreset_size": report.info["coreset_size"], "n_patches": report.info["n_patches"]}

    paths = [s.path for s in samples]
    t0 = time.perf_counter()
    preds = list(model.predict(paths, batch_size=8))
    out["end_to_end_ms_per_image"] = 1000 * (time.perf_counter() - t0) / len(preds)
    out["image_auroc"] = image_auroc(np.array([p.score for p in preds]), np.array([s.label for s in samples]))

    tensors = torch.cat([b.images for b in iter_batches(paths[:32], model.preprocessor, 8, [])])
    for bs in (1, 8):
        model.predict_batch(tensors[:bs])  # warm-up
        t0 = time.perf_counter()
        for i in range(0, len(tensors), bs):
            model.predict_batch(tensors[i : i + bs])
        out[f"model_ms_per_image_batch{bs}"] = 1000 * (time.perf_counter() - t0) / len(tensors)
    out["peak_rss_mb"] = peak_rss_mb()

    if baseline:  # the official/anomalib loop on the same projected features, same start distances
        bank = torch.cat([model.embed(b.images)[0].reshape(-1, model.memory_bank.shape[1])
                          for b in iter_batches(train, model.preprocessor, 8, [])])
        z = coreset.random_projection(bank, 128, 0)
        start = coreset._start_distances(z, 10, 0)
        k = coreset.coreset_size(len(z), ratio)
        del bank
        t0 = time.perf_counter()
        plain = coreset._greedy_dense(z, start, k, coreset.no_progress, None)
        out["baseline_plain_loop_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pruned = coreset._greedy_pruned(z.numpy(), start.numpy(), k, coreset.no_progress, None)
        out["pruned_loop_s"] = time.perf_counter() - t0
        out["same_selection_fraction"] = float((plain == pruned).mean())
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ratios", type=float, nargs="+", default=[0.01, 0.1])
    p.add_argument("--baseline", action="store_true",
                   help="also time the plain greedy loop at the smallest ratio (slow: minutes)")
    p.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.baseline)))
        return 0
    if not (BOTTLE.is_dir() and WEIGHTS.is_file()):
        print(f"real data not found under {DATA}; nothing to measure")
        return 1
    rows = []
    for ratio in args.ratios:
        with_baseline = args.baseline and ratio == min(args.ratios)  # the plain loop at 10 % takes ~30 min
        cmd = [sys.executable, __file__, "--one", str(ratio)] + (["--baseline"] if with_baseline else [])
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-2000:])
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    keys = ["features_s", "coreset_s", "index_s", "fit_s", "model_ms_per_image_batch1", "model_ms_per_image_batch8",
            "end_to_end_ms_per_image", "peak_rss_mb", "image_auroc", "coreset_size"]
    if args.baseline:
        keys += ["baseline_plain_loop_s", "pruned_loop_s", "same_selection_fraction"]
    print(f"PatchCore, resnet18 layer2+layer3, bottle ({rows[0]['n_patches']} patches), CPU")
    heads = ["coreset {:.0%}".format(r["ratio"]) for r in rows]
    print(" " * 28 + "".join(f"{h:>16}" for h in heads))
    for k in keys:
        print(f"{k:28}" + "".join(f"{r.get(k, float('nan')):>16.3f}" if isinstance(r.get(k), float)
                                   else f"{r.get(k, '')!s:>16}" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
