"""The Library: the user's papers and their state in SQLite, with imports, queries and edits."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from readinglist import paths
from readinglist.digests import (
    DigestInfo,
    DigestRefused,
    ParsedPaper,
    open_digest,
    parse_digest,
)
from readinglist.library import migrations, tombstones
from readinglist.library.clock import now as _now
from readinglist.library.clock import stamp as _stamp
from readinglist.library.errors import AmbiguousPaper, LibraryError, UnknownPaper
from readinglist.library.identity import tag_key, tag_name
from readinglist.library.importer import (
    BATCH,
    DigestWriter,
    begin_digest,
    finish_digest,
    paper_key,
    reopen_digest,
)
from readinglist.library.merge import MergeCounts, MergeRecord, PaperMerge, sighted
from readinglist.library.model import Paper, Sighting
from readinglist.library.queries import json_list, order_by, where
from readinglist.library.records import (
    Change,
    ChangeKind,
    ImportProgress,
    ImportReport,
    PaperFilter,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 5.0
MAX_NOTE_CHARS = 8_000_000  # a few MB of text; beyond that it is a file, not a note
_CHUNK = 500  # ids per query when reading many papers


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode (already so after a library's first open: then a no-op).

    Switching needs the file to itself for a moment. When two instances open a library that
    is not in WAL yet (a new one, or one from an old version) at the same moment, SQLite
    answers the one that lost the race "database is locked" at once, without the busy wait
    other locks get: it tries again, as other locks would wait, for up to BUSY_TIMEOUT_S.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


class Library:
    """One open library: ``library.db`` inside ``home``.

    Not shared between threads: open one Library per thread (opening is cheap). Every write
    method is one transaction; subscribers hear about it after the commit.
    """

    def __init__(self, home: Path, db: sqlite_utils.Database, upgrade: migrations.Upgrade):
        self.home = home
        self.path = paths.database_path(home)
        self.db = db
        self.upgrade = upgrade  # what this open did to the schema (steps applied, backup file)
        self._subscribers: list[Callable[[Change], None]] = []

    # --- opening and closing ----------------------------------------------------------------

    @classmethod
    def open(cls, home: Path | None = None) -> Library:
        """Open (creating if needed) the library in ``home``, upgrading its schema if needed.

        Raises NewerDatabase for a library written by a newer Reading List, LibraryError for a
        file that is not a Reading List library or cannot be opened.
        """
        home = Path(home) if home is not None else paths.data_dir()
        path = paths.database_path(home)
        try:
            home.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        except (OSError, sqlite3.Error) as error:
            raise LibraryError(f"cannot open the library at {path}: {error}") from error
        try:
            # WAL: readers never block the writer (the GUI reads while its worker imports).
            _use_wal(conn)
            # In WAL mode, NORMAL still makes every commit atomic and durable against an app
            # crash or kill -9 (the WAL is in the OS's hands); only a power loss may drop the
            # last commits, never corrupt the file. FULL would fsync on every commit.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-32000")  # 32 MB: 100k-paper indexes stay in memory
            # An import lets the WAL grow to ~40 MB; shrink it back once it has been copied.
            conn.execute("PRAGMA journal_size_limit=8388608")
            db = sqlite_utils.Database(conn, execute_plugins=False)
            upgrade = migrations.upgrade(db, path, paths.backups_dir(home))
        except sqlite3.DatabaseError as error:
            conn.close()
            if _read_only_folder(home, path):
                # A read-only home (a mounted backup, a locked-down account): reading still
                # works; every write says the folder is read-only.
                return cls._open_read_only(home, path)
            raise LibraryError(
                f"{path} cannot be opened as a Reading List library: {error}"
            ) from error
        except BaseException:
            conn.close()
            raise
        return cls(home, db, upgrade)

    @classmethod
    def _open_read_only(cls, home: Path, path: Path) -> Library:
        # Without write access SQLite cannot make the WAL index (-shm); nobody can write here
        # either, so the file is opened as immutable.
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            db = sqlite_utils.Database(conn, execute_plugins=False)
            migrations.check(db, path)
            if migrations.MIGRATIONS.pending(db):
                conn.close()
                raise LibraryError(
                    f"{path} needs upgrading to this version, but its folder is read-only"
                )
        except sqlite3.DatabaseError as error:
            raise LibraryError(f"{path} cannot be opened (read-only): {error}") from error
        return cls(home, db, migrations.Upgrade())

    @property
    def read_only(self) -> bool:
        """Whether this library was opened from a read-only folder (reads only)."""
        return "immutable=1" in (self.db.execute("PRAGMA database_list").fetchone()[2] or "") or (
            not os.access(self.path, os.W_OK)
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Library {self.path}>"

    # --- transactions and change notification ------------------------------------------------

    @property
    def generation(self) -> int:
        """A counter stored in the library, one more after every committed write."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def subscribe(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``callback(change)`` after each write commits; returns a function to unsubscribe."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    @property
    def writing(self) -> bool:
        """Whether a write transaction is open on this Library (an import between two files)."""
        return self.db.conn.in_transaction

    @contextmanager
    def transaction(self, kind: ChangeKind, more: bool = False) -> Iterator[set[str]]:
        """One write transaction for code outside this class (e.g. merging a JSON export).

        Yields a set to fill with the ids of the papers written. On success the generation goes
        up, the transaction commits and subscribers hear ``Change(kind, ids, generation,
        more)``; an exception rolls everything back. A "restore" always counts as a change,
        even with no ids. ``more``: another transaction of the same operation follows at once.
        """
        conn = self.db.conn
        if conn.in_transaction:
            raise LibraryError("a write is already in progress on this Library")
        touched: set[str] = set()
        try:
            # IMMEDIATE takes the write lock up front: a deferred transaction that reads, then
            # writes, fails at once with SQLITE_BUSY if another connection wrote in between.
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _environment_error(self.path, error) from error
        try:
            yield touched
            generation = None
            if touched or kind == "restore":
                row = conn.execute(
                    "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value"
                ).fetchone()
                generation = int(row[0])
            conn.execute("COMMIT")
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError):
                # Disk full, I/O error, read-only file: the user's problem to fix, told plainly.
                raise _environment_error(self.path, error) from error
            raise
        if generation is not None:
            self._notify(Change(kind, frozenset(touched), generation, more))

    def _notify(self, change: Change) -> None:
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:
                # The write is committed; a failing listener must not make it look failed.
                log.exception("library subscriber %r failed on %s", callback, change.kind)

    # --- import ------------------------------------------------------------------------------

    def import_files(
        self, paths: Iterable[Path], undelete: bool = False
    ) -> Iterator[ImportProgress | ImportReport]:
        """Import digest files and folders (recursively, hidden entries skipped).

        Yields ImportProgress often and one ImportReport per file. Each file is one transaction:
        a refused or failing file leaves the library exactly as it was. Stopping the generator
        (``close()``) rolls back the file in progress. Papers the user deleted are skipped (and
        counted in the report) unless ``undelete``: then they come back as they were.
        """
        unreadable: list[tuple[Path, OSError]] = []
        files = list(_expand(paths, unreadable))
        with self._bulk_writes():
            yield from self._import_files(files, undelete)
        for folder, error in unreadable:
            yield _refused(folder, f"cannot read the folder: {error.strerror or error}")

    def _import_files(
        self, files: list[Path], undelete: bool = False
    ) -> Iterator[ImportProgress | ImportReport]:
        sizes = [_size(path) for path in files]
        total = sum(sizes)
        done_bytes = 0
        papers_done = 0
        for index, path in enumerate(files):
            yield ImportProgress(path, index, len(files), done_bytes, total, papers_done)
            report: ImportReport | None = None
            try:
                reader = open_digest(path)
                stream = self._import_stream(
                    path,
                    reader.info,
                    iter(reader),
                    lambda reader=reader: reader.bytes_read,
                    undelete,
                    # The index waits for the rest of a many-file import (search/sync.py).
                    more=index < len(files) - 1,
                )
                for step in stream:
                    if isinstance(step, ImportReport):
                        report = step
                    else:
                        read, entries = step
                        yield ImportProgress(
                            path, index, len(files), done_bytes + read, total, papers_done + entries
                        )
            except DigestRefused as error:
                report = _refused(path, error.reason, error.line)
            except OSError as error:
                report = _refused(path, f"cannot read the file: {error.strerror or error}")
            assert report is not None
            done_bytes += sizes[index]
            papers_done += report.new + report.known + report.repeated
            yield ImportProgress(path, index, len(files), done_bytes, total, papers_done)
            yield report

    @contextmanager
    def _bulk_writes(self) -> Iterator[None]:
        # Each commit past 1,000 WAL pages would checkpoint and fsync; across hundreds of files
        # that doubled the time of a 100k-paper import (measured 16 s -> 9 s). Checkpointing
        # every ~40 MB instead changes nothing for safety: commits are still atomic and durable.
        conn = self.db.conn
        conn.execute("PRAGMA wal_autocheckpoint=10000")
        try:
            yield
        finally:
            conn.execute("PRAGMA wal_autocheckpoint=1000")
            if not conn.in_transaction:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def import_file(self, path: Path, undelete: bool = False) -> ImportReport:
        """Import one file (or folder: then the last file's report) and return its report."""
        report = None
        for step in self.import_files([path], undelete):
            if isinstance(step, ImportReport):
                report = step
        if report is None:
            raise LibraryError(f"{path}: no files to import")
        return report

    def import_parsed(
        self,
        info: DigestInfo,
        papers: Iterable[ParsedPaper],
        path: Path | None = None,
        undelete: bool = False,
    ) -> ImportReport:
        """Import papers already parsed (pasted or dropped text) as one file, in one transaction."""
        where_from = path or Path(info.path)
        try:
            for step in self._import_stream(where_from, info, iter(papers), lambda: 0, undelete):
                if isinstance(step, ImportReport):
                    return step
        except DigestRefused as error:
            return _refused(where_from, error.reason, error.line)
        raise AssertionError("an import ends with a report")

    def import_text(
        self,
        data: str | bytes,
        source: str = "pasted",
        when: dt.datetime | None = None,
        undelete: bool = False,
    ) -> ImportReport:
        """Import a digest given as text (pasted, or piped to ``import -``), in one transaction.

        The ledger names it by where and when it came in ("<pasted 2025-03-14 09:30:05>", local
        time); the same text a second time is recognised by its content and changes nothing.
        """
        raw = data.encode("utf-8") if isinstance(data, str) else data
        stamp = (when or _now()).astimezone()
        name = f"<{source} {stamp:%Y-%m-%d %H:%M:%S}>"
        try:
            info, papers = parse_digest(raw, name)
        except DigestRefused as error:
            return _refused(Path(name), error.reason, error.line)
        return self.import_parsed(info, papers, Path(name), undelete=undelete)

    def _import_stream(
        self,
        path: Path,
        info: DigestInfo,
        papers: Iterator[ParsedPaper],
        bytes_read: Callable[[], int],
        undelete: bool = False,
        more: bool = False,
    ) -> Iterator[tuple[int, int] | ImportReport]:
        """Import one digest; yields (bytes read, entries) after each batch, then the report.

        ``more``: other files of the same import follow (told to subscribers, ``Change``).
        """
        now = _stamp(_now())
        with self.transaction("import", more=more) as touched:
            row = self.db.execute(
                "SELECT id, label, layout, partial FROM digests WHERE sha256 = ?", [info.sha256]
            ).fetchone()
            if row is not None and not row[3]:
                # Nothing new to record; undelete still brings back the deleted papers it holds.
                undeleted = self._undelete_in(papers) if undelete else []
                touched.update(undeleted)
                report = ImportReport(
                    path,
                    "already-imported",
                    sha256=info.sha256,
                    label=row[1],
                    layout=row[2],
                    digest_id=row[0],
                    undeleted=len(undeleted),
                    paper_ids=undeleted,
                )
            else:
                conn = self.db.conn
                # Text pasted or dropped has a name like "<clipboard>", not a file to resolve.
                where_from = str(path) if str(path).startswith("<") else str(_absolute(path))
                # A file name that is not UTF-8 reaches us as surrogates SQLite cannot store.
                where_from = os.fsencode(where_from).decode("utf-8", "replace")
                if row is None:
                    digest_id = begin_digest(conn, info, where_from, now)
                else:  # known only partly, from a JSON export: now the whole file
                    digest_id = row[0]
                    reopen_digest(conn, digest_id, info, where_from)
                writer = DigestWriter(conn, digest_id, now, undelete=undelete)
                batch: list[ParsedPaper] = []
                for paper in papers:
                    batch.append(paper)
                    if len(batch) >= BATCH:
                        writer.add(batch)
                        batch.clear()
                        yield bytes_read(), writer.entries
                if batch:
                    writer.add(batch)
                if writer.entries == 0:
                    raise DigestRefused(str(path), "no papers found: not a digest?")
                finish_digest(conn, digest_id, info, writer)
                touched.update(writer.paper_ids)
                report = ImportReport(
                    path,
                    "imported",
                    sha256=info.sha256,
                    label=info.label,
                    layout=info.layout,
                    new=writer.new,
                    known=writer.known,
                    repeated=writer.repeated,
                    warnings=list(info.warnings),
                    digest_id=digest_id,
                    paper_ids=list(dict.fromkeys(writer.paper_ids)),
                    deleted=writer.deleted,
                    undeleted=len(writer.undeleted),
                )
        # Reported after the commit: the write lock is free again when the caller hears of it.
        yield report

    def _undelete_in(self, papers: Iterator[ParsedPaper]) -> list[str]:
        keys = {paper_key(paper) for paper in papers}
        buried = tombstones.deleted_keys(self.db.conn, keys)
        return tombstones.raise_from_tombstones(self.db.conn, sorted(buried.values()))

    # --- deleting ----------------------------------------------------------------------------

    def delete(self, ids: Iterable[str]) -> list[str]:
        """Delete papers with their notes, tags and sightings, in one transaction.

        Each leaves a tombstone: importing a digest that holds it again skips it, and
        :meth:`undelete` puts it back as it was. Returns the ids deleted.
        """
        wanted = self._known_ids(ids)
        with self.transaction("delete") as touched:
            deleted = tombstones.bury(self.db.conn, wanted, _stamp(_now()))
            touched.update(deleted)
        return deleted

    def undelete(self, ids: Iterable[str]) -> list[str]:
        """Bring deleted papers back with everything they had; returns the ids restored."""
        wanted = list(dict.fromkeys(ids))
        known = {d["id"] for d in self._deleted_rows(wanted)}
        for paper_id in wanted:
            if paper_id not in known:
                raise UnknownPaper(paper_id)
        with self.transaction("undelete") as touched:
            restored = tombstones.raise_from_tombstones(self.db.conn, wanted)
            touched.update(restored)
        return restored

    def deleted(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Deleted papers, most recently deleted first: id, title, deleted_at."""
        rows = self.db.execute(
            "SELECT id, title, deleted_at FROM deleted_papers"
            " ORDER BY deleted_at DESC, id LIMIT ?",
            [-1 if limit is None else limit],
        )
        return [
            {"id": r[0], "title": r[1], "deleted_at": _datetime(r[2])} for r in rows
        ]

    def _deleted_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        found = []
        for chunk in _chunks(ids, 10_000):
            found.extend(
                {"id": r[0], "title": r[1]}
                for r in self.db.execute(
                    "SELECT id, title FROM deleted_papers"
                    " WHERE id IN (SELECT value FROM json_each(?))",
                    [json_list(chunk)],
                )
            )
        return found

    def resolve_deleted(self, prefix: str) -> str:
        """The deleted paper's id a user means by ``prefix`` (as :meth:`resolve` for live ones)."""
        prefix = prefix.strip().lower()
        if not prefix or any(ch not in "0123456789abcdef" for ch in prefix):
            raise UnknownPaper(prefix)
        rows = self.db.execute(
            "SELECT id FROM deleted_papers WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            [prefix, prefix + "g"],
        ).fetchall()
        exact = [r[0] for r in rows if r[0] == prefix]
        if exact:
            return str(exact[0])
        if not rows:
            raise UnknownPaper(prefix)
        if len(rows) > 1:
            raise AmbiguousPaper(prefix, [r[0] for r in rows[:5]], more=len(rows) > 5)
        return str(rows[0][0])

    def merge(
        self,
        papers: Sequence[MergeRecord],
        digests: Sequence[dict[str, Any]],
        counts: MergeCounts,
        batch: int = 500,
        undelete: bool = False,
    ) -> Iterator[int]:
        """Merge the records of a JSON export (``json_import`` reads and checks the file).

        One transaction; yields how many papers are done after each batch and fills
        ``counts``. Closing the generator before the end rolls the whole merge back. Papers
        the user deleted are skipped (and counted) unless ``undelete``, as in an import.
        """
        # "import", not "restore": the ids written are known, so the search index updates just
        # those, and a file that changes nothing leaves the generation alone.
        with self.transaction("import") as touched:
            merge = PaperMerge(self.db.conn, counts, _stamp(_now()), undelete=undelete)
            digest_map = merge.digests(digests, sighted(papers))
            for start in range(0, len(papers), batch):
                chunk = papers[start : start + batch]
                merge.papers(chunk, digest_map)
                yield start + len(chunk)
            merge.drop_unused_tags()
            touched.update(merge.changed_ids)

    # --- reading -----------------------------------------------------------------------------

    def get(self, paper_id: str) -> Paper:
        """The paper with exactly this id; raises UnknownPaper."""
        found = self.papers([paper_id])
        if not found:
            raise UnknownPaper(paper_id)
        return found[0]

    def resolve(self, prefix: str) -> str:
        """The id a user means by ``prefix``: an exact id, or the one id starting with it."""
        prefix = prefix.strip().lower()
        if not prefix or any(ch not in "0123456789abcdef" for ch in prefix):
            raise UnknownPaper(prefix)
        exact = self.db.execute("SELECT id FROM papers WHERE id = ?", [prefix]).fetchone()
        if exact:
            return str(exact[0])
        # A range on the UNIQUE index of id: fast, and LIKE would treat "_" specially anyway.
        rows = self.db.execute(
            "SELECT id FROM papers WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            [prefix, prefix + "g"],
        ).fetchall()
        if not rows:
            raise UnknownPaper(prefix)
        if len(rows) > 1:
            raise AmbiguousPaper(prefix, [r[0] for r in rows[:5]], more=len(rows) > 5)
        return str(rows[0][0])

    def papers(self, ids: Sequence[str]) -> list[Paper]:
        """Full records for ``ids``, in that order; ids not in the library are left out."""
        found: dict[str, Paper] = {}
        for chunk in _chunks(list(dict.fromkeys(ids)), _CHUNK):
            found.update(self._load(chunk))
        return [found[i] for i in ids if i in found]

    def _load(self, ids: Sequence[str]) -> dict[str, Paper]:
        rows = self.db.execute(
            """
            SELECT p.seq, p.id, p.title, p.authors_count, p.organization, p.published, p.upvotes,
                   p.starred, p.read, p.read_at, p.added_at, p.updated_at,
                   t.abstract, t.links, n.text, p.citation_key
            FROM papers p
            LEFT JOIN paper_texts t ON t.paper = p.seq
            LEFT JOIN notes n ON n.paper = p.seq
            WHERE p.id IN (SELECT value FROM json_each(?))
            """,
            [json_list(ids)],
        ).fetchall()
        by_seq: dict[int, Paper] = {}
        for r in rows:
            by_seq[r[0]] = Paper(
                id=r[1],
                title=r[2],
                abstract=r[12] or "",
                authors_count=r[3],
                organization=r[4],
                published=_date(r[5]),
                upvotes=r[6],
                links=json.loads(r[13]) if r[13] else [],
                starred=bool(r[7]),
                read=bool(r[8]),
                read_at=_datetime(r[9]),
                note=r[14] or "",
                added_at=_datetime(r[10]),
                updated_at=_datetime(r[11]),
                citation_key=r[15] or "",
            )
        if not by_seq:
            return {}
        seqs = json_list(list(by_seq))
        for seq, name in self.db.execute(
            "SELECT pt.paper, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag"
            " WHERE pt.paper IN (SELECT value FROM json_each(?)) ORDER BY t.key",
            [seqs],
        ):
            by_seq[seq].tags.append(name)
        for seq, digest_id, label, position, upvotes, path in self.db.execute(
            "SELECT s.paper, s.digest, coalesce(s.label, d.label), s.position, s.upvotes, d.path"
            " FROM sightings s"
            " JOIN digests d ON d.id = s.digest"
            " WHERE s.paper IN (SELECT value FROM json_each(?)) ORDER BY s.digest",
            [seqs],
        ):
            by_seq[seq].sightings.append(Sighting(digest_id, label, position, upvotes, path))
        return {paper.id: paper for paper in by_seq.values()}

    def state_counts(self, ids: Sequence[str]) -> tuple[int, int, int]:
        """(starred, read, with a note) among the papers ``ids``, counted in one query."""
        row = self.db.execute(
            "SELECT coalesce(sum(starred), 0), coalesce(sum(read), 0),"
            " coalesce(sum(seq IN (SELECT paper FROM notes)), 0)"
            " FROM papers WHERE id IN (SELECT value FROM json_each(?))",
            [json_list(list(ids))],
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def index_rows(self, ids: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """What the search index fingerprints to tell a stale document, per paper (or ``ids``).

        Rows of (id, updated_at, seen, upvotes, starred, read, note, tags joined by ",").
        """
        sql = """
            SELECT p.id, p.updated_at, p.seen, p.upvotes, p.starred, p.read, n.text,
                   (SELECT group_concat(t.name, ',') FROM paper_tags pt JOIN tags t
                    ON t.id = pt.tag WHERE pt.paper = p.seq)
            FROM papers p LEFT JOIN notes n ON n.paper = p.seq
        """
        if ids is None:
            return self.db.execute(sql).fetchall()
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(list(ids), 10_000):
            rows.extend(
                self.db.execute(
                    sql + " WHERE p.id IN (SELECT value FROM json_each(?))", [json_list(chunk)]
                ).fetchall()
            )
        return rows

    def list_ids(
        self,
        filter: PaperFilter = PaperFilter(),  # noqa: B008 - frozen, so sharing it is safe
        sort: str = "added",
        descending: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[str]:
        """Ids of the papers matching ``filter`` in ``sort`` order (a page with limit/offset).

        Sorts: added, published, upvotes, title, read_at, seen. Dates and numbers default to
        descending (newest, most first), title to ascending; papers lacking the value come last
        when descending.
        """
        clause, params = where(filter, self._digest_ids(filter.digest))
        sql = f"SELECT p.id FROM papers p {clause} {order_by(sort, descending)} LIMIT ? OFFSET ?"
        rows = self.db.execute(sql, [*params, -1 if limit is None else limit, offset])
        return [row[0] for row in rows]

    def list_papers(
        self,
        filter: PaperFilter = PaperFilter(),  # noqa: B008 - frozen, so sharing it is safe
        sort: str = "added",
        descending: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Paper]:
        return self.papers(self.list_ids(filter, sort, descending, limit, offset))

    def count(self, filter: PaperFilter = PaperFilter()) -> int:  # noqa: B008 - frozen
        clause, params = where(filter, self._digest_ids(filter.digest))
        return int(self.db.execute(f"SELECT count(*) FROM papers p {clause}", params).fetchone()[0])

    def rows(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Light rows for a table view, in the order of ``ids`` (unknown ids left out).

        Keys: id, title, starred, read, read_at, published, upvotes, seen, has_note, tags,
        organization, authors_count, added_at. No abstract, no note text.
        """
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(dict.fromkeys(ids)), _CHUNK):
            rows = self.db.execute(
                """
                SELECT p.seq, p.id, p.title, p.starred, p.read, p.read_at, p.published,
                       p.upvotes, p.seen, p.seq IN (SELECT paper FROM notes), p.organization,
                       p.authors_count, p.added_at,
                       (SELECT json_group_array(name) FROM (
                            SELECT t.name AS name FROM paper_tags pt JOIN tags t ON t.id = pt.tag
                            WHERE pt.paper = p.seq ORDER BY t.key))
                FROM papers p WHERE p.id IN (SELECT value FROM json_each(?))
                """,
                [json_list(chunk)],
            )
            for r in rows:
                found[r[1]] = {
                    "id": r[1],
                    "title": r[2],
                    "starred": bool(r[3]),
                    "read": bool(r[4]),
                    "read_at": _datetime(r[5]),
                    "published": _date(r[6]),
                    "upvotes": r[7],
                    "seen": r[8],
                    "has_note": bool(r[9]),
                    "organization": r[10],
                    "authors_count": r[11],
                    "added_at": _datetime(r[12]),
                    "tags": json.loads(r[13]),
                }
        return [found[i] for i in ids if i in found]

    def brought_by(self, digest_id: int) -> list[str]:
        """Ids of the papers that digest's import added to the library, in added order.

        A paper an import adds carries the import's time as its added time; one it only saw
        again was added earlier. So this stays true after the user deletes some of them,
        where the ledger's ``new`` count does not.
        """
        rows = self.db.execute(
            "SELECT p.id FROM papers p JOIN digests d ON d.id = ?"
            " WHERE p.added_at >= d.imported_at"
            " AND p.seq IN (SELECT s.paper FROM sightings s WHERE s.digest = d.id) "
            + order_by("added", None),
            [digest_id],
        )
        return [row[0] for row in rows]

    def digests(self) -> list[dict[str, Any]]:
        """The import ledger, newest first; ``papers`` is how many papers each digest holds."""
        rows = self.db.execute(
            """
            SELECT d.id, d.path, d.sha256, d.size, d.encoding, d.label, d.layout, d.entries,
                   d.new, d.known, d.warnings, d.imported_at,
                   (SELECT count(*) FROM sightings s WHERE s.digest = d.id), d.partial
            FROM digests d ORDER BY d.id DESC
            """
        )
        return [
            {
                "id": r[0],
                "path": r[1],
                "name": Path(r[1]).name,
                "sha256": r[2],
                "size": r[3],
                "encoding": r[4],
                "label": r[5],
                "layout": r[6],
                "entries": r[7],
                "new": r[8],
                "known": r[9],
                "warnings": [{"line": w[0], "message": w[1]} for w in json.loads(r[10])],
                "imported_at": _datetime(r[11]),
                "papers": r[12],
                "partial": bool(r[13]),
            }
            for r in rows
        ]

    def find_digests(self, spec: str | int, labels: bool = True) -> list[int]:
        """Ids of the digests ``spec`` names: an id, a file name or (if ``labels``) a label."""
        text = str(spec).strip()
        if text.isdigit():
            row = self.db.execute("SELECT id FROM digests WHERE id = ?", [int(text)]).fetchone()
            return [row[0]] if row else []
        folded = text.casefold()
        rows = self.db.execute("SELECT id, label, path FROM digests ORDER BY id").fetchall()
        return [
            r[0]
            for r in rows
            if Path(r[2]).name.casefold() == folded
            or (labels and (r[1] or "").casefold() == folded)
        ]

    def _digest_ids(self, spec: str | int | None) -> list[int] | None:
        # Labels are matched per sighting by the query itself (a file may hold several pages).
        return None if spec is None else self.find_digests(spec, labels=False)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag in use with its number of papers, by name (case-insensitively)."""
        rows = self.db.execute(
            "SELECT t.name, count(*) FROM tags t JOIN paper_tags pt ON pt.tag = t.id"
            " GROUP BY t.id ORDER BY t.key"
        )
        return [(name, count) for name, count in rows]

    def stats(self) -> dict[str, Any]:
        # Three counts over indexes, not one pass over 100k rows (45 ms -> a few ms).
        row = self.db.execute(
            "SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM papers WHERE read = 1),"
            " (SELECT count(*) FROM papers WHERE starred = 1)"
        ).fetchone()
        notes = self.db.execute("SELECT count(*) FROM notes").fetchone()[0]
        tags = self.db.execute("SELECT count(DISTINCT tag) FROM paper_tags").fetchone()[0]
        digests = self.db.execute("SELECT count(*) FROM digests").fetchone()[0]
        size = sum(
            _size(Path(f"{self.path}{suffix}")) for suffix in ("", "-wal")
        )
        return {
            "papers": row[0],
            "read": row[1],
            "unread": row[0] - row[1],
            "starred": row[2],
            "notes": notes,
            "tags": tags,
            "digests": digests,
            "generation": self.generation,
            "path": self.path,
            "size_bytes": size,
        }

    # --- the user's state --------------------------------------------------------------------

    def set_starred(self, ids: Iterable[str], starred: bool) -> list[str]:
        """Star or unstar papers; returns the ids that changed."""
        wanted = self._known_ids(ids)
        value = 1 if starred else 0
        with self.transaction("state") as touched:
            changed = self._ids_where(wanted, "starred <> ?", [value])
            self.db.conn.executemany(
                "UPDATE papers SET starred = ?, updated_at = ? WHERE id = ?",
                [(value, _stamp(_now()), i) for i in changed],
            )
            touched.update(changed)
        return changed

    def set_read(
        self, ids: Iterable[str], read: bool, when: dt.datetime | None = None
    ) -> list[str]:
        """Mark papers read (at ``when``, default now) or unread; returns the ids that changed.

        Papers already read keep their read date unless ``when`` is given.
        """
        wanted = self._known_ids(ids)
        now = _stamp(_now())
        with self.transaction("state") as touched:
            if not read:
                changed = self._ids_where(wanted, "read = 1", [])
                rows = [(0, None, now, i) for i in changed]
            elif when is None:
                changed = self._ids_where(wanted, "read = 0", [])
                rows = [(1, now, now, i) for i in changed]
            else:
                at = _stamp(when)
                changed = self._ids_where(wanted, "(read = 0 OR read_at IS NOT ?)", [at])
                rows = [(1, at, now, i) for i in changed]
            self.db.conn.executemany(
                "UPDATE papers SET read = ?, read_at = ?, updated_at = ? WHERE id = ?", rows
            )
            touched.update(changed)
        return changed

    def set_note(self, paper_id: str, text: str) -> None:
        """Replace a paper's note; blank text removes it."""
        if len(text) > MAX_NOTE_CHARS:
            raise LibraryError(
                f"the note is too long ({len(text):,} characters; at most {MAX_NOTE_CHARS:,})"
            )
        (seq,) = self._seqs([paper_id])
        text = text.rstrip()
        now = _stamp(_now())
        with self.transaction("note") as touched:
            row = self.db.execute("SELECT text FROM notes WHERE paper = ?", [seq]).fetchone()
            old = row[0] if row else ""
            if old == text:
                return
            if text:
                self.db.execute(
                    "INSERT INTO notes (paper, text, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (paper) DO UPDATE SET text = excluded.text,"
                    " updated_at = excluded.updated_at",
                    [seq, text, now],
                )
            else:
                self.db.execute("DELETE FROM notes WHERE paper = ?", [seq])
            self.db.execute("UPDATE papers SET updated_at = ? WHERE seq = ?", [now, seq])
            touched.add(paper_id)

    def add_tags(self, ids: Iterable[str], tags: Iterable[str]) -> list[str]:
        """Tag papers; a tag matching an existing one case-insensitively reuses its spelling.

        Returns the ids that changed.
        """
        names = _tag_names(tags)
        wanted = self._known_ids(ids)
        with self.transaction("tags") as touched:
            conn = self.db.conn
            conn.executemany(
                "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                [(name, tag_key(name)) for name in names],
            )
            tag_ids = self._tag_ids(names)
            pairs = self._id_seqs(wanted)
            have = self._links([seq for _, seq in pairs], tag_ids)
            missing = [(seq, tag) for _, seq in pairs for tag in tag_ids if (seq, tag) not in have]
            conn.executemany("INSERT INTO paper_tags (paper, tag) VALUES (?, ?)", missing)
            gained = {seq for seq, _ in missing}
            changed = [paper_id for paper_id, seq in pairs if seq in gained]
            self._touch(changed)
            touched.update(changed)
        return changed

    def remove_tags(self, ids: Iterable[str], tags: Iterable[str]) -> list[str]:
        """Untag papers; tags left on no paper disappear. Returns the ids that changed."""
        names = _tag_names(tags)
        wanted = self._known_ids(ids)
        with self.transaction("tags") as touched:
            conn = self.db.conn
            tag_ids = self._tag_ids(names)
            pairs = self._id_seqs(wanted)
            have = self._links([seq for _, seq in pairs], tag_ids)
            conn.executemany("DELETE FROM paper_tags WHERE paper = ? AND tag = ?", sorted(have))
            lost = {seq for seq, _ in have}
            changed = [paper_id for paper_id, seq in pairs if seq in lost]
            self._touch(changed)
            self._drop_unused_tags(tag_ids)
            touched.update(changed)
        return changed

    def _links(self, seqs: list[int], tag_ids: list[int]) -> set[tuple[int, int]]:
        """Which of these papers already carry which of these tags."""
        if not seqs or not tag_ids:
            return set()
        found: set[tuple[int, int]] = set()
        for chunk in _chunks(seqs, 10_000):
            found.update(
                self.db.execute(
                    "SELECT paper, tag FROM paper_tags"
                    " WHERE tag IN (SELECT value FROM json_each(?))"
                    " AND paper IN (SELECT value FROM json_each(?))",
                    [json_list(tag_ids), json_list(chunk)],
                ).fetchall()
            )
        return found

    def rename_tag(self, old: str, new: str) -> list[str]:
        """Rename a tag everywhere (merging into ``new`` if it exists); returns changed ids."""
        (new_name,) = _tag_names([new])
        with self.transaction("tags") as touched:
            conn = self.db.conn
            row = conn.execute("SELECT id FROM tags WHERE key = ?", (tag_key(old),)).fetchone()
            if row is None:
                raise LibraryError(f"no tag named {tag_name(old)!r}")
            old_id = row[0]
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT p.id FROM papers p JOIN paper_tags pt ON pt.paper = p.seq"
                    " WHERE pt.tag = ?",
                    (old_id,),
                )
            ]
            target = conn.execute(
                "SELECT id FROM tags WHERE key = ?", (tag_key(new_name),)
            ).fetchone()
            if target is None or target[0] == old_id:
                conn.execute(
                    "UPDATE tags SET name = ?, key = ? WHERE id = ?",
                    (new_name, tag_key(new_name), old_id),
                )
            else:
                conn.execute(
                    "INSERT INTO paper_tags (paper, tag) SELECT paper, ? FROM paper_tags"
                    " WHERE tag = ? ON CONFLICT DO NOTHING",
                    (target[0], old_id),
                )
                conn.execute("DELETE FROM tags WHERE id = ?", (old_id,))
            self._touch(ids)
            touched.update(ids)
        return ids

    # --- helpers -----------------------------------------------------------------------------

    def _known_ids(self, ids: Iterable[str]) -> list[str]:
        """The ids given, deduplicated, after checking every one exists (UnknownPaper if not)."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for chunk in _chunks(wanted, 10_000):
            found.update(
                r[0]
                for r in self.db.execute(
                    "SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?))",
                    [json_list(chunk)],
                )
            )
        for paper_id in wanted:
            if paper_id not in found:
                raise UnknownPaper(paper_id)
        return wanted

    def _ids_where(self, ids: list[str], condition: str, params: list[Any]) -> list[str]:
        found: set[str] = set()
        for chunk in _chunks(ids, 10_000):
            found.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?))"
                    f" AND {condition}",
                    [json_list(chunk), *params],
                )
            )
        return [i for i in ids if i in found]

    def _id_seqs(self, ids: list[str]) -> list[tuple[str, int]]:
        seqs: dict[str, int] = {}
        for chunk in _chunks(ids, 10_000):
            seqs.update(
                self.db.execute(
                    "SELECT id, seq FROM papers WHERE id IN (SELECT value FROM json_each(?))",
                    [json_list(chunk)],
                ).fetchall()
            )
        return [(i, seqs[i]) for i in ids if i in seqs]

    def _seqs(self, ids: list[str]) -> list[int]:
        pairs = dict(self._id_seqs(ids))
        for paper_id in ids:
            if paper_id not in pairs:
                raise UnknownPaper(paper_id)
        return [pairs[i] for i in ids]

    def _tag_ids(self, names: list[str]) -> list[int]:
        rows = self.db.execute(
            "SELECT id FROM tags WHERE key IN (SELECT value FROM json_each(?))",
            [json_list([tag_key(n) for n in names])],
        )
        return [r[0] for r in rows]

    def _drop_unused_tags(self, tag_ids: list[int]) -> None:
        self.db.conn.executemany(
            "DELETE FROM tags WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM paper_tags WHERE tag = tags.id)",
            [(t,) for t in tag_ids],
        )

    def _touch(self, ids: list[str]) -> None:
        now = _stamp(_now())
        self.db.conn.executemany(
            "UPDATE papers SET updated_at = ? WHERE id = ?", [(now, i) for i in ids]
        )


# --- module helpers ---------------------------------------------------------------------------


def _expand(
    paths: Iterable[Path], unreadable: list[tuple[Path, OSError]] | None = None
) -> Iterator[Path]:
    """Files to import: given files as they are, folders walked in name order, hidden skipped.

    Folders that cannot be read are added to ``unreadable`` (to be reported, not skipped silently).
    """

    def note_unreadable(error: OSError) -> None:
        if unreadable is not None:
            unreadable.append((Path(error.filename or "?"), error))

    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        if given.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(given, onerror=note_unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root) / name for name in sorted(files) if not name.startswith(".")
                )
            candidates = [p for p in found if p.is_file()]
        else:
            candidates = [given]
        for path in candidates:
            key = _absolute(path)
            if key not in seen:
                seen.add(key)
                yield path


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_only_folder(home: Path, path: Path) -> bool:
    return path.exists() and not (os.access(home, os.W_OK) and os.access(path, os.W_OK))


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds the database."""
    text = str(error)
    return "locked" in text or "busy" in text


def _environment_error(path: Path, error: sqlite3.OperationalError) -> LibraryError:
    text = str(error)
    if is_busy(error):
        return LibraryError(
            f"{path} is busy: another Reading List window or command is writing to it; "
            "try again when it has finished"
        )
    return LibraryError(f"cannot write to {path}: {text}; nothing was changed")


def _refused(path: Path, reason: str, line: int | None = None) -> ImportReport:
    where = f"line {line}: " if line is not None else ""
    return ImportReport(path, "refused", refused=where + reason)


def _tag_names(tags: Iterable[str]) -> list[str]:
    if isinstance(tags, str):
        tags = [tags]
    names: dict[str, str] = {}
    for tag in tags:
        name = tag_name(tag)
        if not name:
            raise LibraryError("a tag cannot be empty")
        if "," in name:
            raise LibraryError(f"a tag cannot contain a comma: {name!r}")
        names.setdefault(tag_key(name), name)
    return list(names.values())


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _datetime(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None

