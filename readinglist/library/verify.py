"""Checking a backup before it replaces anything: intact, and exactly this version's library.

A backup is copied into a scratch file, brought to this version through our own migrations,
then compared with the schema those migrations create: the same tables with the same
columns, the same indexes, and no trigger or view we did not create (a planted
``AFTER INSERT ON notes`` trigger would silently delete every later note). Only that checked
copy is ever restored.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from readinglist import paths
from readinglist.library import migrations
from readinglist.library.errors import BackupError, LibraryError, NewerDatabase

MIGRATIONS_TABLE = migrations.MIGRATIONS.migrations_table


@dataclass(frozen=True, slots=True)
class CheckedCopy:
    """A backup copied to ``path``, upgraded (``upgraded`` steps) and found to be a library."""

    path: Path
    papers: int
    upgraded: tuple[str, ...]


def checked_copy(source: Path, scratch: Path) -> CheckedCopy:
    """Copy ``source`` into the new file ``scratch``, upgrade and check it; BackupError if bad.

    ``source`` is only read. On failure ``scratch`` is removed.
    """
    _check_header(source)
    src = read_only(source)
    try:
        _check_integrity(src, source)
        copy = sqlite3.connect(scratch)
        try:
            src.backup(copy)
        finally:
            copy.close()
    finally:
        src.close()
    try:
        return _upgrade_and_compare(source, scratch)
    except BaseException:
        remove_database(scratch)
        raise


def read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to ``path``; BackupError if it is not a database."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: cannot be opened as a database: {error}") from error
    return conn


def remove_database(path: Path) -> None:
    """Delete a database file and its side files, if there."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """How the schema behind ``conn`` differs from this version's, in words; None if it is it."""
    have, want = _schema(conn), _expected_schema()
    for (kind, name), sql in sorted(want.items()):
        if (kind, name) not in have:
            return f"it lacks the {kind} {name!r}"
        if kind == "table" and name != MIGRATIONS_TABLE and have[(kind, name)] != sql:
            return _table_difference(conn, name)
    for kind, name in sorted(have):
        if (kind, name) not in want:
            return f"it holds a {kind} {name!r} that Reading List does not create"
        if kind != "table" and have[(kind, name)] != want[(kind, name)]:
            return f"its {kind} {name!r} is not the one Reading List creates"
    return None


# --- the steps -----------------------------------------------------------------------------------


def _check_header(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise BackupError(f"{path}: not a Reading List backup: not a regular file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(paths.SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"{path}: cannot read the file: {error.strerror or error}") from error
    if head != paths.SQLITE_MAGIC:
        hint = ""
        if head.lstrip().startswith(b"{"):
            hint = " (a JSON export? merge it with `readinglist import FILE` instead)"
        raise BackupError(f"{path}: not a Reading List backup: not an SQLite database{hint}")


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: the backup is damaged ({error}); choose another") from error
    if rows != ["ok"]:
        raise BackupError(f"{path}: the backup is damaged ({'; '.join(rows)}); choose another")


def _upgrade_and_compare(source: Path, scratch: Path) -> CheckedCopy:
    conn = sqlite3.connect(scratch)
    try:
        db = sqlite_utils.Database(conn, execute_plugins=False)
        try:
            migrations.check(db, source)
        except NewerDatabase:
            raise
        except LibraryError as error:
            raise BackupError(f"not a Reading List backup: {error}") from error
        if not list(migrations.MIGRATIONS.applied(db)):
            raise BackupError(f"{source}: not a Reading List backup: it holds no library")
        try:
            upgrade = migrations.upgrade(db, scratch, None)
        except LibraryError as error:
            raise BackupError(
                f"{source}: not a backup this version can restore: bringing it up to date "
                f"failed ({error.__cause__ or error}); nothing was changed"
            ) from error
        problem = schema_problem(conn)
        if problem is None:
            problem = _content_problem(conn)
        if problem is not None:
            raise BackupError(
                f"{source}: not a backup of a Reading List library: {problem}; "
                "nothing was changed"
            )
        papers = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    finally:
        conn.close()
    return CheckedCopy(scratch, papers, upgrade.applied)


def _content_problem(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    if row is None or not isinstance(row[0], int):
        return "its generation counter is missing"
    dangling = conn.execute("PRAGMA foreign_key_check").fetchmany(1)
    if dangling:
        return f"rows of {dangling[0][0]!r} point at rows that do not exist"
    return None


# --- schemas -------------------------------------------------------------------------------------


def _schema(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    )
    return {(kind, name): " ".join(sql.split()) for kind, name, sql in rows}


@functools.cache
def _expected_schema() -> dict[tuple[str, str], str]:
    db = sqlite_utils.Database(memory=True, execute_plugins=False)
    try:
        migrations.MIGRATIONS.apply(db)
        return _schema(db.conn)
    finally:
        db.close()


def _table_difference(conn: sqlite3.Connection, table: str) -> str:
    fresh = sqlite_utils.Database(memory=True, execute_plugins=False)
    try:
        migrations.MIGRATIONS.apply(fresh)
        want = _columns(fresh.conn, table)
    finally:
        fresh.close()
    have = _columns(conn, table)
    missing = [name for name in want if name not in have]
    if missing:
        return f"its table {table!r} lacks the column {missing[0]!r}"
    extra = [name for name in have if name not in want]
    if extra:
        return f"its table {table!r} has a column {extra[0]!r} Reading List does not create"
    return f"its table {table!r} is not defined as Reading List defines it"


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple]:
    rows = conn.execute("SELECT * FROM pragma_table_xinfo(?)", [table]).fetchall()
    return {r[1]: tuple(r[2:]) for r in rows}
