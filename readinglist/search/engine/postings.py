"""A text field's postings for one document, in one tight pass: what Whoosh's formats write.

Indexing spends its time here: a paper gives ~350 postings, and Whoosh's way (an analyzer
chain yielding a Token per word, a format grouping them, an encoder per posting) costs
several microseconds each. Here a section's words come from one regex call, a word's index
terms from a per-process cache (stop words, stemming and compound splitting decided once per
distinct word), the counting from ``collections.Counter`` (C), and the encoded values from
small caches. The result is exactly what the schema's analyzers and Whoosh's ``Frequency`` /
``Positions`` formats give (same terms, frequencies, weights to the last bit, positions and
bytes): ``tests/core/test_search_postings.py`` compares them on fixtures, real digests and
Hypothesis-made text.

Weights are sums of section boosts added one occurrence at a time, in text order, as the
formats add them: a float sum depends on its order, and the bytes on disk must not change.
"""

from __future__ import annotations

import bisect
import operator
import pickle
from collections import Counter
from itertools import chain, compress, count, islice
from typing import NamedTuple

from whoosh.system import pack_uint

from readinglist.search.engine.analysis import (
    _EXACT_COMPOUND,
    _EXACT_WORD,
    _PART,
    _WORD,
    STOP_WORDS,
    _leading_joins,
    stem,
)

SECTION = "\x1e"  # starts a weighted part of a value: SECTION boost UNIT text
UNIT = "\x1f"
SECTION_GAP = 16  # positions between the parts of a value: no phrase spans two parts

# Lowercased word -> the stemmed field's terms for it (none for a stop word, several for a
# compound). Bounded: a hostile library of random words must not grow a process forever.
_CACHE_LIMIT = 500_000


class _StemmedTerms(dict):
    """Lowercased word -> tuple of index terms, filled on first sight."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        terms = _stemmed_terms(word)
        if len(self) < _CACHE_LIMIT:
            self[word] = terms
        return terms


def _stemmed_terms(word: str) -> tuple[str, ...]:
    """``PaperAnalyzer``'s index terms for one lowercased word of ``_WORD``."""
    stops = STOP_WORDS
    if "-" in word or "." in word or "_" in word:
        joined = word.replace("-", "").replace("_", "")
        if joined in stops:
            return ()
        parts = _PART.split(word)
        terms = [stem(joined)]
        terms.extend(stem(lead) for lead in _leading_joins(parts, joined))
        terms.extend(stem(p) for p in parts if len(p) >= 2 and p not in stops)
        return tuple(terms)
    if word in stops:
        return ()
    return (stem(word),)


_STEMMED = _StemmedTerms()


def sections(value: str) -> list[tuple[float, str]]:
    """The weighted parts of a value (a value without marks is one part of weight 1)."""
    if not value.startswith(SECTION):
        return [(1.0, value)]
    out = []
    for part in value.split(SECTION)[1:]:
        boost, _, text = part.partition(UNIT)
        out.append((float(boost), text))
    return out


def weighted(*parts: tuple[float, str]) -> str:
    """A value made of weighted parts, empty parts left out (see ``sections``)."""
    return "".join(f"{SECTION}{boost}{UNIT}{plain(text)}" for boost, text in parts if text)


def plain(text: str) -> str:
    """``text`` without the marks of weighted parts (a note may hold any character).

    They are not word characters, so a space in their place changes no term or position.
    """
    if SECTION in text or UNIT in text:
        return text.replace(SECTION, " ").replace(UNIT, " ")
    return text


class _Section(NamedTuple):
    """One section's analysis, shared by the stemmed and the exact field."""

    stemmed: Counter[str]  # stemmed term -> occurrences
    words: list[str]  # words as written, one position each
    joins: list[tuple[str, int]]  # a compound's joined parts, at its first word's position


_SECTIONS: dict[str, _Section] = {}
_SECTIONS_KEPT = 16  # a document's parts: its title, abstract, note... (analyzed twice each)


def _section(text: str) -> _Section:
    found = _SECTIONS.get(text)
    if found is None:
        if len(_SECTIONS) >= _SECTIONS_KEPT:
            _SECTIONS.clear()
        found = _SECTIONS[text] = _analyze(text)
    return found


def _analyze(text: str) -> _Section:
    lowered = text.lower()
    if len(lowered) != len(text) or "\u03a3" in text:
        # Lowering that changes lengths, or a capital sigma (whose lowercase depends on the
        # letters around it): each word lowered alone, as PaperAnalyzer does, and the words
        # as ExactAnalyzer finds them, the slow way.
        tokens = list(map(str.lower, _WORD.findall(text)))
        stemmed = Counter(chain.from_iterable(map(_STEMMED.__getitem__, tokens)))
        if len(lowered) == len(text):
            words = _EXACT_WORD.findall(lowered)
        else:
            words = [w.lower() for w in _EXACT_WORD.findall(text)]
        joins = _joins(text) if "-" in text or "." in text else []
        return _Section(stemmed, words, joins)
    # Lowering maps each character to one, never making or unmaking a word character
    # (tests/core/test_search_postings.py checks every code point), so the lowered text has
    # the same words at the same places, and the words as written are these tokens split at
    # their joining characters (a compound is a run of ``-``/``.``-joined words in a token).
    tokens = _WORD.findall(lowered)
    stemmed = Counter(chain.from_iterable(map(_STEMMED.__getitem__, tokens)))
    joined = list(compress(count(), map(operator.not_, map(str.isalnum, tokens))))
    if not joined:
        return _Section(stemmed, tokens, [])
    words: list[str] = []
    joins: list[tuple[str, int]] = []
    done = 0
    for i in joined:
        words.extend(tokens[done:i])
        for piece in tokens[i].split("_"):
            parts = piece.replace("-", ".").split(".")
            if len(parts) > 1:
                at = len(words)
                for end in range(2, min(len(parts), 4) + 1):
                    joins.append(("".join(parts[:end]), at))
            words.extend(parts)
        done = i + 1
    words.extend(tokens[done:])
    return _Section(stemmed, words, joins)


