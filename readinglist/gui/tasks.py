"""The one bridge between the Qt-free core's long work and the Qt event loop.

The core does long work as plain functions or generators that yield progress
(``Library.import_files``, ``SearchIndex.ensure_fresh``...). A :class:`Worker` owns one
thread and runs such work there, one job after another, with a per-thread context (its
own ``Library``: sqlite connections belong to the thread that opened them). What the
work yields, returns or raises comes back as a :class:`Task`'s signals on the UI thread.

- Progress is batched: items yielded within ~40 ms travel in one event, so a generator
  that yields per paper cannot flood the event loop (nothing is dropped; handlers get a
  list).
- ``key=``: submitting a task with the key of a pending or running one makes the older one
  stale: it is skipped if it has not started, closed at its next yield otherwise, and its
  results never reach the UI (search as you type).
- ``Worker.stop()`` drains the queue before the thread ends, so writes queued at quit (the
  note being typed) are committed.
- ``urgent=True`` (a note being saved) runs before the queued jobs, and also *between* the steps
  of a long generator job when the worker's ``interleave(context)`` says it is safe (for the
  writer: no transaction open, i.e. between the files of an import). A note never waits
  behind a whole import.

Writes all go through one writer worker (Anki's ``CollectionOp``), reads that may take
long (search, related papers) through a reader worker; the UI thread keeps its own
``Library`` for the cheap page-sized reads of the table.
"""

from __future__ import annotations

import collections
import inspect
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.04  # seconds between progress events from one task


class Cancelled(Exception):  # noqa: N818 - the word users see
    """Raised into a generator that was cancelled (it may clean up in ``finally``)."""


