"""Changes of state from the window (star, read, tags, note) through the one writer, and undo."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from readinglist.gui import edits
from readinglist.gui.tasks import Worker
from readinglist.library import Library

UNDO_DEPTH = 100
# Small edits say so in the status bar when done; the busy label is for work that takes time.
QUIET_WORK = frozenset(
    {"Saving note", "Starring", "Marking read", "Tagging", "Undoing", "Deleting"}
)


class PaperEdits(QObject):
    """Submits each change to the writer worker and keeps what undoes it (Ctrl+Z).

    ``library`` is the UI thread's connection, read to decide what a toggle does; a failed
    write is reported in a message box over ``parent``.
    """

    message = Signal(str, int)  # a status bar message, and for how long (ms)

    def __init__(self, library: Library, writer: Worker, parent: QWidget) -> None:
        super().__init__(parent)
        self.library = library
        self.writer = writer
        self.parent_widget = parent
        self.undo_stack: list[edits.Edit] = []

    def toggle_star(self, ids: list[str]) -> None:
        """Star them all, or unstar them if every one is starred already."""
        rows = self.library.rows(ids[:2000]) if ids else []
        self.set_starred(ids, not all(r["starred"] for r in rows))

    def toggle_read(self, ids: list[str]) -> None:
        rows = self.library.rows(ids[:2000]) if ids else []
        self.set_read(ids, not all(r["read"] for r in rows))

    def set_starred(self, ids: list[str], starred: bool) -> None:
        if ids:
            self._submit(lambda lib: edits.set_starred(lib, ids, starred), "Starring")

    def set_read(self, ids: list[str], read: bool) -> None:
        if ids:
            self._submit(lambda lib: edits.set_read(lib, ids, read), "Marking read")

    def delete(self, ids: list[str]) -> None:
        """Delete papers with their notes and tags; Ctrl+Z brings them back as they were."""
        if ids:
            self._submit(lambda lib: edits.delete(lib, ids), "Deleting")

    def set_tags(self, paper_id: str, added: list[str], removed: list[str]) -> None:
        self.tag_papers([paper_id], added, removed)

    def tag_papers(self, ids: list[str], added: list[str], removed: list[str]) -> None:
        """Add and remove tags on papers (one change per direction); Ctrl+Z undoes it."""
        if ids and (added or removed):
            self._submit(lambda lib: edits.set_tags(lib, ids, added, removed), "Tagging")

    def undo(self) -> None:
        if not self.undo_stack:
            self.message.emit("Nothing to undo.", 3000)
            return
        edit = self.undo_stack.pop()
        undo = edit.undo
        assert undo is not None
        task = self.writer.submit(lambda lib: undo(lib), name="Undoing")
        task.on_done(lambda _r: self.message.emit(f"Undone: {edit.description}", 4000))
        task.on_error(self.write_failed)

    def write_failed(self, error: BaseException) -> None:
        QMessageBox.warning(
            self.parent_widget, "Reading List", f"The change could not be saved:\n\n{error}"
        )

    def _submit(self, work: Callable[[Library], edits.Edit], name: str) -> None:
        task = self.writer.submit(work, name=name)
        task.on_done(self._done).on_error(self.write_failed)

    def _done(self, edit: edits.Edit) -> None:
        if edit.undo is not None:
            self.undo_stack.append(edit)
            del self.undo_stack[:-UNDO_DEPTH]
        self.message.emit(edit.description + "  (Ctrl+Z to undo)", 4000)
