"""The search field: search as you type (debounced), hit count, a clickable "did you mean".

When the results shown are a correction's, the bar says so ("Showing results for X · Search
instead for Y"); clicking Y searches the words as typed (``as_typed``), never corrected.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from readinglist.gui.drops import LeavesFileDropsToWindow

DEBOUNCE_MS = 150


class SearchField(LeavesFileDropsToWindow, QLineEdit):
    """A line edit that hands Down/Enter/Esc to the list instead of keeping them."""

    leave_requested = Signal()

    def event(self, event: QEvent) -> bool:
        # Esc clears the field first; only an empty field lets the window's Esc take the
        # user back to the list.
        if (event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape and self.text()):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.leave_requested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            if self.text():
                self.clear()
            else:
                self.leave_requested.emit()
            return
        super().keyPressEvent(event)


class SearchBar(QWidget):
    """Emits ``query_changed`` once typing pauses; shows what the last search found."""

    query_changed = Signal(str)
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = SearchField(self)
        self.field.setObjectName("SearchField")
        self.field.setPlaceholderText(
            'Search  (words, "phrases", title:, tag:, is:unread, year:2024…)   Ctrl+F or /'
        )
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search")
        self.info = QLabel(self)
        self.info.setObjectName("SearchInfo")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.info.linkActivated.connect(self._take_suggestion)
        # One line when there is room; wrapped rather than cut at the window's edge when there
        # is not (large text, a long correction, a narrow window): see _fit_info.
        self.info.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(10)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.info)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self._last = ""
        self.as_typed = False  # search the query exactly as typed: never show a correction
        self.field.textChanged.connect(self._edited)
        self.field.leave_requested.connect(self._leave)

    def query(self) -> str:
        return self.field.text().strip()

    def set_query(self, text: str, as_typed: bool = False) -> None:
        self.field.setText(text)
        self.as_typed = as_typed
        self._emit(force=as_typed)

    def _edited(self, _text: str) -> None:
        self.as_typed = False
        self._timer.start()

    def clear_silently(self) -> None:
        """Empty the field without asking for a search (the caller lists something else)."""
        self._timer.stop()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self._last = ""

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def show_result(self, total: int, suggestion: str | None, elapsed_ms: float | None,
                    corrected: bool = False, error: str | None = None,
                    incomplete: bool = False, fallback: bool = False) -> None:
        """What the search found; ``incomplete``: the index is still catching up.

        ``fallback``: the query could not be read as written and its plain words were
        searched; said, so that no query is silently answered as another.
        """
        typed = self.query()
        if not typed:
            self._show_info("")
            return
        if error:
            self._show_info(html.escape(error))
            self.info.setToolTip("")
            return
        noun = "paper" if total == 1 else "papers"
        text = f"{total:,} {noun}" if total else "no papers match"
        if incomplete:
            # Never a silent partial answer: more may match once indexing is done.
            text += " so far (indexing…)"
        if corrected and suggestion:
            text = (f"Showing results for <b>{html.escape(suggestion)}</b> · Search instead for "
                    f'<a href="astyped:{html.escape(typed)}">{html.escape(typed)}</a>'
                    f" · {total:,} {noun}")
        elif suggestion:
            escaped = html.escape(suggestion)
            text += f' · did you mean <a href="suggest:{escaped}">{escaped}</a>?'
        if fallback:
            text += " · could not be read as written: searched its words"
        self._show_info(text)
        tip = f"found in {elapsed_ms:.0f} ms" if elapsed_ms is not None else ""
        self.info.setToolTip(tip)

    def show_notice(self, text: str) -> None:
        """A plain sentence in place of the hit count ("The search index is being built…")."""
        self._show_info(html.escape(text))
        self.info.setToolTip("")

    def _show_info(self, rich_text: str) -> None:
        self.info.setText(rich_text)
        self._fit_info()

    def _fit_info(self) -> None:
        # A wrapping label asks for a narrow width by itself (two lines where one fits): ask
        # for the text's whole width, or for all the room the field leaves when that is less.
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(self.info.font())
        document.setHtml(self.info.text())
        natural = math.ceil(document.idealWidth()) + 1
        # The field keeps room for a query of a few words, whatever the text size.
        self.field.setMinimumWidth(16 * self.field.fontMetrics().averageCharWidth())
        layout = self.layout()
        margins = layout.contentsMargins()
        room = (self.width() - margins.left() - margins.right() - layout.spacing()
                - self.field.minimumWidth())
        self.info.setMinimumWidth(max(0, min(natural, room)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_info()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_info()

    def _take_suggestion(self, link: str) -> None:
        if link.startswith("astyped:"):
            self.set_query(link.removeprefix("astyped:"), as_typed=True)
            return
        self.set_query(link.removeprefix("suggest:"))

    def _leave(self) -> None:
        self._emit()  # Enter searches at once, without waiting for the debounce
        self.leave_requested.emit()

    def _emit(self, force: bool = False) -> None:
        self._timer.stop()
        query = self.query()
        if query != self._last or force:
            self._last = query
            self.query_changed.emit(query)
