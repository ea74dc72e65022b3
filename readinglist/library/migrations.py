"""The library's schema as named migration steps, and the upgrade run when a library opens."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

import readinglist
from readinglist import paths
from readinglist.library.errors import LibraryError, NewerDatabase
from readinglist.library.identity import citation_key

MIGRATIONS = Migrations("readinglist")

# Step 1: the tables. Small columns live in `papers` so that filtering and sorting 100k papers
# reads a few MB; abstracts and notes (up to a few MB each) live apart and are read per page.
# `seq` is an INTEGER PRIMARY KEY so it survives VACUUM and gives the order papers were added in.
# A sighting keeps its own label: one file may hold several pasted pages of different days.
M001_SQL = """
CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    encoding TEXT,
    label TEXT,
    layout TEXT NOT NULL,
    entries INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    known INTEGER NOT NULL DEFAULT 0,
    warnings TEXT NOT NULL DEFAULT '[]',
    imported_at TEXT NOT NULL
);
CREATE TABLE papers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title_key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    authors_count INTEGER,
    organization TEXT,
    published TEXT,
    upvotes INTEGER,
    starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
    read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    read_at TEXT,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE paper_texts (
    paper INTEGER PRIMARY KEY REFERENCES papers(seq) ON DELETE CASCADE,
    abstract TEXT NOT NULL,
    links TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE notes (
    paper INTEGER PRIMARY KEY REFERENCES papers(seq) ON DELETE CASCADE,
    text TEXT NOT NULL CHECK (text <> ''),
    updated_at TEXT NOT NULL
);
CREATE TABLE sightings (
    paper INTEGER NOT NULL REFERENCES papers(seq) ON DELETE CASCADE,
    digest INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT,
    upvotes INTEGER,
    PRIMARY KEY (paper, digest)
) WITHOUT ROWID;
CREATE INDEX sightings_by_digest ON sightings(digest, position);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE
);
CREATE TABLE paper_tags (
    paper INTEGER NOT NULL REFERENCES papers(seq) ON DELETE CASCADE,
    tag INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (paper, tag)
) WITHOUT ROWID;
CREATE INDEX paper_tags_by_tag ON paper_tags(tag, paper);
"""

# Step 2: what a 100k library needs to stay instant, and what lets the search index know it is
# stale. `seen` (sightings per paper) is kept on the paper so "most seen" sorts through an index
# instead of counting 100k groups; the generation counts committed writes. Sort indexes end
# with (seq, id): ties keep the order papers were added in, and listing every id of a 100k
# library reads the index alone (about 2x faster than visiting each row). "Newest first" shows
# each import in its digest's order, hence added_at DESC with seq ascending.
M002_SQL = """
ALTER TABLE papers ADD COLUMN seen INTEGER NOT NULL DEFAULT 0;
UPDATE papers SET seen = (SELECT count(*) FROM sightings WHERE sightings.paper = papers.seq);
CREATE INDEX papers_by_published ON papers(published, seq, id);
CREATE INDEX papers_by_upvotes ON papers(upvotes, seq, id);
CREATE INDEX papers_by_read_at ON papers(read_at, seq, id);
CREATE INDEX papers_by_seen ON papers(seen, seq, id);
CREATE INDEX papers_by_added ON papers(added_at DESC, seq, id);
CREATE INDEX papers_starred ON papers(starred) WHERE starred = 1;
CREATE INDEX papers_by_read ON papers(read);
CREATE INDEX sightings_by_label ON sightings(label COLLATE NOCASE);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value
);
INSERT INTO meta (key, value) VALUES ('generation', 1);
"""

# Step 4: deleted papers leave a tombstone. Importing a digest that holds a deleted paper again
# skips it (unless the user asks to undelete), and undo or undelete puts back everything the
# paper had: `record` is the paper's rows as JSON (columns by name, so later steps that add
# columns still round-trip). Keyed by title_key, the same identity imports match papers on.
M004_SQL = """
CREATE TABLE deleted_papers (
    id TEXT PRIMARY KEY,
    title_key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX deleted_papers_by_time ON deleted_papers(deleted_at);
"""


@MIGRATIONS(name="m001_initial")
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(M001_SQL)


@MIGRATIONS(name="m002_indexes_and_generation")
def m002_indexes_and_generation(db: sqlite_utils.Database) -> None:
    db.executescript(M002_SQL)


@MIGRATIONS(name="m003_citation_keys")
def m003_citation_keys(db: sqlite_utils.Database) -> None:
    r"""Store each paper's citation key, so it never changes again.

    Until now the BibTeX export computed keys on the fly from the title, the year and the id,
    so a key gained a year once a later digest supplied the date. Existing papers get the key
    the export writes today (with the date they have now): the key of the newest export, which
    is the one already-written ``\cite{}`` commands most likely use. New papers get theirs
    when the library first sees them.
    """
    db.execute("ALTER TABLE papers ADD COLUMN citation_key TEXT")
    rows = db.execute("SELECT seq, id, title, published FROM papers").fetchall()
    db.conn.executemany(
        "UPDATE papers SET citation_key = ? WHERE seq = ?",
        [
            (citation_key(title, _date(published), paper_id), seq)
            for seq, paper_id, title, published in rows
        ],
    )
    db.execute("CREATE UNIQUE INDEX papers_by_citation_key ON papers(citation_key)")


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@MIGRATIONS(name="m004_deleted_papers")
def m004_deleted_papers(db: sqlite_utils.Database) -> None:
    db.executescript(M004_SQL)


@MIGRATIONS(name="m005_partial_digests")
def m005_partial_digests(db: sqlite_utils.Database) -> None:
    """Let the ledger hold a digest only some of whose papers are here.

    A JSON export of starred papers holds a few papers of each digest. Their sightings need
    the digest's row, yet importing the digest file later must still bring in the rest: such a
    row is ``partial`` until the file itself is imported.
    """
    db.execute(
        "ALTER TABLE digests ADD COLUMN partial INTEGER NOT NULL DEFAULT 0"
        " CHECK (partial IN (0, 1))"
    )


def known_steps() -> list[str]:
    """The names of every schema step this version knows, in order."""
    return list(_known_steps())


@functools.cache
def _known_steps() -> tuple[str, ...]:
    empty = sqlite_utils.Database(memory=True, execute_plugins=False)
    try:
        return tuple(m.name for m in MIGRATIONS.pending(empty))
    finally:
        empty.close()


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What opening a library did to its schema."""

    applied: tuple[str, ...] = ()
    backup: Path | None = None


def upgrade(db: sqlite_utils.Database, path: Path, backups: Path | None) -> Upgrade:
    """Bring the database at ``path`` to this app's schema, after backing it up.

    ``backups`` None skips the backup: for a scratch copy that is itself the backup.

    Raises NewerDatabase when a newer Reading List wrote it, LibraryError when it is not a
    Reading List library at all.
    """
    check(db, path)
    if not MIGRATIONS.pending(db):
        return Upgrade()
    conn = db.conn
    # IMMEDIATE takes the write lock now, so two app instances opening an old library at once
    # cannot both migrate it; every step then runs in a savepoint inside this one transaction.
    conn.execute("BEGIN IMMEDIATE")
    try:
        check(db, path)
        pending = [m.name for m in MIGRATIONS.pending(db)]
        backup = None
        if pending and backups is not None and _has_steps(db):
            backup = _backup(path, backups, pending[0])
        MIGRATIONS.apply(db)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('app_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [readinglist.__version__],
        )
        db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        conn.execute("COMMIT")
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise LibraryError(
            f"upgrading {path} to this version of Reading List failed ({error}); "
            "the library was left as it was"
        ) from error
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return Upgrade(tuple(pending), backup)


def check(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse a database this version cannot safely open."""
    known = set(known_steps())
    applied = [m.name for m in MIGRATIONS.applied(db)]
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise NewerDatabase(path, unknown, _meta(db, "app_version"), readinglist.__version__)
    if not applied:
        foreign = [
            name
            for name in db.table_names()
            if name != MIGRATIONS.migrations_table and not name.startswith("sqlite_")
        ]
        if foreign:
            raise LibraryError(
                f"{path} is not a Reading List library (it holds tables "
                f"{', '.join(sorted(foreign)[:5])}); choose another folder or move the file away"
            )


def _has_steps(db: sqlite_utils.Database) -> bool:
    return bool(MIGRATIONS.applied(db))


def _meta(db: sqlite_utils.Database, key: str) -> str | None:
    if not db["meta"].exists():
        return None
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def _backup(path: Path, backups: Path, before: str) -> Path:
    backups.mkdir(parents=True, exist_ok=True)
    target = paths.backup_file(backups, f"before-{before}")
    # The backup API copies a consistent snapshot including pages still in the WAL file,
    # which a plain file copy of library.db would miss. It reads through a second connection:
    # the caller holds the write lock, so nothing can change between this copy and the upgrade
    # (a connection cannot back itself up while its own write transaction is open).
    source = sqlite3.connect(path, timeout=5.0)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    except BaseException:
        copy.close()
        target.unlink(missing_ok=True)
        raise
    finally:
        source.close()
        copy.close()
    return target
