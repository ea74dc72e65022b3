"""Saving notes typed in the window until they are stored, whatever else holds the library.

A note is "saved" only once its transaction committed. Until then it stays pending here (not
in the editor), so switching papers keeps it and shows it again; a save that fails because
another program holds the library (or the disk is full) is retried every few seconds, and the
editor says so. Saves go to the writer as urgent work: before queued jobs, and between the
files of a running import. At shutdown whatever is still pending gets one last synchronous
try, and if that fails too it is written to a file in ``<home>/unsaved-notes/`` (never
dropped).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from readinglist.atomic import atomic_write
from readinglist.gui import edits
from readinglist.gui.tasks import Worker
from readinglist.library import Library, LibraryError, UnknownPaper

log = logging.getLogger(__name__)

RETRY_MS = 2000
RECOVERY_FOLDER = "unsaved-notes"


class NoteSaving(QObject):
    """Pending note saves, by paper id; ``stored``/``unsaved`` tell the editor how each went."""

    stored = Signal(str, str)  # paper id, the text now in the library
    unsaved = Signal(str, str)  # paper id, why it is not saved yet (retrying unless said)
    settled = Signal()  # nothing pending any more

    def __init__(self, writer: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.writer = writer
        self._wanted: dict[str, str] = {}  # the latest text asked for, until it is stored
        self._in_flight: set[str] = set()
        self._failing: dict[str, str] = {}  # paper id -> why its last save failed
        self._committed: dict[str, str] = {}  # written by the writer thread after each commit
        self._finished_in: Path | None = None  # the home, once ``finish`` ran
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._retry_failed)

    # -- asked by the editor and the window ----------------------------------------------------
    def save(self, paper_id: str, text: str) -> None:
        """Store ``text`` as the note of ``paper_id``, retrying until it is."""
        if self._finished_in is not None:  # the writer is gone: a file is all that is left
            self._keep_in_file(self._finished_in, paper_id, text)
            return
        if self._wanted.get(paper_id) == text and (
            paper_id in self._in_flight or paper_id in self._failing
        ):
            return  # already on its way (or waiting for the next retry)
        self._wanted[paper_id] = text
        if paper_id not in self._in_flight:
            self._submit(paper_id)

    def pending_text(self, paper_id: str) -> str | None:
        """The text typed for ``paper_id`` that is not stored yet, if any."""
        return self._wanted.get(paper_id)

    def pending(self) -> dict[str, str]:
        return dict(self._wanted)

    def failing(self) -> dict[str, str]:
        """Pending notes whose last save failed, with the reason."""
        return {pid: why for pid, why in self._failing.items() if pid in self._wanted}

    def finish(self, library: Library, home: Path) -> list[Path]:
        """At shutdown, after the writer stopped: save what is left, else keep it in files.

        Returns the files written for notes that could not be stored.
        """
        self._retry.stop()
        self._finished_in = home
        kept: list[Path] = []
        for paper_id, text in list(self._wanted.items()):
            if self._committed.get(paper_id) == text:
                continue
            try:
                library.set_note(paper_id, text)
                continue
            except (LibraryError, OSError) as error:
                log.warning("the note of %s could not be saved at exit: %s", paper_id, error)
            kept.append(self._keep_in_file(home, paper_id, text))
        self._wanted.clear()
        return kept

    # -- the saving itself -----------------------------------------------------------------------
    def _submit(self, paper_id: str) -> None:
        text = self._wanted[paper_id]
        committed = self._committed

        def work(library: Library) -> edits.Edit:
            edit = edits.save_note(library, paper_id, text)
            committed[paper_id] = text  # read at shutdown, when the UI heard nothing yet
            return edit

        self._in_flight.add(paper_id)
        task = self.writer.submit(work, name="Saving note", urgent=True)
        task.on_done(lambda _edit: self._after(paper_id, text, None))
        task.on_error(lambda error: self._after(paper_id, text, error))

    def _after(self, paper_id: str, text: str, error: BaseException | None) -> None:
        self._in_flight.discard(paper_id)
        if error is None:
            if self._wanted.get(paper_id) == text:
                del self._wanted[paper_id]
                self._failing.pop(paper_id, None)
                self.stored.emit(paper_id, text)
            elif paper_id in self._wanted:
                self._submit(paper_id)  # typed on while this one was saving
            if not self._wanted:
                self.settled.emit()
            return
        retrying = _worth_retrying(error)
        why = str(error) + ("; retrying" if retrying else "")
        self._failing[paper_id] = why
        self.unsaved.emit(paper_id, why)
        if retrying and not self._retry.isActive():
            self._retry.start()

    def _retry_failed(self) -> None:
        if self._finished_in is not None:
            return
        for paper_id in list(self._failing):
            if paper_id in self._wanted and paper_id not in self._in_flight:
                if _worth_retrying_reason(self._failing[paper_id]):
                    self._submit(paper_id)

    def _keep_in_file(self, home: Path, paper_id: str, text: str) -> Path:
        folder = home / RECOVERY_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{paper_id}-{stamp}.txt"
        atomic_write(target, text)
        log.warning("the note of %s is kept in %s", paper_id, target)
        return target


def ask_to_wait(parent: QWidget, failing: dict[str, str], folder: Path) -> str:
    """Ask, at close, whether to wait for notes not saved yet: "wait" or "close"."""
    why = next(iter(failing.values()))
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Reading List")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        f"{len(failing)} note(s) could not be saved yet: {why}\n\n"
        "Wait keeps the window open and closes it once they are stored. Close Now keeps "
        f"them as text files in {folder} instead."
    )
    wait = box.addButton("Wait", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Close Now", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(wait)
    box.exec()
    return "wait" if box.clickedButton() is wait else "close"


def _worth_retrying(error: BaseException) -> bool:
    # Busy, disk full, read-only: the user (or the other program) can fix those; an unknown
    # paper or a note over the size limit stays as it is however often it is tried.
    return isinstance(error, LibraryError | OSError) and not isinstance(error, UnknownPaper) and (
        "too long" not in str(error)
    )


def _worth_retrying_reason(why: str) -> bool:
    return why.endswith("; retrying")
