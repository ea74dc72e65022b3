"""The note editor: plain text or Markdown, saved as you type (debounced) and on every exit."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from readinglist.gui.drops import LeavesFileDropsToWindow

SAVE_DELAY_MS = 400


class NoteEditor(LeavesFileDropsToWindow, QPlainTextEdit):
    """Edits the note of one paper; ``save_requested(paper_id, text)`` asks the writer to save.

    A save is requested 400 ms after the last keystroke, and at once when the editor loses
    focus, switches paper, or :meth:`flush` is called (window close, quit).
    """

    save_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteEditor")
        self.setPlaceholderText("Your note (plain text or Markdown) — saved as you type")
        self.setTabChangesFocus(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        self.setFont(font)
        self._paper_id: str | None = None
        self._saved_text = ""
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
        """Show the note of another paper, saving the current one first."""
        self.flush()
        self._paper_id = paper_id
        self._saved_text = text
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)
        self.document().clearUndoRedoStacks()
        self.setEnabled(paper_id is not None)

    def refresh_from_store(self, text: str) -> None:
        """Take a note changed elsewhere (CLI, restore) unless the user is typing in it.

        The store keeps notes without trailing whitespace: the echo of our own save must not
        eat the space just typed, nor move the cursor.
        """
        if self.hasFocus() or self.is_dirty() or text == self.toPlainText().rstrip():
            return
        self._saved_text = text
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)

    def is_dirty(self) -> bool:
        return self._paper_id is not None and self.toPlainText() != self._saved_text

    def flush(self) -> None:
        """Request a save now if the text differs from what was last saved."""
        self._timer.stop()
        if self.is_dirty():
            text = self.toPlainText()
            self._saved_text = text
            assert self._paper_id is not None
            self.save_requested.emit(self._paper_id, text)

    def _on_text_changed(self) -> None:
        if self._paper_id is not None:
            self._timer.start()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self.flush()
        super().focusOutEvent(event)
