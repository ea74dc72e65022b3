"""The Whoosh schema of the search index: fields, their analysis and on-disk formats.

The index holds only what search needs: analyzed text (never stored: the text shown to users
comes from SQLite), filter terms and sort columns.

Bare words search one field, ``text``: title, abstract, note, organisation and tags of a paper
in one posting list, each part weighted (title above abstract above note) through the term
weights BM25F scores with. One field instead of five means a two-word query walks two posting
lists instead of ten, which is most of a query's cost. ``title``, ``note`` and ``org`` also
have fields of their own for ``title:``-style queries (they are short, so cheap).

Each of these has an ``_exact`` twin holding the words as written (``ExactAnalyzer``: not
stemmed, stop words kept, with positions): exact phrases, prefixes and fuzzy words are matched
there, so ``"text to image"`` never matches "text and image" and ``generati*`` finds
"generation". Only the stemmed fields are scored by BM25F.

``SCHEMA_VERSION`` changes whenever this file changes what is indexed; an index with another
version is rebuilt.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import columns, formats
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.system import pack_uint

from readinglist.search.engine.analysis import ExactAnalyzer, PaperAnalyzer

SCHEMA_VERSION = 4

# Title above abstract above note: a word in the title says more about the paper than the
# same word in a 200-word abstract, and the abstract more than the reader's own note.
TITLE_BOOST = 3.0
ABSTRACT_BOOST = 1.0
NOTE_BOOST = 0.8
ORG_BOOST = 1.5
TAG_BOOST = 2.0

TEXT_FIELDS = ("text", "title", "note", "tag", "org")
# The field of words as written beside each stemmed field (see the module docstring).
EXACT_FIELDS = {"text": "text_exact", "title": "title_exact", "note": "note_exact",
                "org": "org_exact"}
SECTION_GAP = 16  # positions between the parts of ``text``: no phrase spans title and abstract

_ANALYZER = PaperAnalyzer()
_EXACT_ANALYZER = ExactAnalyzer()
_SECTION = "\x1e"  # starts a weighted part of a ``text`` value: SEP boost UNIT text
_UNIT = "\x1f"


def _weighted_postings(
    value: str, analyzer: Any, field_boost: float, encode: Any
) -> Iterator[tuple[str, int, float, bytes]]:
    """(term, frequency, weight, encoded value) of a value made of weighted parts.

    A value may hold parts marked ``RS boost US text`` (ASCII separators): the positions of
    each part follow the previous part's after a gap, and each occurrence adds ``boost`` to
    the term's weight (the term frequency BM25F scores). A value without marks is one part
    of weight 1.
    """
    positions: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    pos = 0
    for boost, text in _sections(value):
        pairs, end = analyzer.positions(text, pos)
        for term, at in pairs:
            found = positions.get(term)
            if found is None:
                positions[term] = [at]
                weights[term] = boost
            else:
                found.append(at)
                weights[term] += boost
        pos = end + SECTION_GAP
    for term, found in positions.items():
        yield term, len(found), weights[term] * field_boost, encode(found)


class WeightedPositions(formats.Positions):
    """Whoosh's Positions format (same bytes on disk), faster, with weighted parts."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not isinstance(value, str) or not hasattr(analyzer, "positions"):
            return super().word_values(value, analyzer, **kwargs)
        return _weighted_postings(value, analyzer, self.field_boost, _encode_positions)


class WeightedFrequency(formats.Frequency):
    """Whoosh's Frequency format (same bytes on disk), with weighted parts and no positions.

    The stemmed fields need no positions: phrases are matched in the ``_exact`` fields.
    """

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not isinstance(value, str) or not hasattr(analyzer, "positions"):
            return super().word_values(value, analyzer, **kwargs)
        return _weighted_postings(value, analyzer, self.field_boost, _encode_frequency)


def _encode_frequency(found: list[int]) -> bytes:
    return pack_uint(len(found))


_ONE_POSITION: dict[int, bytes] = {}


def _encode_positions(found: list[int]) -> bytes:
    # The bytes Positions.encode writes, with the commonest case (one position) cached.
    if len(found) == 1:
        cached = _ONE_POSITION.get(found[0])
        if cached is None:
            cached = _ONE_POSITION[found[0]] = pack_uint(1) + pickle.dumps([found[0]], 2)
        return cached
    deltas = [found[0]] + [b - a for a, b in zip(found, found[1:], strict=False)]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def _sections(value: str) -> Iterator[tuple[float, str]]:
    if not value.startswith(_SECTION):
        yield 1.0, value
        return
    for part in value.split(_SECTION)[1:]:
        boost, _, text = part.partition(_UNIT)
        yield float(boost), text


def weighted(*parts: tuple[float, str]) -> str:
    """A ``text`` field value made of weighted parts (see WeightedPositions)."""
    return "".join(f"{_SECTION}{boost}{_UNIT}{text}" for boost, text in parts if text)


class PaperText(TEXT):
    """A TEXT field whose postings come straight from WeightedPositions, already as bytes."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(self.format, (WeightedPositions, WeightedFrequency)) and isinstance(
            value, str
        ):
            return (
                (term.encode("utf-8"), freq, weight, data)
                for term, freq, weight, data in self.format.word_values(value, self.analyzer)
            )
        return super().index(value, **kwargs)


def _text_field(boost: float = 1.0, exact: bool = False) -> TEXT:
    """A stemmed field (frequencies only) or an exact one (with positions, for phrases)."""
    field = PaperText(analyzer=_EXACT_ANALYZER if exact else _ANALYZER, field_boost=boost,
                      phrase=exact)
    field.format = (WeightedPositions if exact else WeightedFrequency)(field_boost=boost)
    return field


def build_schema() -> Schema:
    return Schema(
        # The id is also a column: mapping hits to ids must not unpickle stored fields.
        id=ID(stored=True, unique=True, sortable=True),
        # What the store said about the paper when it was indexed (see fingerprint()).
        fingerprint=COLUMN(columns.VarBytesColumn()),
        text=_text_field(),
        title=_text_field(),
        note=_text_field(),
        org=_text_field(),
        text_exact=_text_field(exact=True),
        title_exact=_text_field(exact=True),
        note_exact=_text_field(exact=True),
        org_exact=_text_field(exact=True),
        # Tags and digest labels are whole values ("to read", "Mar 14"), lowercased.
        tag=KEYWORD(lowercase=True, commas=True, scorable=True, field_boost=TAG_BOOST),
        digest=KEYWORD(lowercase=True, commas=True),
        starred=BOOLEAN,
        read=BOOLEAN,
        has_note=BOOLEAN,
        # yyyymmdd (0 when unknown): one integer serves year:, published:> and sorting.
        published=NUMERIC(int, bits=32, sortable=True, signed=False),
        upvotes=NUMERIC(int, bits=32, sortable=True, signed=False),
        added=NUMERIC(int, bits=64, sortable=True, signed=False),
        title_key=ID(sortable=True),
    )
