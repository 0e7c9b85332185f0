"""Screenshot of Project ▸ Evaluate on labelled parts… after a real run: a new project with the shared resnet18
weights evaluates the MVTec AD bottle folder under two geometries (this takes minutes on a CPU).

    xvfb-run -a -s "-screen 0 1400x900x24" python packaging/screenshot_evaluate.py \
        --data /work/shared/data/mvtec_ad/bottle \
        --weights /work/shared/data/weights/resnet18_imagenet_to_layer3.safetensors

Writes docs/screenshots/09-evaluate.png. ``--reuse PROJECT`` opens the project such a run left (its folder is
printed) and shows its saved evaluation again, without evaluating: for retaking the picture after a layout change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--geometries", nargs="+", default=["center-crop", "stretch"])
    parser.add_argument("--coreset-ratio", type=float, default=0.1)
    parser.add_argument("--reuse", default=None, metavar="PROJECT", help="show this project's saved evaluation")
    parser.add_argument("--language", default="en", choices=["en", "ja"], help="the UI language (default en)")
    args = parser.parse_args()
    os.environ["INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="inspector-shots-")
    sys.path.insert(0, str(ROOT))

    from shots import Shooter

    from inspector.app.evaluate_view import open_evaluation
    from inspector.app.main import make_application
    from inspector.app.main_window import MainWindow
    from inspector.core.project.store import ProjectSettings

    app = make_application(args.language)
    shots = Shooter(app, Path(args.out))
    settings = ProjectSettings(model={"backbone": "resnet18", "layers": ["layer2", "layer3"], "weights": args.weights,
                                      "coreset_ratio": args.coreset_ratio, "device": "cpu",
                                      "geometry": "center-crop"})
    window = MainWindow()
    window.resize(1360, 860)
    window.show()
    if args.reuse:
        window.open_project(args.reuse)
    else:
        window.create_project("Bottle", Path(os.environ["INSPECTOR_HOME"]) / "Bottle", settings)
        print(f"project: {window.state.project.folder}", flush=True)
    dialog = open_evaluation(window)
    dialog.resize(1240, 720)
    for g, box in dialog.geometry_boxes.items():
        box.setChecked(g in args.geometries)
    if not args.reuse:
        dialog.folder_edit.setText(args.data)
        if not dialog.run():
            print(dialog.status.text(), file=sys.stderr)
            return 1
        shots.wait(lambda: not window.jobs.busy, timeout=3600)
        print(dialog.status.text(), flush=True)
    for r in dialog.data["rows"]:
        print({k: r.get(k) for k in ("geometry", "image_auroc", "pixel_auroc", "pro", "fit_s", "ms_per_image",
                                     "status")}, flush=True)
    best = max((r for r in dialog.data["rows"] if r.get("status") == "ok"),
               key=lambda r: (r["image_auroc"], r.get("pixel_auroc") or 0), default=None)
    if best is not None:
        dialog.select_geometry(best["geometry"])
    shots.save(dialog, "09-evaluate" if args.language == "en" else f"{args.language}-09-evaluate")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
