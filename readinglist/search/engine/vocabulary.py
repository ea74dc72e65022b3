"""The words an index field holds, with how many papers use each, and the words near a typo.

Fuzzy words and corrections compare what was typed with every word of the library: Whoosh's
``terms_within`` does that one word at a time in Python (seconds for a large vocabulary), so
the words are kept in a list per segment (segments never change) and compared by rapidfuzz
in C. Distances are optimal-string-alignment edits: an insertion, a deletion, a substitution
or a swap of two neighbours each count one, the first letter included.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

_SEGMENTS: OrderedDict[tuple[Any, ...], dict[str, int]] = OrderedDict()
_SEGMENTS_LOCK = threading.Lock()
SEGMENT_CACHE_SIZE = 16


def edit_distance(a: str, b: str) -> int:
    """Edits between two words (see the module docstring)."""
    return int(OSA.distance(a, b))


class Vocabulary:
    """Every word of one field of the current index, with its document frequency."""

    def __init__(self, frequency: dict[str, int]) -> None:
        self.frequency = frequency
        self.words = list(frequency)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def near(self, word: str, distance: int) -> dict[str, int]:
        """Words within ``distance`` edits of ``word`` (itself included when present)."""
        if not self.words:
            return {}
        found = process.extract(
            word, self.words, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        return {match: int(edits) for match, edits, _index in found}


def vocabulary(reader: Any, fieldname: str) -> Vocabulary:
    """The words of ``fieldname`` in the index ``reader`` reads (document counts summed)."""
    merged: dict[str, int] = {}
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    for leaf, _offset in leaves:
        words = _segment_words(leaf, fieldname)
        if not merged:
            merged = dict(words)
            continue
        for word, count in words.items():
            merged[word] = merged.get(word, 0) + count
    return Vocabulary(merged)


def _segment_words(reader: Any, fieldname: str) -> dict[str, int]:
    segment = reader.segment() if hasattr(reader, "segment") else None
    key = (segment.segment_id(), fieldname) if segment is not None else None
    if key is not None:
        with _SEGMENTS_LOCK:
            found = _SEGMENTS.get(key)
            if found is not None:
                _SEGMENTS.move_to_end(key)
                return found
    found = {}
    if fieldname in reader.schema:
        for btext, info in reader.iter_field(fieldname):
            word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            found[word] = info.doc_frequency()
    if key is not None:
        with _SEGMENTS_LOCK:
            _SEGMENTS[key] = found
            while len(_SEGMENTS) > SEGMENT_CACHE_SIZE:
                _SEGMENTS.popitem(last=False)
    return found
