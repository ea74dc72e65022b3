"""One open, unchanging view of the index, and what is derived from it while it lives.

A ``Reader`` wraps one Whoosh searcher. Everything computed from it — the map from document
numbers to paper ids and back, the order of every paper by date or title, the vocabularies
and prefix/fuzzy expansions — is kept on the reader and dies with it: the index changed
means a new reader, so no cache can answer for an older index. Document numbers (``int``)
are only meaningful for the reader that returned them.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from readinglist.search.document import fold
from readinglist.search.engine import columns, ranking
from readinglist.search.engine.compile import Compiled, Expansions, compile_query
from readinglist.search.engine.vocabulary import Vocabulary

if TYPE_CHECKING:
    from readinglist.library import PaperFilter
    from readinglist.search.query import ParsedQuery

SORT_COLUMNS = {
    "published": "published",
    "upvotes": "upvotes",
    "added": "added",
    "title": "title_key",
}


def _open_searcher(ix: Any) -> Any:
    """``ix.searcher()``; a damaged segment's open files are let go of quietly.

    Whoosh takes an OSError while opening a segment (a truncated term table gives a seek to a
    negative offset) for a file a writer just deleted and retries ten times, leaving each
    failed attempt's files to the garbage collector: their ResourceWarnings are expected
    here, and the final error reaches the caller, which has the index rebuilt.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return ix.searcher()
        except Exception:
            gc.collect()
            raise


class Reader:
    """A view of the index for searching (see the module docstring). Not thread-safe."""

    def __init__(self, ix: Any) -> None:
        self.whoosh = _open_searcher(ix)
        self._expansions = Expansions(self.whoosh)
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._docnums: dict[str, int] | None = None

    def up_to_date(self) -> bool:
        return self.whoosh.up_to_date()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.whoosh.close()

    # --- matching and ranking ------------------------------------------------------------

    def compile(self, parsed: ParsedQuery) -> Compiled:
        """``parsed`` as Whoosh queries (expansions remembered for this reader)."""
        return compile_query(parsed, self._expansions)

    def matching(
        self, compiled: Compiled, filter: PaperFilter | None, ids: set[str] | None
    ) -> set[int]:
        """Documents matching the query, its ``is:``-style filters, ``filter`` and ``ids``.

        ``ids``: only these papers (None: any); a filter's digest label must already be
        resolved into ``ids`` by the caller, which has the store.
        """
        query = compiled.query if compiled.query is not None else wq.Every()
        docs = ranking.matching_docs(self.whoosh, query)
        for restriction in (compiled.filter, *self._filter_terms(filter)):
            if restriction is not None and docs:
                docs &= ranking.matching_docs(self.whoosh, restriction)
        if ids is not None and docs:
            docs &= self.docnums(ids)
        if compiled.mask is not None and docs:
            docs -= ranking.matching_docs(self.whoosh, compiled.mask)
        return docs

    @staticmethod
    def _filter_terms(filter: PaperFilter | None) -> list[wq.Query]:
        if filter is None:
            return []
        terms: list[wq.Query] = []
        if filter.starred is not None:
            terms.append(wq.Term("starred", filter.starred))
        if filter.read is not None:
            terms.append(wq.Term("read", filter.read))
        if filter.has_note is not None:
            terms.append(wq.Term("has_note", filter.has_note))
        if filter.tag:
            terms.append(wq.Term("tag", fold(filter.tag)))
        return terms

    def ranked(
        self, compiled: Compiled, docs: set[int], want: int | None
    ) -> list[tuple[int, float]]:
        """The best ``want`` of ``docs`` by BM25F (the scores Whoosh computes), best first."""
        return list(ranking.top(self.whoosh, compiled.query, docs, want))

    def ordered(self, docs: set[int], key: str, reverse: bool, want: int | None) -> list[int]:
        """The first ``want`` of ``docs`` sorted by a column (ties: newest added first)."""
        order = self._order(key, reverse)
        if want is not None and want < len(docs) // 4:
            return heapq.nsmallest(want, docs, key=order.__getitem__)
        return sorted(docs, key=order.__getitem__)[:want]

    def _order(self, key: str, reverse: bool) -> list[int]:
        """Position of every document in the library sorted by ``key``.

        Sorting a result is then a C-speed sort of its document numbers by this list, instead
        of reading a column value per hit. Ties, and papers without a value, newest added first.
        """
        order = self._orders.get((key, reverse))
        if order is not None:
            return order
        reader = self.whoosh.reader()
        size = reader.doc_count_all()
        order = [size] * size
        if size:
            values = reader.column_reader(SORT_COLUMNS[key])
            added = reader.column_reader("added")
            docnums = list(reader.all_doc_ids())
            if key == "title":
                docnums.sort(key=values.__getitem__, reverse=reverse)
            else:
                docnums.sort(key=added.__getitem__, reverse=True)
                docnums.sort(key=values.__getitem__, reverse=reverse)  # stable: ties by added
            for position, docnum in enumerate(docnums):
                order[docnum] = position
        self._orders[(key, reverse)] = order
        return order

    # --- papers ----------------------------------------------------------------------------

    def paper_ids(self, docnums: Iterable[int]) -> list[str]:
        """The paper id of each document (every id of the index read at once, remembered)."""
        return columns.ids_of(self.whoosh.reader(), list(docnums))

    def docnums(self, ids: Iterable[str]) -> set[int]:
        """Document numbers of these paper ids (those in the index)."""
        if self._docnums is None:
            reader = self.whoosh.reader()
            names = columns.paper_ids(reader)
            self._docnums = {names[d]: d for d in reader.all_doc_ids()}
        mapping = self._docnums
        return {mapping[i] for i in ids if i in mapping}

    def fingerprints(self) -> dict[str, bytes]:
        """Every indexed paper's fingerprint (``document.fingerprint``), by id."""
        reader = self.whoosh.reader()
        if reader.doc_count_all() == 0:
            return {}  # an empty index has no columns at all
        names = columns.paper_ids(reader)
        fps = reader.column_reader("fingerprint")
        return {names[d]: fps[d] for d in reader.all_doc_ids()}

    # --- words -----------------------------------------------------------------------------

    def vocabulary(self) -> Vocabulary:
        """The library's words as written (with how many papers use each)."""
        return self._expansions.vocabulary("text_exact")

    def paper_count(self) -> int:
        return self.whoosh.reader().doc_count()

    def stem_papers(self, stem: str) -> int:
        """How many papers use this stem (in any part of their text)."""
        return self.whoosh.reader().doc_frequency("text", stem)

    def most_like(
        self, weighted_stems: Iterable[tuple[str, float]], exclude: str, limit: int
    ) -> tuple[list[tuple[str, float]], int]:
        """Papers by the sum of these stems' BM25F scores, each scaled by its weight.

        ``exclude``: a paper id to leave out, or ``"starred-or-read"``. Returns the best
        ``limit`` as (id, score) and how many papers use any of the stems.
        """
        terms = [wq.Term("text", stem, boost=weight) for stem, weight in weighted_stems]
        if exclude == "starred-or-read":
            mask: wq.Query = wq.Or([wq.Term("starred", True), wq.Term("read", True)])
        else:
            mask = wq.Term("id", exclude)
        results = self.whoosh.search(wq.Or(terms), limit=limit, mask=mask)
        total = results.scored_length()
        found = list(zip(self.paper_ids(hit.docnum for hit in results),
                         (hit.score for hit in results), strict=True)) if total else []
        return found, total
