"""Which papers a view shows, in which order, and how many: scope + query + sort, a page at a time.

The one answer behind the window's list, ``readinglist list``, ``search`` and ``export``. A
scope is a sidebar entry (All, Unread, Recommended, New since last digest, a digest, a tag...);
a query narrows it through the search index; a sort orders it. Column sorts are always the
store's (``library.queries.SORTS``, defined once); only "rank" comes from the index. This module
runs no SQL: it asks the library and the search index.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from readinglist.library import Library, PaperFilter
from readinglist.library.queries import SORTS as STORE_SORTS

if TYPE_CHECKING:
    from readinglist.search import SearchIndex
    from readinglist.search.status import IndexStatus

# The library views of the sidebar, by the name ``readinglist list --view`` takes.
VIEWS: dict[str, str] = {
    "all": "All papers",
    "unread": "Unread",
    "starred": "Starred",
    "read": "Read",
    "notes": "With notes",
    "recommended": "Recommended",
    "new": "New since last digest",
}
# "rank": best match first with a query; the recommendation order in the Recommended view.
SORTS: tuple[str, ...] = ("rank", *STORE_SORTS)
RECOMMENDED_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Scope:
    """One sidebar entry: a library view (a name of VIEWS), a digest (by id or label) or a tag."""

    kind: str  # a VIEWS name, "digest" or "tag"
    value: str | int | None = None

    def paper_filter(self) -> PaperFilter:
        """The store's part of the scope (Recommended and New add a set of ids to it)."""
        match self.kind:
            case "unread":
                return PaperFilter(read=False)
            case "starred":
                return PaperFilter(starred=True)
            case "read":
                return PaperFilter(read=True)
            case "notes":
                return PaperFilter(has_note=True)
            case "recommended":
                # What the index excludes, asked of the store too: the index learns of a read
                # mark a moment after it is committed.
                return PaperFilter(read=False, starred=False)
            case "digest":
                return PaperFilter(digest=self.value)
            case "tag":
                return PaperFilter(tag=str(self.value))
        return PaperFilter()


ALL = Scope("all")


@dataclass(frozen=True, slots=True)
class ListingRequest:
    """What to list. ``refine`` narrows the scope further (the command line's --starred etc.)."""

    scope: Scope = ALL
    query: str = ""
    sort: str = "added"  # one of SORTS; "rank" without a query lists by date added
    descending: bool | None = None  # None: the sort's own default direction
    refine: PaperFilter = PaperFilter()  # noqa: RUF009 - frozen, so sharing it is safe
    as_typed: bool = False  # never answer with a correction's results (only suggest it)

    @property
    def needs_index(self) -> bool:
        return bool(self.query.strip()) or self.scope.kind == "recommended"

    @property
    def ranked_by_index(self) -> bool:
        """The order (or, for Recommended, the membership) comes from the index's scores.

        Scores move when the index's statistics do, even with the same papers in it (a merge
        of segments drops deleted documents from the term counts).
        """
        if self.scope.kind == "recommended":
            return True
        return self.sort == "rank" and bool(self.query.strip())


