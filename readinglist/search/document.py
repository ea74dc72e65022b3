"""How a paper becomes one index document, and the fingerprint that tells when it changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from readinglist.search.engine.postings import plain, weighted
from readinglist.search.engine.schema import (
    ABSTRACT_BOOST,
    NOTE_BOOST,
    ORG_BOOST,
    TAG_BOOST,
    TITLE_BOOST,
)

if TYPE_CHECKING:
    from readinglist.library import Library


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
    note = plain(paper.note or "")
    labels = sorted({fold(s.label) for s in paper.sightings if s.label})
    added = paper.added_at
    text = weighted(
        (TITLE_BOOST, paper.title),
        (ABSTRACT_BOOST, paper.abstract or ""),
        (NOTE_BOOST, note),
        (ORG_BOOST, paper.organization or ""),
        (TAG_BOOST, " ; ".join(paper.tags)),
    )
    org = plain(paper.organization or "")
    title = plain(paper.title)
    return {
        "id": paper.id,
        "fingerprint": stamp,
        "text": text,
        "title": title,
        "note": note,
        "org": org,
        "text_exact": text,
        "title_exact": title,
        "note_exact": note,
        "org_exact": org,
        "tag": ",".join(fold(t).replace(",", " ") for t in paper.tags),
        "digest": ",".join(label.replace(",", " ") for label in labels),
        "starred": bool(paper.starred),
        "read": bool(paper.read),
        "has_note": bool(note.strip()),
        "published": day_number(paper.published),
        # Clamped to the field: one absurd count (a hostile import) must not stop indexing.
        "upvotes": min(max(int(paper.upvotes or 0), 0), 2**32 - 1),
        "added": int(added.timestamp()) if added else 0,
        "title_key": fold(paper.title)[:200] or "~",
    }


def store_fingerprints(library: Library, ids: Sequence[str] | None = None) -> dict[str, bytes]:
    """The fingerprint (see ``fingerprint``) of every paper in the store, or of ``ids``."""
    rows = library.index_rows(ids)
    return {r[0]: fingerprint(*r[1:]) for r in rows}
