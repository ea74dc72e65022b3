"""Writing one digest's papers into the store, in batches, inside the caller's transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from readinglist.digests.model import DigestInfo, ParsedPaper
from readinglist.library.identity import ID_LENGTH, citation_key, key_digest, title_key
from readinglist.library.queries import json_list
from readinglist.library.tombstones import deleted_keys, raise_from_tombstones

BATCH = 200  # papers per batch: bulk statements stay large, progress stays lively

_INSERT_PAPER = """
INSERT INTO papers (seq, id, title_key, title, authors_count, organization, published, upvotes,
                    seen, added_at, updated_at, citation_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
"""
_INSERT_TEXT = "INSERT INTO paper_texts (paper, abstract, links) VALUES (?, ?, ?)"
# Fill what is missing, never overwrite with nothing; upvotes only grow on the site, so the
# largest count seen is the latest. `seen` grows by one per digest, not per repeated entry.
_FILL_PAPER = """
UPDATE papers SET
    authors_count = coalesce(authors_count, ?1),
    organization = coalesce(organization, ?2),
    published = coalesce(published, ?3),
    upvotes = coalesce(max(upvotes, ?4), upvotes, ?4),
    seen = seen + ?5
WHERE seq = ?6
"""
_FILL_TEXT = """
UPDATE paper_texts SET
    abstract = CASE WHEN abstract = '' THEN ?1 ELSE abstract END,
    links = CASE WHEN links = '[]' THEN ?2 ELSE links END
WHERE paper = ?3 AND ((abstract = '' AND ?1 <> '') OR (links = '[]' AND ?2 <> '[]'))
"""
_SIGHTING = """
INSERT INTO sightings (paper, digest, position, label, upvotes) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (paper, digest) DO UPDATE SET
    upvotes = coalesce(max(upvotes, excluded.upvotes), upvotes, excluded.upvotes)
"""


def begin_digest(conn: sqlite3.Connection, info: DigestInfo, path: str, now: str) -> int:
    """Add the digest to the import ledger (counts come at the end) and return its id."""
    cursor = conn.execute(
        "INSERT INTO digests (path, sha256, size, encoding, label, layout, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (path, info.sha256, info.size, info.encoding, info.label, info.layout, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def reopen_digest(conn: sqlite3.Connection, digest_id: int, info: DigestInfo, path: str) -> None:
    """Import the file of a digest the ledger holds only partly (from a JSON export)."""
    conn.execute(
        "UPDATE digests SET path = ?, size = ?, encoding = ?, label = ?, layout = ? WHERE id = ?",
        (path, info.size, info.encoding, info.label, info.layout, digest_id),
    )


def finish_digest(
    conn: sqlite3.Connection, digest_id: int, info: DigestInfo, writer: DigestWriter
) -> None:
    warnings = [[w.line, w.message] for w in info.warnings]
    conn.execute(
        "UPDATE digests SET encoding = ?, label = ?, layout = ?, entries = ?, new = ?, known = ?,"
        " warnings = ?, partial = 0 WHERE id = ?",
        (
            info.encoding,
            info.label,
            info.layout,
            writer.entries,
            writer.new,
            writer.known,
            json.dumps(warnings, ensure_ascii=False),
            digest_id,
        ),
    )
    # Entries read before the page's date label was known take the file's label.
    conn.execute(
        "UPDATE sightings SET label = ? WHERE digest = ? AND label IS NULL", (info.label, digest_id)
    )
    # A digest that was partial already had sightings: count each paper's digests afresh.
    conn.execute(
        "UPDATE papers SET seen = (SELECT count(*) FROM sightings s WHERE s.paper = papers.seq)"
        " WHERE seq IN (SELECT paper FROM sightings WHERE digest = ?)",
        (digest_id,),
    )


@dataclass
class DigestWriter:
    """Adds one digest's entries to the store: new papers, sightings, filled-in metadata."""

    conn: sqlite3.Connection
    digest_id: int
    now: str
    next_seq: int = 0
    entries: int = 0
    new: int = 0
    known: int = 0
    repeated: int = 0
    paper_ids: list[str] = field(default_factory=list)
    undelete: bool = False  # bring deleted papers back instead of skipping them
    deleted: int = 0  # distinct papers skipped because the user deleted them
    undeleted: list[str] = field(default_factory=list)  # ids brought back (undelete=True)
    # title_key -> (seq, id) of every paper this digest has touched so far
    _touched: dict[str, tuple[int, str]] = field(default_factory=dict)
    _skipped: set[str] = field(default_factory=set)  # title keys of deleted papers met

    def __post_init__(self) -> None:
        row = self.conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()
        self.next_seq = row[0] + 1

    def add(self, batch: Sequence[ParsedPaper]) -> None:
        keys = [paper_key(paper) for paper in batch]
        fresh = {key for key in keys if key not in self._touched and key not in self._skipped}
        buried = deleted_keys(self.conn, fresh)
        if buried and self.undelete:
            self.undeleted += raise_from_tombstones(self.conn, list(buried.values()))
            # A restored paper may have kept a seq above the ones this writer hands out.
            row = self.conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()
            self.next_seq = max(self.next_seq, row[0] + 1)
        elif buried:
            self._skipped.update(buried)
            self.deleted += len(buried)
            fresh -= buried.keys()
        existing = self._existing(fresh)

        new_rows: list[tuple[object, ...]] = []
        text_rows: list[tuple[object, ...]] = []
        fill_rows: list[tuple[object, ...]] = []
        fill_text_rows: list[tuple[object, ...]] = []
        sighting_rows: list[tuple[object, ...]] = []
        new_keys = [key for key in dict.fromkeys(keys) if key in fresh and key not in existing]
        new_ids = self._new_ids(new_keys)

        for paper, key in zip(batch, keys, strict=True):
            self.entries += 1
            if key in self._skipped:
                continue
            published = paper.published.isoformat() if paper.published else None
            links = json.dumps(list(paper.links), ensure_ascii=False) if paper.links else "[]"
            touched = self._touched.get(key)
            if touched is None and key in existing:
                touched = existing[key]
                self._touched[key] = touched
                self.known += 1
                self.paper_ids.append(touched[1])
                seen = 1
            elif touched is None:
                touched = (self.next_seq, new_ids[key])
                self.next_seq += 1
                self._touched[key] = touched
                self.new += 1
                self.paper_ids.append(touched[1])
                new_rows.append(
                    (
                        touched[0],
                        touched[1],
                        key,
                        paper.title.strip(),
                        paper.authors_count,
                        paper.organization,
                        published,
                        paper.upvotes,
                        self.now,
                        self.now,
                        citation_key(paper.title.strip(), paper.published, touched[1]),
                    )
                )
                text_rows.append((touched[0], paper.abstract, links))
                sighting_rows.append(
                    (touched[0], self.digest_id, self.entries, paper.label, paper.upvotes)
                )
                continue
            else:
                self.repeated += 1
                seen = 0
            seq = touched[0]
            fill_rows.append(
                (paper.authors_count, paper.organization, published, paper.upvotes, seen, seq)
            )
            fill_text_rows.append((paper.abstract, links, seq))
            sighting_rows.append((seq, self.digest_id, self.entries, paper.label, paper.upvotes))

        # New papers go in first: a repeat later in this batch fills them like any known paper.
        if new_rows:
            keys_free = free_citation_keys(self.conn, [row[-1] for row in new_rows])
            new_rows = [(*row[:-1], key) for row, key in zip(new_rows, keys_free, strict=True)]
            self.conn.executemany(_INSERT_PAPER, new_rows)
            self.conn.executemany(_INSERT_TEXT, text_rows)
        if fill_rows:
            self.conn.executemany(_FILL_PAPER, fill_rows)
            self.conn.executemany(_FILL_TEXT, fill_text_rows)
        self.conn.executemany(_SIGHTING, sighting_rows)

    def _existing(self, keys: set[str]) -> dict[str, tuple[int, str]]:
        if not keys:
            return {}
        rows = self.conn.execute(
            "SELECT title_key, seq, id FROM papers"
            " WHERE title_key IN (SELECT value FROM json_each(?))",
            (json_list(keys),),
        )
        return {key: (seq, paper_id) for key, seq, paper_id in rows}

    def _new_ids(self, keys: list[str]) -> dict[str, str]:
        """Ids for papers about to be added: 10 hex chars, longer only if that one is taken."""
        if not keys:
            return {}
        digests = {key: key_digest(key) for key in keys}
        wanted = {key: digest[:ID_LENGTH] for key, digest in digests.items()}
        taken = {
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?))",
                (json_list(list(wanted.values())),),
            )
        }
        ids: dict[str, str] = {}
        given: set[str] = set()
        for key in keys:
            # One query answered the usual case; a clash goes to the one allocator.
            clash = wanted[key] in taken or wanted[key] in given
            ids[key] = free_paper_id(self.conn, key, reserved=given) if clash else wanted[key]
            given.add(ids[key])
        return ids


