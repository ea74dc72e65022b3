"""Reading a JSON export back into a library: restore on a new machine, or merge into a used one.

One transaction for the whole file. Papers are matched by their title key (the same identity
the digest importer uses), digests by the sha256 of their file, so nothing is duplicated.
For a paper in both places the metadata is filled in where missing, sightings are added, and
the user's state (star, read + date, note, tags) comes from whichever side was edited last
(``updated_at``); a paper this library only ever imported, never edited, takes the file's
state. Subscribers hear one ``Change("import", ids)`` after the commit, with the ids changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readinglist.export.grouping import plural
from readinglist.export.json_export import FORMAT_NAME, SCHEMA_VERSION
from readinglist.library.errors import LibraryError
from readinglist.library.identity import (
    CITATION_KEY,
    ID_LENGTH,
    citation_key,
    key_digest,
    tag_key,
    tag_name,
    title_key,
)
from readinglist.library.importer import free_citation_keys
from readinglist.library.queries import json_list
from readinglist.library.store import Library

_BATCH = 500
_SNIFF_BYTES = 64 * 1024
_FORMAT_MARK = re.compile(rb'"format"\s*:\s*"' + FORMAT_NAME.encode() + rb'"')


class ExportRefused(LibraryError):  # noqa: N818 - "refused" is the word users see
    """A file that is not a Reading List export this version can read; nothing was changed.

    ``str()`` names the file and, for a JSON syntax error, the line; ``reason`` alone does not.
    """

    def __init__(self, where: str, reason: str, line: int | None = None) -> None:
        self.where = where
        self.reason = reason
        self.line = line
        at = f"{where}, line {line}" if line is not None else where
        super().__init__(f"{at}: {reason}")


@dataclass(slots=True)
class MergeReport:
    """What merging one JSON export did."""

    path: Path | None = None
    papers_in_file: int = 0
    new: int = 0  # papers the library did not have
    state_taken: int = 0  # papers whose star/read/note/tags came from the file (newer there)
    state_kept: int = 0  # papers in both where the library's own state was as new or newer
    filled: int = 0  # papers already here that gained metadata or sightings from the file
    sightings_added: int = 0
    sightings_skipped: int = 0  # sightings of digests not added (unknown or partial)
    digests_partial: int = 0  # digests only partly in the file: in the ledger as partial
    digests_added: int = 0
    digests_known: int = 0
    paper_ids: list[str] = field(default_factory=list)  # every paper written, in file order

    @property
    def changed(self) -> bool:
        return bool(self.new or self.state_taken or self.filled or self.digests_added)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path) if self.path else None,
            "status": "merged",
            "papers_in_file": self.papers_in_file,
            "new": self.new,
            "state_taken": self.state_taken,
            "state_kept": self.state_kept,
            "filled": self.filled,
            "sightings_added": self.sightings_added,
            "sightings_skipped": self.sightings_skipped,
            "digests_partial": self.digests_partial,
            "digests_added": self.digests_added,
            "digests_known": self.digests_known,
            "paper_ids": list(self.paper_ids),
        }

    def __str__(self) -> str:
        head = f"Reading List export of {plural(self.papers_in_file, 'paper')}: "
        if not self.changed and not self.state_kept and not self.digests_partial:
            return head + "all already in the library, nothing changed"
        parts = [f"{self.new} new", f"{self.state_taken} updated from the file"]
        if self.filled:
            parts.append(f"{self.filled} filled in")
        if self.state_kept:
            parts.append(f"{self.state_kept} kept (newer here)")
        if self.digests_added:
            parts.append(f"{plural(self.digests_added, 'digest')} added to the ledger")
        if self.digests_partial:
            parts.append(
                f"{plural(self.digests_partial, 'digest')} only partly in the file (importing "
                "those digest files brings in the rest of their papers)"
            )
        return head + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class MergeProgress:
    done: int
    total: int
    detail: str = ""


# --- reading the file ----------------------------------------------------------------------------


def is_json_export(path: str | Path) -> bool:
    """Whether ``path`` looks like a Reading List JSON export (a cheap look at its start)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and _FORMAT_MARK.search(head) is not None


