"""Take the screenshot of the region editor (Project > Region to inspect…) on MVTec AD bottle images.

    xvfb-run -s "-screen 0 1400x900x24" python packaging/region_screenshot.py \
        --data /work/shared/data/mvtec_ad/bottle

A project with a few good images goes to a temporary INSPECTOR_HOME; the screenshot to
docs/screenshots/07-region.png.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="an MVTec AD category folder (train/good)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    os.environ["INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="inspector-shots-")
    sys.path.insert(0, str(ROOT))

    from shots import Shooter

    from inspector.app.main import make_application
    from inspector.app.main_window import MainWindow
    from inspector.core.project.recent import default_projects_dir

    app = make_application("en")
    out = Path(args.out)

    shots = Shooter(app, out)
    pump = shots.pump

    window = MainWindow()
    window.resize(1360, 860)
    window.show()
    window.create_project("Bottle", default_projects_dir() / "Bottle")
    good = sorted((Path(args.data) / "train" / "good").glob("*.png"))[:5]
    window.state.project.add_images(good)
    window.state.training_changed()
    window.region_action.trigger()
    editor = window.region_editor
    editor.resize(900, 780)
    pump()
    c = editor.canvas
    h, w = c.size_hw
    # the bottle's rim: a polygon around the round part, a label-like spot brushed out, ignore polygons
    editor.set_tool("polygon")
    for i in range(24):
        a = 2 * math.pi * i / 24
        c.add_polygon_point(w / 2 + 0.40 * w * math.cos(a), h / 2 + 0.40 * h * math.sin(a))
    c.close_polygon()
    editor.set_tool("brush")
    editor.brush_slider.setValue(40)
    c.paint_stroke(0.62 * w, 0.25 * h, 0.72 * w, 0.33 * h)
    # an ignore polygon closed, and a second one under way (dashed red, to the mouse)
    editor.set_tool("ignore_polygon")
    for x, y in ((0.30, 0.62), (0.42, 0.70), (0.30, 0.76)):
        c.add_polygon_point(x * w, y * h)
    c.close_polygon()
    for x, y in ((0.55, 0.60), (0.68, 0.62), (0.70, 0.74)):
        c.add_polygon_point(x * w, y * h)
    c._hover = (0.56 * w, 0.73 * h)
    pump()
    shots.save(editor, "07-region")
    editor.reject()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
