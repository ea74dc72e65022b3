"""Follows the search index from the window: progress and "the index advanced", as a signal.

The index is written by another process (``readinglist.search.indexer``), so there is no
callback to subscribe to: its Qt-free status (``readinglist.search.status.read_status``, two
small file reads) is polled on a timer and each change is emitted once. What the app's own
indexer reports failing (``IndexerProcess.trouble``) rides along in ``IndexStatus.trouble``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

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
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        self._timer.start()
        self.poll()

    def stop(self) -> None:
        self._timer.stop()

    def poll(self) -> None:
        status = read_status(self.folder)
        why = self.trouble()
        if why:
            status = replace(status, trouble=why)
        if status != self.status:
            self.status = status
            self.changed.emit(status)
