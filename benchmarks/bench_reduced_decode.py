"""D5: decoding large images at the size the geometry uses. Prints JSON.

    python benchmarks/bench_reduced_decode.py [--mp 20] [--bottle N_TRAIN N_TEST] [--json OUT]

1. Decode time (median of 3) and peak memory of one ~20 MP photo-like image as JPEG and as PNG, read for a
   stretch-224 model, with the full decode (``INSPECTOR_REDUCED_DECODE=0``) and with the reduced one. Each
   measurement (median of 5 decodes) runs in a fresh process, twice, interleaved: peak memory = the peak RSS
   (reset just before, /proc/self/clear_refs) minus the RSS before the decodes.
2. (``--bottle``, needs /work/shared/data) MVTec bottle re-encoded as JPEG (quality 95; 900x900, so a
   stretch-224 model decodes them at 1/2, at least twice the 224 px used): a PatchCore (resnet18 layer2+3, the
   shared weights file, coreset 10 %)
   is fitted on N_TRAIN good images with the full decode, then N_TEST test images are scored with the full and
   with the reduced decode; printed: the largest and mean score differences (absolute and relative to the
   score spread) and the image AUROC of each. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("INSPECTOR_SHARED_DATA", "/work/shared/data"))

_ONE = """
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[2])
from inspector.core.io.geometry import Geometry
from inspector.core.io.images import read_image_at
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
g = Geometry("stretch", crop=224)
read_image_at(sys.argv[3], g.decode_size)  # warm up the decoders on a small image
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak RSS (VmHWM) to the current RSS: what follows is the decode's own peak
before = status("VmRSS")
times = []
for _ in range(5):
    t = time.perf_counter()
    img, size = read_image_at(sys.argv[1], g.decode_size)
    g.frame(img, None, None, size)
    times.append((time.perf_counter() - t) * 1000)
    shape = img.shape
    del img
print(json.dumps({"ms": sorted(times)[2], "peak_mb": round(status("VmHWM") - before, 1), "decoded": list(shape)}))
"""


def photo(h: int, w: int):
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (h // 32 + 2, w // 32 + 2, 3), dtype=np.uint8)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(img.astype(np.int16) + rng.integers(-6, 7, img.shape), 0, 255).astype(np.uint8)


def decode_figures(mp: float) -> list[dict]:
    import cv2

    w = int((mp * 1e6 * 4 / 3) ** 0.5)
    h = int(w * 3 / 4)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        img = photo(h, w)
        files = {"jpeg": Path(tmp) / "big.jpg", "png": Path(tmp) / "big.png"}
        cv2.imwrite(str(files["jpeg"]), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(str(files["png"]), img)
        small = Path(tmp) / "small.jpg"
        cv2.imwrite(str(small), img[:64, :64])
        for fmt, path in files.items():
            for reduced in (False, True, False, True):  # interleaved: a loaded machine's drift hits both
                env = {**os.environ, "INSPECTOR_REDUCED_DECODE": "1" if reduced else "0"}
                out = subprocess.run([sys.executable, "-c", _ONE, str(path), str(REPO), str(small)], env=env, capture_output=True,
                                     text=True, check=True).stdout
                r = json.loads(out)
                rows.append({"format": fmt, "size": f"{w}x{h}", "megapixels": round(w * h / 1e6, 1),
                             "file_mb": round(path.stat().st_size / 2**20, 1), "reduced": reduced,
                             "decoded": "x".join(map(str, r["decoded"][1::-1])),
                             "decode_ms": round(r["ms"], 1), "peak_mb": r["peak_mb"]})
    return rows


def bottle_scores(n_train: int, n_test: int) -> dict:
    import cv2
    import numpy as np

    from inspector.core.evaluation.metrics import image_auroc
    from inspector.core.models.registry import build_model

    bottle = DATA / "mvtec_ad" / "bottle"
    good = sorted((bottle / "train" / "good").glob("*.png"))[:n_train]
    tests = sorted((bottle / "test").glob("*/*.png"))
    tests = [tests[i] for i in np.linspace(0, len(tests) - 1, min(n_test, len(tests))).astype(int)]
    with tempfile.TemporaryDirectory() as tmp:
        def to_jpeg(p: Path) -> Path:
            out = Path(tmp) / f"{p.parent.name}_{p.stem}.jpg"
            cv2.imwrite(str(out), cv2.imread(str(p)), [cv2.IMWRITE_JPEG_QUALITY, 95])
            return out

        train_j, test_j = [to_jpeg(p) for p in good], [to_jpeg(p) for p in tests]
        labels = [0 if p.parent.name == "good" else 1 for p in tests]
        model = build_model("patchcore", {
            "backbone": "resnet18", "layers": ["layer2", "layer3"], "crop": 224, "geometry": "stretch",
            "weights": str(DATA / "weights" / "resnet18_imagenet_to_layer3.safetensors"), "coreset_ratio": 0.1,
            "device": "cpu"})
        os.environ["INSPECTOR_REDUCED_DECODE"] = "0"
        model.fit(train_j)
        scores, times = {}, {}
        for reduced in (False, True):
            os.environ["INSPECTOR_REDUCED_DECODE"] = "1" if reduced else "0"
            t = time.perf_counter()
            scores[reduced] = np.array([p.score for p in model.predict(test_j)])
            times[reduced] = (time.perf_counter() - t) / len(test_j) * 1000
        diff = np.abs(scores[True] - scores[False])
        spread = float(np.ptp(scores[False]))
        return {"bottle_jpeg_q95": f"{len(train_j)} train / {len(test_j)} test, stretch 224, decoded at 1/2",
                "max_abs_diff": round(float(diff.max()), 4), "mean_abs_diff": round(float(diff.mean()), 4),
                "max_diff_of_score_range_pct": round(100 * float(diff.max()) / spread, 2),
                "max_rel_diff_pct": round(100 * float((diff / scores[False]).max()), 2),
                "auroc_full": round(100 * image_auroc(scores[False], labels), 2),
                "auroc_reduced": round(100 * image_auroc(scores[True], labels), 2),
                "ms_per_image_full": round(times[False], 1), "ms_per_image_reduced": round(times[True], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mp", type=float, default=20.0)
    parser.add_argument("--bottle", type=int, nargs=2, metavar=("N_TRAIN", "N_TEST"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    out = {"decode": decode_figures(args.mp)}
    for row in out["decode"]:
        print(json.dumps(row), flush=True)
    if args.bottle:
        out["bottle"] = bottle_scores(*args.bottle)
        print(json.dumps(out["bottle"]))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
