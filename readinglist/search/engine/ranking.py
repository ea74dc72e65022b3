"""Matching and ranking a query a posting block at a time, for exact totals and a fast top page.

Whoosh's collectors walk matchers one document at a time through a dozen Python calls per hit,
and its block-quality skipping gains nothing here (every posting block of a common word holds
a title occurrence, so no block can be skipped) while making its hit count wrong. Instead:

- ``matching_docs``: the set of matching documents by set operations (C speed) over each
  term's posting ids, read a block at a time — the exact total, no scoring;
- ``scores``: BM25F for the matching documents as Whoosh computes it (same formula, same
  statistics, same order of operations, so the same floats), one tight loop per posting block
  instead of a matcher tree; ``top`` sorts only the hits that can reach the page.

Queries this module does not take apart (ranges, our phrase/prefix/fuzzy sets, ``Every``) are
matched and scored through their own Whoosh matchers.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from itertools import accumulate
from operator import neg
from typing import Any

from whoosh import query as wq
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer

from readinglist.search.engine import columns

_BLOCK_API = ("_read_ids", "_read_weights", "_next_block", "_ids", "_weights")
# W3LeafMatcher's block state, read directly by ``blocks``.
_BLOCK_DATA = ("_read_data", "_data", "_next_block", "_byteids", "_maxid", "_fixedsize")
# Decoded posting lists of recent terms: a user refining a query asks for the same words again,
# and a segment's postings never change (deletions are applied after reading).
POSTINGS_CACHE_SIZE = 2_000_000  # postings, 12 bytes each (int32 id + float64 weight)
_postings_cache: OrderedDict[tuple[Any, ...], tuple[array, array]] = OrderedDict()
_postings_cached = 0
_postings_lock = threading.Lock()


def matching_docs(searcher: Any, query: Any) -> set[int]:
    """Document numbers (whole index) matching ``query``, without scoring."""
    if isinstance(query, wq.And):
        # Terms first: their sets are cheapest, and an empty one ends the work.
        children = sorted(query.subqueries, key=lambda q: type(q) is not wq.Term)
        result: set[int] | None = None
        for child in children:
            found = matching_docs(searcher, child)
            result = found if result is None else result & found
            if not result:
                return set()
        return result or set()
    if isinstance(query, wq.Or) and not getattr(query, "minmatch", 0):
        result = set()
        for child in query.subqueries:
            result |= matching_docs(searcher, child)
        return result
    if isinstance(query, wq.AndNot):
        result = matching_docs(searcher, query.a)
        return result - matching_docs(searcher, query.b) if result else result
    if isinstance(query, wq.NumericRange):
        found = columns.numeric_range(searcher.reader(), query.fieldname, query.start,
                                      query.end, query.startexcl, query.endexcl)
        if found is not None:
            return found
    docs = getattr(query, "index_docs", None)  # our phrase and prefix sets (``sets``)
    if docs is not None:
        return set(docs(searcher))
    if isinstance(query, wq.Every) and not query.fieldname:
        return set(searcher.reader().all_doc_ids())
    if type(query) is wq.Term:
        result = set()
        for reader, offset, btext in _term_segments(searcher, query):
            ids, _weights, deleted = _segment_postings(reader, query.fieldname, btext)
            if deleted:
                ids = [i for i in ids if i not in deleted]
            result.update(map(offset.__add__, ids) if offset else ids)
        return result
    return set(searcher.docs_for_query(query))


def scores(searcher: Any, query: Any, docs: set[int]) -> dict[int, float]:
    """The BM25F score Whoosh would give each document of ``docs`` that ``query`` matches."""
    if not docs:
        return {}
    boost = getattr(query, "boost", 1.0)
    if isinstance(query, wq.And):
        parts = [scores(searcher, child, docs) for child in query.subqueries]
        keys = set(parts[0]).intersection(*parts[1:]) if parts else set()
        if len(parts) == 2:
            first, second = parts
            result = {d: first[d] + second[d] for d in keys}
        else:
            result = {d: sum(part[d] for part in parts) for d in keys}
    elif isinstance(query, wq.Or) and not getattr(query, "minmatch", 0):
        result = {}
        for child in query.subqueries:
            for d, s in scores(searcher, child, docs).items():
                result[d] = result[d] + s if d in result else s
    elif isinstance(query, wq.AndNot):
        result = scores(searcher, query.a, docs)
        if result:
            for d in matching_docs(searcher, query.b) & result.keys():
                del result[d]
        return result
    elif type(query) is wq.Term:
        return _term_scores(searcher, query, docs)
    elif hasattr(query, "index_scores"):  # our phrase and prefix sets (``sets``)
        return query.index_scores(searcher, docs)
    else:
        return _matcher_scores(searcher, query, docs)
    if boost != 1.0:
        result = {d: s * boost for d, s in result.items()}
    return result


def top(searcher: Any, query: Any, docs: set[int], limit: int | None) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) of ``docs``; ties in document order, as Whoosh does."""
    scored = scores(searcher, query, docs)
    if limit is not None and 0 < limit < len(scored):
        values = scored.values()
        high = max(values)
        if high == min(values):  # one score for all (a prefix alone): the first documents
            return [(d, high) for d in heapq.nsmallest(limit, scored)]
        # The page's lowest score by a C sort of the floats; only documents scoring at least
        # that are ordered (heapq.nlargest walks every hit in Python: ~20 ms for 66,000).
        threshold = sorted(scored.values(), reverse=True)[limit - 1]
        scored = {d: s for d, s in scored.items() if s >= threshold}
    keyed = zip(scored.values(), map(neg, scored.keys()), strict=True)
    best = sorted(keyed, reverse=True)[:limit]
    return [(-negdoc, score) for score, negdoc in best]


