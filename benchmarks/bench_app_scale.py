"""The app at scale: open a project of N inspected parts, press review keys, release a threshold line.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_app_scale.py --parts 2000 100000 [--json OUT.json]

The project is filled straight through the store (no model, no maps: what is measured is the app's own
bookkeeping, not scoring). Printed per N (JSON): ``fill_s``, ``open_s`` (MainWindow.open_project until the
pages show the project), ``review_key_ms`` (median and max over 20 G/D keys), ``line_release_ms`` (one
threshold release, median of 5), and the SQLite statements and full result reads each made on the UI thread.
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def fill(folder: Path, n: int) -> float:
    import sqlite3

    from inspector.core.project.store import Project, ProjectSettings
    from inspector.core.project.thresholds import Thresholds

    start = time.perf_counter()
    project = Project.create(folder, f"{n} parts", ProjectSettings(model={"backbone": "resnet18"}))
    conn: sqlite3.Connection = project._db()
    now = "2026-12-01T00:00:00"
    with conn:  # one transaction: the store's per-row API would take minutes for 100,000 rows
        conn.executemany(
            "INSERT INTO images (id, hash, name, source, file, role, width, height, added_at) "
            "VALUES (?, ?, ?, 'bench', ?, 'inspected', 64, 64, ?)",
            ((i + 1, f"{i:064x}", f"part_{i:06d}.png", f"images/{i:064x}.png", now) for i in range(n)))
        conn.executemany(
            "INSERT INTO results (image_id, score, verdict, map_file, generation, scored_at) VALUES (?, ?, NULL, NULL, 0, ?)",
            ((i + 1, (i * 7919 % 1000) / 100.0, now) for i in range(n)))
    project.set_thresholds(Thresholds(3.0, 9.0))
    project.close()
    return time.perf_counter() - start


def measure(n: int) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from inspector.app.main_window import MainWindow
    from inspector.core.project.thresholds import Thresholds

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        os.environ.update(HOME=str(home), INSPECTOR_HOME=str(home / "inspector"), XDG_CONFIG_HOME=str(home / "c"),
                          XDG_DATA_HOME=str(home / "d"), XDG_CACHE_HOME=str(home / "k"))
        fill_s = fill(Path(tmp) / "p", n)
        window = MainWindow()
        window.show()
        app.processEvents()
        start = time.perf_counter()
        window.open_project(Path(tmp) / "p")
        app.processEvents()
        open_s = time.perf_counter() - start

        statements: list[str] = []
        window.state.project._db().set_trace_callback(statements.append)
        window.tabs.setCurrentWidget(window.review)
        app.processEvents()
        keys, key_statements = [], []
        for i in range(20):
            statements.clear()
            start = time.perf_counter()
            QTest.keyClick(window.review, Qt.Key_G if i % 2 else Qt.Key_D)
            app.processEvents()
            keys.append((time.perf_counter() - start) * 1000)
            key_statements.append(len(statements))
        lines = []
        for i in range(5):
            statements.clear()
            window.histogram.set_thresholds(Thresholds(3.0 + 0.1 * i, 9.0))
            start = time.perf_counter()
            window.histogram._released(None)
            app.processEvents()
            lines.append((time.perf_counter() - start) * 1000)
        line_statements = len(statements)
        full = sum(1 for s in statements if "JOIN results" in s and "i.id = ?" not in s)
        window.state.project._db().set_trace_callback(None)
        window.close()
        app.processEvents()
    return {"parts": n, "fill_s": round(fill_s, 2), "open_s": round(open_s, 3),
            "review_key_ms_median": round(statistics.median(keys), 1), "review_key_ms_max": round(max(keys), 1),
            "review_key_statements": max(key_statements), "line_release_ms_median": round(statistics.median(lines), 1),
            "line_release_statements": line_statements, "line_release_full_reads": full}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, nargs="+", default=[2000, 20000, 100000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import inspector  # noqa: F401

    rows = [measure(n) for n in args.parts]
    for row in rows:
        print(json.dumps(row))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
