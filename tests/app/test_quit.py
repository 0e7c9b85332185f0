"""Opening and cancelling every dialog, then quitting, ends the process cleanly (it crashed with "shared QObject
was deleted directly" once the New project dialog had been open: a lambda connected to the dialog's child held
the dialog). Run in a subprocess: a crash at interpreter exit is only visible from outside."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).parents[2]

SCRIPT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox

    app = QApplication(sys.argv[:1])
    from inspector.app.main_window import MainWindow
    from inspector.core.project.store import Project

    window = MainWindow()
    window.show()
    folder = Path(sys.argv[1])

    def settle_then_cancel(start=None):
        # wait until the dialog's background work (the backbone picker's layer table) is done, then cancel it
        start = start or time.monotonic()
        again = lambda: QTimer.singleShot(100, lambda: settle_then_cancel(start))
        dialog = app.activeModalWidget()
        if dialog is None:
            return again()
        picker = getattr(getattr(dialog, "form", None), "backbone", None)
        waited = time.monotonic() - start
        if waited < 30 and ((picker is not None and picker.busy) or waited < 1.5):
            return again()
        dialog.reject()

    def run():
        QTimer.singleShot(50, settle_then_cancel)
        window.new_project_dialog()
        window.create_project("P", folder / "p")
        QTimer.singleShot(50, settle_then_cancel)
        window.settings_dialog()
        QTimer.singleShot(50, settle_then_cancel)
        window.rename_dialog(str(folder / "p"))
        QTimer.singleShot(50, settle_then_cancel)
        window.delete_dialog(str(folder / "p"))
        assert (folder / "p" / "project.json").is_file()
        window.close()
        app.quit()

    QTimer.singleShot(100, run)
    rc = app.exec()
    print("clean exit", rc, flush=True)
    sys.exit(rc)
""")


def test_every_dialog_opened_and_cancelled_then_quit_exits_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=150)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "clean exit 0" in proc.stdout
    assert "shared QObject" not in proc.stderr and "malloc" not in proc.stderr
