"""A copy of a data set in the MVTec AD layout with every image resized, for memory and speed at other sizes.

    python benchmarks/make_resized_set.py --source ../shared/data/bsdata_pitting --out /tmp/mem1mp \\
        --size 1600 650 --train 400 --test 40

The memory figures in the README ("a 400-image training stays under 1.2 GB") use this command: the first
``--train`` images of ``train/good`` (sorted by name) and the first ``--test`` of each ``test/<type>``, resized to
``--size`` W H (bicubic; masks of ``ground_truth/<type>`` nearest-neighbour), JPEG quality 92. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2

from inspector.core.io.images import find_images


def _images(folder: Path) -> list[Path]:
    """The folder's images, sorted (none when it is missing)."""
    return find_images([folder])[0]


def _put(src: Path, dst: Path, size: tuple[int, int], mask: bool = False) -> None:
    img = cv2.imread(str(src), cv2.IMREAD_GRAYSCALE if mask else cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"cannot read {src}")
    img = cv2.resize(img, size, interpolation=cv2.INTER_NEAREST if mask else cv2.INTER_CUBIC)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if mask:
        cv2.imwrite(str(dst.with_suffix(".png")), img)
    else:
        cv2.imwrite(str(dst.with_suffix(".jpg")), img, [cv2.IMWRITE_JPEG_QUALITY, 92])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", type=Path, required=True, help="a folder in the MVTec AD layout")
    p.add_argument("--out", type=Path, required=True, help="a new folder (it must not exist yet)")
    p.add_argument("--size", type=int, nargs=2, default=[1600, 650], metavar=("W", "H"))
    p.add_argument("--train", type=int, default=400, help="training images to keep")
    p.add_argument("--test", type=int, default=40, help="test images to keep per type")
    args = p.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists; choose a new folder")
    size = (args.size[0], args.size[1])
    counts = {"train/good": 0}
    for src in _images(args.source / "train" / "good")[: args.train]:
        _put(src, args.out / "train" / "good" / src.name, size)
        counts["train/good"] += 1
    for type_dir in sorted(d for d in (args.source / "test").iterdir() if d.is_dir()):
        kept = _images(type_dir)[: args.test]
        for src in kept:
            _put(src, args.out / "test" / type_dir.name / src.name, size)
            mask = args.source / "ground_truth" / type_dir.name / f"{src.stem}_mask.png"
            if mask.is_file():
                _put(mask, args.out / "ground_truth" / type_dir.name / mask.name, size, mask=True)
        counts[f"test/{type_dir.name}"] = len(kept)
    print(json.dumps({"out": str(args.out), "size": list(size), "images": counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
