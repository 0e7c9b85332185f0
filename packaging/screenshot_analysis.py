"""Screenshots of View ▸ Analysis… on a small bottle project (a few MVTec AD bottle images, real resnet18 weights).

    xvfb-run -s "-screen 0 1400x900x24" python packaging/screenshot_analysis.py \
        --data /work/shared/data/mvtec_ad/bottle \
        --weights /work/shared/data/weights/resnet18_imagenet_to_layer3.safetensors

Writes docs/screenshots/08-analysis.png (feature maps) and 08-analysis-pca.png, 08-analysis-roc.png.
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
    parser.add_argument("--train", type=int, default=20, help="good training images (default 20)")
    parser.add_argument("--language", default="en", choices=["en", "ja"], help="UI language; ja: files named ja-08-*.png")
    args = parser.parse_args()
    os.environ["INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="inspector-shots-")
    sys.path.insert(0, str(ROOT))

    from shots import Shooter

    from inspector.app.analysis_view import open_analysis
    from inspector.app.main import make_application
    from inspector.app.main_window import MainWindow
    from inspector.core.project.store import ProjectSettings

    app = make_application(args.language)
    out = Path(args.out)
    prefix = "" if args.language == "en" else f"{args.language}-"
    data = Path(args.data)

    shots = Shooter(app, out)
    wait, save = shots.wait, shots.save

    settings = ProjectSettings(model={"backbone": "resnet18", "layers": ["layer2", "layer3"], "weights": args.weights,
                                      "coreset_ratio": 0.1, "device": "cpu"})
    window = MainWindow()
    window.resize(1360, 860)
    window.show()
    window.create_project("Bottle", Path(os.environ["INSPECTOR_HOME"]) / "Bottle", settings)
    goods = sorted((data / "train" / "good").glob("*.png"))[: args.train]
    window.add_good_images([str(p) for p in goods])
    wait(lambda: not window.jobs.busy)
    window.train()
    wait(lambda: not window.jobs.busy)
    defect_ids: set[int] = set()
    good_ids: set[int] = set()
    for kind in ("good", "broken_large"):  # two jobs, so the folder (the truth) of each part is known
        window.inspect([str(p) for p in sorted((data / "test" / kind).glob("*.png"))[:4]])
        wait(lambda: not window.jobs.busy)
        if kind != "good":
            defect_ids = {r.image.id for r in window.state.results} - good_ids
        good_ids = {r.image.id for r in window.state.results}
    state = window.state
    for r in state.results:  # the person's decisions: the truth of the folder names
        state.review(r.image.id, "defect" if r.image.id in defect_ids else "good")
    pick = max(state.results, key=lambda r: r.score)
    window.results.table.select_image(pick.image.id)
    dialog = open_analysis(window)
    dialog.resize(1200, 560)
    wait(lambda: dialog.result is not None and not window.jobs.busy)
    save(dialog, prefix + "08-analysis")
    dialog.tabs.setCurrentIndex(2)
    save(dialog, prefix + "08-analysis-pca")
    dialog.tabs.setCurrentIndex(3)
    save(dialog, prefix + "08-analysis-roc")
    dialog.tabs.setCurrentIndex(1)
    save(dialog, prefix + "08-analysis-bank")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