def _joins(text: str) -> list[tuple[str, int]]:
    """``ExactAnalyzer``'s compound joins of ``text``, at positions counted from 0."""
    joins: list[tuple[str, int]] = []
    starts: list[int] | None = None
    for found in _EXACT_COMPOUND.finditer(text):
        if starts is None:
            starts = [m.start() for m in _EXACT_WORD.finditer(text)]
        at = bisect.bisect_left(starts, found.start())
        parts = _EXACT_WORD.findall(found.group().lower())
        for end in range(2, min(len(parts), 4) + 1):
            joins.append(("".join(parts[:end]), at))
    return joins


def stemmed_counts(value: str) -> tuple[dict[str, int], dict[str, float]]:
    """Frequency and summed section boost of each stemmed term of ``value``."""
    freqs: dict[str, int] = {}
    weights: dict[str, float] = {}
    for boost, text in sections(value):
        counts = _section(text).stemmed
        if not freqs:
            freqs = dict(counts)
            weights = _first_weights(counts, boost)
            continue
        get = freqs.get
        for term, n in counts.items():
            old = get(term)
            if old is None:
                freqs[term] = n
                weights[term] = 0.0 + boost if n == 1 else _add(0.0, boost, n)
            else:
                freqs[term] = old + n
                weights[term] = weights[term] + boost if n == 1 else _add(weights[term], boost, n)
    return freqs, weights


def _first_weights(counts: dict[str, int], boost: float) -> dict[str, float]:
    """Each term's summed boost in the first (or only) part of a value.

    A boost with few binary digits (1, 1.5, 2, 3: every boost but the note's) makes every
    partial sum exact, so ``n * boost`` is the very float ``n`` additions give, and the
    multiplications run in C; any other boost is added occurrence by occurrence.
    """
    if (boost * 256).is_integer() and 0 < boost < 1024:
        return dict(zip(counts, map(boost.__mul__, counts.values()), strict=True))
    return {term: _add(0.0, boost, n) for term, n in counts.items()}


def _add(total: float, boost: float, times: int) -> float:
    # One addition per occurrence, as the formats do: float sums depend on their order.
    if times == 1:
        return total + boost
    for _ in range(times):
        total += boost
    return total


def exact_positions(value: str) -> tuple[dict[str, list[int]], dict[str, float]]:
    """Positions and summed section boost of each word-as-written term of ``value``."""
    positions: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    get = positions.get
    pos = 0
    for boost, text in sections(value):
        section = _section(text)
        for at, word in chain(enumerate(section.words, pos),
                              ((pos + at, word) for word, at in section.joins)):
            found = get(word)
            if found is None:
                positions[word] = [at]
                weights[word] = 0.0 + boost
            else:
                found.append(at)
                weights[word] += boost
        pos += len(section.words) + SECTION_GAP
    return positions, weights


class _OnePosition(dict):
    """Position -> the bytes of a posting at that one position (the commonest posting)."""

    def __missing__(self, pos: int) -> bytes:
        encoded = pack_uint(1) + pickle.dumps([pos], 2)
        if len(self) < _CACHE_LIMIT:
            self[pos] = encoded
        return encoded


_ONE_POSITION = _OnePosition()
_FREQUENCY_BYTES = [pack_uint(n) for n in range(256)]


def encode_frequency(freq: int) -> bytes:
    """The bytes ``whoosh.formats.Frequency.encode`` writes."""
    return _FREQUENCY_BYTES[freq] if freq < 256 else pack_uint(freq)


def encode_positions(found: list[int]) -> bytes:
    """The bytes ``whoosh.formats.Positions.encode`` writes (deltas, pickled)."""
    if len(found) == 1:
        return _ONE_POSITION[found[0]]
    deltas = [found[0]]
    deltas.extend(map(operator.sub, islice(found, 1, None), found))
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def field_postings(
    value: str, exact: bool, field_boost: float = 1.0
) -> list[tuple[str, int, float, bytes]]:
    """(term, frequency, weight, encoded value) of a text field's value, in first-seen order."""
    if exact:
        positions, weights = exact_positions(value)
        return [
            (term, len(found), weights[term] * field_boost, encode_positions(found))
            for term, found in positions.items()
        ]
    freqs, weights = stemmed_counts(value)
    return [
        (term, n, weights[term] * field_boost, encode_frequency(n)) for term, n in freqs.items()
    ]


def postings_by_term(
    value: str, exact: bool, field_boost: float = 1.0
) -> tuple[dict[str, float], list[bytes], int]:
    """A text field's postings for the bulk writer: weights, encoded values, field length.

    The same postings as ``field_postings`` without a tuple per posting: term -> weight, the
    encoded values in the same order (both dicts of ``exact_positions``/``stemmed_counts``
    gain their terms together), and the field's length (the sum of the frequencies).
    """
    if exact:
        positions, weights = exact_positions(value)
        one = _ONE_POSITION
        values = [
            one[found[0]] if len(found) == 1 else encode_positions(found)
            for found in positions.values()
        ]
        length = sum(map(len, positions.values()))
    else:
        freqs, weights = stemmed_counts(value)
        try:
            values = list(map(_FREQUENCY_BYTES.__getitem__, freqs.values()))
        except IndexError:  # a word 256 times or more in one paper
            values = [encode_frequency(n) for n in freqs.values()]
        length = sum(freqs.values())
    if field_boost != 1.0:
        weights = {term: weight * field_boost for term, weight in weights.items()}
    return weights, values, length
