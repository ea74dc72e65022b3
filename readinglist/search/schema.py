"""The Whoosh schema of the search index, and how a paper becomes one index document.

The index holds only what search needs: analyzed text (never stored: the text shown to users
comes from SQLite), filter terms and sort columns. ``SCHEMA_VERSION`` changes whenever this
file changes what is indexed; an index with another version is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Any

from whoosh import columns
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema

from readinglist.search.analysis import PaperAnalyzer

SCHEMA_VERSION = 1

# Title above abstract above note: a word in the title says more about the paper than the
# same word in a 200-word abstract, and the abstract more than the reader's own note.
TITLE_BOOST = 3.0
ABSTRACT_BOOST = 1.0
NOTE_BOOST = 0.8
ORG_BOOST = 1.5
TAG_BOOST = 2.0

TEXT_FIELDS = ("title", "abstract", "note", "tag", "org")

_ANALYZER = PaperAnalyzer()


def build_schema() -> Schema:
    return Schema(
        # The id is also a column: mapping hits to ids must not unpickle stored fields.
        id=ID(stored=True, unique=True, sortable=True),
        # What the store said about the paper when it was indexed (see fingerprint()).
        fingerprint=COLUMN(columns.VarBytesColumn()),
        title=TEXT(analyzer=_ANALYZER, field_boost=TITLE_BOOST),
        abstract=TEXT(analyzer=_ANALYZER, field_boost=ABSTRACT_BOOST),
        note=TEXT(analyzer=_ANALYZER, field_boost=NOTE_BOOST),
        org=TEXT(analyzer=_ANALYZER, field_boost=ORG_BOOST, phrase=False),
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


def fold(text: str) -> str:
    """Case- and width-folded form used for digest labels, tags and title sorting."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def day_number(day: dt.date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def fingerprint(*values: Any) -> bytes:
    """What tells an indexed paper from its current row in the store (a short hash).

    Made from the store's ``updated_at``, sightings count, upvotes, starred, read, note text
    and tags of a paper: comparing these for 100k papers finds what another process changed
    in a fraction of a second, instead of rebuilding. (``updated_at`` alone has one-second
    resolution: two edits in one second would look like one.)
    """
    text = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()


def document(paper: Any, stamp: bytes = b"") -> dict[str, Any]:
    """The index document for a ``Paper`` (or any object with the same attributes)."""
    note = paper.note or ""
    labels = sorted({fold(s.label) for s in paper.sightings if s.label})
    added = paper.added_at
    return {
        "id": paper.id,
        "fingerprint": stamp,
        "title": paper.title,
        "abstract": paper.abstract or "",
        "note": note,
        "org": paper.organization or "",
        "tag": ",".join(fold(t).replace(",", " ") for t in paper.tags),
        "digest": ",".join(label.replace(",", " ") for label in labels),
        "starred": bool(paper.starred),
        "read": bool(paper.read),
        "has_note": bool(note.strip()),
        "published": day_number(paper.published),
        "upvotes": max(int(paper.upvotes or 0), 0),
        "added": int(added.timestamp()) if added else 0,
        "title_key": fold(paper.title)[:200] or "~",
    }