class Task(QObject):
    """One job submitted to a :class:`Worker`, as seen from the UI thread.

    Signals fire on the UI thread, never after the task was cancelled or became stale.
    ``done(result)`` carries the generator's return value (or the function's result);
    ``progress(items)`` a list of the items yielded since the last event.
    """

    progress = Signal(list)
    done = Signal(object)
    failed = Signal(object)
    finished = Signal()  # always last: after done, failed or cancellation

    # Emitted from the worker thread; delivered to this object's (UI) thread by Qt.
    _progress_from_worker = Signal(list)
    _result_from_worker = Signal(object, object)  # (result, error)

    def __init__(self, name: str, key: str | None) -> None:
        super().__init__()
        self.name = name
        self.key = key
        self._cancel = threading.Event()
        self._finished = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._progress_from_worker.connect(self._deliver_progress)
        self._result_from_worker.connect(self._deliver_result)

    # -- used from the UI thread -------------------------------------------------------
    def cancel(self) -> None:
        """Stop at the next yield (or skip if not started); no result will be delivered."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_finished(self) -> bool:
        return self._finished

    def on_done(self, callback: Callable[[Any], Any]) -> Task:
        self.done.connect(callback)
        return self

    def on_error(self, callback: Callable[[BaseException], Any]) -> Task:
        self.failed.connect(callback)
        return self

    def on_progress(self, callback: Callable[[list], Any]) -> Task:
        self.progress.connect(callback)
        return self

    @Slot(list)
    def _deliver_progress(self, items: list) -> None:
        if not self.cancelled:
            self.progress.emit(items)

    @Slot(object, object)
    def _deliver_result(self, result: Any, error: Any) -> None:
        self._finished = True
        self.result, self.error = result, error
        if not self.cancelled:
            if error is not None:
                self.failed.emit(error)
            else:
                self.done.emit(result)
        self.finished.emit()

    # -- used from the worker thread -----------------------------------------------------
    def _run(
        self, work: Callable[[Any], Any], context: Any, between: Callable[[], None] | None = None
    ) -> None:
        if self.cancelled:
            self._result_from_worker.emit(None, None)
            return
        try:
            outcome = work(context)
            if inspect.isgenerator(outcome):
                outcome = self._drain(outcome, between)
        except Cancelled:
            self._result_from_worker.emit(None, None)
        except Exception as error:  # noqa: BLE001 - handed to the UI, which shows it
            # The UI tells the user; the traceback is for developers (--debug logging).
            log.warning("task %s failed: %s: %s", self.name, type(error).__name__, error)
            log.debug("task %s failed", self.name, exc_info=True)
            self._result_from_worker.emit(None, error)
        else:
            self._result_from_worker.emit(outcome, None)

    def _drain(self, generator: Iterator[Any], between: Callable[[], None] | None) -> Any:
        pending: list[Any] = []
        last = time.monotonic()
        try:
            while True:
                if self.cancelled:
                    generator.close()
                    raise Cancelled(self.name)
                try:
                    item = next(generator)
                except StopIteration as stop:
                    return stop.value
                if between is not None:
                    between()  # urgent jobs submitted meanwhile, if the generator allows
                pending.append(item)
                now = time.monotonic()
                if now - last >= PROGRESS_INTERVAL:
                    self._progress_from_worker.emit(pending)
                    pending, last = [], now
        finally:
            if pending and not self.cancelled:
                self._progress_from_worker.emit(pending)


_STOP = object()
_URGENT = object()  # wakes the loop for a job waiting in the urgent queue


class Worker(QObject):
    """One thread running submitted work in order, with a context opened in that thread.

    ``open_context`` is called once, in the worker's thread, before the first job (e.g.
    ``lambda: Library.open(home)``); every job is called as ``work(context)``.
    ``close_context(context)`` runs in the same thread when the worker stops.
    """

    busy_changed = Signal(str)  # the running task's name, or "" when idle
    _busy_from_worker = Signal(str)

    def __init__(
        self,
        name: str,
        open_context: Callable[[], Any] | None = None,
        close_context: Callable[[Any], Any] | None = None,
        interleave: Callable[[Any], bool] | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self._open_context = open_context
        self._close_context = close_context
        self._interleave = interleave
        self._queue: queue.Queue[Any] = queue.Queue()
        self._urgent: collections.deque[tuple[Task, Callable[[Any], Any]]] = collections.deque()
        self._latest: dict[str, Task] = {}
        self._tasks: set[Task] = set()  # keeps Task objects alive until they finish
        self._thread = threading.Thread(target=self._loop, name=f"rl-{name}", daemon=True)
        self._started = False
        self._stopped = False
        self._busy_from_worker.connect(self.busy_changed)

    def submit(
        self,
        work: Callable[[Any], Any],
        *,
        name: str | None = None,
        key: str | None = None,
        urgent: bool = False,
    ) -> Task:
        """Queue ``work``; the returned Task's signals report on the UI thread.

        ``urgent`` work runs before queued jobs and between the steps of a running generator
        job, when the worker's ``interleave`` allows it (see the module doc).
        """
        if self._stopped:
            raise RuntimeError(f"worker {self.name} is stopped")
        task = Task(name or getattr(work, "__name__", "task"), key)
        if key is not None:
            previous = self._latest.get(key)
            if previous is not None:
                previous.cancel()
            self._latest[key] = task
        self._tasks.add(task)
        task.finished.connect(lambda: self._forget(task))
        if not self._started:
            self._started = True
            self._thread.start()
        if urgent:
            self._urgent.append((task, work))
            self._queue.put(_URGENT)
        else:
            self._queue.put((task, work))
        return task

    def _forget(self, task: Task) -> None:
        self._tasks.discard(task)
        if task.key is not None and self._latest.get(task.key) is task:
            del self._latest[task.key]

    def cancel(self, key: str) -> None:
        task = self._latest.get(key)
        if task is not None:
            task.cancel()

    def pending(self) -> int:
        """Tasks submitted whose results have not reached the UI yet."""
        return len(self._tasks)

    def stop(self, timeout: float | None = 30.0) -> bool:
        """Finish every queued job, close the context and end the thread (blocks).

        Returns False if the thread did not end within ``timeout``.
        """
        if self._stopped:
            return True
        self._stopped = True
        if not self._started:
            return True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        self._context: Any = None
        self._opened = False
        while True:
            job = self._queue.get()
            if job is _STOP:
                break
            self._run_urgent()
            if job is _URGENT:
                continue
            task, work = job
            if not self._open(task):
                continue
            self._busy_from_worker.emit(task.name)
            task._run(work, self._context, self._between)
            self._busy_from_worker.emit("")
        context, opened = self._context, self._opened
        if opened and self._close_context is not None:
            try:
                self._close_context(context)
            except Exception:  # noqa: BLE001 - closing at exit must not raise
                log.exception("worker %s could not close its context", self.name)

    def _open(self, task: Task) -> bool:
        """Open the context before the first job; False (the task told) if that failed."""
        if self._opened or task.cancelled:
            return True
        try:
            self._context = self._open_context() if self._open_context else None
            self._opened = True
        except Exception as error:  # noqa: BLE001 - reported on the task
            log.exception("worker %s could not open its context", self.name)
            task._result_from_worker.emit(None, error)
            return False
        return True

    def _run_urgent(self) -> None:
        while self._urgent:
            task, work = self._urgent.popleft()
            if self._open(task):
                task._run(work, self._context)

    def _between(self) -> None:
        # Called by a running generator job after each step: urgent work goes in now if the
        # context is at a safe point (the writer: between two transactions).
        if self._urgent and (self._interleave is None or self._interleave(self._context)):
            self._run_urgent()


class ChangeRelay(QObject):
    """Carries the store's change notices (sent after commit, on the writer's thread) to the UI.

    Pass :meth:`notify` to ``Library.subscribe`` in the writer thread; connect ``changed``.
    """

    changed = Signal(object)

    def notify(self, change: Any) -> None:
        self.changed.emit(change)  # queued: the relay lives in the UI thread
