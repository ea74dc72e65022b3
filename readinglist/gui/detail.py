"""The detail pane: one paper's title, metadata, abstract, tags, note and related papers."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from readinglist.display import display_text
from readinglist.gui.drops import LeavesFileDropsToWindow
from readinglist.gui.note_editor import NoteEditor
from readinglist.library.model import Paper

URL = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")


def abstract_html(text: str, terms: Sequence[str], mark_color: str, link_color: str) -> str:
    """The abstract as HTML: search terms (and words they stem) marked, URLs clickable."""
    text = display_text(text)  # the digests' LaTeX leftovers rendered (\& -> &)
    patterns = [URL.pattern]
    words = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if words:
        patterns.append(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*")
    combined = re.compile("|".join(f"({p})" for p in patterns), re.IGNORECASE)
    out: list[str] = []
    position = 0
    for match in combined.finditer(text):
        out.append(html.escape(text[position:match.start()]))
        piece = match.group(0)
        if match.group(1):
            out.append(
                f'<a href="{html.escape(piece, quote=True)}" style="color:{link_color}">'
                f"{html.escape(piece)}</a>"
            )
        else:
            out.append(f'<span style="background:{mark_color}">{html.escape(piece)}</span>')
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def spans_html(text: str, spans: Sequence[tuple[int, int]], mark_color: str,
               link_color: str) -> str:
    """The abstract as HTML with exactly these character spans marked and URLs clickable."""
    out: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        out.append(abstract_html(text[position:start], (), mark_color, link_color))
        piece = html.escape(display_text(text[start:end]))
        out.append(f'<span style="background:{mark_color}">{piece}</span>')
        position = end
    out.append(abstract_html(text[position:], (), mark_color, link_color))
    return "".join(out)


def plain_tooltip(text: str) -> str:
    """A tooltip showing ``text`` as written (Qt renders tooltips that look like HTML as HTML)."""
    return f"<p>{html.escape(text)}</p>"


def split_tags(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for raw in text.split(","):
        tag = " ".join(raw.split())
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


class TagsField(LeavesFileDropsToWindow, QLineEdit):
    """Comma-separated tags with completion of the tag being typed."""

    committed = Signal()
    reverted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TagsField")
        self.setPlaceholderText("Tags, separated by commas — Enter to save")
        self._words = QStringListModel(self)
        self._completer = QCompleter(self._words, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._insert_completion)
        self.textEdited.connect(self._complete)
        self.returnPressed.connect(self.committed)

    def set_known_tags(self, tags: Sequence[str]) -> None:
        self._words.setStringList(list(tags))

    def _current_prefix(self) -> str:
        return self.text()[: self.cursorPosition()].rsplit(",", 1)[-1].lstrip()

    def _complete(self) -> None:
        prefix = self._current_prefix()
        if not prefix:
            self._completer.popup().hide()
            return
        self._completer.setCompletionPrefix(prefix)
        if self._completer.completionCount():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _insert_completion(self, completion: str) -> None:
        before = self.text()[: self.cursorPosition()]
        after = self.text()[self.cursorPosition():]
        head = before.rsplit(",", 1)[0] + ", " if "," in before else ""
        self.setText(f"{head}{completion}, {after.lstrip(', ')}".rstrip())
        self.setCursorPosition(len(f"{head}{completion}, "))

    def event(self, event: QEvent) -> bool:
        # Esc reverts the tags being typed (the window's Esc would only leave the field).
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self._completer.popup().isVisible() and event.key() in (
            Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Tab
        ):
            event.ignore()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.reverted.emit()
            return
        super().keyPressEvent(event)


class AbstractView(QTextBrowser):
    def page(self, direction: int) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + direction * bar.pageStep())


class DetailPane(QWidget):
    """Shows one paper; asks the window to change it through signals (the writer saves)."""

    star_toggled = Signal(str, bool)
    read_toggled = Signal(str, bool)
    tags_edited = Signal(str, list, list)  # paper id, tags added, tags removed
    note_save_requested = Signal(str, str)
    related_activated = Signal(str)
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DetailPane")
        self.setAutoFillBackground(True)
        self.paper: Paper | None = None
        self.terms: list[str] = []
        self._spans: tuple[str, list[tuple[int, int]]] | None = None  # exact matches, one paper
        self.mark_color = "#fff1a8"
        self.link_color = "#1f5fc8"

        self.title = QLabel(self)
        self.title.setObjectName("DetailTitle")
        self.title.setWordWrap(True)
        # Titles come from digests and users: "<script>…" is text to show, not markup.
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.meta = QLabel(self)
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setObjectName("DetailMeta")
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.star_button = QToolButton(self)
        self.star_button.setCheckable(True)
        self.star_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.star_button.setToolTip("Star or unstar (S)")
        self.star_button.clicked.connect(self._star_clicked)
        self.read_button = QToolButton(self)
        self.read_button.setCheckable(True)
        self.read_button.setToolTip("Mark read or unread (R)")
        self.read_button.clicked.connect(self._read_clicked)
        toggles = QHBoxLayout()
        toggles.setSpacing(6)
        toggles.addWidget(self.star_button)
        toggles.addWidget(self.read_button)
        toggles.addStretch(1)

        self.abstract = AbstractView(self)
        self.abstract.setObjectName("Abstract")
        self.abstract.setOpenExternalLinks(True)
        self.abstract.setAccessibleName("Abstract")
        self.abstract.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self.tags = TagsField(self)
        self.tags.setAccessibleName("Tags")
        self.tags.committed.connect(self._commit_tags)
        self.tags.reverted.connect(self._revert_tags)

        self.note = NoteEditor(self)
        self.note.setAccessibleName("Note")
        self.note.save_requested.connect(self.note_save_requested)
        # Whether the note is stored: "Saved", "Saving…", or why not (the library is busy).
        self.note_state = QLabel("", self)
        self.note_state.setObjectName("NoteState")
        self.note_state.setAccessibleName("Note saved state")
        self.note.state_changed.connect(self._show_note_state)

        self.related = QListWidget(self)
        self.related.setObjectName("Related")
        self.related.setAccessibleName("Related papers")
        self.related.itemActivated.connect(self._related_activated)
        self.related.itemClicked.connect(self._related_activated)
        self.related.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.related.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.related.setUniformItemSizes(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addLayout(toggles)
        # The labels of the pane's sections: small capitals, sized from the text size.
        self.captions = [_caption(text, self) for text in ("Tags", "Note", "Related papers")]
        layout.addWidget(self.abstract, 5)
        layout.addWidget(self.captions[0])
        layout.addWidget(self.tags)
        note_header = QHBoxLayout()
        note_header.addWidget(self.captions[1])
        note_header.addStretch(1)
        note_header.addWidget(self.note_state)
        layout.addLayout(note_header)
        layout.addWidget(self.note, 2)
        layout.addWidget(self.captions[2])
        layout.addWidget(self.related, 3)
        self._placeholder = QLabel("Select a paper to read it here.", self)
        self._placeholder.setObjectName("Muted")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._placeholder)
        self.show_paper(None)
        self.apply_font()

    def apply_font(self) -> None:
        """Size the title, the section labels and the note from the pane's (the app's) font.

        They carry fonts of their own, which Qt never changes when the app's font changes:
        so Ctrl++ / Ctrl+- (and the settings) call this after changing it.
        """
        base = QFont(self.font())
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.3)
        title.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(title)
        caption = caption_font(base)
        for label in self.captions:
            label.setFont(caption)
        self.note.setFont(base)
        rows = QFontMetrics(base).height() + 6
        self.related.setMinimumHeight(5 * rows)
        self.related.setMaximumHeight(8 * rows + 6)

    # -- showing -------------------------------------------------------------------------
    def show_paper(self, paper: Paper | None, terms: Sequence[str] | None = None) -> None:
        """Show a paper (None: nothing selected); ``terms`` are marked in the abstract."""
        if terms is not None:
            self.terms = list(terms)
        same = paper is not None and self.paper is not None and paper.id == self.paper.id
        self.paper = paper
        empty = paper is None
        for widget in self.findChildren(QWidget):
            if widget is not self._placeholder and widget.parent() is self:
                widget.setVisible(not empty)
        self._placeholder.setVisible(empty)
        if paper is None:
            self.note.load(None, "")
            self.related.clear()
            return
        self.title.setText(display_text(paper.title))
        self.meta.setText(self._meta_text(paper))
        self._show_toggles(paper)
        scroll = self.abstract.verticalScrollBar().value() if same else 0
        if not same:
            self._spans = None
        self._render_abstract()
        self.abstract.verticalScrollBar().setValue(scroll)
        if not (same and self.tags.hasFocus()):
            self.tags.setText(", ".join(paper.tags))
        if same:
            self.note.refresh_from_store(paper.note)
        else:
            self.note.load(paper.id, paper.note)
            self.related.clear()

    def set_terms(self, terms: Sequence[str]) -> None:
        if list(terms) == self.terms:
            return  # the abstract shows them already (a list refreshed after each import)
        self.terms = list(terms)
        self._spans = None
        if self.paper is not None:
            self._render_abstract()

    def _render_abstract(self) -> None:
        assert self.paper is not None
        if self._spans is not None and self._spans[0] == self.paper.id:
            text = spans_html(self.paper.abstract, self._spans[1], self.mark_color,
                              self.link_color)
        else:
            text = abstract_html(self.paper.abstract, self.terms, self.mark_color,
                                 self.link_color)
        self.abstract.setHtml(text)

    def set_spans(self, paper_id: str, spans: Sequence[tuple[int, int]]) -> None:
        """Mark exactly what the search matched (stems, prefixes, fuzzy words) in the abstract."""
        if self.paper is None or self.paper.id != paper_id or not spans:
            return
        scroll = self.abstract.verticalScrollBar().value()
        self._spans = (paper_id, list(spans))
        self._render_abstract()
        self.abstract.verticalScrollBar().setValue(scroll)

    def show_related(self, paper_id: str, related: Sequence[tuple[str, str]]) -> None:
        """Related papers (id, title) for ``paper_id``; ignored if another paper is shown now."""
        if self.paper is None or self.paper.id != paper_id:
            return
        self.related.clear()
        for rid, stored in related:
            title = display_text(stored)
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, rid)
            item.setToolTip(plain_tooltip(title))
            self.related.addItem(item)
        if not related:
            item = QListWidgetItem("No related papers yet.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.related.addItem(item)

    def _meta_text(self, paper: Paper) -> str:
        parts = []
        if paper.organization:
            parts.append(paper.organization)
        elif paper.authors_count:
            parts.append(f"{paper.authors_count} author{'s' if paper.authors_count != 1 else ''}")
        if paper.published:
            parts.append(f"published {paper.published.isoformat()}")
        if paper.upvotes is not None:
            parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
        labels = [s.digest_name for s in paper.sightings]
        if labels:
            shown = ", ".join(dict.fromkeys(labels))
            parts.append(f"seen in {shown}")
        if paper.read and paper.read_at:
            parts.append(f"read {paper.read_at:%Y-%m-%d}")
        parts.append(f"id {paper.id}")
        # Lines break between facts, never inside one ("seen in Mar 14" stays whole).
        return "  ·  ".join(part.replace(" ", "\u00a0") for part in parts)

    def _show_toggles(self, paper: Paper) -> None:
        self.star_button.setChecked(paper.starred)
        self.star_button.setText("★ Starred" if paper.starred else "☆ Star")
        self.read_button.setChecked(paper.read)
        self.read_button.setText("✓ Read" if paper.read else "Mark read")

    # -- editing -------------------------------------------------------------------------
    def focus_note(self) -> None:
        if self.paper is not None:
            self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_tags(self) -> None:
        if self.paper is not None:
            self.tags.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.tags.end(False)
            if self.tags.text() and not self.tags.text().rstrip().endswith(","):
                self.tags.insert(", ")

    def page_abstract(self, direction: int) -> None:
        self.abstract.page(direction)

    def flush(self) -> None:
        self.note.flush()

    def _show_note_state(self, text: str) -> None:
        # Plain text: the reason may quote a path or the user's words.
        self.note_state.setTextFormat(Qt.TextFormat.PlainText)
        self.note_state.setText(text)
        self.note_state.setToolTip(plain_tooltip(text))
        # A failure stays in view; "Saved" is only a passing word.
        self.note_state.setStyleSheet("color: #b42318;" if text.startswith("Not saved") else "")

    def _star_clicked(self) -> None:
        if self.paper is not None:
            self.star_toggled.emit(self.paper.id, self.star_button.isChecked())

    def _read_clicked(self) -> None:
        if self.paper is not None:
            self.read_toggled.emit(self.paper.id, self.read_button.isChecked())

    def _commit_tags(self) -> None:
        if self.paper is None:
            return
        wanted = split_tags(self.tags.text())
        have = {t.casefold(): t for t in self.paper.tags}
        added = [t for t in wanted if t.casefold() not in have]
        wanted_keys = {t.casefold() for t in wanted}
        removed = [t for key, t in have.items() if key not in wanted_keys]
        self.tags.setText(", ".join(wanted))
        if added or removed:
            self.tags_edited.emit(self.paper.id, added, removed)
        self.leave_requested.emit()

    def _revert_tags(self) -> None:
        if self.paper is not None:
            self.tags.setText(", ".join(self.paper.tags))
        self.leave_requested.emit()

    def _related_activated(self, item: QListWidgetItem) -> None:
        paper_id = item.data(Qt.ItemDataRole.UserRole)
        if paper_id:
            self.related_activated.emit(paper_id)


def caption_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(7.0, base.pointSizeF() * 0.8))
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    font.setWeight(QFont.Weight.DemiBold)
    return font


def _caption(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    label.setObjectName("Muted")
    return label
