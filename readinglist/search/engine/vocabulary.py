"""The words an index field holds, with how many papers use each, and the words near a typo.

Fuzzy words and corrections compare what was typed with every word of the library: Whoosh's
``terms_within`` does that one word at a time in Python (seconds for a large vocabulary), so
the words are kept in a list per segment (segments never change) and compared by rapidfuzz
in C. Distances are optimal-string-alignment edits: an insertion, a deletion, a substitution
or a swap of two neighbours each count one, the first letter included.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from readinglist.search.engine import derived

_SEGMENTS: OrderedDict[tuple[Any, ...], Mapping[str, int]] = OrderedDict()
_SEGMENTS_LOCK = threading.Lock()
SEGMENT_CACHE_SIZE = 16


def edit_distance(a: str, b: str) -> int:
    """Edits between two words (see the module docstring)."""
    from rapidfuzz.distance import OSA  # imported when needed: ~20 ms a process otherwise

    return int(OSA.distance(a, b))


class Vocabulary:
    """Every word of one field of the current index, with its document frequency."""

    def __init__(self, frequency: Mapping[str, int]) -> None:
        self.frequency = frequency
        self.words = list(frequency)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def near(self, word: str, distance: int) -> dict[str, int]:
        """Words within ``distance`` edits of ``word`` (itself included when present)."""
        if not self.words:
            return {}
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(
            word, self.words, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        return {match: int(edits) for match, edits, _index in found}


class SummedCounts(Mapping[str, int]):
    """Several segments' word counts read as one, summed only for the words asked about.

    Merging the segments' dicts up front cost ~0.15 s at 100k papers; a query looks up the
    counts of a few dozen words.
    """

    def __init__(self, parts: list[Mapping[str, int]]) -> None:
        self._parts = [part for part in parts if part]
        # set.union over dicts runs in C: the words of every segment, once each.
        self._keys = set().union(*self._parts) if len(self._parts) > 1 else None

    def __getitem__(self, word: str) -> int:
        total, seen = 0, False
        for part in self._parts:
            count = part.get(word)
            if count is not None:
                total, seen = total + count, True
        if not seen:
            raise KeyError(word)
        return total

    def __contains__(self, word: object) -> bool:
        if self._keys is not None:
            return word in self._keys
        return bool(self._parts) and word in self._parts[0]

    def __iter__(self) -> Iterator[str]:
        if self._keys is not None:
            return iter(self._keys)
        return iter(self._parts[0]) if self._parts else iter(())

    def __len__(self) -> int:
        if self._keys is not None:
            return len(self._keys)
        return len(self._parts[0]) if self._parts else 0


def vocabulary(reader: Any, fieldname: str) -> Vocabulary:
    """The words of ``fieldname`` in the index ``reader`` reads (document counts summed)."""
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    return Vocabulary(SummedCounts([_segment_words(leaf, fieldname) for leaf, _o in leaves]))


class WordCounts(Mapping[str, int]):
    """One segment's words in term order with their counts, looked up by bisection.

    What a derived words file holds, without building a dict of every word (~40,000 per
    25,000-paper segment): a query asks for the counts of a few dozen.
    """

    def __init__(self, words: list[str], counts: array) -> None:
        self._words = words
        self._counts = counts

    def _at(self, word: object) -> int:
        """Where ``word`` is among the words, or -1."""
        if not isinstance(word, str):
            return -1
        at = bisect_left(self._words, word)
        return at if at < len(self._words) and self._words[at] == word else -1

    def __getitem__(self, word: str) -> int:
        at = self._at(word)
        if at < 0:
            raise KeyError(word)
        return self._counts[at]

    def __contains__(self, word: object) -> bool:
        return self._at(word) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


def _segment_words(reader: Any, fieldname: str) -> Mapping[str, int]:
    segment = reader.segment() if hasattr(reader, "segment") else None
    key = (segment.segment_id(), fieldname) if segment is not None else None
    if key is not None:
        with _SEGMENTS_LOCK:
            found = _SEGMENTS.get(key)
            if found is not None:
                _SEGMENTS.move_to_end(key)
                return found
    found = _saved_words(reader, fieldname)
    if found is None:
        walked: dict[str, int] = {}
        if fieldname in reader.schema:
            for btext, info in reader.iter_field(fieldname):
                word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                walked[word] = info.doc_frequency()
        _save_words(reader, fieldname, walked)
        found = walked
    if key is not None:
        with _SEGMENTS_LOCK:
            _SEGMENTS[key] = found
            while len(_SEGMENTS) > SEGMENT_CACHE_SIZE:
                _SEGMENTS.popitem(last=False)
    return found


def _saved_words(reader: Any, fieldname: str) -> Mapping[str, int] | None:
    """The segment's words as saved beside it (``derived``), or None."""
    body = derived.load(reader, words_kind(fieldname))
    if body is None:
        return None
    split = body.find(b"\0")
    if split < 0:
        return None
    words = body[:split].decode("utf-8").split("\n") if split else []
    counts = array("I")
    counts.frombytes(body[split + 1 :])
    if len(counts) != len(words):
        return None
    if words == sorted(words):  # term order is code point order (UTF-8): bisection works
        return WordCounts(words, counts)
    return dict(zip(words, counts, strict=True))


def _save_words(reader: Any, fieldname: str, found: dict[str, int]) -> None:
    body = words_file(found)
    if body is not None:
        derived.save(reader, words_kind(fieldname), body)


def words_kind(fieldname: str) -> str:
    return f"{fieldname}.words"


def words_file(found: Mapping[str, int]) -> bytes | None:
    """The body of a segment's derived words file (words in term order), or None."""
    if any("\n" in word or "\0" in word for word in found):
        return None  # not representable; never the case for the words of an exact field
    counts = array("I", found.values())
    return "\n".join(found).encode("utf-8") + b"\0" + counts.tobytes()
