"""What the window shows: scope + query + sort to a listing, sidebar counts, kept current."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer

from readinglist.browse import ALL, Listing, ListingRequest, Scope
from readinglist.gui.listing import SidebarCounts, run_listing, sidebar_counts
from readinglist.gui.paper_table import COLUMN_FOR_SORT
from readinglist.library import Change, UnknownPaper
from readinglist.search import IndexUnavailable

if TYPE_CHECKING:
    from readinglist.gui.mainwindow import MainWindow

EXTERNAL_CHECK_MS = 4000  # how often to notice changes made by the CLI meanwhile
COUNTS_DELAY_MS = 150  # a burst of changes is counted once


class Browsing(QObject):
    """Asks the reader worker for listings and counts, drops stale answers, shows fresh ones.

    The window's sidebar, search bar and table header feed the request; changes committed by
    the writer (or by another process) mark the table stale and refresh what they affect.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        settings = window.settings
        self.request = ListingRequest(sort=settings.sort, descending=settings.descending)
        self.listing: Listing | None = None
        self.counts: SidebarCounts | None = None
        self.terms: list[str] = []
        self.generation = window.library.generation
        self._pending_select: str | None = None
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._external = QTimer(self)
        self._external.setInterval(EXTERNAL_CHECK_MS)
        self._external.timeout.connect(self._check_external_changes)

    def start(self) -> None:
        self._external.start()
        self.refresh_counts()
        self.refresh_listing()

    def stop(self) -> None:
        self._external.stop()
        self._counts_timer.stop()

    # -- the listing --------------------------------------------------------------------------
    def refresh_listing(self) -> None:
        """Ask the reader for the ids of the current scope + query + sort; stale asks drop."""
        request = self.request
        task = self.window.reader.submit(
            lambda ctx: run_listing(ctx, request), name="Listing", key="listing"
        )
        task.on_done(self._show_listing).on_error(self._listing_failed)

    def _show_listing(self, listing: Listing) -> None:
        w = self.window
        if w._closing:
            return
        current = w.table.current_id() or (w.detail.paper.id if w.detail.paper else None)
        row = w.table.currentIndex().row()
        self.listing = listing
        self.terms = listing.terms
        w.model.set_ids(listing.ids, listing.positions)
        w.detail.set_terms(self.terms)
        w.search.show_result(
            listing.total, listing.suggestion, listing.elapsed_ms, listing.corrected
        )
        w.table.select_id(current, max(row, 0))
        if not listing.ids:
            w.current.show("")
        self._update_count_label()
        w.listing_shown.emit()

    def _listing_failed(self, error: BaseException) -> None:
        if isinstance(error, IndexUnavailable):
            self.window.search.info.setText("The search index is being built…")
            return
        self.window.statusBar().showMessage(f"Could not list papers: {error}", 8000)

    def on_scope_changed(self, scope: Scope) -> None:
        self.request = replace(self.request, scope=scope)
        self.refresh_listing()

    def on_query_changed(self, query: str) -> None:
        had_query = bool(self.request.query)
        self.request = replace(self.request, query=query)
        header = self.window.table.horizontalHeader()
        if query and not had_query:
            self.request = replace(self.request, sort="rank", descending=None)
            header.blockSignals(True)
            header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
            header.blockSignals(False)
        elif not query and had_query:
            settings = self.window.settings
            self.request = replace(self.request, sort=settings.sort, descending=settings.descending)
            self._restore_sort_indicator()
        self.refresh_listing()

    def _restore_sort_indicator(self) -> None:
        column = COLUMN_FOR_SORT.get(self.request.sort, -1)
        order = (Qt.SortOrder.DescendingOrder if self.request.descending
                 else Qt.SortOrder.AscendingOrder)
        header = self.window.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def on_sort_requested(self, key: str, descending: bool) -> None:
        self.request = replace(self.request, sort=key, descending=descending)
        if not self.request.query:
            self.window.settings.sort, self.window.settings.descending = key, descending
        self.refresh_listing()

    def open_paper(self, paper_id: str) -> None:
        """Show this paper: select it in the list, or widen the list to All if it is not there."""
        w = self.window
        if w.model.row_of(paper_id) is None and (self.request.query or self.request.scope != ALL):
            w.search.field.blockSignals(True)
            w.search.field.clear()
            w.search.field.blockSignals(False)
            w.search._last = ""
            w.sidebar.select_scope(ALL)
            self.request = replace(self.request, scope=ALL, query="",
                                   sort=w.settings.sort, descending=w.settings.descending)
            w.listing_shown.connect(self._select_pending, Qt.ConnectionType.SingleShotConnection)
            self._pending_select = paper_id
            self.refresh_listing()
            return
        w.table.select_id(paper_id)

    def _select_pending(self) -> None:
        self.window.table.select_id(self._pending_select)

    # -- counts -------------------------------------------------------------------------------
    def refresh_counts(self) -> None:
        task = self.window.reader.submit(sidebar_counts, name="Counting", key="counts")
        task.on_done(self._show_counts)

    def _show_counts(self, counts: SidebarCounts) -> None:
        w = self.window
        if w._closing:
            return
        self.counts = counts
        w.sidebar.set_counts(counts)
        w.detail.tags.set_known_tags([name for name, _ in counts.tags])
        if counts.total == 0:
            if w.stack.currentWidget() is not w.welcome:
                w.stack.setCurrentWidget(w.welcome)
                w.welcome.setFocus(Qt.FocusReason.OtherFocusReason)  # the sample button
        else:
            w.stack.setCurrentWidget(w.splitter)
        self._update_count_label()
        w.counts_shown.emit()

    def _update_count_label(self) -> None:
        if self.counts is None:
            return
        c = self.counts.library
        text = f"{c['all']:,} papers · {c['unread']:,} unread · {c['starred']:,} starred"
        if self.listing is not None and (self.request.query or self.request.scope != ALL):
            text = f"{self.listing.total:,} shown  ·  " + text
        self.window.count_label.setText(text)

    # -- staying current ----------------------------------------------------------------------
    def on_change(self, change: Change) -> None:
        """A write committed by the writer: refresh what it touched."""
        w = self.window
        if w._closing:
            return
        self.generation = max(self.generation, change.generation)
        # A restore replaces everything: its notice need not name every paper.
        w.model.mark_stale(None if change.kind == "restore" else change.paper_ids)
        current = w.detail.paper
        if current is not None and (current.id in change.paper_ids or change.kind == "restore"):
            try:
                w.detail.show_paper(w.library.get(current.id))
            except UnknownPaper:
                w.detail.show_paper(None)
        if change.kind in ("import", "restore"):
            self.refresh_listing()
        self._counts_timer.start()

    def _check_external_changes(self) -> None:
        w = self.window
        if w._closing:
            return
        try:
            generation = w.library.generation
        except Exception:  # noqa: BLE001 - a busy database is checked again next time
            return
        if generation != self.generation and w.writer.pending() == 0:
            self.generation = generation
            w.model.mark_stale()
            self.refresh_listing()
            self.refresh_counts()
            if w.detail.paper is not None:
                w.current.show(w.detail.paper.id)
