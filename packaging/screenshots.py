"""Take the screenshots of the README's "How to use it" section with the real app, real weights and the MVTec AD bottle images.

    xvfb-run -s "-screen 0 1400x900x24" python packaging/screenshots.py \
        --data /work/shared/data/mvtec_ad/bottle \
        --weights /work/shared/data/weights/resnet18_imagenet_to_layer3.safetensors

Everything (projects, settings) goes to a temporary INSPECTOR_HOME; the screenshots to docs/screenshots/.
``--language ja`` takes them in Japanese (the catalogue and Qt's own translations installed as the app does),
named ``ja-*.png`` (the results view as ``ja-main.png``), plus the new-project dialog (``ja-new-project.png``).
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
    parser.add_argument("--data", required=True, help="an MVTec AD category folder (train/good, test/<type>)")
    parser.add_argument("--weights", required=True, help="resnet18 weights file (.safetensors)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--coreset", type=float, default=0.05, help="coreset ratio (default 0.05)")
    parser.add_argument("--language", default="en", choices=["en", "ja"], help="the UI language (default en)")
    args = parser.parse_args()
    os.environ["INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="inspector-shots-")
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import Qt
    from shots import Shooter

    from inspector.app.main import make_application
    from inspector.app.main_window import MainWindow
    from inspector.core.project.recent import default_projects_dir
    from inspector.core.project.store import ProjectSettings

    app = make_application(args.language)
    out = Path(args.out)
    data = Path(args.data)
    japanese = args.language != "en"

    shots = Shooter(app, out)
    pump, wait = shots.pump, shots.wait
    renamed = {"04-results": "main"}  # the Japanese set's names: ja-main.png, ja-02-training-set.png, ...

    def save(widget, name: str):
        return shots.save(widget, f"{args.language}-{renamed.get(name, name)}" if japanese else name)

    settings = ProjectSettings(model={"backbone": "resnet18", "layers": ["layer2", "layer3"], "weights": args.weights,
                                      "resize": 256, "crop": 224, "coreset_ratio": args.coreset, "device": "cpu"})
    window = MainWindow()
    window.resize(1360, 860)
    window.show()
    # a few projects so the start screen looks like a real PC's
    for name in ("Screw M4, line 1", "Capsules"):
        window.create_project(name, default_projects_dir() / name.split(",")[0].replace(" ", "_"), settings)
        window.close_project()
    window.create_project("Bottle", default_projects_dir() / "Bottle", settings)
    window.close_project()
    if japanese:  # the new-project dialog with the weights file chosen (its backbone detected)
        from PySide6.QtWidgets import QDialogButtonBox

        from inspector.app.project_dialogs import NewProjectDialog

        dialog = NewProjectDialog(window)
        dialog.show()
        dialog.name.setText("ボトル 3号ライン")
        dialog.form.set_weights_file(args.weights)
        create = dialog.buttons.button(QDialogButtonBox.Ok)
        wait(lambda: create.isEnabled() or dialog.form.switch_button.isVisible(), timeout=300)
        if dialog.form.switch_button.isVisible():  # "Use resnet18": the file's backbone
            dialog.form.switch_button.click()
        wait(lambda: create.isEnabled() and not dialog.form.backbone.busy, timeout=300)
        save(dialog, "new-project")
        dialog.reject()

    window.open_project(default_projects_dir() / "Bottle")
    window.add_good_images([str(data / "train" / "good")])
    wait(lambda: not window.jobs.busy)
    window.training_set.list.scrollToTop()
    save(window, "02-training-set")

    window.train()
    wait(lambda: window.progress_panel._stage == "coreset" and window.progress_panel._stage_done
         > 0.3 * max(window.progress_panel._stage_total, 1))
    save(window, "03-training")
    wait(lambda: not window.jobs.busy)
    print(window.message_bar.text(), flush=True)

    window.inspect([str(p) for p in sorted((data / "test").iterdir())])
    wait(lambda: not window.jobs.busy)
    table = window.results.table
    # a part with a visible defect: the highest-scoring broken bottle
    rows = sorted(window.state.results, key=lambda r: -r.score)
    pick = next((r for r in rows if r.image.name.startswith("broken_large/")), rows[0])
    table.select_image(pick.image.id)
    save(window, "04-results")
    save(window.histogram_dock, "05-histogram")

    window.tabs.setCurrentWidget(window.review)
    review = window.review
    pump(0.3)
    for key in (Qt.Key_D, Qt.Key_D, Qt.Key_D, Qt.Key_D, Qt.Key_D):
        review.keyPressEvent(_key(key))
    save(window, "06-review")

    # the Line tab watching a folder: a few test parts arrive one by one
    import shutil

    hot = Path(tempfile.mkdtemp(prefix="inspector-hot-"))
    window.tabs.setCurrentWidget(window.line)
    window.line.start(str(hot))
    arriving = [data / "test" / "good" / "000.png", data / "test" / "contamination" / "000.png",
                data / "test" / "good" / "001.png", data / "test" / "broken_large" / "001.png",
                data / "test" / "broken_small" / "002.png"]
    for i, src in enumerate(arriving):
        shutil.copy(src, hot / f".part_{i}.tmp")
        os.replace(hot / f".part_{i}.tmp", hot / f"part_{i:03d}.png")
        wait(lambda i=i: sum(window.line.counts.values()) > i, timeout=120)
    save(window, "08-line")
    window.line.stop()
    window.close_project()  # back to the start screen, now with a trained project on it
    window.message_bar.clear()
    save(window, "01-start")
    window.close()
    return 0


def _key(key):
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.KeyPress, key, Qt.NoModifier)


if __name__ == "__main__":
    sys.exit(main())
