"""Cancel latency across whole jobs (train, inspect, evaluate), per phase (issue 9, part 6). Prints JSON.

    python benchmarks/bench_cancel_latency.py [--backbones resnet18,wide_resnet50_2] [--ratios 0.01,0.1]
        [--jobs train,inspect,evaluate] [--n 8] [--train-images 24] [--inspect-images 24] [--size 256]

The jobs are the ones the app's worker and the CLI run: ``project.jobs.train`` (build the model, features,
coreset, index, score the held-out images, save), ``project.jobs.inspect`` (import the parts, score them with the
project's model) and ``evaluation.mvtec.evaluate_samples`` (``inspector evaluate``, Project > Evaluate: build, fit,
score labelled parts, metrics). PatchCore with the new-model defaults (concatenated features, reweighting
b = 9), batch 8, CPU, at each backbone and coreset ratio. resnet18 loads the real ImageNet weights from the shared
data when they are there, wide_resnet50_2 random weights (``--weights random`` for all; the cost is the
network's, not its weights'). Synthetic ``--size`` px parts (every other inspected one with a bright square).

Each job runs twice uncancelled (the second's duration is T), then ``--n`` times with a cancel at a uniformly
random moment in [0, T). Measured: the time from the token being set to the job having returned (``Cancelled``
raised and released, so whatever winds down behind it, such as image decoding, is included; a job that finishes
anyway counts with the time it took to finish). ``--app``: the same jobs through the app's ``JobRunner`` (the
worker thread, Esc / Cancel's ``runner.cancel`` from a timer on the UI thread), measured until the runner is
idle again on the UI thread. Each cancel is attributed to the phase the job's thread was in when the token was
set (the innermost of: build (model), load, import, decode (waiting for images), backbone (with the
concatenated features when they are compiled with it), embed (the rest of the features), search, maps, scoring
(the rest of predict_views), coreset, index, save, metrics; else the job's name), and the JSON gives per phase
n, median and max.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESNET18 = Path("/work/shared/data/weights/resnet18_imagenet_to_layer3.safetensors")

_stack: list[str] = []  # the job thread's current phases, innermost last
_job_thread: list[int] = []  # only the job's own thread counts (a helper thread's work is not the job's phase)


def _phase(name: str, fn):
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        mine = threading.get_ident() in _job_thread
        if mine:
            _stack.append(name)
        try:
            return fn(*args, **kwargs)
        finally:
            if mine:
                _stack.pop()

    return wrapped


def _phase_gen(name: str, fn):
    """A generator function whose ``next()`` (the wait for decoded images) counts as phase ``name``."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        gen = fn(*args, **kwargs)
        try:
            while True:
                _stack.append(name)
                try:
                    item = next(gen)
                except StopIteration:
                    return
                finally:
                    _stack.pop()
                yield item
        finally:
            gen.close()

    return wrapped


def instrument() -> None:
    from inspector.core.backbones.extractor import FeatureExtractor
    from inspector.core.components import search
    from inspector.core.evaluation import metrics
    from inspector.core.models import base, patchcore
    from inspector.core.project.store import Project

    FeatureExtractor.forward = _phase("backbone", FeatureExtractor.forward)
    if hasattr(FeatureExtractor, "features"):  # the backbone and the concatenated features in one graph
        FeatureExtractor.features = _phase("backbone", FeatureExtractor.features)
    patchcore.PatchCore.embed = _phase("embed", patchcore.PatchCore.embed)
    patchcore.PatchCore.predict_views = _phase("scoring", patchcore.PatchCore.predict_views)
    search.NearestNeighbours.search = _phase("search", search.NearestNeighbours.search)
    patchcore.NearestNeighbours = _phase("index", patchcore.NearestNeighbours)
    patchcore.anomaly_maps = _phase("maps", patchcore.anomaly_maps)
    patchcore.select_coreset = _phase("coreset", patchcore.select_coreset)
    patchcore.iter_frame_groups = _phase_gen("decode", patchcore.iter_frame_groups)
    base.iter_frame_groups = _phase_gen("decode", base.iter_frame_groups)
    Project.build_model = _phase("build", Project.build_model)
    Project.model = _phase("load", Project.model)
    Project.add_images = _phase("import", Project.add_images)
    Project.commit_training = _phase("save", Project.commit_training)
    metrics.pixel_auroc = _phase("metrics", metrics.pixel_auroc)
    metrics.pro_score = _phase("metrics", metrics.pro_score)