def load_json_file(path: str | Path) -> dict[str, Any]:
    """The export in ``path`` as data, checked; ExportRefused says what is wrong and where."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        raise ExportRefused(str(path), reason) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ExportRefused(str(path), "not UTF-8 text", line) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportRefused(str(path), f"not valid JSON ({error.msg})", error.lineno) from error
    except RecursionError as error:
        raise ExportRefused(str(path), "not a Reading List export: nested too deeply") from error
    except ValueError as error:  # an integer of thousands of digits
        raise ExportRefused(str(path), f"not a Reading List export: {error}") from error
    check_export(data, str(path))
    return data


def merge_json_file(library: Library, path: str | Path) -> MergeReport:
    """Merge the JSON export in ``path`` into ``library`` (one transaction) and report."""
    data = load_json_file(path)
    report = merge_json(library, data, where=str(path))
    report.path = Path(path)
    return report


def merge_json(
    library: Library, data: Mapping[str, Any], where: str = "JSON export"
) -> MergeReport:
    """Merge an export already loaded (``json.load``) into ``library``; see the module doc."""
    steps = iter_merge_json(library, data, where)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def iter_merge_json(
    library: Library, data: Mapping[str, Any], where: str = "JSON export"
) -> Generator[MergeProgress, None, MergeReport]:
    """``merge_json`` step by step for the GUI: yields progress, returns the MergeReport.

    Closing the generator before it finishes rolls the whole merge back.
    """
    check_export(data, where)
    papers = [_paper_record(obj, i, where) for i, obj in enumerate(data["papers"])]
    digests = [_digest_record(obj, i, where) for i, obj in enumerate(data.get("digests") or [])]
    report = MergeReport(papers_in_file=len(papers))
    yield MergeProgress(0, len(papers), where)
    # "import", not "restore": the ids written are known, so the search index updates just
    # those, and a file that changes nothing leaves the generation alone.
    with library.transaction("import") as touched:
        merge = _Merge(library.db.conn, report, _now())
        digest_map = merge.digests(digests, _sighted(papers))
        for start in range(0, len(papers), _BATCH):
            batch = papers[start : start + _BATCH]
            merge.papers(batch, digest_map)
            yield MergeProgress(start + len(batch), len(papers), where)
        merge.drop_unused_tags()
        touched.update(merge.changed_ids)
    return report


# --- checking ------------------------------------------------------------------------------------


def check_export(data: Any, where: str) -> None:
    """Refuse anything but an export of a schema version this Reading List knows."""
    if not isinstance(data, Mapping):
        raise ExportRefused(where, "not a Reading List export (the file is not a JSON object)")
    if data.get("format") != FORMAT_NAME:
        raise ExportRefused(
            where, f'not a Reading List export (no "format": "{FORMAT_NAME}" in it)'
        )
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExportRefused(where, f"schema_version {version!r} is not a version number")
    if version > SCHEMA_VERSION:
        raise ExportRefused(
            where,
            f"written by a newer Reading List (export schema {version}; this version reads "
            f"up to {SCHEMA_VERSION}); install a newer Reading List to import it",
        )
    if not isinstance(data.get("papers"), list):
        raise ExportRefused(where, '"papers" must be a list')
    if not isinstance(data.get("digests", []), list | type(None)):
        raise ExportRefused(where, '"digests" must be a list')


@dataclass(slots=True)
class _PaperRecord:
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


def _paper_record(obj: Any, index: int, where: str) -> _PaperRecord:
    def bad(field_name: str, expected: str) -> ExportRefused:
        who = obj.get("id") if isinstance(obj, Mapping) else None
        name = f"papers[{index}]" + (f" (id {who})" if isinstance(who, str) else "")
        return ExportRefused(where, f"{name}: {field_name} must be {expected}")

    if not isinstance(obj, Mapping):
        raise bad("each paper", "an object")

    def text(name: str, *, required: bool = False, empty: bool = True) -> str | None:
        value = obj.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise bad(name, "a non-empty string" if not empty else "a string")
        if not _storable(value):
            raise bad(name, "text without lone surrogates (\\ud800...)")
        return value

    def integer(name: str) -> int | None:
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT_MAX:
            raise bad(name, f"a whole number from 0 to {INT_MAX:,}, or null")
        return value

    def flag(name: str) -> bool:
        value = obj.get(name, False)
        if not isinstance(value, bool):
            raise bad(name, "true or false")
        return value

    def moment(name: str) -> str | None:
        value = obj.get(name)
        if value is None:
            return None
        try:
            return _stamp(dt.datetime.fromisoformat(value))
        except (TypeError, ValueError):
            raise bad(name, "an ISO 8601 date and time, or null") from None

    def strings(name: str) -> list[str]:
        value = obj.get(name) or []
        if not isinstance(value, list) or not all(
            isinstance(v, str) and _storable(v) for v in value
        ):
            raise bad(name, "a list of strings")
        return value

    title = text("title", required=True, empty=False)
    assert title is not None
    key = title_key(title) or " ".join(title.split()).casefold()
    paper_id = text("id", required=True, empty=False)
    assert paper_id is not None
    if not re.fullmatch(r"[0-9a-f]{6,64}", paper_id):
        raise bad("id", "a paper id (hex digits)")
    published = text("published")
    if published is not None:
        try:
            published = dt.date.fromisoformat(published).isoformat()
        except ValueError:
            raise bad("published", "a date (YYYY-MM-DD) or null") from None
    tags: list[str] = []
    tag_keys: set[str] = set()  # a set, not a scan of the list: 50,000 tags stay linear
    for tag in strings("tags"):
        name = tag_name(tag)
        if not name or "," in name:
            raise bad("tags", "a list of non-empty tags without commas")
        if tag_key(name) not in tag_keys:
            tag_keys.add(tag_key(name))
            tags.append(name)
    sightings = []
    raw_sightings = obj.get("sightings") or []
    if not isinstance(raw_sightings, list):
        raise bad("sightings", "a list")
    for s in raw_sightings:
        if (
            not isinstance(s, Mapping)
            or not _small_int(s.get("digest"))
            or not _small_int(s.get("position"))
            or not isinstance(s.get("label"), str | type(None))
            or (isinstance(s.get("label"), str) and not _storable(s["label"]))
            or not (s.get("upvotes") is None or _small_int(s.get("upvotes")))
        ):
            raise bad("sightings", "a list of {digest, label, position, upvotes}")
        sightings.append((s["digest"], s.get("label"), s["position"], s.get("upvotes")))
    read = flag("read")
    cite = text("citation_key")
    if cite is not None and not CITATION_KEY.fullmatch(cite):
        raise bad("citation_key", "a citation key (lowercase letters, digits, _) or null")
    return _PaperRecord(
        id=paper_id,
        key=key,
        title=title.strip(),
        abstract=text("abstract") or "",
        authors_count=integer("authors_count"),
        organization=text("organization"),
        published=published,
        upvotes=integer("upvotes"),
        links=strings("links"),
        starred=flag("starred"),
        read=read,
        read_at=moment("read_at") if read else None,
        note=_note(text("note") or "", bad),
        tags=tags,
        sightings=sightings,
        added_at=moment("added_at"),
        updated_at=moment("updated_at"),
        citation_key=cite,
    )


def _digest_record(obj: Any, index: int, where: str) -> dict[str, Any]:
    if not isinstance(obj, Mapping):
        raise ExportRefused(where, f"digests[{index}] must be an object")
    digest_id, sha = obj.get("id"), obj.get("sha256")
    if not isinstance(digest_id, int) or not isinstance(sha, str) or not sha:
        raise ExportRefused(where, f"digests[{index}] needs an id (number) and a sha256")
    warnings = []
    for w in obj.get("warnings") or []:
        if isinstance(w, Mapping):
            warnings.append([w.get("line"), w.get("message")])
        elif isinstance(w, list | tuple) and len(w) == 2:
            warnings.append(list(w))
    imported_at = obj.get("imported_at")
    try:
        imported = _stamp(dt.datetime.fromisoformat(imported_at)) if imported_at else None
    except (TypeError, ValueError):
        imported = None

    def number(name: str) -> int:
        value = obj.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def text(name: str) -> str | None:
        value = obj.get(name)
        return value if isinstance(value, str) else None

    papers = obj.get("papers")
    return {
        "id": digest_id,
        "papers": papers if isinstance(papers, int) and not isinstance(papers, bool) else None,
        "partial": obj.get("partial") is True,
        "sha256": sha,
        "path": text("path") or text("name") or f"(imported from a Reading List export) {sha[:12]}",
        "size": number("size"),
        "encoding": text("encoding"),
        "label": text("label"),
        "layout": text("layout") or "unknown",
        "entries": number("entries"),
        "new": number("new"),
        "known": number("known"),
        "warnings": json.dumps(warnings, ensure_ascii=False),
        "imported_at": imported,
    }


def _sighted(papers: Sequence[_PaperRecord]) -> dict[int, int]:
    """How many of the file's papers each digest id holds."""
    counts: dict[int, int] = {}
    for paper in papers:
        for digest in {s[0] for s in paper.sightings}:
            counts[digest] = counts.get(digest, 0) + 1
    return counts


