"""Cancel latency during feature extraction with a heavy backbone (issue 11, D11). Prints JSON.

    python benchmarks/bench_cancel_latency.py [--backbone wide_resnet50_2] [--n 5]

PatchCore on ``--backbone`` with ``weights=random`` (the cost is the network's, not its weights'), 24 synthetic
224 px images, batch 8, CPU. A timer cancels at a random moment 1-4 s into the feature extraction; measured:
the time from the token being set to ``fit`` returning (``Cancelled``), ``--n`` times.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default="wide_resnet50_2")
    parser.add_argument("--n", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    import torch
    from synthetic_defects import texture, write_png

    from inspector.core.models.patchcore import PatchCore, PatchCoreConfig
    from inspector.core.runtime.progress import Cancelled, CancelToken

    latencies = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(24):
            p = Path(tmp) / f"g{i:02d}.png"
            write_png(p, texture(i, size=256))
            paths.append(p)
        rng = random.Random(0)
        for _ in range(args.n):
            model = PatchCore(PatchCoreConfig(backbone=args.backbone, weights="random", resize=256, crop=224,
                                              batch_size=8, device="cpu"))
            token = CancelToken()
            started: list[float] = []
            set_at: list[float] = []

            def progress(stage, done, total, started=started):
                if stage.startswith("feature") and not started:
                    started.append(time.perf_counter())

            def cancel(token=token, set_at=set_at):
                set_at.append(time.perf_counter())
                token.cancel()

            def arm(started=started, cancel=cancel):
                while not started:
                    time.sleep(0.01)
                threading.Timer(rng.uniform(1.0, 4.0), cancel).start()

            threading.Thread(target=arm, daemon=True).start()
            try:
                model.fit(paths, progress=progress, cancel=token)
                latencies.append(None)  # finished before the cancel
            except Cancelled:
                latencies.append(round(time.perf_counter() - set_at[0], 3))
    done = [x for x in latencies if x is not None]
    print(json.dumps({"backbone": args.backbone, "weights": "random", "threads": torch.get_num_threads(),
                      "latency_s": latencies, "median_s": statistics.median(done) if done else None,
                      "max_s": max(done) if done else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
