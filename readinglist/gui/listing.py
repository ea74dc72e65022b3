"""What the window lists and counts, computed in the reader thread (plain Python, no Qt).

A listing is a sidebar scope (All, Unread, a digest, a tag...) combined with the search
query and a sort; the result is the ordered list of ids the lazy table shows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from readinglist.library import Library, PaperFilter

LIBRARY_SCOPES = (
    ("all", "All papers"),
    ("unread", "Unread"),
    ("starred", "Starred"),
    ("read", "Read"),
    ("notes", "With notes"),
    ("recommended", "Recommended"),
)
RECOMMENDED_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Scope:
    """One sidebar entry: a library view, a digest (by id) or a tag."""

    kind: str  # all | unread | starred | read | notes | recommended | new | digest | tag
    value: str | int | None = None

    def paper_filter(self) -> PaperFilter:
        match self.kind:
            case "unread":
                return PaperFilter(read=False)
            case "starred":
                return PaperFilter(starred=True)
            case "read":
                return PaperFilter(read=True)
            case "notes":
                return PaperFilter(has_note=True)
            case "digest":
                return PaperFilter(digest=self.value)
            case "tag":
                return PaperFilter(tag=str(self.value))
        return PaperFilter()


ALL = Scope("all")


@dataclass(frozen=True, slots=True)
class ListingRequest:
    scope: Scope = ALL
    query: str = ""
    sort: str = "added"  # a store sort key, or "rank" (only with a query)
    descending: bool | None = None


@dataclass(slots=True)
class Listing:
    request: ListingRequest
    ids: list[str]
    suggestion: str | None = None
    corrected: bool = False  # no match: the ids are for the suggestion instead
    elapsed_ms: float = 0.0
    terms: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Built here, in the reader thread, so the table never builds it on the UI thread.
        if not self.positions:
            self.positions = {pid: row for row, pid in enumerate(self.ids)}


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


def new_since_last_digest(library: Library) -> list[str]:
    """Papers the most recent digest brought into the library, newest first."""
    digests = library.digests()
    if not digests:
        return []
    latest = digests[0]
    brought = latest.get("new") or 0
    if not brought:
        return []
    in_latest = set(library.list_ids(PaperFilter(digest=latest["id"])))
    recent = library.list_ids(sort="added", descending=True, limit=brought + len(in_latest))
    return [pid for pid in recent if pid in in_latest][:brought]


def _recommended(context: ReaderContext) -> list[str]:
    results = context.search_index().recommend(limit=RECOMMENDED_LIMIT, library=context.library)
    return list(results.ids)


# Sorts the index does itself; the others ("seen", "read_at") are applied by the store.
INDEX_SORTS = {"rank": "rank", "added": "added", "published": "published",
               "upvotes": "upvotes", "title": "title"}


def run_listing(context: ReaderContext, request: ListingRequest) -> Listing:
    """The ordered ids for a scope + query + sort (rank order for a query by default)."""
    started = time.perf_counter()
    library = context.library
    base = request.scope.paper_filter()
    if request.scope.kind == "recommended":
        recommended = _recommended(context)
        base = replace(base, ids=frozenset(recommended))
    if request.scope.kind == "new":
        base = replace(base, ids=frozenset(new_since_last_digest(library)))
    query = request.query.strip()
    if not query:
        sort = "added" if request.sort == "rank" else request.sort
        if request.scope.kind == "recommended" and request.sort in ("rank", "added"):
            ids = recommended  # best match first
        else:
            ids = library.list_ids(base, sort=sort, descending=request.descending)
        return Listing(request, ids, elapsed_ms=(time.perf_counter() - started) * 1000)
    index = context.search_index()
    index_sort = INDEX_SORTS.get(request.sort, "rank")
    results = index.search(
        query, filter=None, sort=index_sort, descending=request.descending, limit=None,
        snippets=False, library=library,
    )
    ids = list(results.ids)
    if base != PaperFilter() and ids:
        # The sidebar's part is answered by the store, the source of truth: the index learns
        # of a star a moment after it is committed, and this view must not lag behind it.
        allowed = set(library.list_ids(replace(base, ids=frozenset(ids))))
        ids = [pid for pid in ids if pid in allowed]
    if request.sort not in INDEX_SORTS and ids:
        ids = library.list_ids(
            PaperFilter(ids=frozenset(ids)), sort=request.sort, descending=request.descending
        )
    return Listing(
        request,
        ids,
        suggestion=results.suggestion,
        corrected=results.corrected,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        terms=index.highlight_terms(query),
    )


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
    latest_new = (digests[0].get("new") or 0) if digests else 0
    return SidebarCounts(counts, digests, library.tags(), latest_new, stats["papers"])
