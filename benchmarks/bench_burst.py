"""A burst on the hot folder: N files dropped at once into a running ``inspector watch`` (after one warm-up part);
its memory (RSS, sampled every 50 ms) before, as each hundred parts was done, at the peak and after, and how
many parts were worked off out of arrival order.

A tiny model keeps it short (random resnet18 weights, 64 px parts): the point is the watcher's own memory
with a long queue, not the model's. Prints one JSON object. Usage::

    PYTHONPATH=$PWD python benchmarks/bench_burst.py [--n 1000] [--work /tmp/bench_burst]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import inspector  # noqa: F401  (before torch)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def main() -> None:
    import psutil
    from synthetic_defects import good_image, make_images, random_weights_file, write_png

    from inspector.cli import main as cli

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_burst"))
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    weights = random_weights_file(args.work / "w.safetensors")
    make_images(args.work / "good", 12, 0, seed=0)
    project = args.work / "p"
    small = ["--backbone", "resnet18", "--layers", "layer2", "layer3", "--image-size", "64", "--crop-size", "64",
             "--weights", str(weights), "--device", "cpu", "--quiet"]
    assert cli(["project", "create", str(project), *small]) == 0
    assert cli(["project", "add", str(project), str(args.work / "good"), "--quiet"]) == 0
    assert cli(["project", "train", str(project), "--quiet"]) == 0
    import numpy as np

    rng = np.random.default_rng(1)
    staged = [write_png(args.work / "staged" / f"b{i:05d}.png", good_image(rng)) for i in range(args.n)]
    in_dir, jsonl = args.work / "in", args.work / "parts.jsonl"
    in_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "inspector", "watch", str(project), str(in_dir), "--move-to",
                             str(args.work / "out"), "--jsonl", str(jsonl), "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    warm = write_png(in_dir / "a_warmup.png", good_image(rng))  # one part first: the model has run once
    deadline = time.monotonic() + 300
    while not (jsonl.is_file() and jsonl.read_bytes().count(b"\n") == 1) and time.monotonic() < deadline:
        time.sleep(0.1)
    del warm
    before = ps.memory_info().rss
    for f in staged:  # the burst: renamed in, increasing modification times
        os.replace(f, in_dir / f.name)
    t0 = time.perf_counter()
    peak, count, by_hundred = before, 0, {}
    while count < args.n + 1 and time.perf_counter() - t0 < 1800:
        rss = ps.memory_info().rss
        peak = max(peak, rss)
        by_hundred.setdefault(count // 100 * 100, round(rss / 2**20))  # RSS as the n-th hundred was reached
        time.sleep(0.05)
        count = sum(1 for _ in open(jsonl, encoding="utf-8")) if jsonl.is_file() else 0
    seconds = time.perf_counter() - t0
    after = ps.memory_info().rss
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    names = [json.loads(x)["file"] for x in open(jsonl, encoding="utf-8")][1:]
    print(json.dumps({"files": args.n, "lines": len(names), "unique": len(set(names)),
                      "out_of_order": sum(a > b for a, b in zip(names, names[1:])), "seconds": round(seconds, 1),
                      "rss_mb_when_lines_reached": by_hundred,
                      "rss_mb_before": round(before / 2**20), "rss_mb_peak": round(peak / 2**20),
                      "rss_mb_after": round(after / 2**20)}, indent=2))


if __name__ == "__main__":
    main()
