"""Refreshes that a stream of changes asks for, run one at a time and paced by their own cost.

An import of many files commits file after file, and each commit's notice asks for the list and
the sidebar's counts again. At 100,000 papers a listing costs the reader thread ~0.1 s of Python
(seconds on a loaded machine): asked per file, the reader ran without a pause for the whole
import, its answers were dropped as stale before they could be shown, and its Python competed
with the UI thread for the GIL (event-loop stalls over 100 ms). Paced, the first notice refreshes
at once, the notices that come while that refresh runs are answered together by one more, and
that one waits as long again as the last one took, so background refreshes keep the reader busy
at most about half the time, whatever the library's size.

Each listing shown also costs the UI thread a repaint of the list (~9 ms of CPU at any size,
three times that on a busy core), so an import's notices are *patient*: the next refresh waits at
least ``PATIENT_REST_MS``. An import of many files shows its list growing every 1.5 s, and all
of it when it ends (the import's own refresh, asked for directly); an edit's notice is answered
as soon as the reader is free.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from readinglist.gui.tasks import Task

REST_FACTOR = 1.0  # after a refresh that took t, the next one waits t * REST_FACTOR
PATIENT_REST_MS = 1500  # and at least this long when only patient requests wait


class PacedRefresh(QObject):
    """Calls ``refresh`` (which submits a Task and returns it) for a stream of requests.

    ``request()``: a change wants a refresh. None runs while another is still running; the
    requests made meanwhile are answered by one refresh after it, ``REST_FACTOR`` times its
    duration later (at least ``PATIENT_REST_MS`` if they are all ``patient``).
    ``covered()``: a refresh was just asked for directly (the user's own action, the end of
    an import), so the requests made so far are answered by it.
    """

    def __init__(self, refresh: Callable[[], Task | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._refresh = refresh
        self._running: Task | None = None
        self._due = False
        self._patient = True  # every request due is patient
        self._took = 0.0  # how long the last refresh took (s)
        self._rest = QTimer(self)
        self._rest.setSingleShot(True)
        self._rest.timeout.connect(self._run)

    def request(self, patient: bool = False) -> None:
        self._patient = (self._patient or not self._due) and patient
        self._due = True
        if self._running is not None:
            return
        if not self._rest.isActive():
            self._run()
        elif not patient and self._rest.remainingTime() > self._rest_ms():
            self._rest.start(self._rest_ms())  # an edit does not wait for an import's pace

    def covered(self) -> None:
        self._due = False
        self._rest.stop()

    def stop(self) -> None:
        self.covered()

    def _rest_ms(self) -> int:
        rest = int(self._took * REST_FACTOR * 1000)
        return max(rest, PATIENT_REST_MS) if self._patient else rest

    def _run(self) -> None:
        if not self._due:
            return
        self._due = False
        task = self._refresh()
        if task is None:
            return
        self._running = task
        started = time.monotonic()
        task.finished.connect(lambda: self._finished(task, time.monotonic() - started))

    def _finished(self, task: Task, took: float) -> None:
        if self._running is task:
            self._running = None
        self._took = took
        if self._due and not self._rest.isActive():
            self._rest.start(self._rest_ms())