def _term_segments(searcher: Any, term: wq.Term) -> Iterable[tuple[Any, int, bytes]]:
    reader = searcher.reader()
    if term.fieldname not in reader.schema:
        return
    try:
        btext = reader.schema[term.fieldname].to_bytes(term.text)
    except ValueError:
        return
    for leaf, offset in reader.leaf_readers():
        if (term.fieldname, btext) in leaf:
            yield leaf, offset, btext


def segment_ids(reader: Any, fieldname: str, text: str | bytes) -> set[int]:
    """Ids of a term's live postings in one segment (a segment reader), read through the cache."""
    btext = reader.schema[fieldname].to_bytes(text) if isinstance(text, str) else text
    if (fieldname, btext) not in reader:
        return set()
    ids, _weights, deleted = _segment_postings(reader, fieldname, btext)
    found = set(ids)
    return found - deleted if deleted else found


def _segment_postings(reader: Any, fieldname: str, btext: bytes) -> tuple[array, array, Any]:
    """Ids and weights of a term's postings in one segment (cached), and its deleted ids."""
    global _postings_cached
    matcher = reader.postings(fieldname, btext)
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        ids, weights, deleted = _postings(matcher)
        return array("i", ids), array("d", weights), deleted
    key = (segment.segment_id(), fieldname, btext)
    with _postings_lock:
        cached = _postings_cache.get(key)
        if cached is not None:
            _postings_cache.move_to_end(key)
    deleted = _deleted(matcher)
    if cached is not None:
        return cached[0], cached[1], deleted
    ids, weights, deleted = _postings(matcher)
    cached = (array("i", ids), array("d", weights))
    with _postings_lock:
        if key not in _postings_cache:
            _postings_cache[key] = cached
            _postings_cached += len(ids)
            while _postings_cached > POSTINGS_CACHE_SIZE and len(_postings_cache) > 1:
                _old, (old_ids, _w) = _postings_cache.popitem(last=False)
                _postings_cached -= len(old_ids)
    return cached[0], cached[1], deleted


def prefix_ids(reader: Any, fieldname: str, prefix: str) -> set[int] | None:
    """Live documents of one segment holding a term of ``fieldname`` that starts with ``prefix``.

    The terms as ``expand_prefix`` finds them, each one's postings read from its term-table
    entry (W3 codec). None: not a segment of that codec (the caller expands and looks up).
    """
    terms = getattr(reader, "_terms", None)
    items_from = getattr(terms, "items_from", None)
    codec = getattr(terms, "_codec", None)
    postfile = getattr(terms, "_postfile", None)
    if items_from is None or codec is None or postfile is None:
        return None
    fmt = reader.schema[fieldname].format
    start = reader.schema[fieldname].to_bytes(prefix)
    found: set[int] = set()
    update = found.update
    for (field, btext), info in items_from(fieldname, start):
        if field != fieldname or not btext.startswith(start):
            break
        if info.is_inlined():
            update(info.inlined_postings()[0])
            continue
        matcher = codec.postings_reader(postfile, info, fmt)
        if not all(hasattr(matcher, name) for name in _BLOCK_DATA):
            return None
        for ids, _weights, _values in blocks(matcher):
            update(ids)
    if reader.has_deletions():
        found -= reader.deleted_docs_set
    return found


def _deleted(matcher: Any) -> Any:
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
        return matcher._ids
    return None


