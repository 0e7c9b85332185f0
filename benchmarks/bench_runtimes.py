"""The frozen backbone on eager torch, OpenVINO and ONNX Runtime: time per image and difference to torch.

    python benchmarks/bench_runtimes.py [--backbone resnet18 --weights W | --backbone wide_resnet50_2 --weights random]
        [--layers layer2 layer3] [--size 224] [--rounds 5] [--json OUT.json]

Each runtime runs the same function (the extractor up to its deepest layer, its maps out) on the same random
batch; the runtimes take turns, round after round, so a machine that gets busier mid-run slows all of them
alike; per runtime and batch size the best and the median round are printed (ms per image), with the ratio of
the medians to eager torch and the largest difference of the maps to torch relative to their scale.
ONNX Runtime is measured when ``onnxruntime`` is installed (``pip install onnxruntime onnx``: it is not a
dependency of Inspector); its graph is exported with a free batch size, optimised fully, on as many threads as
torch uses. This is a benchmark, not a test: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import inspector  # noqa: F401  (before torch and faiss load: it sets their OpenMP wait policy)

DATA = next((p / "shared" / "data" for p in Path(__file__).resolve().parents if (p / "shared" / "data").is_dir()),
            Path(__file__).resolve().parents[2] / "shared" / "data")
WEIGHTS = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"


def _onnx_runner(extractor, size: int, threads: int, folder: Path):
    import onnxruntime as ort
    import torch

    from inspector.core.backbones.runtime import _Export

    path = folder / "backbone.onnx"
    extractor._stop = False
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            export = _Export(extractor)
            n_out = len(export(torch.zeros(1, 3, size, size)))
            torch.onnx.export(export, (torch.zeros(1, 3, size, size),), str(path), input_names=["x"],
                              output_names=[f"m{i}" for i in range(n_out)], dynamic_axes={"x": {0: "b"}},
                              opset_version=17, dynamo=False)
    finally:
        extractor._stop = True
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(x):
        return [torch.from_numpy(a) for a in session.run(None, {"x": x.numpy()})]

    return run


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backbone", default="resnet18")
    p.add_argument("--weights", default=None, help="weights file or 'random' (default: the shared resnet18 file)")
    p.add_argument("--layers", nargs="+", default=["layer2", "layer3"])
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batches", type=int, nargs="+", default=[1, 8])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--images", type=int, default=16, help="images per round and batch size")
    p.add_argument("--json", type=Path)
    args = p.parse_args()

    import torch

    from inspector.core.backbones.build import build_feature_extractor
    from inspector.core.backbones.runtime import OpenVinoRunner, check_against_torch
    from inspector.core.backbones.weights import WeightsSource
    from inspector.core.runtime.device import configure_threads

    threads = configure_threads()
    weights = args.weights or (str(WEIGHTS) if args.backbone == "resnet18" else "random")
    extractor, weights_hash = build_feature_extractor(args.backbone, args.layers, WeightsSource.parse(weights),
                                                     args.size)
    extractor = extractor.to(memory_format=torch.channels_last)
    size = (args.size, args.size)
    runners = {"torch": lambda x: extractor.eager(x.contiguous(memory_format=torch.channels_last))}
    out: dict = {"backbone": args.backbone, "weights": weights, "layers": args.layers, "size": args.size,
                 "threads": threads, "load_before": os.getloadavg()[0], "difference_to_torch": {}}
    t0 = time.perf_counter()
    ov = OpenVinoRunner(extractor, weights_hash, example=size)
    if ov.compile(size) is not None:
        runners["openvino"] = ov
        out["difference_to_torch"]["openvino"] = ov.differences[size]
    out["openvino_setup_s"] = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp(prefix="bench-runtimes-"))
    try:
        t0 = time.perf_counter()
        ort = _onnx_runner(extractor, args.size, threads, folder)
        out["onnxruntime_setup_s"] = time.perf_counter() - t0
        out["difference_to_torch"]["onnxruntime"] = check_against_torch(extractor, ort, size)
        runners["onnxruntime"] = ort
        import onnxruntime

        out["onnxruntime_version"] = onnxruntime.__version__
    except ImportError as exc:
        out["onnxruntime"] = f"not measured: {exc}"

    x = torch.randn(args.images, 3, *size, generator=torch.Generator().manual_seed(0))
    times: dict = {f"{name}_batch{bs}": [] for name in runners for bs in args.batches}
    with torch.no_grad():
        for fn in runners.values():
            for bs in args.batches:
                fn(x[:bs])  # warm-up (first calls allocate)
        for _ in range(args.rounds):
            for bs in args.batches:
                for name, fn in runners.items():
                    t = time.perf_counter()
                    for i in range(0, args.images - bs + 1, bs):
                        fn(x[i : i + bs])
                    times[f"{name}_batch{bs}"].append(1000 * (time.perf_counter() - t) / (args.images // bs * bs))
    for key, values in times.items():
        out[f"{key}_ms_best"] = min(values)
        out[f"{key}_ms_median"] = statistics.median(values)
    for bs in args.batches:
        base = out[f"torch_batch{bs}_ms_median"]
        for name in runners:
            out[f"{name}_batch{bs}_speedup_vs_torch"] = base / out[f"{name}_batch{bs}_ms_median"]
    out["load_after"] = os.getloadavg()[0]
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
