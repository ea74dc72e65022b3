"""The detail pane's place when several papers are selected: "N papers selected" and bulk actions.

Each button asks for one change to every selected paper; the window submits it to the writer
(one transaction, undo with Ctrl+Z, as for one paper). How many of them are starred, read or
have a note is counted on the reader thread, so selecting 100,000 papers never waits for it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from readinglist.gui.detail import TagsField, split_tags
from readinglist.gui.detail import _caption as caption  # the detail pane's own look


class SelectionPane(QWidget):
    """Shows how many papers are selected and offers what can be done to all of them."""

    star_requested = Signal(bool)  # star (True) or unstar (False) the selection
    read_requested = Signal(bool)
    tags_requested = Signal(list, list)  # tags to add, tags to remove
    export_requested = Signal()
    delete_requested = Signal()
    leave_requested = Signal()  # back to the list (Enter or Esc in the tags field)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SelectionPane")
        self.setAutoFillBackground(True)
        self.count = 0
        self.heading = QLabel("", self)
        self.heading.setObjectName("DetailTitle")
        self.summary = QLabel("", self)
        self.summary.setObjectName("Muted")
        self.summary.setWordWrap(True)

        def button(text: str, tip: str) -> QPushButton:
            widget = QPushButton(text, self)
            widget.setToolTip(tip)
            widget.setAutoDefault(False)
            return widget

        self.star_button = button("★ Star", "Star every selected paper (S toggles)")
        self.unstar_button = button("☆ Unstar", "Unstar every selected paper (S toggles)")
        self.read_button = button("✓ Mark Read", "Mark every selected paper read (Shift+R)")
        self.unread_button = button("Mark Unread", "Mark every selected paper unread (Shift+U)")
        self.star_button.clicked.connect(lambda: self.star_requested.emit(True))
        self.unstar_button.clicked.connect(lambda: self.star_requested.emit(False))
        self.read_button.clicked.connect(lambda: self.read_requested.emit(True))
        self.unread_button.clicked.connect(lambda: self.read_requested.emit(False))
        marks = QGridLayout()
        marks.setHorizontalSpacing(8)
        marks.setVerticalSpacing(8)
        marks.addWidget(self.star_button, 0, 0)
        marks.addWidget(self.unstar_button, 0, 1)
        marks.addWidget(self.read_button, 1, 0)
        marks.addWidget(self.unread_button, 1, 1)

        self.tags = TagsField(self)
        self.tags.setAccessibleName("Tags for the selection")
        self.tags.setPlaceholderText("Tags, separated by commas")
        self.tags.committed.connect(self._commit_tags)
        self.tags.reverted.connect(self._revert_tags)
        self.add_tags_button = button("Add Tags", "Add these tags to every selected paper (Enter)")
        self.remove_tags_button = button(
            "Remove Tags", "Remove these tags from every selected paper"
        )
        self.add_tags_button.clicked.connect(lambda: self._tag(add=True))
        self.remove_tags_button.clicked.connect(lambda: self._tag(add=False))
        tag_buttons = QHBoxLayout()
        tag_buttons.setSpacing(8)
        tag_buttons.addWidget(self.add_tags_button)
        tag_buttons.addWidget(self.remove_tags_button)
        tag_buttons.addStretch(1)

        self.export_button = button(
            "Export Selection…", "Export the selected papers (Ctrl+Shift+E)"
        )
        self.export_button.clicked.connect(self.export_requested)
        self.delete_button = button("Delete", "Delete the selected papers (Del; Ctrl+Z undoes)")
        self.delete_button.setObjectName("DeleteSelection")
        self.delete_button.clicked.connect(self.delete_requested)
        last = QHBoxLayout()
        last.setSpacing(8)
        last.addWidget(self.export_button)
        last.addStretch(1)
        last.addWidget(self.delete_button)

        self.hint = QLabel(
            "Keys work on the whole selection: S star, Shift+R / Shift+U read / unread, "
            "T tags, Del delete, Ctrl+Z undo. Click one paper to read it.",
            self,
        )
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addWidget(caption("Marks", self))
        layout.addLayout(marks)
        layout.addSpacing(6)
        layout.addWidget(caption("Tags", self))
        layout.addWidget(self.tags)
        layout.addLayout(tag_buttons)
        layout.addSpacing(6)
        layout.addLayout(last)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self.apply_font()

    def apply_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setWeight(QFont.Weight.DemiBold)
        self.heading.setFont(font)

    def show_count(self, count: int) -> None:
        """A new selection of ``count`` papers; its summary follows from :meth:`show_summary`."""
        self.count = count
        self.heading.setText(f"{count:,} papers selected")
        self.summary.setText("Counting…")
        self.delete_button.setText(f"Delete {count:,} Papers")

    def show_summary(self, count: int, starred: int, read: int, noted: int) -> None:
        """What the selection holds; ignored if the selection changed since it was asked."""
        if count != self.count:
            return
        parts = [f"{starred:,} starred", f"{read:,} read", f"{count - read:,} unread"]
        if noted:
            parts.append(f"{noted:,} with notes")
        self.summary.setText("  ·  ".join(parts))
        # The buttons that would change nothing are still there, but quiet.
        self.star_button.setEnabled(starred < count)
        self.unstar_button.setEnabled(starred > 0)
        self.read_button.setEnabled(read < count)
        self.unread_button.setEnabled(read > 0)

    def set_known_tags(self, tags: list[str]) -> None:
        self.tags.set_known_tags(tags)

    def focus_tags(self) -> None:
        self.tags.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _commit_tags(self) -> None:
        if split_tags(self.tags.text()):
            self._tag(add=True)
        self.leave_requested.emit()

    def _revert_tags(self) -> None:
        self.tags.clear()
        self.leave_requested.emit()

    def _tag(self, add: bool) -> None:
        tags = split_tags(self.tags.text())
        if not tags:
            self.tags.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.tags_requested.emit(tags if add else [], [] if add else tags)
        self.tags.clear()

