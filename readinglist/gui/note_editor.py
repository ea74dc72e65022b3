"""The note editor: plain text or Markdown, saved as you type (debounced) and on every exit.

The editor counts a note as saved only when told it was stored (``mark_stored``); until then
it is dirty and says so (``state_changed``), so a save that waits for a busy library is visible.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from readinglist.gui.drops import LeavesFileDropsToWindow

SAVE_DELAY_MS = 400


class NoteEditor(LeavesFileDropsToWindow, QPlainTextEdit):
    """Edits the note of one paper; ``save_requested(paper_id, text)`` asks the writer to save.

    A save is requested 400 ms after the last keystroke, and at once when the editor loses
    focus, switches paper, or :meth:`flush` is called (window close, quit).
    """

    save_requested = Signal(str, str)
    state_changed = Signal(str)  # "", "Saving…", "Saved" or why the note is not saved

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteEditor")
        self.setPlaceholderText("Your note (plain text or Markdown) — saved as you type")
        self.setTabChangesFocus(True)
        self._paper_id: str | None = None
        self._saved_text = ""  # what the library holds, as far as this editor knows
        self._requested_text = ""  # what the last save asked for
        # Asked on load: the text typed for a paper whose save is still pending elsewhere.
        self.unsaved_text: Callable[[str], str | None] = lambda _paper_id: None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._on_text_changed)
        self.setEnabled(False)

    @property
    def paper_id(self) -> str | None:
        return self._paper_id

    def load(self, paper_id: str | None, text: str) -> None:
        """Show the note of another paper, saving the current one first.

        A note typed earlier for ``paper_id`` and not stored yet is shown instead of ``text``.
        """
        self.flush()
        self._paper_id = paper_id
        self._saved_text = text
        pending = self.unsaved_text(paper_id) if paper_id is not None else None
        shown = text if pending is None else pending
        self._requested_text = shown
        self.blockSignals(True)
        self.setPlainText(shown)
        self.blockSignals(False)
        self.document().clearUndoRedoStacks()
        self.setEnabled(paper_id is not None)
        self.state_changed.emit("Not saved yet; retrying" if pending is not None else "")

    def mark_stored(self, paper_id: str, text: str) -> None:
        """The library now holds ``text`` as the note of ``paper_id``."""
        if paper_id != self._paper_id:
            return
        self._saved_text = text
        self.state_changed.emit("Saved" if not self.is_dirty() else "Saving…")

    def mark_unsaved(self, paper_id: str, why: str) -> None:
        """The last save of ``paper_id``'s note failed; the editor stays dirty and says why."""
        if paper_id == self._paper_id:
            self.state_changed.emit(f"Not saved: {why}")

    def refresh_from_store(self, text: str) -> None:
        """Take a note changed elsewhere (CLI, restore) unless the user is typing in it.

        The store keeps notes without trailing whitespace: the echo of our own save must not
        eat the space just typed, nor move the cursor.
        """
        if self.hasFocus() or self.is_dirty() or text == self.toPlainText().rstrip():
            return
        self._saved_text = text
        self._requested_text = text
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)

    def is_dirty(self) -> bool:
        return self._paper_id is not None and self.toPlainText() != self._saved_text

    def flush(self) -> None:
        """Request a save now if the text differs from what is stored (and was not asked for)."""
        self._timer.stop()
        if self.is_dirty():
            text = self.toPlainText()
            if text == self._requested_text:
                return  # that very text is on its way already (or failed: see the state)
            self._requested_text = text
            assert self._paper_id is not None
            self.state_changed.emit("Saving…")
            self.save_requested.emit(self._paper_id, text)

    def _on_text_changed(self) -> None:
        if self._paper_id is not None:
            self._timer.start()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self.flush()
        super().focusOutEvent(event)
