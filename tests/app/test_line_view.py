"""The Line tab watches a folder from the app: parts dropped there are scored, shown large with their verdict,
counted, recorded in the project (Results follow), failures kept in a strip; Stop ends the watcher's thread."""

from __future__ import annotations

import os

from app_helpers import run_job, texture, with_defect, write_png

from inspector.core.project.thresholds import Thresholds


def test_watch_a_folder_from_the_app(qtbot, window, tmp_path, good_folder, small_settings):
    window.create_project("Line", tmp_path / "proj", small_settings())
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    run_job(qtbot, window, window.train, timeout=120_000)
    line = window.line
    assert not line.start(str(tmp_path / "missing")) and "existing folder" in line.status.text()

    hot = tmp_path / "hot"
    hot.mkdir()
    window.tabs.setCurrentWidget(line)
    window.state.set_thresholds(Thresholds(0.0, 0.0))  # every part fails: the strip must fill
    assert line.start(str(hot)) and line.watching
    for i, img in enumerate([texture(300), with_defect(301), texture(302)]):
        tmp = write_png(tmp_path / f"part_{i}.png", img)
        os.replace(tmp, hot / f"part_{i}.png")  # arrives whole, as a camera writing then renaming does
    qtbot.waitUntil(lambda: sum(line.counts.values()) == 3, timeout=60_000)
    assert line.counts["fail"] == 3 and line.big.text() == "FAIL"
    assert line.failures.count() == 3 and line.failures.item(0).text() == "part_2.png"
    qtbot.waitUntil(lambda: len(window.results.table.results_model.rows) == 3, timeout=5_000)  # Results follow
    assert "3 fail" in line.counter.text()

    window.state.set_thresholds(Thresholds(1e9, 1e9))  # the editor moves the lines: the next part passes
    tmp = write_png(tmp_path / "part_3.png", texture(303))
    os.replace(tmp, hot / "part_3.png")
    qtbot.waitUntil(lambda: line.counts["pass"] == 1, timeout=60_000)
    assert line.big.text() == "PASS"
    line.stop()
    assert not line.watching and line.start_button.text() == "Start watching"