@dataclass(slots=True)
class Listing:
    """A page of ids in order, the total the scope + query holds, and what the index said."""

    request: ListingRequest
    ids: list[str]
    total: int
    suggestion: str | None = None
    corrected: bool = False  # no match: the ids are for the suggestion instead
    fallback: bool = False  # the query could not be read as written; its words were searched
    error: str | None = None  # the query was refused (a one-letter prefix): say this instead
    elapsed_ms: float = 0.0
    terms: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # rank order only
    # The index reflected an older library than the store's when this was answered: papers
    # not indexed yet are missing from it. None when the index was not asked.
    index_behind: bool = False
    library_generation: int = 0
    index_generation: int = -1  # the library generation the index reflected (-1: not asked)
    # The index's status().version read before asking it: stale once the version differs.
    index_version: str | None = None
    positions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Built where the listing is computed (the GUI's reader thread), never on the UI thread.
        if not self.positions:
            self.positions = {pid: row for row, pid in enumerate(self.ids)}


def new_since_last_digest(library: Library) -> list[str]:
    """Papers the most recent digest brought into the library (and still there), newest first."""
    digests = library.digests()
    if not digests:
        return []
    return library.brought_by(digests[0]["id"])


def recommended(library: Library, index: SearchIndex) -> list[str]:
    """Unread papers like the starred ones, best first (at most RECOMMENDED_LIMIT)."""
    return list(index.recommend(limit=RECOMMENDED_LIMIT, library=library).ids)


def browse(
    library: Library,
    index: SearchIndex | None,
    request: ListingRequest,
    offset: int = 0,
    limit: int | None = None,
) -> Listing:
    """The papers of ``request`` in order: a page (``offset``/``limit``) and the total.

    ``index`` is needed only when ``request.needs_index``; pass None otherwise.
    """
    started = time.perf_counter()
    if request.sort not in SORTS:
        raise ValueError(f"unknown sort {request.sort!r}; choose one of {', '.join(SORTS)}")
    generation = library.generation
    query = request.query.strip()
    base = _combine(library, request.scope.paper_filter(), request.refine)
    ranked: list[str] | None = None  # an order that only the index knows
    status: IndexStatus | None = None
    if request.scope.kind == "recommended":
        # Asked before recommending (as a search does): a merge committed meanwhile leaves
        # this listing labelled older than what it read (asked again), never newer (stale).
        status = _needed(index).status()
        ranked = recommended(library, _needed(index))
        base = _restrict(base, ranked)
    elif request.scope.kind == "new":
        base = _restrict(base, new_since_last_digest(library))
    if base is None:  # contradictory parts: nothing can match
        return _done(Listing(request, [], 0, library_generation=generation), started)
    if not query:
        by_rank = request.sort == "rank" or (ranked is not None and request.sort == "added")
        if ranked is not None and by_rank:
            # The Recommended view reads best match first unless another column is asked for.
            allowed = set(library.list_ids(base))
            ids = [pid for pid in ranked if pid in allowed]
            listing = Listing(request, ids[offset:_end(offset, limit)], len(ids))
        else:
            sort = "added" if request.sort == "rank" else request.sort
            page = library.list_ids(base, sort, request.descending, limit, offset)
            listing = Listing(request, page, _count(library, base, page, offset, limit))
        listing.library_generation = generation
        if status is not None:
            listing.index_generation, listing.index_version = status.generation, status.version
            listing.index_behind = status.generation < generation
        return _done(listing, started)
    return _done(_search(library, _needed(index), request, query, base, offset, limit,
                         generation, status), started)


def _search(
    library: Library,
    index: SearchIndex,
    request: ListingRequest,
    query: str,
    base: PaperFilter,
    offset: int,
    limit: int | None,
    generation: int,
    status: IndexStatus | None,
) -> Listing:
    # Asked before searching (or before recommending, for Recommended): an index that
    # catches up meanwhile is then "behind" for one answer too many (refreshed again), never
    # "complete" while it missed papers.
    status = status or index.status()
    by_rank = request.sort == "rank"
    # The whole library, by rank, a page at a time (the command line): the index's exact
    # total and its best `offset + limit` are the answer; ranking and naming every match
    # would cost ~0.5 s at 100k papers for a common word.
    page_only = by_rank and limit is not None and base == PaperFilter()
    # A column sort is the store's: the index only says which papers match (unscored).
    results = index.search(query, sort="rank" if by_rank else "added",
                           limit=_end(offset, limit) if page_only else None,
                           snippets=False, library=library, correct=not request.as_typed)
    matches = results.ids
    scores = {hit.id: hit.score for hit in results.hits if hit.score is not None}
    if page_only:
        ids, total = matches[offset:], results.total
    elif by_rank:
        if base != PaperFilter() and matches:
            # The sidebar's part is answered by the store, the source of truth: the index
            # learns of a star a moment after it is committed, and the view must not lag.
            allowed = set(library.list_ids(replace(base, ids=_within(base, matches))))
            matches = [pid for pid in matches if pid in allowed]
        ids, total = matches[offset:_end(offset, limit)], len(matches)
    else:
        within = _restrict(base, matches) if matches else None
        if within is None:
            ids, total = [], 0
        else:
            ids = library.list_ids(within, request.sort, request.descending, limit, offset)
            total = _count(library, within, ids, offset, limit)
    return Listing(
        request, ids, total,
        suggestion=results.suggestion,
        corrected=results.corrected,
        fallback=results.fallback,
        error=results.error,
        terms=index.highlight_terms(query),
        scores={pid: scores[pid] for pid in ids if pid in scores},
        index_behind=status.generation < generation,
        library_generation=generation,
        index_generation=status.generation,
        index_version=status.version,
    )


def _needed(index: SearchIndex | None) -> SearchIndex:
    if index is None:
        raise ValueError("this listing needs the search index")
    return index


def _end(offset: int, limit: int | None) -> int | None:
    return None if limit is None else offset + limit


def _count(
    library: Library, filter: PaperFilter, page: list[str], offset: int, limit: int | None
) -> int:
    if limit is None or (len(page) < limit and (page or offset == 0)):
        return offset + len(page)  # the page reached the end: no second query
    return library.count(filter)


def _done(listing: Listing, started: float) -> Listing:
    listing.elapsed_ms = (time.perf_counter() - started) * 1000
    return listing


def _within(filter: PaperFilter, ids: list[str] | frozenset[str]) -> frozenset[str]:
    wanted = frozenset(ids)
    return wanted if filter.ids is None else wanted & filter.ids


def _restrict(filter: PaperFilter | None, ids: list[str] | frozenset[str]) -> PaperFilter | None:
    """``filter`` limited to ``ids`` as well as to any ids it names already."""
    return None if filter is None else replace(filter, ids=_within(filter, ids))


def _combine(library: Library, a: PaperFilter, b: PaperFilter) -> PaperFilter | None:
    """Papers matching both filters as one filter; None when no paper can match both."""
    merged: dict[str, Any] = {}
    extra_ids: frozenset[str] | None = None
    for f in fields(PaperFilter):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if left is None or right is None or left == right:
            merged[f.name] = right if left is None else left
        elif f.name == "ids":
            merged[f.name] = left & right
        elif f.name in ("tag", "digest"):
            # Two different tags (or digests): the second one's papers as a set of ids.
            theirs = frozenset(library.list_ids(PaperFilter(**{f.name: right})))
            extra_ids = theirs if extra_ids is None else extra_ids & theirs
            merged[f.name] = left
        else:
            return None  # starred and not starred, read and unread...
    combined = PaperFilter(**merged)
    return combined if extra_ids is None else _restrict(combined, extra_ids)
