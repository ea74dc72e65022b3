"""What the window shows: scope + query + sort to a listing, sidebar counts, kept current."""

from __future__ import annotations

import collections
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from readinglist.browse import ALL, Listing, ListingRequest, Scope
from readinglist.gui.detail import DetailPane
from readinglist.gui.listing import (
    InView,
    ListingAnswer,
    ReaderContext,
    SidebarCounts,
    run_listing,
    sidebar_counts,
)
from readinglist.gui.paced import PacedRefresh
from readinglist.gui.paper_table import COLUMN_FOR_SORT, PaperTableModel, PaperTableView
from readinglist.gui.search_bar import SearchBar
from readinglist.gui.settings import Settings
from readinglist.gui.sidebar import Sidebar, sidebar_entries
from readinglist.gui.tasks import Task, Worker
from readinglist.library import Change, Library, UnknownPaper
from readinglist.search import IndexUnavailable
from readinglist.search.status import IndexStatus

EXTERNAL_CHECK_MS = 4000  # how often to notice changes made by the CLI meanwhile
# While the index catches up, a listing that depends on it is asked again at most this often.
INDEX_REFRESH_MS = 400
CHANGES_KEPT = 256  # the latest change notices, to tell which prefetched rows they outdate


class Browsing(QObject):
    """Asks the reader worker for listings and counts, drops stale answers, shows fresh ones.

    The sidebar, search bar and table header feed the request; changes committed by the
    writer (or by another process) mark the table stale and refresh what they affect. What
    is the window's own business (the status bar, the welcome view) goes out as signals.
    """

    listing_shown = Signal(object)  # the Listing now in the table
    counts_shown = Signal(object)  # the SidebarCounts now in the sidebar
    count_text_changed = Signal(str)  # the status bar's "N papers · M unread" line
    message = Signal(str, int)  # a passing status bar message, and for how long (ms)
    paper_to_show = Signal(str)  # show this paper in the detail pane ("" for none)
    indexing_changed = Signal(str)  # "Indexing 12,000 of 30,000…" while the index is behind

    def __init__(
        self,
        *,
        library: Library,
        reader: Worker,
        writer: Worker,
        settings: Settings,
        table: PaperTableView,
        model: PaperTableModel,
        search: SearchBar,
        sidebar: Sidebar,
        detail: DetailPane,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library  # the UI thread's own connection: page-sized reads only
        self.reader = reader
        self.writer = writer
        self.settings = settings
        self.table = table
        self.model = model
        self.search = search
        self.sidebar = sidebar
        self.detail = detail
        self.request = ListingRequest(sort=settings.sort, descending=settings.descending)
        self.listing: Listing | None = None
        self.counts: SidebarCounts | None = None
        self.terms: list[str] = []
        self.generation = library.generation
        # (generation, papers it changed or None for any): rows read before it are stale.
        self._changes: collections.deque[tuple[int, frozenset[str] | None]] = (
            collections.deque(maxlen=CHANGES_KEPT)
        )
        self.index_status: IndexStatus | None = None
        self._behind_polls = 0
        self._failed_for_index = False  # the listing could not be answered: no index yet
        self._stopped = False
        self._pending_select: str | None = None
        # What the writer's notices ask for (a file of an import after another): paced.
        self._changed_listing = PacedRefresh(self.refresh_listing, self)
        self._changed_counts = PacedRefresh(self.refresh_counts, self)
        self._external = QTimer(self)
        self._external.setInterval(EXTERNAL_CHECK_MS)
        self._external.timeout.connect(self._check_external_changes)
        # Not restarted by each notice: during a long catch-up it fires every INDEX_REFRESH_MS.
        self._index_refresh = QTimer(self)
        self._index_refresh.setSingleShot(True)
        self._index_refresh.setInterval(INDEX_REFRESH_MS)
        self._index_refresh.timeout.connect(self.refresh_listing)
        sidebar.scope_changed.connect(self.on_scope_changed)
        search.query_changed.connect(self.on_query_changed)
        model.sort_requested.connect(self.on_sort_requested)

    def start(self) -> None:
        self._external.start()
        self.refresh_counts()
        self.refresh_listing()

    def stop(self) -> None:
        self._stopped = True
        self._external.stop()
        self._changed_listing.stop()
        self._changed_counts.stop()
        self._index_refresh.stop()

    # -- the listing --------------------------------------------------------------------------
    def refresh_listing(self) -> Task | None:
        """Ask the reader for the ids of the current scope + query + sort; stale asks drop."""
        if self._stopped:  # a search typed just before the window closed: nobody will look
            return None
        self._changed_listing.covered()  # what changed so far, this listing reads
        request, in_view = self.request, self._in_view()
        task = self.reader.submit(
            lambda ctx: run_listing(ctx, request, in_view), name="Listing", key="listing"
        )
        return task.on_done(self._show_listing).on_error(self._listing_failed)

    def _in_view(self) -> InView:
        """The rows the table will show once the listing arrives (fetched with it)."""
        table = self.table
        top = max(table.rowAt(0), 0)
        shown = table.rowAt(table.viewport().height() - 1)
        span = (shown - top if shown >= 0 else table.viewport().height() // 16) + 2
        current = self._current_id()
        return InView(rows=(0, top), papers=(current,) if current else (), span=span)

    def _current_id(self) -> str | None:
        """The paper the user is on: the list's current row, else the one the pane shows."""
        return self.table.current_id() or (self.detail.paper.id if self.detail.paper else None)

    def _current_rows(self, answer: ListingAnswer) -> dict:
        """The answer's rows, less those changed since they were read (notices seen since)."""
        rows = answer.rows
        if not rows:
            return rows
        changes = self._changes
        if len(changes) == changes.maxlen and changes[0][0] > answer.generation:
            return {}  # changes older than the log may have touched them
        for generation, papers in changes:
            if generation > answer.generation:
                if papers is None:
                    return {}
                if not rows.keys().isdisjoint(papers):
                    rows = {pid: row for pid, row in rows.items() if pid not in papers}
        return rows

    def _show_listing(self, answer: ListingAnswer) -> None:
        if self._stopped:
            return
        listing = answer.listing
        table = self.table
        current = self._current_id()
        row = table.currentIndex().row()
        previous, self.listing = self.listing, listing
        self.terms = listing.terms
        self.model.set_ids(listing.ids, listing.positions, self._current_rows(answer))
        self.detail.set_terms(self.terms)
        self.search.show_result(
            listing.total, listing.suggestion, listing.elapsed_ms, listing.corrected,
            listing.error, incomplete=listing.index_behind, fallback=listing.fallback,
        )
        old_query = previous.request.query if previous is not None else ""
        query = listing.request.query
        if query and query != old_query and not (old_query and query.startswith(old_query)):
            # A new query: its best match, at the top (not the old row number's paper).
            table.select_id(None, 0)
            table.scrollToTop()
        elif query != old_query:
            # Refined (words added) or cleared: the same paper if it is still listed.
            table.select_id(current, 0)
            if table.current_id() != current:
                table.scrollToTop()
        else:
            table.select_id(current, max(row, 0))
        if _outdated_by_index(listing, self.index_status):
            # The index advanced while this was answered (seen before the answer): ask again.
            self._index_refresh.start()
        if not listing.ids:
            self.paper_to_show.emit("")
        self._update_count_text()
        self.listing_shown.emit(listing)

    def _listing_failed(self, error: BaseException) -> None:
        if isinstance(error, IndexUnavailable):
            self._failed_for_index = True
            status = self.index_status
            if status is not None and status.trouble:
                self.search.show_notice(status.describe())
            else:
                self.search.show_notice("The search index is being built…")
            return
        self.message.emit(f"Could not list papers: {error}", 8000)

    def on_scope_changed(self, scope: Scope) -> None:
        self.request = replace(self.request, scope=scope)
        self.refresh_listing()

    def on_query_changed(self, query: str) -> None:
        had_query = bool(self.request.query)
        self.request = replace(self.request, query=query, as_typed=self.search.as_typed)
        header = self.table.horizontalHeader()
        if query and not had_query:
            self.request = replace(self.request, sort="rank", descending=None)
            header.blockSignals(True)
            header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
            header.blockSignals(False)
        elif not query and had_query:
            settings = self.settings
            self.request = replace(self.request, sort=settings.sort, descending=settings.descending)
            self._restore_sort_indicator()
        self.refresh_listing()

    def _restore_sort_indicator(self) -> None:
        column = COLUMN_FOR_SORT.get(self.request.sort, -1)
        order = (Qt.SortOrder.DescendingOrder if self.request.descending
                 else Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def on_sort_requested(self, key: str, descending: bool) -> None:
        self.request = replace(self.request, sort=key, descending=descending)
        if not self.request.query:
            self.settings.sort, self.settings.descending = key, descending
        self.refresh_listing()

    def open_paper(self, paper_id: str) -> None:
        """Show this paper: select it in the list, or widen the list to All if it is not there."""
        if self.model.row_of(paper_id) is None and (
            self.request.query or self.request.scope != ALL
        ):
            self.search.clear_silently()
            self.sidebar.select_scope(ALL)
            settings = self.settings
            self.request = replace(self.request, scope=ALL, query="",
                                   sort=settings.sort, descending=settings.descending)
            self.listing_shown.connect(self._select_pending, Qt.ConnectionType.SingleShotConnection)
            self._pending_select = paper_id
            self.refresh_listing()
            return
        self.table.select_id(paper_id)

    def _select_pending(self, _listing: Listing) -> None:
        self.table.select_id(self._pending_select)

    # -- counts -------------------------------------------------------------------------------
    def refresh_counts(self) -> Task | None:
        if self._stopped:
            return None
        self._changed_counts.covered()
        task = self.reader.submit(_counts_and_entries, name="Counting", key="counts")
        return task.on_done(self._show_counts)

    def _show_counts(self, counts: SidebarCounts) -> None:
        if self._stopped:
            return
        self.counts = counts
        self.sidebar.set_counts(counts)
        self.detail.tags.set_known_tags([name for name, _ in counts.tags])
        self._update_count_text()
        self.counts_shown.emit(counts)

    def _update_count_text(self) -> None:
        if self.counts is None:
            return
        c = self.counts.library
        text = f"{c['all']:,} papers · {c['unread']:,} unread · {c['starred']:,} starred"
        if self.listing is not None and (self.request.query or self.request.scope != ALL):
            so_far = " so far (indexing)" if self.listing.index_behind else ""
            text = f"{self.listing.total:,} shown{so_far}  ·  " + text
        self.count_text_changed.emit(text)

    # -- staying current ----------------------------------------------------------------------
    def on_change(self, change: Change) -> None:
        """A write committed by the writer: refresh what it touched."""
        if self._stopped:
            return
        self.generation = max(self.generation, change.generation)
        self._changes.append(
            (change.generation, None if change.kind == "restore" else change.paper_ids)
        )
        # A restore replaces everything: its notice need not name every paper.
        self.model.mark_stale(None if change.kind == "restore" else change.paper_ids)
        current = self.detail.paper
        if current is not None and (current.id in change.paper_ids or change.kind == "restore"):
            try:
                self.detail.show_paper(self.library.get(current.id))
            except UnknownPaper:
                self.detail.show_paper(None)
        # An import's files are paced patiently: its own refresh at the end shows all of it.
        patient = change.kind == "import"
        if change.kind in ("import", "restore", "delete", "undelete"):
            self._changed_listing.request(patient)
            status = self.index_status
            if status is None or status.generation < change.generation:
                self.indexing_changed.emit("Indexing…")  # until the index says how far it is
        self._changed_counts.request(patient)

    def on_index_status(self, status: IndexStatus) -> None:
        """The index advanced or made progress: say so, and complete a listing it lagged for."""
        if self._stopped:
            return
        self.index_status = status
        self._show_indexing()
        if self._failed_for_index and status.version:
            # An index exists now (built at last, or the indexer got over its trouble).
            self._failed_for_index = False
            self.refresh_listing()
            return
        listing = self.listing
        if _outdated_by_index(listing, status) and not self._index_refresh.isActive():
            self._index_refresh.start()

    def _show_indexing(self) -> None:
        status = self.index_status
        if status is None:
            return
        if status.busy or status.trouble:
            self.indexing_changed.emit(status.describe())
            return
        # Behind the store with no progress to show (the indexer is between two commits, or
        # starting): said only when it lasts, so a star does not flash "Indexing…".
        self._behind_polls = self._behind_polls + 1 if status.generation < self.generation else 0
        self.indexing_changed.emit("Indexing…" if self._behind_polls > 1 else "")

    def _check_external_changes(self) -> None:
        if self._stopped:
            return
        try:
            generation = self.library.generation
        except Exception:  # noqa: BLE001 - a busy database is checked again next time
            return
        if generation != self.generation and self.writer.pending() == 0:
            self.generation = generation
            self._changes.append((generation, None))  # another process: which papers, unknown
            self.model.mark_stale()
            self.refresh_listing()
            self.refresh_counts()
            if self.detail.paper is not None:
                self.paper_to_show.emit(self.detail.paper.id)


def _counts_and_entries(context: ReaderContext) -> SidebarCounts:
    """The sidebar's counts, and its entries made from them (plain Python, off the UI thread)."""
    counts = sidebar_counts(context)
    counts.entries = sidebar_entries(counts)
    return counts


def _outdated_by_index(listing: Listing | None, status: IndexStatus | None) -> bool:
    """Whether ``listing`` must be asked again because the index moved on since it was made.

    A listing that missed papers (the index was behind the store) is completed. One ranked by
    the index's scores (Recommended, a search by relevance) is redone when the index changed
    with no newer edits in it (a merge of segments moves the scores): it would differ from
    what ``readinglist list`` prints now. Any other listing made before the user's own edits
    stays, so a paper marked read in Unread keeps its place until the view or the search
    changes (docs/desktop.md).
    """
    if listing is None or status is None or status.version == listing.index_version:
        return False
    if listing.index_behind:
        return True
    return listing.request.ranked_by_index and status.generation == listing.index_generation
