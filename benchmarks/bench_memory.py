"""Peak memory of training a new PatchCore project and its first inspection, step by step.

    python benchmarks/bench_memory.py --data DATASET_DIR [--ratio 0.01] [--backbone NAME --weights W]
        [--layers layer2 layer3] [--runtime auto|torch|openvino] [--json OUT.json]

One process does what the app does for a new project (``registry.default_config("patchcore")``: concatenated
features, reweighting, stretch geometry, reduced JPEG decoding; OpenVINO on the CPU by default): imports,
builds the model, compiles the backbone for the crop size, fits on ``train/good`` and scores every image under
``test/`` (the first inspection after training). A thread reads ``/proc/self/status`` every 5 ms; per step it
reports the resident memory at the step's end and at its peak, split into anonymous memory (the heap, tensors,
arrays) and file-backed pages (the touched code and data of shared libraries, mapped weight files). The
step marks are set from the model's progress callback, so a step's peak is what that step added on top of
what was already there. ``peak_rss_mb`` is the kernel's own high-water mark (``ru_maxrss``), as in
``bench_patchcore.py``. Linux only (``/proc``). This is a benchmark, not a test: it prints figures, it asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

DATA = next((p / "shared" / "data" for p in Path(__file__).resolve().parents if (p / "shared" / "data").is_dir()),
            Path(__file__).resolve().parents[2] / "shared" / "data")
BOTTLE = DATA / "mvtec_ad" / "bottle"
WEIGHTS = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"


def _status_mb() -> dict[str, float]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    return out


class RssSteps:
    """Samples the resident set every ``interval`` seconds on a thread; ``mark(step)`` starts a new step."""

    def __init__(self, interval: float = 0.005):
        self.steps: list[dict] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._t0 = time.perf_counter()
        self.mark("start")
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        s = _status_mb()
        with self._lock:
            cur = self.steps[-1]
            cur["end_mb"], cur["end_anon_mb"], cur["end_file_mb"] = s["VmRSS"], s["RssAnon"], s["RssFile"]
            if s["VmRSS"] > cur["peak_mb"]:
                cur["peak_mb"], cur["peak_anon_mb"], cur["peak_file_mb"] = s["VmRSS"], s["RssAnon"], s["RssFile"]

    def mark(self, step: str) -> None:
        if self.steps:
            self._sample()  # the previous step's end
        with self._lock:
            self.steps.append({"step": step, "at_s": round(time.perf_counter() - self._t0, 2), "peak_mb": 0.0})
        self._sample()

    def _run(self) -> None:
        while not self._done.wait(0.005):
            self._sample()

    def finish(self) -> list[dict]:
        self._done.set()
        self._thread.join()
        self._sample()
        for row in self.steps:
            for key in list(row):
                if key.endswith("_mb"):
                    row[key] = round(row[key], 1)
        return self.steps


def run(args) -> dict:
    rss = RssSteps()
    import inspector  # noqa: F401  (first, as in the app: it sets the OpenMP wait policy and the malloc threshold)

    rss.mark("import torch")
    import torch  # noqa: F401

    rss.mark("import inspector core")  # numba (the coreset and search loops), faiss, cv2
    from inspector.core.evaluation.mvtec import discover
    from inspector.core.models.patchcore import PatchCore
    from inspector.core.models.registry import default_config, make_config

    rss.mark("import timm")
    from inspector.core.backbones.timm_import import import_timm

    import_timm()
    rss.mark("import openvino")
    from inspector.core.backbones.runtime import RUNTIME_ENV, import_openvino, runtime_name

    try:
        import_openvino()  # as the app imports it (without its telemetry)
    except ImportError:
        pass

    os.environ[RUNTIME_ENV] = args.runtime
    train, samples = discover(args.data)
    values = default_config("patchcore")
    values.update(backbone=args.backbone, layers=args.layers, weights=args.weights, coreset_ratio=args.ratio,
                  device="cpu")
    rss.mark("build model")
    model = PatchCore(make_config("patchcore", values))
    rss.mark("compile backbone")
    runner = model.extractor.runner
    if runner is not None and hasattr(runner, "compile"):
        runner.compile((model.config.crop, model.config.crop))

    def progress(stage: str, done: int, total: int) -> None:
        current = rss.steps[-1]["step"]
        if current == "fit: index":
            return
        if stage == "coreset" and total and done >= total:
            rss.mark("fit: index")  # the chosen rows read back, the search structure built
        elif current != f"fit: {stage}":
            rss.mark(f"fit: {stage}")

    t0 = time.perf_counter()
    report = model.fit(train, progress=progress)
    fit_s = time.perf_counter() - t0
    rss.mark("predict test set")
    t0 = time.perf_counter()
    scores = [p.score for p in model.predict([s.path for s in samples], batch_size=8)]
    predict_s = time.perf_counter() - t0
    rss.mark("done")
    steps = rss.finish()
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = usage / (1024 * 1024) if sys.platform == "darwin" else usage / 1024
    top = max(steps, key=lambda r: r["peak_mb"])
    return {"data": str(args.data), "n_train": report.n_train, "n_test": len(scores), "ratio": args.ratio,
            "backbone": args.backbone, "layers": args.layers, "runtime": runtime_name(model.extractor),
            "runtime_message": model.backbone_runtime,
            "n_patches": report.info["n_patches"], "coreset_size": report.info["coreset_size"],
            "feature_dim": report.info["feature_dim"], "fit_s": round(fit_s, 1), "predict_s": round(predict_s, 1),
            "peak_rss_mb": round(peak, 1), "peak_step": top["step"], "steps": steps,
            "first_scores": [round(s, 6) for s in scores[:5]]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=BOTTLE, help="a folder in the MVTec AD layout (default: bottle)")
    p.add_argument("--ratio", type=float, default=0.01)
    p.add_argument("--backbone", default="resnet18")
    p.add_argument("--weights", default=None, help="weights file, 'random' or 'pretrained' (default: the shared "
                                                   "resnet18 file for resnet18)")
    p.add_argument("--layers", nargs="+", default=["layer2", "layer3"])
    p.add_argument("--runtime", choices=["auto", "torch", "openvino"], default="auto")
    p.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = p.parse_args()
    if args.weights is None:
        args.weights = str(WEIGHTS) if args.backbone == "resnet18" else "pretrained"
    if not args.data.is_dir():
        print(f"data not found: {args.data}; nothing to measure")
        return 1
    out = run(args)
    print(f"PatchCore {args.backbone} {'+'.join(args.layers)}, {args.data.name}: {out['n_train']} training images, "
          f"{out['n_patches']} patches -> {out['coreset_size']}, {out['runtime']}")
    print(f"{'step':24}{'end MB':>9}{'peak MB':>9}{'anon':>8}{'file':>8}   (anon/file at the step's peak)")
    for r in out["steps"]:
        print(f"{r['step']:24}{r.get('end_mb', 0):9.0f}{r['peak_mb']:9.0f}{r.get('peak_anon_mb', 0):8.0f}"
              f"{r.get('peak_file_mb', 0):8.0f}")
    print(f"peak_rss_mb {out['peak_rss_mb']:.0f} (step: {out['peak_step']})")
    print(json.dumps(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
