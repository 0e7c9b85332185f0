"""Issue 13: during an inspection, Results shows the parts as they are scored (batched once a second, with the
records read on the worker), instead of "Inspecting…" until the end."""

from __future__ import annotations

import time

from app_helpers import run_job

from inspector.core.project.store import Project


def test_rows_appear_while_the_inspection_runs(qtbot, window, tmp_path, good_folder, parts_folder, small_settings,
                                               monkeypatch):
    window.create_project("Live", tmp_path / "proj", small_settings())
    run_job(qtbot, window, lambda: window.add_good_images([str(good_folder)]))
    run_job(qtbot, window, window.train, timeout=120_000)

    real_model = Project.model

    class Slow:  # the project's model, scoring one part every 0.4 s
        def __init__(self, model):
            self._model = model

        def __getattr__(self, name):
            return getattr(self._model, name)

        def predict(self, paths, **kw):
            for pred in self._model.predict(paths, **kw):
                time.sleep(0.4)
                yield pred

    monkeypatch.setattr(Project, "model", lambda self, cancel=None: Slow(real_model(self, cancel)))
    statements: list[str] = []
    window.state.project._db().set_trace_callback(statements.append)
    model = window.results.table.results_model
    assert window.inspect([str(parts_folder)]) is not False
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=30_000)
    assert window.jobs.busy  # shown while the job still runs
    shown_early = model.rowCount()
    assert shown_early < 8 and window.results.stack.currentWidget() is window.results.splitter
    during = [s for s in statements if "results" in s]
    assert during == []  # the UI thread read nothing: the worker read the records
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=60_000)
    window.state.project._db().set_trace_callback(None)
    assert model.rowCount() == 8 and window.state.counts.inspected == 8
    shown = {model.record(r).image.id: model.record(r).score for r in range(8)}
    assert shown == {r.image.id: r.score for r in window.state.project.results()}