def _postings(matcher: Any, weights: bool = True) -> tuple[list[int], list[float], Any]:
    """Ids (and weights) of a posting list, whole blocks at a time, and the deleted ids."""
    deleted: Any = None
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
        deleted = matcher._ids  # the segment's deleted documents, filtered by the caller
        matcher = matcher.child
    ids: list[int] = []
    values: list[float] = []
    if all(hasattr(matcher, name) for name in _BLOCK_DATA):
        for block_ids, block_weights, _values in blocks(matcher):
            ids.extend(block_ids)
            if weights:
                values.extend(block_weights)
    elif all(hasattr(matcher, name) for name in _BLOCK_API):
        while matcher.is_active():
            matcher._read_ids()
            ids.extend(matcher._ids)
            if weights:
                matcher._read_weights()
                values.extend(matcher._weights)
            matcher._next_block()
    else:  # another codec: one posting at a time
        while matcher.is_active():
            ids.append(matcher.id())
            if weights:
                values.append(matcher.weight())
            matcher.next()
    return ids, values, deleted


def blocks(matcher: Any, wanted: Any = None) -> Iterator[tuple[Any, Any, Any]]:
    """(ids, weights, values) of each posting block of a fresh W3 leaf matcher.

    What the matcher's ``_read_ids``/``_read_weights``/``_read_values`` give, with the ids'
    deltas summed by ``accumulate`` (C) instead of Whoosh's generator (a Python step per
    posting); values are the encoded ones of a variable-size format (positions), else None.
    ``wanted``: a sorted list of document numbers; a block holding none of them is skipped
    before it is decompressed (its last id is in its header), and not yielded.
    """
    variable = matcher._fixedsize is None or matcher._fixedsize < 0
    position = 0
    low = -1  # every id of the coming block is above this
    while matcher.is_active():
        if wanted is not None:
            position = bisect_right(wanted, low, position)
            if position == len(wanted):
                return
            if wanted[position] > matcher._maxid:
                low = matcher._maxid
                matcher._next_block()
                continue
        matcher._read_data()
        data = matcher._data
        ids = data[0] if matcher._byteids else list(accumulate(data[0]))
        stored = data[1]
        count = len(ids)
        if stored is None:
            block_weights: Any = [1.0] * count
        elif isinstance(stored, float):
            # Whoosh holds a block's one weight as a float32 (``_read_weights``).
            block_weights = [array("f", (stored,))[0]] * count
        else:
            block_weights = stored
        yield ids, block_weights, data[2] if variable else None
        low = matcher._maxid
        matcher._next_block()


def _field_lengths(reader: Any, fieldname: str) -> list[int]:
    """Every document's length of ``fieldname`` in this segment (segments never change)."""
    return columns.field_lengths(reader, fieldname)


def _term_scores(searcher: Any, term: wq.Term, docs: set[int]) -> dict[int, float]:
    result: dict[int, float] = {}
    weighting = searcher.weighting
    leaf_searchers = dict((id(s.reader()), s) for s, _o in searcher.leaf_searchers())
    for reader, offset, btext in _term_segments(searcher, term):
        sub = leaf_searchers.get(id(reader), searcher)
        scorer = weighting.scorer(sub, term.fieldname, btext)
        if not isinstance(scorer, BM25FScorer):
            result.update(_matcher_scores(searcher, term, docs))
            return result
        ids, weights, deleted = _segment_postings(reader, term.fieldname, btext)
        lengths = _field_lengths(reader, term.fieldname)
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        # Whoosh's bm25(), written out with its order of operations: the same floats.
        for d, w in zip(ids, weights, strict=True):
            g = d + offset
            if g in docs and not (deleted and d in deleted):
                result[g] = idf * ((w * (k1 + 1)) / (w + k1 * ((1 - b) + b * lengths[d] / avgfl)))
    if term.boost != 1.0:
        result = {d: s * term.boost for d, s in result.items()}
    return result


def _matcher_scores(searcher: Any, query: Any, docs: set[int]) -> dict[int, float]:
    result: dict[int, float] = {}
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, context)
        if type(matcher) is ListMatcher and not getattr(matcher, "_scorer", None):
            # Our phrase/prefix/fuzzy sets: ids with a constant or listed weight.
            ids, weights, constant = matcher._ids, matcher._weights, matcher._all_weights
            if constant or not weights:
                value = constant or 1.0
                result.update((i + offset, value) for i in ids if i + offset in docs)
            else:
                pairs = zip(ids, weights, strict=True)
                result.update((i + offset, w) for i, w in pairs if i + offset in docs)
            continue
        while matcher.is_active():
            g = matcher.id() + offset
            if g in docs:
                result[g] = matcher.score()
            matcher.next()
    return result