# --- writing -------------------------------------------------------------------------------------


class _Merge:
    """The writes of one merge, inside the caller's transaction."""

    def __init__(self, conn: Any, report: MergeReport, now: str) -> None:
        self.conn = conn
        self.report = report
        self.now = now
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

    def papers(self, batch: Sequence[_PaperRecord], digest_map: Mapping[int, int]) -> None:
        existing = self._existing([p.key for p in batch])
        self.known_sightings = self._sightings_of([row["seq"] for row in existing.values()])
        changed_seqs: list[int] = []
        for paper in batch:
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

    def _sightings_of(self, seqs: list[int]) -> dict[tuple[int, int], int | None]:
        if not seqs:
            return {}
        rows = self.conn.execute(
            "SELECT paper, digest, upvotes FROM sightings"
            " WHERE paper IN (SELECT value FROM json_each(?))",
            (json_list(seqs),),
        )
        return {(paper, digest): upvotes for paper, digest, upvotes in rows}

    def _row_of_new(self, seq: int, paper_id: str, paper: _PaperRecord) -> dict[str, Any]:
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

    def _insert(self, paper: _PaperRecord) -> tuple[int, str]:
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

    def _merge_existing(self, paper: _PaperRecord, row: dict[str, Any]) -> bool:
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

    def _fill(self, paper: _PaperRecord, row: dict[str, Any]) -> bool:
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

    def _sightings(self, seq: int, paper: _PaperRecord, digest_map: Mapping[int, int]) -> bool:
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

    def _free_id(self, paper: _PaperRecord) -> str:
        """The file's id if it is free here, so ids stay the same across machines.

        Otherwise the importer's rule: the title key's hash, longer than 10 characters only on
        a clash.
        """
        if not self._id_taken(paper.id):
            return paper.id
        digest = key_digest(paper.key)
        length = ID_LENGTH
        while self._id_taken(digest[:length]):
            length += 1
        return digest[:length]

    def _id_taken(self, paper_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return row is not None


def _now() -> str:
    return _stamp(dt.datetime.now(dt.UTC))


def _stamp(value: dt.datetime) -> str:
    # The store's form, UTC ISO 8601; sub-second digits are kept when the file has them (the
    # store orders papers added by one import with them).
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(dt.UTC).isoformat()


def _when(text: str | None) -> dt.datetime:
    """A stored time for comparing (texts of mixed precision do not compare as text)."""
    if not text:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.astimezone()



INT_MAX = 2**63 - 1  # what SQLite stores; a bigger number raised OverflowError mid-merge


def _small_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -INT_MAX <= value <= INT_MAX


def _storable(text: str) -> bool:
    """Whether SQLite can store ``text``: half a JSON surrogate pair decodes to a lone one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _note(text: str, bad: Any) -> str:
    from readinglist.library.store import MAX_NOTE_CHARS  # the one limit, as in the window

    text = text.rstrip()
    if len(text) > MAX_NOTE_CHARS:
        raise bad("note", f"at most {MAX_NOTE_CHARS:,} characters")
    return text
