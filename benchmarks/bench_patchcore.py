"""PatchCore speed and memory on a data set in the MVTec AD layout (default: MVTec AD bottle, resnet18 ImageNet).

    python benchmarks/bench_patchcore.py --data DATASET_DIR --ratios 0.01 0.1 \\
        [--backbone NAME --weights W] [--layers layer2 layer3] [--runtime auto|torch|openvino] [--baseline] --json OUT.json

Each coreset ratio runs in its own process, so its peak RSS is its own. Per ratio, in seconds or ms per image:
``fit_s`` (= ``feature_s`` + ``coreset_s`` + ``index_s`` + overhead), ``n_patches``, ``coreset_size``,
``projection_dim``; ``stream_gb_s``: a plain read of a 512 MB array in the same process (the machine's own
bandwidth, the best of a one-thread numpy sum and a threaded torch sum); ``coreset_effective_gb_s`` =
n_patches x projection_dim x 4 bytes x coreset_size / coreset_s (the rate a loop reading the whole projected
bank once per pick would need); ``coreset_rows_read`` (the fraction of that the pruned loop really read);
``backbone_ms_batch1/8`` (the backbone's maps alone, on the same runtime), ``model_ms_batch1/8``
(preprocessed tensor to score and map; both on 32 test images spread over the set, taking turns for five
rounds: the medians, the rounds in ``timing_rounds``), ``end_to_end_ms`` (file
to score and map, batch 8), ``peak_rss_mb``, ``image_auroc``, ``runtime`` (what ran the backbone), ``search``
(pruned exact or flat), and the load average before and after (the machine may be shared: compare ratios
from one run, not absolute times across runs).
``--baseline`` also times the plain greedy loop of the official code/anomalib on the same projected features
at the smallest ratio, and checks that the selection is the same index for index.
This is a benchmark, not a test: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import inspector  # noqa: F401  (before torch and faiss load: it sets their OpenMP wait policy)

DATA = next((p / "shared" / "data" for p in Path(__file__).resolve().parents if (p / "shared" / "data").is_dir()),
            Path(__file__).resolve().parents[2] / "shared" / "data")
BOTTLE = DATA / "mvtec_ad" / "bottle"
WEIGHTS = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"


def stream_gb_s() -> dict:
    """Read a 512 MB float32 array: one thread (numpy) and all threads (torch); the best of 3 each."""
    import numpy as np
    import torch

    a = np.ones(128 * 1024 * 1024, dtype=np.float32)
    t = torch.from_numpy(a)
    out = {}
    for name, fn in (("numpy_1_thread", lambda: np.add.reduce(a)), ("torch_threads", lambda: t.sum())):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        out[name] = a.nbytes / best / 1e9
    return out


ROUNDS = 5  # of the backbone and model timings


def _per_image_ms(fn, tensors, bs: int) -> float:
    fn(tensors[:bs])  # warm-up
    t0 = time.perf_counter()
    for i in range(0, len(tensors) - bs + 1, bs):
        fn(tensors[i : i + bs])
    return 1000 * (time.perf_counter() - t0) / (len(tensors) // bs * bs)


def run_one(args) -> dict:
    import numpy as np
    import torch

    from inspector.core.backbones.runtime import RUNTIME_ENV, OpenVinoRunner, attach_runtime, runtime_name
    from inspector.core.components import coreset
    from inspector.core.evaluation.metrics import image_auroc
    from inspector.core.evaluation.mvtec import discover, peak_rss_mb
    from inspector.core.io.images import iter_batches
    from inspector.core.models.patchcore import PatchCore
    from inspector.core.models.registry import default_config, make_config

    out: dict = {"data": str(args.data), "ratio": args.one, "backbone": args.backbone, "layers": args.layers,
                 "load_before": os.getloadavg()[0], "threads": torch.get_num_threads()}
    train, samples = discover(args.data)
    os.environ[RUNTIME_ENV] = "torch"  # attached below, timed and checked at the crop size
    # a new model's settings (the scoring method and geometry new projects get), or the paper's with --method official
    values = default_config("patchcore")
    if args.method == "official":
        values.update(feature_aggregation="official", reweight_neighbors=0, geometry="center-crop")
    values.update(backbone=args.backbone, layers=args.layers, weights=args.weights, coreset_ratio=args.one, device="cpu")
    model = PatchCore(make_config("patchcore", values))
    out.update(method=args.method, aggregation=model.config.feature_aggregation, geometry=model.config.geometry)
    t0 = time.perf_counter()
    out["runtime_message"] = attach_runtime(model.extractor, model.weights_hash, "cpu", args.runtime,
                                            (model.config.crop, model.config.crop))
    out["runtime_setup_s"] = time.perf_counter() - t0
    out["runtime"] = runtime_name(model.extractor)
    t0 = time.perf_counter()
    report = model.fit(train)
    out["fit_s"] = time.perf_counter() - t0
    secs = report.seconds
    out.update(feature_s=secs.get("features"), coreset_s=secs.get("coreset"), index_s=secs.get("index"),
               n_patches=report.info["n_patches"], coreset_size=report.info["coreset_size"],
               projection_dim=model.config.coreset_projection_dim)
    blocks = coreset.LAST_RUN.get("blocks", {})
    if blocks.get("k") == out["coreset_size"]:
        out["coreset_rows_read"] = blocks["rows_read"] / (blocks["n"] * blocks["k"])
    out["search"] = "pruned exact" if model.search.pruned is not None else "faiss flat"

    paths = [s.path for s in samples]
    t0 = time.perf_counter()
    preds = list(model.predict(paths, batch_size=8))
    out["end_to_end_ms"] = 1000 * (time.perf_counter() - t0) / len(preds)
    out["image_auroc"] = image_auroc(np.array([p.score for p in preds]), np.array([s.label for s in samples]))

    # 32 test images spread over the set (its good parts and every defect type), not the first 32 (one type)
    picked = paths[:: max(1, len(paths) // 32)][:32]
    tensors = torch.cat([b.images for b in iter_batches(picked, model.preprocessor, 8, [])])
    # the backbone alone: its maps, on the same runtime (with OpenVINO, a graph of the backbone without the
    # model's feature step, which new models compile into theirs)
    with torch.no_grad():
        for bs in (1, 8):
            model.predict_batch(tensors[:bs])  # each batch size's first call (its buffers) before the peak
        out["peak_rss_mb"] = peak_rss_mb()  # before the backbone-only graph below, which the model does not hold
        backbone = model.extractor.eager
        if out["runtime"] == "openvino":
            backbone = OpenVinoRunner(model.extractor, model.weights_hash)
        # the backbone alone and the model take turns, round after round: a machine that gets busier mid-run
        # slows both alike; the medians are the figures
        rounds: dict = {f"{what}_ms_batch{bs}": [] for what in ("backbone", "model") for bs in (1, 8)}
        for _ in range(ROUNDS):
            for bs in (1, 8):
                rounds[f"backbone_ms_batch{bs}"].append(_per_image_ms(
                    lambda x: backbone(x.contiguous(memory_format=torch.channels_last)), tensors, bs))
                rounds[f"model_ms_batch{bs}"].append(_per_image_ms(model.predict_batch, tensors, bs))
        for key, values in rounds.items():
            out[key] = statistics.median(values)
        out["timing_rounds"] = rounds
    streams = stream_gb_s()  # after the peak RSS: its 512 MB array is not the model's
    out["stream_gb_s"] = max(streams.values())
    out["stream_gb_s_by_reader"] = streams
    bytes_per_pick = out["n_patches"] * min(out["projection_dim"], report.info["feature_dim"]) * 4
    out["coreset_effective_gb_s"] = bytes_per_pick * out["coreset_size"] / out["coreset_s"] / 1e9

    if args.baseline:  # the official/anomalib loop on the same projected features, same start distances
        bank = torch.cat([model.embed(b.images)[0].reshape(-1, model.memory_bank.shape[1])
                          for b in iter_batches(train, model.preprocessor, 8, [])])
        z = coreset.random_projection(bank, model.config.coreset_projection_dim, model.config.seed)
        del bank
        start = coreset._start_distances(z, model.config.coreset_start_points, model.config.seed)
        k = out["coreset_size"]
        t0 = time.perf_counter()
        plain = coreset._greedy_plain(z, start, k)
        out["baseline_plain_loop_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = coreset.select_coreset(z, k, start_points=model.config.coreset_start_points, seed=model.config.seed)
        out["ours_same_features_s"] = time.perf_counter() - t0
        out["same_selection_fraction"] = float((plain == ours).mean())
        out["first_difference"] = int(np.argmax(plain != ours)) if (plain != ours).any() else None
    out["load_after"] = os.getloadavg()[0]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=BOTTLE, help="a folder in the MVTec AD layout (default: bottle)")
    p.add_argument("--ratios", type=float, nargs="+", default=[0.01, 0.1])
    p.add_argument("--backbone", default="resnet18")
    p.add_argument("--weights", default=None, help="weights file, 'random' or 'pretrained' (default: the shared "
                                                   "resnet18 file for resnet18)")
    p.add_argument("--layers", nargs="+", default=["layer2", "layer3"])
    p.add_argument("--runtime", choices=["auto", "torch", "openvino"], default="auto",
                   help="the backbone's runtime (auto = the app's default: OpenVINO on the CPU, checked against "
                        "torch, torch with a message if it fails)")
    p.add_argument("--method", choices=["new", "official"], default="new",
                   help="new: a new model's settings (concat features, reweighting, stretch; default); official: the "
                        "paper's code (official aggregation, no reweighting, centre crop)")
    p.add_argument("--json", type=Path, help="write the figures here as JSON")
    p.add_argument("--baseline", action="store_true",
                   help="also time the plain greedy loop at the smallest ratio (slow: minutes)")
    p.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.weights is None:
        args.weights = str(WEIGHTS) if args.backbone == "resnet18" else "pretrained"
    if args.one is not None:
        print(json.dumps(run_one(args)))
        return 0
    if not args.data.is_dir():
        print(f"data not found: {args.data}; nothing to measure")
        return 1
    rows = []
    for ratio in args.ratios:
        cmd = [sys.executable, __file__, "--one", str(ratio), "--data", str(args.data), "--backbone", args.backbone,
               "--weights", args.weights, "--runtime", args.runtime, "--method", args.method, "--layers", *args.layers]
        if args.baseline and ratio == min(args.ratios):  # the plain loop at 10 % takes ~30 min
            cmd.append("--baseline")
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:])
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1], indent=1), flush=True)
    for r in rows:
        r["model_over_backbone_batch8"] = r["model_ms_batch8"] / r["backbone_ms_batch8"]
        r["coreset_effective_over_stream"] = r["coreset_effective_gb_s"] / r["stream_gb_s"]
    keys = ["n_patches", "coreset_size", "fit_s", "feature_s", "coreset_s", "index_s", "stream_gb_s",
            "coreset_effective_gb_s", "coreset_effective_over_stream", "coreset_rows_read", "backbone_ms_batch1",
            "backbone_ms_batch8", "model_ms_batch1", "model_ms_batch8", "model_over_backbone_batch8",
            "end_to_end_ms", "peak_rss_mb", "image_auroc", "search", "runtime", "load_before", "load_after"]
    if args.baseline:
        keys += ["baseline_plain_loop_s", "ours_same_features_s", "same_selection_fraction", "first_difference"]
    print(f"PatchCore, {args.backbone} {'+'.join(args.layers)}, {args.data.name}, CPU")
    print(" " * 30 + "".join(f"{'coreset {:.0%}'.format(r['ratio']):>16}" for r in rows))
    for k in keys:
        cells = [r.get(k) for r in rows]
        print(f"{k:30}" + "".join(f"{c:>16.3f}" if isinstance(c, float) else f"{c!s:>16}" for c in cells))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
