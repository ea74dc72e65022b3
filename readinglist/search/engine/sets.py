"""Queries Whoosh has no fast form of: exact phrases, prefixes of words, as sets of documents.

Whoosh's Prefix builds an Or of one matcher per expanded term and scores each; ``diff*``
expands to hundreds of terms at 100k papers. Reading the postings once into a sorted id list
and matching that is an order of magnitude faster. Its Phrase verifies positions through its
span machinery, about 45 µs per candidate document; ``PhraseSet`` compares position sets.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import formats
from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher

from readinglist.search.engine.ranking import segment_ids

_BLOCK_VALUES = ("_read_ids", "_read_values", "_next_block", "_ids", "_values")
# Phrase hits score like a strong term match: boost × (2 + log(1 + occurrences)).
PHRASE_BOOST = 4.0
PHRASE_TITLE_BOOST = 6.0


class _TermSet(wq.Query):
    """Documents holding any of the index terms a pattern expands to, scored as one term.

    Whoosh's Prefix/FuzzyTerm build an Or of one matcher per expanded term and score each;
    ``diff*`` expands to hundreds of terms at 100k papers. Reading the postings once into a
    sorted id list and matching that is an order of magnitude faster.
    """

    def __init__(self, fieldname: str, text: str, boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.text = text
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.fieldname == other.fieldname  # type: ignore[attr-defined]
            and self.text == other.text  # type: ignore[attr-defined]
            and self.boost == other.boost  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.text, self.boost))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fieldname!r}, {self.text!r})"

    def field(self) -> str:
        return self.fieldname

    def terms(self, phrases: bool = False) -> Any:
        return iter(())

    def expand(self, reader: Any) -> list[str]:
        raise NotImplementedError

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, t) for t in self.expand(ixreader))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        if self.fieldname not in reader.schema:
            return NullMatcher()
        # A search runs the query twice (top hits, then the count) and the highlighter
        # expands it again: remember the ids for this reader.
        cache = self.__dict__.setdefault("_ids", {})  # per segment reader: searched per segment
        cached = cache.get(id(reader))
        if cached is not None and cached[0] is reader:
            ids = cached[1]
        else:
            found: set[int] = set()
            for text in self.expanded(reader):
                try:
                    found |= segment_ids(reader, self.fieldname, text)
                except Exception:  # noqa: BLE001,S112 - a term vanished since expand
                    continue
            ids = sorted(found)
            cache[id(reader)] = (reader, ids)
        if not ids:
            return NullMatcher()
        field_boost = getattr(reader.schema[self.fieldname], "field_boost", 1.0) or 1.0
        return ListMatcher(ids, all_weights=self.boost * field_boost)

    def expand_once(self, reader: Any) -> None:
        """Expand against the whole index's reader now, and use that for every segment.

        Expanding per segment would repeat the costly part for each one.
        """
        self._shared_terms = self.expand(reader)

    def expanded(self, reader: Any) -> list[str]:
        """``expand(reader)``, remembered for this reader."""
        shared = getattr(self, "_shared_terms", None)
        if shared is not None:
            return shared
        cache = self.__dict__.setdefault("_terms", {})
        cached = cache.get(id(reader))
        if cached is None or cached[0] is not reader:
            cached = cache[id(reader)] = (reader, self.expand(reader))
        return cached[1]


class PrefixSet(_TermSet):
    """Words of ``fieldname`` (an exact field: words as written) starting with ``text``."""

    def expand(self, reader: Any) -> list[str]:
        found: list[str] = []
        for btext in reader.expand_prefix(self.fieldname, self.text):
            found.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
        return found


class PhraseSet(_TermSet):
    """Documents where ``terms`` occur at consecutive positions of ``fieldname``.

    Whoosh's Phrase query verifies positions through its span machinery, about 45 µs per
    candidate document (a common two-word phrase took 0.8 s at 100k papers just to count).
    Here the rarest word's postings are read once, each other word's postings are skipped to
    those candidates (or read once, when most of them are candidates), and positions are
    compared as sets. A hit scores ``boost × (2 + log(1 + occurrences))``: scoring the words'
    postings again, BM25-style, cost as much as finding the phrase.
    """

    def __init__(self, fieldname: str, terms: list[str], boost: float = PHRASE_BOOST) -> None:
        super().__init__(fieldname, " ".join(terms), boost)
        self.words = list(terms)

    def expand(self, reader: Any) -> list[str]:
        return []

    def expand_once(self, reader: Any) -> None:
        return None

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        cache = self.__dict__.setdefault("_ids", {})
        cached = cache.get(id(reader))
        if cached is None or cached[0] is not reader:
            found = _cached_phrase_docs(reader, self.fieldname, self.words)
            cached = cache[id(reader)] = (reader, found)
        counts = cached[1]
        if not counts:
            return NullMatcher()
        ids = sorted(counts)
        weights = [self.boost * (2.0 + math.log1p(counts[i])) for i in ids]
        return ListMatcher(ids, weights=weights)


_PHRASES: OrderedDict[tuple[Any, ...], dict[int, int]] = OrderedDict()
_PHRASES_LOCK = threading.Lock()
PHRASE_CACHE_SIZE = 64


def _cached_phrase_docs(reader: Any, fieldname: str, words: list[str]) -> dict[int, int]:
    """``_phrase_docs``, remembered per segment and the state of its deletions.

    A segment's postings never change and its deletions only grow, so its live document count
    names its state.
    """
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return _phrase_docs(reader, fieldname, words)
    key = (segment.segment_id(), reader.doc_count(), fieldname, tuple(words))
    with _PHRASES_LOCK:
        found = _PHRASES.get(key)
        if found is not None:
            _PHRASES.move_to_end(key)
            return found
    found = _phrase_docs(reader, fieldname, words)
    with _PHRASES_LOCK:
        _PHRASES[key] = found
        while len(_PHRASES) > PHRASE_CACHE_SIZE:
            _PHRASES.popitem(last=False)
    return found


def _phrase_docs(reader: Any, fieldname: str, words: list[str]) -> dict[int, int]:
    """Documents holding the phrase, with how many times each holds it."""
    if fieldname not in reader.schema:
        return {}
    unique = list(dict.fromkeys(words))
    frequency = {w: reader.doc_frequency(fieldname, w) for w in unique}
    if not all(frequency.values()):
        return {}
    offsets: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        offsets.setdefault(word, []).append(i)
    order = sorted(unique, key=frequency.__getitem__)
    rarest = order[0]
    # Only documents holding every word can hold the phrase; their ids come from the posting
    # ids (cached), so positions, the costly part, are decoded for them alone.
    candidates: set[int] | None = None
    for word in order:
        ids = segment_ids(reader, fieldname, word)
        candidates = ids if candidates is None else candidates & ids
        if not candidates:
            return {}
    assert candidates is not None
    decode = _positions_decoder(reader.schema[fieldname].format)
    # Candidate starts: positions of the phrase's first word implied by the rarest word.
    starts: dict[int, set[int]] = {}
    for docnum, raw in _values_of(reader.postings(fieldname, rarest), candidates):
        starts[docnum] = {p - o for p in decode(raw) for o in offsets[rarest]}
    for word in order[1:]:
        if not starts:
            break
        matcher = reader.postings(fieldname, word)
        if len(starts) * 4 < frequency[word]:
            starts = _keep_matching(matcher, starts, offsets[word], decode)
            continue
        # Most of this word's documents are candidates: one sequential read beats skipping.
        kept: dict[int, set[int]] = {}
        word_offsets = offsets[word]
        for docnum, raw in _values_of(matcher, starts):
            positions = set(decode(raw))
            alive = {s for s in starts[docnum] if all(s + o in positions for o in word_offsets)}
            if alive:
                kept[docnum] = alive
        starts = kept
    # The rarest word may occur more than once in the phrase: check its other offsets too.
    if len(offsets[rarest]) > 1 and starts:
        starts = _keep_matching(
            reader.postings(fieldname, rarest), starts, offsets[rarest], decode
        )
    return {docnum: len(found) for docnum, found in starts.items()}


def _positions_decoder(fmt: Any) -> Any:
    """``fmt.decode_positions``, or the same decoding without its per-position Python loop."""
    if type(fmt).decode_positions is not formats.Positions.decode_positions:
        return fmt.decode_positions

    def decode(raw: bytes) -> list[int]:
        # Whoosh's Positions: a 4-byte count, then the deltas pickled (final "." maybe cut).
        return list(accumulate(loads(raw[4:] if raw.endswith(b".") else raw[4:] + b".")))

    return decode


def _values_of(matcher: Any, wanted: Any) -> Iterator[tuple[int, bytes]]:
    """(document, encoded value) of the postings whose document is in ``wanted``.

    A block at a time (one unpickling per 128 postings) where the codec allows it.
    """
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
        matcher = matcher.child  # deleted documents are never wanted: they hold no candidate
    if all(hasattr(matcher, name) for name in _BLOCK_VALUES):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_values()
            ids, values = matcher._ids, matcher._values
            if len(values) != len(ids):
                break  # not the layout expected: read the rest one posting at a time
            for docnum, raw in zip(ids, values, strict=True):
                if docnum in wanted:
                    yield docnum, raw
            matcher._next_block()
        else:
            return
    for docnum, raw in matcher.all_items():
        if docnum in wanted:
            yield docnum, raw


def _keep_matching(
    matcher: Any, starts: dict[int, set[int]], offsets: list[int], decode: Any
) -> dict[int, set[int]]:
    kept: dict[int, set[int]] = {}
    for docnum in sorted(starts):
        if matcher.is_active() and matcher.id() < docnum:
            matcher.skip_to(docnum)
        if not matcher.is_active():
            break
        if matcher.id() != docnum:
            continue
        positions = set(decode(matcher.value()))
        alive = {s for s in starts[docnum] if all(s + o in positions for o in offsets)}
        if alive:
            kept[docnum] = alive
    return kept
