"""Latency on the line: the hot folder (``inspector watch``) and the service (``inspector serve``) as real processes.

A project is trained on the first 90 MVTec AD bottle training images (resnet18 layer2+layer3, the ImageNet
weights file), then 200 other bottle images (the rest of train/good and all of test) are sent one at a time:

- watcher: each image is written under a temporary name and renamed into the hot folder (the arrival); the
  time until its JSON line appears in the --jsonl file is "arrival to JSON line"; ``ms`` in the line is the
  time spent on the part inside the watcher (copy into the project, score, record);
- server: each image is POSTed as the raw body; the client's round trip and the server's ``ms``.

Prints one JSON object (median and 95th percentile in milliseconds). Usage::

    PYTHONPATH=$PWD python benchmarks/bench_line.py [--n 200] [--work /tmp/bench_line]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import inspector  # noqa: F401  (before torch)

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("INSPECTOR_DATA", "/work/shared/data"))
BOTTLE = DATA / "mvtec_ad" / "bottle"
WEIGHTS = DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"


def stats(values: list[float]) -> dict:
    a = np.asarray(values, dtype=np.float64)
    return {"median_ms": round(float(np.median(a)), 1), "p95_ms": round(float(np.percentile(a, 95)), 1),
            "max_ms": round(float(a.max()), 1), "n": int(a.size)}


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO)
    return e


def lines(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def bench_watch(project: Path, images: list[Path], work: Path) -> dict:
    in_dir, jsonl = work / "in", work / "parts.jsonl"
    in_dir.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "inspector", "watch", str(project), str(in_dir), "--move-to",
                             str(work / "out"), "--jsonl", str(jsonl), "--quiet"], env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        # warm-up part (first call pays for lazy initialisation), not counted
        arrival, inside = [], []
        for i, src in enumerate([images[0], *images]):
            tmp = in_dir / f".{i:04d}_{src.name}.tmp"
            shutil.copyfile(src, tmp)
            t0 = time.perf_counter()
            os.replace(tmp, in_dir / f"{i:04d}_{src.name}")
            deadline = t0 + 120
            while _count_lines(jsonl) < i + 1:  # cheap: the bench must not take the CPU the watcher needs
                if time.perf_counter() > deadline:
                    raise RuntimeError("the watcher did not answer")
                time.sleep(0.003)
            if i:
                arrival.append((time.perf_counter() - t0) * 1000)
                inside.append(lines(jsonl)[-1]["ms"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return {"arrival_to_json_line": stats(arrival), "in_watcher_per_part": stats(inside)}


def bench_serve(project: Path, images: list[Path]) -> dict:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "inspector", "serve", str(project), "--port", str(port)], env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        round_trip, inside = [], []
        with httpx.Client(timeout=120) as client:
            for i, src in enumerate([images[0], *images]):
                data = src.read_bytes()
                t0 = time.perf_counter()
                r = client.post(f"{url}/inspect", content=data, params={"name": f"s{i:04d}_{src.name}"})
                t = (time.perf_counter() - t0) * 1000
                r.raise_for_status()
                if i:
                    round_trip.append(t)
                    inside.append(r.json()["ms"])
            big = client.post(f"{url}/inspect", content=b"\x89PNG" + bytes(100 << 20))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return {"http_round_trip": stats(round_trip), "in_server_per_part": stats(inside),
            "100MB_body_status": big.status_code}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_line"))
    args = ap.parse_args()
    from inspector.cli import main as cli

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    train = sorted((BOTTLE / "train" / "good").glob("*.png"))
    test = sorted((BOTTLE / "test").rglob("*.png"))
    images = (train[90:] + test)[: args.n]
    project = args.work / "bottle"
    small = ["--backbone", "resnet18", "--layers", "layer2", "layer3", "--weights", str(WEIGHTS), "--device", "cpu",
             "--quiet"]
    assert cli(["project", "create", str(project), *small]) == 0
    for f in train[:90]:
        os.makedirs(args.work / "good", exist_ok=True)
        shutil.copyfile(f, args.work / "good" / f.name)
    assert cli(["project", "add", str(project), str(args.work / "good"), "--quiet"]) == 0
    t0 = time.perf_counter()
    assert cli(["project", "train", str(project), "--quiet"]) == 0
    train_s = time.perf_counter() - t0
    out = {"images": len(images), "image_size": "900x900 PNG", "train_images": 90, "train_seconds": round(train_s, 1),
           "backbone": "resnet18 layer2+layer3 (ImageNet weights file), 256/224, coreset 10 %", "device": "cpu",
           "cpu_count": os.cpu_count()}
    out["watch"] = bench_watch(project, images, args.work)
    out["serve"] = bench_serve(project, images)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
