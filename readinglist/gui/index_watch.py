"""Follows the search index from the window: progress and "the index advanced", as a signal.

The index is written by another process (``readinglist.search.indexer``), so there is no
callback to subscribe to: its Qt-free status (``readinglist.search.status.read_status``, two
small file reads) is polled on a timer and each change is emitted once. What the app's own
indexer reports failing (``IndexerProcess.trouble``) rides along in ``IndexStatus.trouble``.

The reads run on a worker thread of their own, not on the UI thread: each file operation
releases the GIL, and while an import's Python runs on the writer thread, taking it back
waits for a switch interval each time (a poll cost the event loop up to 55 ms under load).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from readinglist.gui.tasks import Task, Worker
from readinglist.search.status import IndexStatus, read_status

POLL_MS = 250


class IndexWatch(QObject):
    """Emits ``changed(IndexStatus)`` whenever the index's status differs from the last one."""

    changed = Signal(object)

    def __init__(
        self,
        folder: Path,
        trouble: Callable[[], str | None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.trouble = trouble
        self.status: IndexStatus | None = None
        self._worker = Worker("index-watch")
        self._reading: Task | None = None
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        self._timer.start()
        self.poll()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        self._worker.stop(timeout=10)

    def poll(self) -> None:
        """Read the status now (in the watcher's thread); ``changed`` follows if it moved."""
        if self._stopped or (self._reading is not None and not self._reading.is_finished):
            return  # one read at a time: the one on its way answers this poll too
        folder, trouble = self.folder, self.trouble

        def read(_context: object) -> IndexStatus:
            status = read_status(folder)
            why = trouble()
            return replace(status, trouble=why) if why else status

        self._reading = self._worker.submit(read, name="Index status")
        self._reading.on_done(self._seen)

    def _seen(self, status: IndexStatus) -> None:
        if not self._stopped and status != self.status:
            self.status = status
            self.changed.emit(status)
