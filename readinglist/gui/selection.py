"""Switches the detail area between one paper and "N papers selected", and wires the bulk actions.

The count comes from the table's selection ranges and the summary (starred, read, notes) from
the reader thread, so a select-all over 100,000 papers never holds the window; the changes go
to the writer through :class:`PaperEdits`, one transaction each, undoable like one paper's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QStackedWidget

from readinglist.gui.detail import DetailPane
from readinglist.gui.editing import PaperEdits
from readinglist.gui.listing import ReaderContext
from readinglist.gui.paper_table import PaperTableView
from readinglist.gui.selection_pane import SelectionPane
from readinglist.gui.tasks import Worker

SETTLE_MS = 30  # a drag or Shift+arrow run over the rows asks once, when it stops


class SelectionView(QObject):
    """Shows the selection pane in ``stack`` while two or more papers are selected."""

    def __init__(
        self,
        *,
        table: PaperTableView,
        stack: QStackedWidget,
        detail: DetailPane,
        pane: SelectionPane,
        reader: Worker,
        edits: PaperEdits,
        export: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.stack = stack
        self.detail = detail
        self.pane = pane
        self.reader = reader
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self.refresh)
        table.selectionModel().selectionChanged.connect(lambda *_: self._timer.start())
        # A model reset (a new listing) drops the selection without selectionChanged.
        table.model().modelReset.connect(self._timer.start)
        selected = table.selected_ids
        pane.star_requested.connect(lambda on: edits.set_starred(selected(), on))
        pane.read_requested.connect(lambda on: edits.set_read(selected(), on))
        pane.tags_requested.connect(lambda add, remove: edits.tag_papers(selected(), add, remove))
        pane.export_requested.connect(export)
        pane.delete_requested.connect(lambda: edits.delete(selected()))

    @property
    def several(self) -> bool:
        """Whether the selection pane is showing (two or more papers selected)."""
        return self.stack.currentWidget() is self.pane

    def stop(self) -> None:
        """The window is closing: its reader stops, nothing more is asked of it."""
        self._stopped = True
        self._timer.stop()

    def refresh(self) -> None:
        """Follow the table's selection; the summary is counted again (after edits too)."""
        if self._stopped:
            return
        count = self.table.selected_count()
        if count < 2:
            if self.several:
                self.stack.setCurrentWidget(self.detail)
            return
        if not self.several or count != self.pane.count:
            self.pane.show_count(count)
        self.stack.setCurrentWidget(self.pane)
        ids = self.table.selected_ids()

        def summary(ctx: ReaderContext) -> tuple[int, int, int]:
            return ctx.library.state_counts(ids)

        task = self.reader.submit(summary, name="Counting the selection", key="selection")
        task.on_done(lambda counts: self.pane.show_summary(count, *counts))

    def follow_change(self, _change: object) -> None:
        """A committed change: the summary of the selection (how many starred…) is counted again."""
        if self.several:
            self._timer.start()

    def focus_tags(self) -> bool:
        """``t`` with several papers selected: their tags field. False if one paper is shown."""
        if not self.several:
            return False
        self.pane.focus_tags()
        return True
