"""A data set with small, off-centre planted defects, in the MVTec AD layout, from a folder of good images.

    python benchmarks/make_spot_set.py --source ../shared/data/mvtec_ad/bottle/train/good --out /tmp/spots

The good images are split (sorted by name): the first 70 % train, then 15 % stay good test parts, the rest get
one planted spot each: an ellipse of 1.5-3 % of the image side in radius, of a colour darker or brighter than
what is under it (blended at 60-90 %), placed at least 30 % of the side away from the centre (the corners and
rims, where pooling and blur borders matter and a centre crop would not look). Its mask goes to
``ground_truth/spot``. Seeded; the same command gives the same set. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np


def plant(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    h, w = img.shape[:2]
    side = min(h, w)
    while True:
        cy, cx = rng.uniform(0.08, 0.92) * h, rng.uniform(0.08, 0.92) * w
        if np.hypot((cy - h / 2) / side, (cx - w / 2) / side) >= 0.3:
            break
    ry, rx = (rng.uniform(0.015, 0.03) * side for _ in range(2))
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, (int(cx), int(cy)), (max(2, int(rx)), max(2, int(ry))), float(rng.uniform(0, 180)), 0, 360, 1, -1)
    under = img[mask > 0].astype(np.float32).mean()
    colour = np.array([20, 20, 20] if under > 110 else [235, 225, 200], np.float32)
    alpha = rng.uniform(0.6, 0.9)
    out = img.astype(np.float32)
    out[mask > 0] = (1 - alpha) * out[mask > 0] + alpha * colour
    return np.clip(out, 0, 255).astype(np.uint8), mask


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--source", type=Path, required=True, help="a folder of good images")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    files = sorted(f for f in args.source.iterdir() if f.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp"))
    n_train, n_good = int(0.7 * len(files)), int(0.15 * len(files))
    rng = np.random.default_rng(args.seed)
    for sub in ("train/good", "test/good", "test/spot", "ground_truth/spot"):
        (args.out / sub).mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(files):
        img = cv2.imread(str(f), cv2.IMREAD_COLOR)
        if i < n_train:
            cv2.imwrite(str(args.out / "train" / "good" / f"{i:03d}.png"), img)
        elif i < n_train + n_good:
            cv2.imwrite(str(args.out / "test" / "good" / f"{i:03d}.png"), img)
        else:
            bad, mask = plant(img, rng)
            cv2.imwrite(str(args.out / "test" / "spot" / f"{i:03d}.png"), bad)
            cv2.imwrite(str(args.out / "ground_truth" / "spot" / f"{i:03d}_mask.png"), mask * 255)
    print(json.dumps({"train": n_train, "test_good": n_good, "test_spot": len(files) - n_train - n_good,
                      "out": str(args.out)}))


if __name__ == "__main__":
    main()
