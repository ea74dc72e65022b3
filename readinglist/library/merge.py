"""Merging a JSON export's records into the store: the writes behind ``Library.merge``.

``readinglist.export.json_import`` reads and checks the file and turns it into ``MergeRecord``s;
everything that touches the database is here, inside the library package. Papers are matched
by their title key (the digest importer's identity), digests by the sha256 of their file. For
a paper in both places the metadata is filled in where missing, sightings are added, and the
user's state (star, read + date, note, tags) comes from whichever side was edited last
(``updated_at``); a paper this library only ever imported, never edited, takes the file's state.
A paper the user deleted here stays deleted (skipped and counted), as in a digest import, unless
the merge is asked to undelete: then it comes back from its tombstone and merges as above.
New papers get ids and citation keys from the importer's allocators, times the store's stamp.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from readinglist.library.identity import citation_key, tag_key
from readinglist.library.importer import free_citation_keys, free_paper_id
from readinglist.library.queries import json_list
from readinglist.library.tombstones import deleted_keys, raise_from_tombstones


@dataclass(slots=True)
class MergeCounts:
    """What a merge did, counted (json_import's MergeReport adds the file and the words)."""

    papers_in_file: int = 0
    new: int = 0  # papers the library did not have
    state_taken: int = 0  # papers whose star/read/note/tags came from the file (newer there)
    state_kept: int = 0  # papers in both where the library's own state was as new or newer
    filled: int = 0  # papers already here that gained metadata or sightings from the file
    sightings_added: int = 0
    sightings_skipped: int = 0  # sightings of digests not in the file
    digests_partial: int = 0  # digests only partly in the file: in the ledger as partial
    digests_added: int = 0
    digests_known: int = 0
    deleted: int = 0  # distinct papers skipped because the user deleted them here
    undeleted: int = 0  # deleted papers brought back (merge with undelete)
    paper_ids: list[str] = field(default_factory=list)  # every paper written, in file order

    @property
    def changed(self) -> bool:
        return bool(
            self.new or self.state_taken or self.filled or self.digests_added or self.undeleted
        )


@dataclass(slots=True)
class MergeRecord:
    """One paper of a JSON export, checked, in the store's forms (times as stamped text)."""

    id: str
    key: str
    title: str
    abstract: str
    authors_count: int | None
    organization: str | None
    published: str | None
    upvotes: int | None
    links: list[str]
    starred: bool
    read: bool
    read_at: str | None
    note: str
    tags: list[str]
    sightings: list[tuple[int, str | None, int, int | None]]
    added_at: str | None
    updated_at: str | None
    citation_key: str | None = None


def sighted(papers: Sequence[MergeRecord]) -> dict[int, int]:
    """How many of the file's papers each digest id holds."""
    counts: dict[int, int] = {}
    for paper in papers:
        for digest in {s[0] for s in paper.sightings}:
            counts[digest] = counts.get(digest, 0) + 1
    return counts


class PaperMerge:
    """The writes of one merge, inside the caller's transaction (``Library.merge``)."""

    def __init__(
        self, conn: sqlite3.Connection, report: MergeCounts, now: str, undelete: bool = False
    ) -> None:
        self.conn = conn
        self.report = report
        self.now = now
        self.undelete = undelete
        self.skipped: set[str] = set()  # title keys of deleted papers met (undelete=False)
        self.tag_ids: dict[str, int] = {}
        self.dropped_tags: set[int] = set()
        self.changed_ids: list[str] = []  # papers whose rows this merge changed
        self.known_sightings: dict[tuple[int, int], int | None] = {}  # of the current batch
        self.next_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0] + 1

    def digests(
        self, digests: Sequence[dict[str, Any]], sighted: Mapping[int, int]
    ) -> dict[int, int]:
        """Add unknown digests to the ledger; map the file's digest ids to this library's.

        A digest the file holds only some papers of (or that was partial where the file was
        written) enters the ledger as ``partial``: its papers keep their sightings, and
        importing the digest file itself later still brings in the others.
        """
        mapping: dict[int, int] = {}
        # In import order (the ledger lists newest first), so a fresh library gets the same ids.
        for digest in sorted(digests, key=lambda d: d["id"]):
            row = self.conn.execute(
                "SELECT id FROM digests WHERE sha256 = ?", (digest["sha256"],)
            ).fetchone()
            if row is not None:
                mapping[digest["id"]] = row[0]
                self.report.digests_known += 1
                continue
            whole = digest["papers"]
            partial = digest["partial"] or (
                whole is not None and sighted.get(digest["id"], 0) < whole
            )
            cursor = self.conn.execute(
                "INSERT INTO digests (path, sha256, size, encoding, label, layout, entries, new,"
                " known, warnings, imported_at, partial)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    digest["path"], digest["sha256"], digest["size"], digest["encoding"],
                    digest["label"], digest["layout"], digest["entries"], digest["new"],
                    digest["known"], digest["warnings"], digest["imported_at"] or self.now,
                    int(partial),
                ),
            )  # fmt: skip
            mapping[digest["id"]] = cursor.lastrowid
            if partial:
                self.report.digests_partial += 1
            else:
                self.report.digests_added += 1
        return mapping

    def papers(self, batch: Sequence[MergeRecord], digest_map: Mapping[int, int]) -> None:
        self._tombstones({p.key for p in batch} - self.skipped)
        existing = self._existing([p.key for p in batch])
        self.known_sightings = self._sightings_of([row["seq"] for row in existing.values()])
        changed_seqs: list[int] = []
        for paper in batch:
            if paper.key in self.skipped:
                continue
            row = existing.get(paper.key)
            if row is None:
                seq, paper_id = self._insert(paper)
                # The same paper twice in one file: the later object merges into this row.
                existing[paper.key] = self._row_of_new(seq, paper_id, paper)
                self.report.new += 1
                changed = True
                self._sightings(seq, paper, digest_map)
            else:
                seq, paper_id = row["seq"], row["id"]
                changed = self._merge_existing(paper, row)
                if self._sightings(seq, paper, digest_map) and not changed:
                    self.report.filled += 1
                    changed = True
            if changed:
                changed_seqs.append(seq)
                self.changed_ids.append(paper_id)
            self.report.paper_ids.append(paper_id)
        if changed_seqs:
            self.conn.execute(
                "UPDATE papers SET seen ="
                " (SELECT count(*) FROM sightings s WHERE s.paper = papers.seq)"
                " WHERE seq IN (SELECT value FROM json_each(?))",
                (json_list(changed_seqs),),
            )

    def _tombstones(self, keys: set[str]) -> None:
        """Skip the papers deleted here, or (undelete) raise them so they merge as live ones."""
        buried = deleted_keys(self.conn, keys)  # a key also live counts as live
        if not buried:
            return
        if not self.undelete:
            self.skipped.update(buried)
            self.report.deleted += len(buried)
            return
        raised = raise_from_tombstones(self.conn, sorted(buried.values()))
        self.report.undeleted += len(raised)
        self.changed_ids.extend(raised)
        # A raised paper keeps its old seq, which may be above the ones handed out so far.
        row = self.conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()
        self.next_seq = max(self.next_seq, row[0] + 1)

    def _sightings_of(self, seqs: list[int]) -> dict[tuple[int, int], int | None]:
        if not seqs:
            return {}
        rows = self.conn.execute(
            "SELECT paper, digest, upvotes FROM sightings"
            " WHERE paper IN (SELECT value FROM json_each(?))",
            (json_list(seqs),),
        )
        return {(paper, digest): upvotes for paper, digest, upvotes in rows}

    def _row_of_new(self, seq: int, paper_id: str, paper: MergeRecord) -> dict[str, Any]:
        added = paper.added_at or self.now
        return {
            "key": paper.key, "seq": seq, "id": paper_id,
            "authors_count": paper.authors_count, "organization": paper.organization,
            "published": paper.published, "upvotes": paper.upvotes, "added_at": added,
            "updated_at": paper.updated_at or added, "abstract": paper.abstract,
            "links": json.dumps(paper.links, ensure_ascii=False), "starred": paper.starred,
            "read": paper.read, "read_at": paper.read_at, "note": paper.note,
            "tag_keys": sorted(tag_key(t) for t in paper.tags),
        }  # fmt: skip

    def drop_unused_tags(self) -> None:
        self.conn.executemany(
            "DELETE FROM tags WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM paper_tags WHERE tag = tags.id)",
            [(t,) for t in self.dropped_tags],
        )

    # --- one paper ---

    def _existing(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute(
            """
            SELECT p.title_key, p.seq, p.id, p.authors_count, p.organization, p.published,
                   p.upvotes, p.added_at, p.updated_at, t.abstract, t.links,
                   p.starred, p.read, p.read_at, coalesce(n.text, ''),
                   (SELECT json_group_array(t2.key) FROM paper_tags pt
                    JOIN tags t2 ON t2.id = pt.tag WHERE pt.paper = p.seq)
            FROM papers p LEFT JOIN paper_texts t ON t.paper = p.seq
            LEFT JOIN notes n ON n.paper = p.seq
            WHERE p.title_key IN (SELECT value FROM json_each(?))
            """,
            (json_list(keys),),
        )
        names = ("key", "seq", "id", "authors_count", "organization", "published", "upvotes",
                 "added_at", "updated_at", "abstract", "links", "starred", "read", "read_at",
                 "note", "tag_keys")  # fmt: skip
        found = {r[0]: dict(zip(names, r, strict=True)) for r in rows}
        for row in found.values():
            row["tag_keys"] = sorted(json.loads(row["tag_keys"]))
        return found

    def _insert(self, paper: MergeRecord) -> tuple[int, str]:
        seq = self.next_seq
        self.next_seq += 1
        paper_id = self._free_id(paper)
        added = paper.added_at or self.now
        updated = paper.updated_at or added
        # The file's key when it has one, so a restored library cites as the old one did.
        published = dt.date.fromisoformat(paper.published) if paper.published else None
        wanted = paper.citation_key or citation_key(paper.title, published, paper_id)
        (key,) = free_citation_keys(self.conn, [wanted])
        self.conn.execute(
            "INSERT INTO papers (seq, id, title_key, title, authors_count, organization, published,"
            " upvotes, starred, read, read_at, added_at, updated_at, citation_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq, paper_id, paper.key, paper.title, paper.authors_count, paper.organization,
                paper.published, paper.upvotes, int(paper.starred), int(paper.read),
                paper.read_at, added, updated, key,
            ),
        )  # fmt: skip
        self.conn.execute(
            "INSERT INTO paper_texts (paper, abstract, links) VALUES (?, ?, ?)",
            (seq, paper.abstract, json.dumps(paper.links, ensure_ascii=False)),
        )
        if paper.note:
            self.conn.execute(
                "INSERT INTO notes (paper, text, updated_at) VALUES (?, ?, ?)",
                (seq, paper.note, updated),
            )
        self._set_tags(seq, paper.tags)
        return seq, paper_id

    def _merge_existing(self, paper: MergeRecord, row: dict[str, Any]) -> bool:
        """Merge a paper this library has; True if its rows changed."""
        seq = row["seq"]
        changed = self._fill(paper, row)
        same_state = (
            bool(row["starred"]) == paper.starred
            and bool(row["read"]) == paper.read
            and (row["read_at"] == paper.read_at or not paper.read)
            and row["note"] == paper.note
            and row["tag_keys"] == sorted(tag_key(t) for t in paper.tags)
        )
        local_edited = _when(row["updated_at"]) > _when(row["added_at"])
        local_state = row["starred"] or row["read"] or row["note"] or row["tag_keys"]
        theirs = paper.updated_at or ""
        if same_state:
            take = False
        elif local_edited or local_state:
            take = _when(theirs) > _when(row["updated_at"])
        else:
            # Only ever imported here, never touched: the file holds the user's latest word.
            take = True
        added = min(filter(None, [row["added_at"], paper.added_at]), key=_when)
        if take:
            updated = theirs or self.now
            self.conn.execute(
                "UPDATE papers SET starred = ?, read = ?, read_at = ?, added_at = ?,"
                " updated_at = ? WHERE seq = ?",
                (int(paper.starred), int(paper.read), paper.read_at, added, updated, seq),
            )
            if paper.note:
                self.conn.execute(
                    "INSERT INTO notes (paper, text, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (paper) DO UPDATE SET text = excluded.text,"
                    " updated_at = excluded.updated_at",
                    (seq, paper.note, updated),
                )
            else:
                self.conn.execute("DELETE FROM notes WHERE paper = ?", (seq,))
            self._set_tags(seq, paper.tags, replace=True)
            self.report.state_taken += 1
            row.update(
                starred=paper.starred, read=paper.read, read_at=paper.read_at, note=paper.note,
                tag_keys=sorted(tag_key(t) for t in paper.tags), updated_at=updated,
            )  # fmt: skip
            changed = True
        else:
            if not same_state:
                self.report.state_kept += 1
            if added != row["added_at"]:
                self.conn.execute("UPDATE papers SET added_at = ? WHERE seq = ?", (added, seq))
                changed = True
            if changed:
                self.report.filled += 1
        row["added_at"] = added
        return changed

    def _fill(self, paper: MergeRecord, row: dict[str, Any]) -> bool:
        """Missing metadata from the file; upvotes keep the largest count. True if any changed."""
        changed = False
        fills = {
            name: getattr(paper, name)
            for name in ("authors_count", "organization", "published")
            if row[name] is None and getattr(paper, name) is not None
        }
        if paper.upvotes is not None and (row["upvotes"] is None or row["upvotes"] < paper.upvotes):
            fills["upvotes"] = paper.upvotes
        if fills:
            assignments = ", ".join(f"{name} = ?" for name in fills)
            self.conn.execute(
                f"UPDATE papers SET {assignments} WHERE seq = ?", [*fills.values(), row["seq"]]
            )
            row.update(fills)
            changed = True
        links = json.dumps(paper.links, ensure_ascii=False)
        texts = {}
        if not row["abstract"] and paper.abstract:
            texts["abstract"] = paper.abstract
        if row["links"] in (None, "[]") and paper.links:
            texts["links"] = links
        if texts:
            if row["abstract"] is None:  # no text row at all (should not happen; be safe)
                self.conn.execute(
                    "INSERT INTO paper_texts (paper, abstract, links) VALUES (?, ?, ?)"
                    " ON CONFLICT (paper) DO NOTHING",
                    (row["seq"], "", "[]"),
                )
            assignments = ", ".join(f"{name} = ?" for name in texts)
            self.conn.execute(
                f"UPDATE paper_texts SET {assignments} WHERE paper = ?",
                [*texts.values(), row["seq"]],
            )
            row.update(texts)
            changed = True
        return changed

    def _sightings(self, seq: int, paper: MergeRecord, digest_map: Mapping[int, int]) -> bool:
        """Add the file's sightings of this paper; True if any row changed."""
        changed = False
        for digest, label, position, upvotes in paper.sightings:
            local = digest_map.get(digest)
            if local is None:
                self.report.sightings_skipped += 1
                continue
            pair = (seq, local)
            if pair not in self.known_sightings:
                self.conn.execute(
                    "INSERT INTO sightings (paper, digest, position, label, upvotes)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (seq, local, position, label, upvotes),
                )
                self.known_sightings[pair] = upvotes
                self.report.sightings_added += 1
                changed = True
            elif upvotes is not None and (
                self.known_sightings[pair] is None or self.known_sightings[pair] < upvotes
            ):
                self.known_sightings[pair] = upvotes
                self.conn.execute(
                    "UPDATE sightings SET upvotes = ? WHERE paper = ? AND digest = ?",
                    (upvotes, seq, local),
                )
                changed = True
        return changed

    def _set_tags(self, seq: int, names: list[str], replace: bool = False) -> None:
        if replace:
            old = [r[0] for r in self.conn.execute(
                "SELECT tag FROM paper_tags WHERE paper = ?", (seq,)
            )]  # fmt: skip
            self.dropped_tags.update(old)
            self.conn.execute("DELETE FROM paper_tags WHERE paper = ?", (seq,))
        for name in names:
            tag = self._tag_id(name)
            self.conn.execute(
                "INSERT INTO paper_tags (paper, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (seq, tag),
            )

    def _tag_id(self, name: str) -> int:
        key = tag_key(name)
        cached = self.tag_ids.get(key)
        if cached is not None:
            return cached
        self.conn.execute(
            "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (name, key)
        )
        tag = self.conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()[0]
        self.tag_ids[key] = tag
        return tag

    def _free_id(self, paper: MergeRecord) -> str:
        """The file's id if it is free here, so ids stay the same across machines."""
        return free_paper_id(self.conn, paper.key, preferred=paper.id)


def _when(text: str | None) -> dt.datetime:
    """A stored time for comparing (texts of mixed precision do not compare as text)."""
    if not text:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.astimezone()

