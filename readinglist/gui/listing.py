"""What the window lists and counts, computed in the reader thread (plain Python, no Qt).

The listing itself is the core's (``readinglist.browse``); this module holds what the reader
thread owns (its Library and the window's one SearchIndex) and the sidebar's counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from readinglist.browse import VIEWS, Listing, ListingRequest, browse, new_since_last_digest
from readinglist.library import Library

# The sidebar's Library section; "new" sits at the head of the Digests section instead.
LIBRARY_SCOPES = tuple((kind, text) for kind, text in VIEWS.items() if kind != "new")


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


def run_listing(context: ReaderContext, request: ListingRequest) -> Listing:
    """Every id of the request, in order (the table holds ids only and pages them itself)."""
    index = context.search_index() if request.needs_index else None
    return browse(context.library, index, request)


@dataclass(slots=True)
class SidebarCounts:
    library: dict[str, int]
    digests: list[dict[str, Any]]  # id, label, name, papers, imported_at (newest first)
    tags: list[tuple[str, int]]
    new_since_last: int
    total: int


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
