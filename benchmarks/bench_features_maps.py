"""Patch features and anomaly maps in the inference path, per image, before and after (issue 9 item 3).

    python benchmarks/bench_features_maps.py [--data DATASET_DIR] [--weights W] [--batch 8] [--repeat 20]

Runs resnet18 layer2 + layer3 once on ``--batch`` test images of the data set (stretched to 224x224), then times,
on those same layer maps and a patch-score grid:
- ``official_ms``: the official aggregation (folded sparse pooling, 1024 dims), unchanged;
- ``concat_reference_ms``: anomalib's order, ``avg_pool2d`` per layer, ``F.interpolate``, ``torch.cat``, flatten;
- ``concat_fused_ms``: ``concat_features`` into a reused output buffer (pooling, and for the other layers
  alignment and pooling fused into two products, each copied into its channels);
  ``concat_fused_new_output_ms``: the same with a new output each call (as eager torch scoring runs it; on
  OpenVINO the step is compiled into the backbone's graph);
- ``maps_before_ms``: the previous map code (bilinear ``F.interpolate``, a mirrored pad built by concatenation,
  two 1-D convolutions);
- ``maps_after_ms``: ``anomaly_maps`` (one precomputed matrix per axis), bilinear and nearest;
- ``backbone_ms``: the extractor alone, for scale;
and the ratios. Median of ``--repeat`` runs, ms per image. Prints one JSON object; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import inspector  # noqa: E402, F401  (before torch and faiss load: it sets their OpenMP wait policy)

DATA = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()), ROOT.parent / "shared")
BOTTLE = DATA / "mvtec_ad" / "bottle"
WEIGHTS = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"


def maps_before(patch_scores, size, sigma=4.0):
    """The map code this change replaced (kept here as the 'before' of the comparison)."""
    import torch
    import torch.nn.functional as F

    from inspector.core.components.anomaly_map import gaussian_kernel1d

    def pad(x, r, dim):
        n = x.shape[dim]
        parts = [x]
        for _ in range(math.ceil(r / n)):
            cur = torch.cat(parts, dim=dim) if len(parts) > 1 else parts[0]
            parts = [cur.flip(dim), cur, cur.flip(dim)]
        full = torch.cat(parts, dim=dim)
        mid = (full.shape[dim] - n) // 2
        return full.narrow(dim, mid - r, n + 2 * r)

    up = F.interpolate(patch_scores.unsqueeze(1).float(), size=size, mode="bilinear", align_corners=False)
    k = gaussian_kernel1d(sigma).float()
    r = (k.numel() - 1) // 2
    x = F.conv2d(pad(up, r, 3), k.view(1, 1, 1, -1))
    x = F.conv2d(pad(x, r, 2), k.view(1, 1, -1, 1))
    return x.squeeze(1)


def median_ms(fn, repeat: int, per: int) -> float:
    """Median ms per image over ``repeat`` calls (after two warm-up calls)."""
    fn()
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000 / per, 3)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=BOTTLE)
    p.add_argument("--weights", default=str(WEIGHTS) if WEIGHTS.is_file() else "random")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: Inspector's own setting); on a "
                   "loaded shared machine 1 thread gives steadier ratios")
    args = p.parse_args()

    import torch

    from inspector.core.components.anomaly_map import anomaly_maps
    from inspector.core.components.patch_features import concat_features, patch_features, reference_concat_features
    from inspector.core.io.images import read_image
    from inspector.core.models.patchcore import PatchCore, PatchCoreConfig

    model = PatchCore(PatchCoreConfig(backbone="resnet18", layers=["layer2", "layer3"], weights=args.weights,
                                      geometry="stretch", resize=224, crop=224, device="cpu"))
    paths = sorted(p for p in (args.data / "test").rglob("*.png"))[: args.batch]
    if args.threads:
        torch.set_num_threads(args.threads)
    images = torch.stack([model.preprocessor(read_image(x)) for x in paths]).contiguous(memory_format=torch.channels_last)
    b = len(images)
    with torch.no_grad():
        maps = model.extractor(images)
        out = {"batch": b, "threads": torch.get_num_threads(), "load_before": os.getloadavg()[0],
               "layer_shapes": [list(m.shape[1:]) for m in maps],
               "channels_last": [m.is_contiguous(memory_format=torch.channels_last) for m in maps]}
        out["backbone_ms"] = median_ms(lambda: model.extractor(images), max(3, args.repeat // 4), b)
        out["official_ms"] = median_ms(lambda: patch_features(maps, 3, 1024, 1024), args.repeat, b)
        out["concat_reference_ms"] = median_ms(lambda: reference_concat_features(maps, 3).contiguous(), args.repeat, b)
        h, w = maps[0].shape[-2:]
        buffer = torch.empty(b, h, w, sum(m.shape[1] for m in maps))  # what the scoring path reuses
        out["concat_fused_ms"] = median_ms(lambda: concat_features(maps, 3, out=buffer), args.repeat, b)
        out["concat_fused_new_output_ms"] = median_ms(lambda: concat_features(maps, 3), args.repeat, b)
        scores = torch.rand(b, *maps[0].shape[-2:])
        size = tuple(images.shape[-2:])
        out["maps_before_ms"] = median_ms(lambda: maps_before(scores, size), args.repeat, b)
        out["maps_after_bilinear_ms"] = median_ms(lambda: anomaly_maps(scores, size, 4.0, "bilinear", "reflect"),
                                                  args.repeat, b)
        out["maps_after_nearest_ms"] = median_ms(lambda: anomaly_maps(scores, size, 4.0, "nearest", "mirror"),
                                                 args.repeat, b)
        diff = (maps_before(scores, size) - anomaly_maps(scores, size)).abs().max()
        out["maps_max_abs_difference"] = float(diff)
    out["concat_fused_over_reference"] = round(out["concat_fused_ms"] / out["concat_reference_ms"], 3)
    out["concat_fused_over_official"] = round(out["concat_fused_ms"] / out["official_ms"], 3)
    out["maps_after_over_before"] = round(out["maps_after_bilinear_ms"] / out["maps_before_ms"], 3)
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
