"""What the window lists and counts, computed in the reader thread (plain Python, no Qt).

The listing itself is the core's (``readinglist.browse``); this module holds what the reader
thread owns (its Library and the window's one SearchIndex) and the sidebar's counts.

A listing comes with the rows of the pages the table will show first (``InView``): fetched
here, the table paints them without a query of its own on the UI thread, where each row of a
result waits for the GIL while another thread runs Python (an import's parsing: ~1 ms a row,
stalls of ~100 ms for a page of 150 rows while importing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from readinglist.browse import VIEWS, Listing, ListingRequest, browse, new_since_last_digest
from readinglist.library import Library

# The sidebar's Library section; "new" sits at the head of the Digests section instead.
LIBRARY_SCOPES = tuple((kind, text) for kind, text in VIEWS.items() if kind != "new")
PAGE = 150  # rows the table fetches at a time (aligned pages: row // PAGE)


@dataclass(slots=True)
class ReaderContext:
    """What the reader thread holds: its own Library, and the window's one SearchIndex.

    The index is shared (it serializes its own writes per process, and its searching
    methods lock around one searcher); the reader does not close it, the window does.
    """

    library: Library
    index: Any = None  # readinglist.search.SearchIndex

    def search_index(self) -> Any:
        if self.index is None:
            from readinglist.search import SearchIndex

            self.index = SearchIndex.open(self.library.home)
        return self.index

    def close(self) -> None:
        self.library.close()


@dataclass(frozen=True, slots=True)
class InView:
    """Where the table will look once the listing arrives: rows near these are fetched with it.

    ``rows``: row numbers (the top of the list, the row at the top of the view); ``papers``:
    papers kept in view (the current one, wherever the new listing puts it); ``span``: how
    many rows a screen holds, taken on both sides of each.
    """

    rows: tuple[int, ...] = (0,)
    papers: tuple[str, ...] = ()
    span: int = 60


@dataclass(slots=True)
class ListingAnswer:
    """A listing, the light rows of the pages the table shows first, and how fresh they are."""

    listing: Listing
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    generation: int = 0  # the library's generation read before the rows were


def run_listing(
    context: ReaderContext, request: ListingRequest, in_view: InView = InView()  # noqa: B008
) -> ListingAnswer:
    """Every id of the request, in order, and the rows of the pages the table will show."""
    index = context.search_index() if request.needs_index else None
    library = context.library
    listing = browse(library, index, request)
    generation = library.generation
    ids, positions = listing.ids, listing.positions
    anchors = [*in_view.rows, *(positions[p] for p in in_view.papers if p in positions)]
    pages = set()
    for row in anchors:
        first, last = max(0, row - in_view.span), min(len(ids) - 1, row + in_view.span)
        pages.update(range(first // PAGE, last // PAGE + 1))
    wanted = [pid for page in sorted(pages) for pid in ids[page * PAGE:(page + 1) * PAGE]]
    rows = {row["id"]: row for row in library.rows(wanted)} if wanted else {}
    return ListingAnswer(listing, rows, generation)


@dataclass(slots=True)
class SidebarCounts:
    library: dict[str, int]
    digests: list[dict[str, Any]]  # id, label, name, papers, imported_at (newest first)
    tags: list[tuple[str, int]]
    new_since_last: int
    total: int
    # The sidebar's entries made from these counts, by the reader too (gui.sidebar).
    entries: list[Any] = field(default_factory=list)


def sidebar_counts(context: ReaderContext) -> SidebarCounts:
    library = context.library
    stats = library.stats()
    counts = {
        "all": stats["papers"],
        "unread": stats["unread"],
        "starred": stats["starred"],
        "read": stats["read"],
        "notes": stats["notes"],
    }
    digests = library.digests()
    # Counted as listed: the ledger's count of what the digest brought includes papers
    # deleted since.
    latest_new = len(new_since_last_digest(library))
    return SidebarCounts(counts, digests, library.tags(), latest_new, stats["papers"])
