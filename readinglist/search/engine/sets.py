"""Queries Whoosh has no fast form of: exact phrases, prefixes of words, as sets of documents.

Whoosh's Prefix builds an Or of one matcher per expanded term and scores each; ``diff*``
expands to hundreds of terms at 100k papers. Reading the postings once into a sorted id list
and matching that is an order of magnitude faster. Its Phrase verifies positions through its
span machinery, about 45 µs per candidate document; ``PhraseSet`` compares position sets.
"""

from __future__ import annotations

import math
import sys
import threading
from array import array
from collections import OrderedDict
from itertools import accumulate, compress
from pickle import loads
from typing import Any

from whoosh import formats
from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher

from readinglist.search.engine.ranking import _BLOCK_DATA, blocks, prefix_ids, segment_ids

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
        found = self.segment_docs(reader)
        if not found:
            return NullMatcher()
        return ListMatcher(sorted(found), all_weights=self.weight(reader))

    def weight(self, reader: Any) -> float:
        """Every matching document's score."""
        field_boost = getattr(reader.schema[self.fieldname], "field_boost", 1.0) or 1.0
        return self.boost * field_boost

    def index_docs(self, searcher: Any) -> set[int]:
        """The matching documents of the whole index (``ranking.matching_docs``)."""
        found: set[int] = set()
        for sub, offset in searcher.leaf_searchers():
            ids = self.segment_docs(sub.reader())
            found.update(map(offset.__add__, ids) if offset else ids)
        return found

    def index_scores(self, searcher: Any, docs: set[int]) -> dict[int, float]:
        """The score of each document of ``docs`` that matches (``ranking.scores``)."""
        found = self.index_docs(searcher) & docs
        return dict.fromkeys(found, self.weight(searcher.reader())) if found else {}

    def segment_docs(self, reader: Any) -> set[int]:
        """The live documents of one segment holding any of the terms (don't modify)."""
        if self.fieldname not in reader.schema:
            return set()
        # A search runs the query twice (top hits, then the count) and the highlighter
        # expands it again: remember the ids for this reader.
        cache = self.__dict__.setdefault("_ids", {})  # per segment reader: searched per segment
        cached = cache.get(id(reader))
        if cached is not None and cached[0] is reader:
            return cached[1]
        found = self.read_docs(reader)
        cache[id(reader)] = (reader, found)
        return found

    def read_docs(self, reader: Any) -> set[int]:
        found: set[int] = set()
        for text in self.expanded(reader):
            try:
                found |= segment_ids(reader, self.fieldname, text)
            except Exception:  # noqa: BLE001,S112 - a term vanished since expand
                continue
        return found

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

    def read_docs(self, reader: Any) -> set[int]:
        # The term table is walked once from the prefix, each term's postings read from the
        # entry found there: ``trans*`` is ~1,000 words of a segment, most of them rare, so
        # looking each word up again (twice) cost as much as reading its postings.
        found = prefix_ids(reader, self.fieldname, self.text)
        return super().read_docs(reader) if found is None else found

    def expand(self, reader: Any) -> list[str]:
        found: list[str] = []
        for btext in reader.expand_prefix(self.fieldname, self.text):
            found.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
        return found


