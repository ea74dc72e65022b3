"""The bridge from Qt-free generators to the UI thread: results, progress, errors, staleness."""

from __future__ import annotations

import threading
import time

import pytest

from readinglist.gui.tasks import Worker


@pytest.fixture
def worker(qtbot):
    opened_in: list[str] = []

    def open_context():
        opened_in.append(threading.current_thread().name)
        return {"opened_in": opened_in}

    w = Worker("test", open_context)
    yield w
    w.stop()


def test_result_arrives_on_ui_thread(qtbot, worker):
    seen = []
    task = worker.submit(lambda ctx: (threading.current_thread().name, ctx["opened_in"][0]))
    task.on_done(lambda r: seen.append((r, threading.current_thread() is threading.main_thread())))
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    (result, on_main), = seen
    assert result == ("rl-test", "rl-test")
    assert on_main


def test_generator_progress_batched_and_return_value(qtbot, worker):
    def work(ctx):
        yield from range(1000)
        return "all done"

    batches = []
    task = worker.submit(work).on_progress(batches.append)
    with qtbot.waitSignal(task.done, timeout=5000) as blocker:
        pass
    assert blocker.args == ["all done"]
    qtbot.wait(20)
    flat = [x for batch in batches for x in batch]
    assert flat == list(range(1000))
    assert len(batches) < 100  # batched, not one event per item


def test_error_is_reported_not_raised(qtbot, worker):
    def boom(ctx):
        raise ValueError("bad digest, line 3")

    errors = []
    task = worker.submit(boom).on_error(errors.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert isinstance(errors[0], ValueError)
    assert "line 3" in str(errors[0])


def test_same_key_makes_older_task_stale(qtbot, worker):
    gate = threading.Event()

    def slow(ctx):
        gate.wait(5)
        yield 1
        return "old"

    results = []
    first = worker.submit(slow, key="search").on_done(results.append)
    second = worker.submit(lambda ctx: "new", key="search").on_done(results.append)
    assert first.cancelled
    gate.set()
    with qtbot.waitSignal(second.finished, timeout=5000):
        pass
    qtbot.wait(20)
    assert results == ["new"]


def test_stop_drains_queued_writes(qtbot):
    written = []
    w = Worker("writer")

    def write(ctx, n):
        time.sleep(0.01)
        written.append(n)

    for n in range(5):
        w.submit(lambda ctx, n=n: write(ctx, n))
    assert w.stop()
    assert written == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError):
        w.submit(lambda ctx: None)
