"""call_cancellable: a step that checks no token (building, compiling a backbone) still answers a cancel."""

from __future__ import annotations

import threading

import pytest

from inspector.core.runtime.progress import Cancelled, CancelToken, call_cancellable


def test_returns_the_result_and_raises_the_error_of_the_step():
    assert call_cancellable(lambda: 42, CancelToken()) == 42
    assert call_cancellable(lambda: 42, None) == 42

    def fail():
        raise ValueError("bad weights")

    with pytest.raises(ValueError, match="bad weights"):
        call_cancellable(fail, CancelToken())


def test_a_cancel_during_the_step_is_answered_before_the_step_ends():
    release, finished = threading.Event(), threading.Event()

    def step():
        release.wait(30)  # a long step that checks no token
        finished.set()
        return "model"

    token = CancelToken()
    threading.Timer(0.1, token.cancel).start()
    with pytest.raises(Cancelled):
        call_cancellable(step, token)
    assert not finished.is_set()  # answered while the step still ran; it is left to finish on its own
    release.set()
    assert finished.wait(30)


def test_an_already_cancelled_token_does_not_start_the_step():
    token = CancelToken()
    token.cancel()
    started = []
    with pytest.raises(Cancelled):
        call_cancellable(lambda: started.append(1), token)
    assert started == []


def test_the_steps_progress_is_passed_on_from_the_waiting_thread():
    threads = []

    def step(report):
        for i in range(3):
            report("backbone", i, 3)
        return "model"

    def progress(stage, done, total):
        threads.append((threading.get_ident(), done))

    assert call_cancellable(step, CancelToken(), progress=progress) == "model"
    assert threads == [(threading.get_ident(), i) for i in range(3)]  # all of it, in order, on this thread