class PhraseSet(_TermSet):
    """Documents where ``terms`` occur at consecutive positions of ``fieldname``.

    Whoosh's Phrase query verifies positions through its span machinery, about 45 µs per
    candidate document (a common two-word phrase took 0.8 s at 100k papers just to count).
    Here each word's postings are read once, a block at a time, and positions are compared as
    sets (``_phrase_docs``). A hit scores ``boost × (2 + log(1 + occurrences))``: scoring the words'
    postings again, BM25-style, cost as much as finding the phrase.
    """

    def __init__(self, fieldname: str, terms: list[str], boost: float = PHRASE_BOOST) -> None:
        super().__init__(fieldname, " ".join(terms), boost)
        self.words = list(terms)

    def expand(self, reader: Any) -> list[str]:
        return []

    def expand_once(self, reader: Any) -> None:
        return None

    def read_docs(self, reader: Any) -> dict[int, int]:  # type: ignore[override]
        """Document -> how many times it holds the phrase (a dict: used as the set of keys)."""
        return _cached_phrase_docs(reader, self.fieldname, self.words)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        counts = self.segment_docs(searcher.reader())
        if not counts:
            return NullMatcher()
        ids = sorted(counts)
        weights = [self.boost * (2.0 + math.log1p(counts[i])) for i in ids]
        return ListMatcher(ids, weights=weights)

    def index_scores(self, searcher: Any, docs: set[int]) -> dict[int, float]:
        found: dict[int, float] = {}
        boost = self.boost
        for sub, offset in searcher.leaf_searchers():
            counts = self.segment_docs(sub.reader())
            found.update((d + offset, boost * (2.0 + math.log1p(n)))
                         for d, n in counts.items() if d + offset in docs)
        return found


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
    """Documents holding the phrase, with how many times each holds it.

    Each word's postings are read once, rarest word first, as (document -> encoded positions);
    a later word's blocks holding no document still in the running are skipped undecoded.
    Documents holding every word are then compared with C-speed set operations: a word at
    offset ``o`` of the phrase stands for the set of its positions minus ``o``, decoded once
    per distinct encoded value (a value recurs: most words occur once, at a few hundred
    possible positions), and the phrase's starts in a document are the intersection of those
    sets.
    """
    if fieldname not in reader.schema:
        return {}
    unique = list(dict.fromkeys(words))
    frequency = {w: reader.doc_frequency(fieldname, w) for w in unique}
    if not all(frequency.values()):
        return {}
    order = sorted(unique, key=frequency.__getitem__)
    encoded: dict[str, dict[int, bytes]] = {}
    candidates: list[int] | None = None
    for word in order:
        values = _encoded_values(reader.postings(fieldname, word), candidates)
        found = values.keys() if candidates is None else values.keys() & candidates
        candidates = sorted(found)
        if not candidates:
            return {}
        encoded[word] = values
    assert candidates is not None
    decode = _positions_decoder(reader.schema[fieldname].format)
    shifted = []
    first: Any = None
    for word in unique:
        raws = list(map(encoded[word].__getitem__, candidates))
        distinct = list(set(raws))
        positions = decode(distinct)
        for offset in (i for i, w in enumerate(words) if w == word):
            if offset:
                starts = [frozenset(map((-offset).__add__, found)) for found in positions]
                by_value = dict(zip(distinct, starts, strict=True))
                shifted.append(map(by_value.__getitem__, raws))
            else:  # the first word's positions are starts already: a tuple will do
                first = map(dict(zip(distinct, positions, strict=True)).__getitem__, raws)
    # Per candidate: the starts every word agrees on (a document's positions and offsets are
    # small, so these sets stay small); the tuple goes last, the sets lead.
    matches = list(map(len, map(frozenset.intersection, *shifted, first)))
    return dict(compress(zip(candidates, matches, strict=True), matches))


def _encoded_values(matcher: Any, wanted: list[int] | None) -> dict[int, bytes]:
    """Document -> encoded value of a term's live postings (only blocks holding ``wanted``)."""
    deleted: Any = None
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
        deleted, matcher = matcher._ids, matcher.child
    found: dict[int, bytes] = {}
    if all(hasattr(matcher, name) for name in _BLOCK_DATA):
        for ids, _weights, values in blocks(matcher, wanted):
            if values is None or len(values) != len(ids):
                raise ValueError("no positions in this field's postings")
            found.update(zip(ids, values, strict=True))
    else:  # inlined postings (a word of one document) or another codec
        found.update(matcher.all_items())
    if deleted:
        for docnum in deleted & found.keys():
            del found[docnum]
    return found


def _positions_decoder(fmt: Any) -> Any:
    """A function decoding a list of encoded values into their lists of positions.

    ``fmt.decode_positions`` one value at a time, or for Whoosh's own Positions format (a
    4-byte count, then the deltas pickled, the final "." maybe cut) all values in one
    unpickling: their pickles joined into one list's.
    """
    if type(fmt).decode_positions is not formats.Positions.decode_positions:
        return lambda raws: [fmt.decode_positions(raw) for raw in raws]

    def decode(raws: list[bytes]) -> list[Any]:
        if not raws:
            return []
        deltas = _joined_deltas(raws)
        if deltas is None:  # not the layout expected: one at a time
            deltas = [loads(r[4:] if r.endswith(b".") else r[4:] + b".") for r in raws]
        return [tuple(accumulate(d)) for d in deltas]

    return decode


_PROTOCOL_2 = b"\x80\x02"


def _joined_deltas(raws: list[bytes]) -> list[list[int]] | None:
    """The delta lists of Positions values, unpickled at once; None: not that layout.

    Each value's pickle (after its count) is a protocol-2 header, opcodes building one list,
    and a stop: without header and stop, the values' opcodes in a row between a mark and an
    "append all" build the list of their lists. Checked: one list per value, each as long
    as its count says.
    """
    if any(r[4:6] != _PROTOCOL_2 for r in raws):
        return None
    body = b"".join([r[6:-1] if r.endswith(b".") else r[6:] for r in raws])
    try:
        found = loads(_PROTOCOL_2 + b"](" + body + b"e.")
    except Exception:  # noqa: BLE001 - any surprise: decode one at a time
        return None
    if not isinstance(found, list) or len(found) != len(raws):
        return None
    counts = array("I", b"".join([r[:4] for r in raws]))
    if sys.byteorder == "little":
        counts.byteswap()  # written big-endian (whoosh.system.pack_uint)
    if list(map(len, found)) != counts.tolist():
        return None
    return found
