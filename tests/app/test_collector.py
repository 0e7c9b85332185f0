"""Cyclic garbage is collected on the UI thread: a worker thread allocating never runs the collector, so it never
destroys a Qt object that lives on the UI thread (the cause of a segmentation fault in a worker's model build)."""

from __future__ import annotations

import gc
import threading

from inspector.app.collector import UiThreadCollector


class _Cycle:
    def __init__(self):
        self.me = self


def _allocate_in_a_worker() -> None:
    def allocate():  # far more than the thresholds: Python's own trigger collects in this thread
        for _ in range(50_000):
            _Cycle()

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()


def test_the_collector_runs_on_the_ui_thread_and_never_in_a_worker(qapp, qtbot, ui_thread_collector):
    ui_thread_collector.stop()  # the suite's own (conftest): Python's ordinary collection first, as a control
    threads = []

    def record(phase, info):
        if phase == "start":
            threads.append(threading.current_thread().name)

    gc.callbacks.append(record)
    try:
        _allocate_in_a_worker()
        assert "worker" in threads  # without the collector the worker collects (the crash's cause)
        threads.clear()
        collector = UiThreadCollector(qapp, interval_ms=20)
        _allocate_in_a_worker()
        assert "worker" not in threads
        qtbot.waitUntil(lambda: threading.main_thread().name in threads, timeout=2000)
        collector.stop()
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(record)