def summarise(rows: list[tuple[str, float]]) -> dict:
    by: dict[str, list[float]] = {}
    for phase, latency in rows:
        by.setdefault(phase, []).append(latency)
    out = {p: {"n": len(v), "median_s": round(statistics.median(v), 3), "max_s": round(max(v), 3)}
           for p, v in sorted(by.items())}
    every = [x for _, x in rows]
    if every:
        out["all"] = {"n": len(every), "median_s": round(statistics.median(every), 3), "max_s": round(max(every), 3)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", "--backbone", default="resnet18,wide_resnet50_2")
    parser.add_argument("--ratios", default="0.01,0.1")
    parser.add_argument("--jobs", default="train,inspect,evaluate")
    parser.add_argument("--weights", default="auto", help="auto (resnet18 real if present, else random) | random")
    parser.add_argument("--n", type=int, default=8, help="cancelled runs per backbone, ratio and job")
    parser.add_argument("--train-images", type=int, default=24)
    parser.add_argument("--inspect-images", type=int, default=24)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--app", action="store_true", help="run the jobs through the app's JobRunner (Qt worker)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    import numpy as np
    import torch
    from synthetic_defects import texture, with_defect, write_png

    from inspector.core.evaluation.mvtec import TestSample, evaluate_samples
    from inspector.core.models.patchcore import NEW_MODEL_DEFAULTS, PatchCore, PatchCoreConfig
    from inspector.core.project import jobs
    from inspector.core.project.store import Project, ProjectSettings
    from inspector.core.runtime.progress import Cancelled, CancelToken

    instrument()
    rng = random.Random(args.seed)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        train = [write_png(Path(tmp) / "train" / f"g{i:03d}.png", texture(i, size=args.size))
                 for i in range(args.train_images)]
        samples = []
        square = np.zeros((args.size, args.size), np.uint8)
        s = args.size // 4
        square[args.size // 3 : args.size // 3 + s, args.size // 3 : args.size // 3 + s] = 255
        mask = write_png(Path(tmp) / "mask.png", square)
        for i in range(args.inspect_images):
            bad = i % 2 == 1
            img = (with_defect if bad else texture)(1000 + i, size=args.size)
            samples.append(TestSample(write_png(Path(tmp) / "inspect" / f"p{i:03d}.png", img), int(bad),
                                      "square" if bad else "good", mask if bad else None))
        inspect = [s.path for s in samples]

        def config(backbone: str, ratio: float) -> dict:
            weights = "random"
            if args.weights == "auto" and backbone == "resnet18" and RESNET18.is_file():
                weights = str(RESNET18)
            return {**NEW_MODEL_DEFAULTS, "backbone": backbone, "weights": weights, "resize": args.size, "crop": 224,
                    "batch_size": 8, "device": "cpu", "coreset_ratio": ratio}

        def timed(job, delay: float | None) -> tuple[float, str | None, bool]:
            """(seconds from the cancel (or the start) to the job's return, phase at the cancel, cancelled)."""
            token = CancelToken()
            at: list[tuple[float, str]] = []

            def cancel():
                at.append((time.perf_counter(), _stack[-1] if _stack else "other"))
                token.cancel()

            timer = threading.Timer(delay, cancel) if delay is not None else None
            _job_thread[:] = [threading.get_ident()]
            start = time.perf_counter()
            if timer is not None:
                timer.start()
            cancelled = False
            try:
                job(token)
            except Cancelled:
                cancelled = True
            end = time.perf_counter()
            if timer is not None:
                timer.cancel()
            if not at:
                return end - start, None, cancelled
            return end - at[0][0], at[0][1], cancelled

        def timed_app(job, delay: float | None) -> tuple[float, str | None, bool]:
            """``timed`` through the app's job machinery: the job on ``JobRunner``'s worker thread, the cancel
            from a timer on the UI thread (as Esc / Cancel: ``runner.cancel``), measured until the runner is idle
            again on the UI thread (its ``busyChanged(False)``, after the outcome signal and the thread's end)."""
            from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

            from inspector.app.worker import JobRunner

            QCoreApplication.instance() or QCoreApplication([])
            runner, loop, out = JobRunner(), QEventLoop(), {}

            def fn(progress, cancel):
                _job_thread[:] = [threading.get_ident()]
                return job(cancel)

            def cancel():
                out["at"] = (time.perf_counter(), _stack[-1] if _stack else "other")
                runner.cancel()

            def busy(now_busy: bool):
                if not now_busy:
                    out["idle"] = time.perf_counter()
                    loop.quit()

            runner.cancelled.connect(lambda job: out.setdefault("cancelled", True))
            runner.errored.connect(lambda job, message, detail: out.setdefault("error", detail))
            runner.busyChanged.connect(busy)
            if delay is not None:
                QTimer.singleShot(int(delay * 1000), cancel)
            start = time.perf_counter()
            runner.start("bench", fn)
            loop.exec()
            if "error" in out:
                raise RuntimeError(out["error"])
            if "at" not in out:
                return out["idle"] - start, None, False
            return out["idle"] - out["at"][0], out["at"][1], bool(out.get("cancelled"))

        if args.app:
            timed = timed_app  # noqa: F811 - the same measurement through the app's worker

        def named(name: str, fn):
            def job(token):
                _stack.append(name)
                try:
                    fn(token)
                finally:
                    _stack.pop()

            return job

        for backbone in args.backbones.split(","):
            PatchCore(PatchCoreConfig(**config(backbone, 0.1)))  # the OpenVINO conversion, once, before timing
            for ratio in (float(r) for r in args.ratios.split(",")):
                cfg = config(backbone, ratio)
                project = Project.create(Path(tmp) / f"p-{backbone}-{ratio}", "bench",
                                         ProjectSettings(model_kind="patchcore", model=cfg))
                jobs.add_good_images(project, train)
                job_fns = {
                    "train": lambda token, project=project: jobs.train(project, cancel=token),
                    "inspect": lambda token, project=project: jobs.inspect(project, inspect, cancel=token),
                    "evaluate": lambda token, cfg=cfg: evaluate_samples(lambda: PatchCore(PatchCoreConfig(**cfg)), train,
                                                                        samples, "bench", cancel=token),
                }
                for job_name in args.jobs.split(","):
                    job = named(job_name, job_fns[job_name])
                    if job_name == "inspect" and not project.has_model():
                        jobs.train(project)
                    timed(job, None)  # warm-up (first compiles, caches)
                    total, _, _ = timed(job, None)
                    rows, finished = [], 0
                    for _ in range(args.n):
                        latency, phase, cancelled = timed(job, rng.uniform(0.0, total))
                        if phase is None:
                            continue  # finished before the timer fired
                        finished += not cancelled
                        rows.append((phase, latency))
                    results.append({"backbone": backbone, "ratio": ratio, "job": job_name, "job_s": round(total, 2),
                                    "finished_after_cancel": finished, "phases": summarise(rows)})
                    print(json.dumps(results[-1]), file=sys.stderr, flush=True)
                project.close()
    print(json.dumps({"threads": torch.get_num_threads(), "app": args.app, "size": args.size, "train_images": args.train_images,
                      "inspect_images": args.inspect_images, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
