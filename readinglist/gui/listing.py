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
    elapsed_ms: float = 0.0
    terms: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Built here, in the reader thread, so the table never builds it on the UI thread.
        if not self.positions:
            self.positions = {pid: row for row, pid in enumerate(self.ids)}


@dataclass(slots=True)
class ReaderContext:
    """What the reader thread holds: its own Library and, once available, the search index."""

    library: Library
    index: Any = None  # readinglist.search.SearchIndex, opened lazily in the reader thread

    def search_index(self) -> Any:
        if self.index is None:
            from readinglist.search import SearchIndex

            self.index = SearchIndex.open(self.library.home)
        return self.index

    def close(self) -> None:
        if self.index is not None and hasattr(self.index, "close"):
            self.index.close()
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


def scope_ids(context: ReaderContext, scope: Scope) -> frozenset[str] | None:
    """The id set of scopes the store cannot filter by itself (None: a plain filter)."""
    if scope.kind == "new":
        return frozenset(new_since_last_digest(context.library))
    if scope.kind == "recommended":
        return frozenset(_recommended(context))
    return None


def _recommended(context: ReaderContext) -> list[str]:
    results = context.search_index().recommend(limit=RECOMMENDED_LIMIT)
    return _ids_of(results)


def _ids_of(results: Any) -> list[str]:
    if hasattr(results, "ids"):
        return list(results.ids)
    return [getattr(r, "id", r) for r in results]


def run_listing(context: ReaderContext, request: ListingRequest) -> Listing:
    """The ordered ids for a scope + query + sort (rank order for a query by default)."""
    started = time.perf_counter()
    library = context.library
    base = request.scope.paper_filter()
    restricted = scope_ids(context, request.scope)
    if restricted is not None:
        base = replace(base, ids=restricted)
    query = request.query.strip()
    if not query:
        sort = "added" if request.sort == "rank" else request.sort
        if request.scope.kind == "recommended" and restricted is not None and sort == "added":
            order = {pid: i for i, pid in enumerate(_recommended(context))}
            ids = sorted(restricted, key=lambda pid: order.get(pid, len(order)))
        else:
            ids = library.list_ids(base, sort=sort, descending=request.descending)
        return Listing(request, ids, elapsed_ms=(time.perf_counter() - started) * 1000)
    index = context.search_index()
    results = index.search(query, filter=base, sort="rank", limit=None)
    ids = _ids_of(results)
    if request.sort != "rank" and ids:
        ids = library.list_ids(
            PaperFilter(ids=frozenset(ids)), sort=request.sort, descending=request.descending
        )
    terms = list(index.highlight_terms(query)) if hasattr(index, "highlight_terms") else []
    return Listing(
        request,
        ids,
        suggestion=getattr(results, "suggestion", None),
        elapsed_ms=(time.perf_counter() - started) * 1000,
        terms=terms,
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
