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

from collections.abc import Iterable
from typing import Any

from whoosh import columns, formats
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema

from readinglist.search.engine.analysis import ExactAnalyzer, PaperAnalyzer
from readinglist.search.engine.postings import field_postings

SCHEMA_VERSION = 6

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
_ANALYZER = PaperAnalyzer()
_EXACT_ANALYZER = ExactAnalyzer()


class WeightedPositions(formats.Positions):
    """Whoosh's Positions format (same bytes on disk), faster, with weighted parts."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not isinstance(value, str) or not isinstance(analyzer, ExactAnalyzer):
            return super().word_values(value, analyzer, **kwargs)
        return field_postings(value, exact=True, field_boost=self.field_boost)


class WeightedFrequency(formats.Frequency):
    """Whoosh's Frequency format (same bytes on disk), with weighted parts and no positions.

    The stemmed fields need no positions: phrases are matched in the ``_exact`` fields.
    """

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not (
            isinstance(value, str) and type(analyzer) is PaperAnalyzer and analyzer.stemming
        ):
            return super().word_values(value, analyzer, **kwargs)
        return field_postings(value, exact=False, field_boost=self.field_boost)


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


def _sort_column(field: Any) -> Any:
    """A field that is only a sort column: no query searches it, so it has no postings.

    (Indexed, a 64-bit number made 16 terms per paper and a sort key one term per paper: a
    tenth of the terms a bulk build writes, for nothing.)
    """
    field.indexed = False
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
        # One term per value (shift_step=bits), not Whoosh's 8 tiers: our ranges are read
        # from the column (engine/columns.py), so the tiers were 14 postings a paper that
        # only Whoosh's own range matcher would read (it still works: over the values).
        published=NUMERIC(int, bits=32, sortable=True, signed=False, shift_step=32),
        upvotes=NUMERIC(int, bits=32, sortable=True, signed=False, shift_step=32),
        added=_sort_column(NUMERIC(int, bits=64, sortable=True, signed=False)),
        title_key=_sort_column(ID(sortable=True)),
    )