def free_paper_id(
    conn: sqlite3.Connection,
    key: str,
    preferred: str | None = None,
    reserved: set[str] | frozenset[str] = frozenset(),
) -> str:
    """The id of a new paper whose title key is ``key``: the one allocator of paper ids.

    ``preferred`` (the id another library gave it, from a JSON export) when free here, so ids
    stay the same across machines; else the key's hash, 10 characters, longer only while that
    is taken (by a stored paper or one of ``reserved``, ids given but not yet written).
    """
    if preferred and preferred not in reserved and not _id_stored(conn, preferred):
        return preferred
    digest = key_digest(key)
    length = ID_LENGTH
    while digest[:length] in reserved or _id_stored(conn, digest[:length]):
        length += 1
    return digest[:length]


def _id_stored(conn: sqlite3.Connection, paper_id: str) -> bool:
    return conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is not None


def free_citation_keys(conn: sqlite3.Connection, wanted: Sequence[str]) -> list[str]:
    """``wanted``, a key already stored (or repeated) given a suffix: b, c, …, z, ba, bb.

    Computed keys end in the paper id and so never clash; a key restored from a JSON export
    of another library might, and a clash must not fail the import.
    """
    taken = {
        row[0]
        for row in conn.execute(
            "SELECT citation_key FROM papers"
            " WHERE citation_key IN (SELECT value FROM json_each(?))",
            (json_list(list(wanted)),),
        )
    }
    free: list[str] = []
    for key in wanted:
        candidate, number = key, 0
        while candidate in taken or (number and _taken(conn, candidate)):
            number += 1
            candidate = key + _letters(number)
        taken.add(candidate)
        free.append(candidate)
    return free


def _letters(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 26)
        digits = "abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return digits


def _taken(conn: sqlite3.Connection, key: str) -> bool:
    row = conn.execute("SELECT 1 FROM papers WHERE citation_key = ?", (key,)).fetchone()
    return row is not None


def paper_key(paper: ParsedPaper) -> str:
    """The identity an import matches a parsed paper on (its title key)."""
    # A title made only of punctuation still names one paper; keep it whole rather than empty.
    return title_key(paper.title) or " ".join(paper.title.split()).casefold()
