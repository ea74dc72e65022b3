"""Answering queries over one view of the index: matches, ranking or sorting, the page.

A ``Searcher`` lives as long as the index it reads is unchanged (``SearchIndex`` replaces it
when the index changes), and owns every cache that depends on that: the last queries'
matching documents (the GUI runs the query it shows again to page and sort) and, through
its engine ``Reader``, the id maps, sort orders and word expansions. Engine-independent: the
Whoosh side is ``readinglist.search.engine.reader``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from readinglist.search import highlight
from readinglist.search.engine.analysis import PaperAnalyzer, exact_words
from readinglist.search.engine.compile import Compiled
from readinglist.search.engine.reader import Reader

if TYPE_CHECKING:
    from readinglist.library import Library, PaperFilter
    from readinglist.search.query import ParsedQuery

SORTS = ("rank", "published", "upvotes", "added", "title")
MATCH_CACHE_SIZE = 8  # matched-document sets kept (queries the GUI pages through)


class QueryError(ValueError):
    """A caller's mistake (an unknown sort...), not damage to the index."""


@dataclass(frozen=True, slots=True)
class Page:
    """What a query found: the total and the asked-for page as (paper id, score or None)."""

    total: int
    ranked: list[tuple[str, float | None]]
    compiled: Compiled


class Searcher:
    """Queries over one unchanging view of the index (see the module docstring)."""

    def __init__(self, ix: Any) -> None:
        self.reader = Reader(ix)
        self._matches: dict[tuple[str, Any], set[int]] = {}

    def up_to_date(self) -> bool:
        return self.reader.up_to_date()

    def close(self) -> None:
        self.reader.close()

    def page(
        self,
        parsed: ParsedQuery,
        filter: PaperFilter | None,
        library: Library | None,
        sort: str = "rank",
        descending: bool | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> Page:
        """The matches of ``parsed`` within ``filter``, counted, ordered and paged.

        ``library`` resolves a filter's digest label into papers (the index does not know
        which digest a paper was seen in last); it may be None when there is no such filter.
        """
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
        with _collector_paused():
            return self._page(parsed, filter, library, sort, descending, limit, offset)

    def _page(
        self,
        parsed: ParsedQuery,
        filter: PaperFilter | None,
        library: Library | None,
        sort: str,
        descending: bool | None,
        limit: int | None,
        offset: int,
    ) -> Page:
        compiled = self.reader.compile(parsed)
        # The set of matching documents, by set operations on posting lists (no scoring): the
        # exact total, and all that a sort by a column needs.
        docs = self._matching(parsed, compiled, filter, library)
        want = None if limit is None else offset + limit
        chosen: list[tuple[int, float | None]]
        if not docs:
            chosen = []
        elif sort == "rank" and compiled.query is not None:
            # BM25F for the matches only, a posting block at a time; the page by heapq.
            chosen = list(self.reader.ranked(compiled, docs, want))
        else:
            key = "added" if sort == "rank" else sort
            reverse = (key != "title") if descending is None else descending
            chosen = [(d, None) for d in self.reader.ordered(docs, key, reverse, want)]
        chosen = chosen[offset:]
        ids = self.reader.paper_ids(d for d, _score in chosen)
        ranked = [(i, score) for i, (_d, score) in zip(ids, chosen, strict=True)]
        return Page(len(docs), ranked, compiled)

    def _matching(
        self,
        parsed: ParsedQuery,
        compiled: Compiled,
        filter: PaperFilter | None,
        library: Library | None,
    ) -> set[int]:
        """Documents matching the query and filter (cached unless the filter needs the store)."""
        cacheable = filter is None or filter.digest is None
        key = (parsed.text, filter)
        if cacheable and key in self._matches:
            return self._matches[key]
        docs = self.reader.matching(compiled, filter, _restricted_ids(filter, library))
        if cacheable:
            if len(self._matches) >= MATCH_CACHE_SIZE:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = docs  # shared through the cache: never modified after this
        return docs

    def match_set(
        self, parsed: ParsedQuery, compiled: Compiled | None = None
    ) -> highlight.MatchSet:
        """What to highlight for ``parsed``: its stems, exact words and prefixes."""
        if compiled is None:
            compiled = self.reader.compile(parsed)
        matches = highlight.MatchSet()
        prefixes: set[str] = set()
        analyzer = PaperAnalyzer()
        for kind, text in parsed.highlight:
            if kind == "prefix":
                prefixes.add(text)
            elif kind == "phrase":
                matches.words.update(exact_words(text))
            elif kind != "fuzzy":
                matches.terms.update(t.text for t in analyzer(text, mode="index"))
        # Fuzzy words light up the words they stood for (already computed).
        matches.terms.update(compiled.fuzzy_stems)
        matches.prefixes = tuple(sorted(prefixes))
        return matches


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a query runs (back on after, if it was on).

    Reading postings unpickles tens of thousands of tuples and lists, each freed by its
    reference count when the query is done; the collector would walk them again and again
    as they pile up (10-20 % of a cold phrase or prefix query at 100k papers). Another
    thread's query may end the pause early: it only costs that query the time saved.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _restricted_ids(filter: PaperFilter | None, library: Library | None) -> set[str] | None:
    """The papers a filter allows by id or digest label (None: no such restriction)."""
    if filter is None:
        return None
    ids: set[str] | None = None
    if filter.digest is not None:
        if library is None:
            raise QueryError("a digest filter needs the library")
        ids = set(library.list_ids(type(filter)(digest=filter.digest)))
    if filter.ids is not None:
        ids = set(filter.ids) if ids is None else ids & set(filter.ids)
    return ids
