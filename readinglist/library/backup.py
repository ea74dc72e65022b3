"""Backups of the library: snapshots while it is in use, rolling daily copies, and restore.

A backup is a plain SQLite file made with SQLite's backup API, so it is consistent even while
the app writes (pages still in the WAL are included) and opens as a library by itself.
Restoring copies a checked backup into the live database with the same API, in one
transaction: open connections see the old library or the restored one, never a mix, and a
crash half-way leaves the old library. The current library is backed up first, and the
generation moves past both, so the search index (derived) knows to rebuild.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from readinglist import paths
from readinglist.formatting import human_size
from readinglist.library import migrations
from readinglist.library.errors import BackupError, LibraryError, NewerDatabase
from readinglist.library.store import BUSY_TIMEOUT_S, Library, is_busy
from readinglist.library.verify import checked_copy, read_only, remove_database

log = logging.getLogger(__name__)

KEEP_DAILY = 7
_DAILY = re.compile(r"^daily-(\d{4}-\d{2}-\d{2})\.db$")
_STAMPED = re.compile(r"^library-(\d{8}-\d{6})(?:-\d+)?-(.+)\.db$")

__all__ = [
    "BackupError",
    "BackupInfo",
    "RestorePreview",
    "RestoreReport",
    "back_up",
    "check_backup",
    "describe",
    "restore",
    "restore_preview",
]


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file as the Restore menu lists it."""

    path: Path
    kind: str  # "daily", "manual", "before-restore", "before-m002_..." (schema upgrade), "other"
    created: dt.datetime
    size: int
    papers: int | None = None  # None when the file cannot be read as a library

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "created": self.created.isoformat(timespec="seconds"),
            "size": self.size,
            "papers": self.papers,
        }

    def __str__(self) -> str:
        papers = "?" if self.papers is None else f"{self.papers:,}"
        when = self.created.strftime("%Y-%m-%d %H:%M")
        size = human_size(self.size)
        return f"{when}  {self.kind:<15} {papers:>8} papers  {size:>9}  {self.path}"


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What a restore did: from which file, and where the replaced library was kept."""

    source: Path
    safety_backup: Path | None
    papers: int
    generation: int
    upgraded: tuple[str, ...] = ()
    set_aside: Path | None = None  # where an unreadable library was moved instead

    def to_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "safety_backup": str(self.safety_backup) if self.safety_backup else None,
            "papers": self.papers,
            "generation": self.generation,
            "upgraded": list(self.upgraded),
            "set_aside": str(self.set_aside) if self.set_aside else None,
        }

    def __str__(self) -> str:
        kept = ""
        if self.safety_backup:
            kept = f"; the previous library is kept in {self.safety_backup}"
        if self.set_aside:
            kept = f"; the unreadable library was moved to {self.set_aside}"
        return f"Restored {self.papers:,} papers from {self.source}{kept}"


# --- making backups ------------------------------------------------------------------------------


def back_up(
    library: Library | Path | str | None = None,
    target: Path | str | None = None,
    *,
    kind: str = "manual",
) -> Path:
    """Snapshot the library into ``target`` (default: a new file in ``<home>/backups/``).

    ``library`` is an open Library (its own connection is used: call this on the thread that
    owns it) or a home folder (None: the user's). The file appears complete or not at all.
    Nothing is written when ``target`` is part of the library (ProtectedFile) or when the
    library was written by a newer Reading List (NewerDatabase).
    """
    with _source(library) as (conn, home):
        if target is None:
            target = paths.backup_file(paths.backups_dir(home), kind)
        target = Path(target)
        paths.check_output(target, home, new_backup=True)
        _snapshot(conn, target)
    return target


def ensure_daily_backup(
    library: Library | Path | str | None = None, keep: int = KEEP_DAILY, *, quiet: bool = True
) -> Path | None:
    """Make today's backup if there is none yet, keeping the last ``keep`` daily backups.

    Meant for app and CLI start: when today's backup exists this is one ``stat``. Returns
    the new backup, or None when none was needed (no library yet, or an empty one). With ``quiet``
    a failure (disk full...) is logged, not raised: it must not stop the user from working.
    """
    home = library.home if isinstance(library, Library) else _home(library)
    folder = paths.backups_dir(home)
    if not os.access(home, os.W_OK):
        return None  # a read-only home: nothing can be written, reading must still work
    remove_leftovers(home)
    today = folder / f"daily-{dt.date.today().isoformat()}.db"
    if today.exists() or not paths.database_path(home).exists():
        return None
    if _is_empty(library if isinstance(library, Library) else home):
        return None  # nothing to protect yet
    try:
        folder.mkdir(parents=True, exist_ok=True)
        made = back_up(library if isinstance(library, Library) else home, today, kind="daily")
        prune_daily(home, keep)
    except (OSError, sqlite3.Error, LibraryError) as error:
        if not quiet:
            raise
        log.warning("daily backup into %s failed: %s", folder, error)
        return None
    return made


LEFTOVER_AGE_S = 600  # a temporary file this old belongs to no write still running
_LEFTOVER = re.compile(
    r"^\..+\.[0-9a-f]{8}\.tmp(?:-journal|-wal|-shm)?$|^\.restore-[0-9a-f]{8}\.db\.tmp"
)


def remove_leftovers(home: Path | str | None = None, folder: Path | None = None) -> list[Path]:
    """Delete the hidden temporary files killed backups, restores and exports left behind.

    Looks in the home and backups folders (or only ``folder``), at files named as our writers
    name them and older than ten minutes (a write still running keeps its own).
    """
    home = _home(home)
    folders = [folder] if folder is not None else [home, paths.backups_dir(home)]
    removed = []
    limit = time.time() - LEFTOVER_AGE_S
    for place in folders:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            try:
                if _LEFTOVER.match(entry.name) and entry.is_file() and (
                    entry.stat().st_mtime < limit
                ):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue
    return removed


def prune_daily(home: Path | str | None = None, keep: int = KEEP_DAILY) -> list[Path]:
    """Delete all but the newest ``keep`` daily backups; other backups are never touched."""
    folder = paths.backups_dir(_home(home))
    if not folder.is_dir():
        return []
    daily = sorted(p for p in folder.iterdir() if _DAILY.match(p.name))
    removed = daily[: max(len(daily) - keep, 0)]
    for path in removed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return removed


def list_backups(home: Path | str | None = None) -> list[BackupInfo]:
    """Every backup in ``<home>/backups/``, newest first (for the Restore menu and the CLI)."""
    folder = paths.backups_dir(_home(home))
    if not folder.is_dir():
        return []
    found = [
        describe(path)
        for path in folder.iterdir()
        if path.suffix == ".db" and not path.name.startswith(".") and path.is_file()
    ]
    return sorted(found, key=lambda b: (b.created, b.path.name), reverse=True)


def describe(path: Path | str) -> BackupInfo:
    """One backup file: its kind and time (from its name when we made it), size and papers."""
    path = Path(path)
    stat = path.stat()
    created = dt.datetime.fromtimestamp(stat.st_mtime)
    kind = "other"
    if _DAILY.match(path.name):
        kind = "daily"
    elif match := _STAMPED.match(path.name):
        kind = match.group(2)
        created = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
    return BackupInfo(path, kind, created, stat.st_size, _paper_count(path))


@dataclass(frozen=True, slots=True)
class RestorePreview:
    """What restoring a backup would do to the library, for the question the user answers."""

    backup: BackupInfo
    backup_notes: int
    papers: int  # in the library now
    notes: int
    lost_papers: int  # papers in the library that the backup does not hold
    lost_notes: int  # notes written or changed since the backup (they go, or go back)
    changed_since: int  # papers whose marks, tags or note changed after the backup was made

    def lines(self) -> list[str]:
        """The confirmation's text: which backup, the library now, and what would be lost."""
        b = self.backup
        when = b.created.strftime("%Y-%m-%d %H:%M")
        papers = "?" if b.papers is None else f"{b.papers:,}"
        lost = []
        if self.lost_papers:
            lost.append(f"{_count(self.lost_papers, 'paper')} not in the backup")
        if self.lost_notes:
            lost.append(f"{_count(self.lost_notes, 'note')} written or changed since")
        if self.changed_since:
            changed = _count(self.changed_since, "paper")
            lost.append(f"the marks and tags of {changed} changed since")
        return [
            f"Backup: {when} ({b.kind}), {papers} papers, {_count(self.backup_notes, 'note')}.",
            f"Your library now: {self.papers:,} papers, {_count(self.notes, 'note')}.",
            ("Restoring loses " + "; ".join(lost) + ".") if lost
            else "Restoring loses nothing: the library holds nothing the backup lacks.",
            "Your library is backed up first, so a restore can itself be undone.",
        ]


def restore_preview(library: Library, source: Path | str) -> RestorePreview:
    """Compare the library with a backup before replacing it (reads both, writes nothing)."""
    path = Path(source)
    info = describe(path)
    conn = read_only(path)
    try:
        theirs = dict(conn.execute("SELECT id, updated_at FROM papers"))
        theirs_notes = dict(
            conn.execute("SELECT p.id, n.text FROM notes n JOIN papers p ON p.seq = n.paper")
        )
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a Reading List library: {error}") from error
    finally:
        conn.close()
    db = library.db
    mine = dict(db.execute("SELECT id, updated_at FROM papers"))
    mine_notes = dict(
        db.execute("SELECT p.id, n.text FROM notes n JOIN papers p ON p.seq = n.paper")
    )
    # A paper edited since carries another updated_at (to the microsecond) than its copy in
    # the backup; papers the backup lacks are counted as lost already.
    changed = [i for i, at in mine.items() if i in theirs and theirs[i] != at]
    return RestorePreview(
        backup=info,
        backup_notes=len(theirs_notes),
        papers=len(mine),
        notes=len(mine_notes),
        lost_papers=sum(1 for i in mine if i not in theirs),
        lost_notes=sum(1 for i, text in mine_notes.items() if theirs_notes.get(i) != text),
        changed_since=len(changed),
    )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


# --- restoring -----------------------------------------------------------------------------------


def check_backup(path: Path | str) -> int:
    """Refuse a file that is not a sound Reading List library this version can restore.

    Returns its paper count. The file is copied to a scratch folder, upgraded there through
    our migrations and compared with this version's schema (see ``verify``); it is only read.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="readinglist-check-") as folder:
        return checked_copy(path, Path(folder) / "backup.db").papers


def restore(library: Library | Path | str | None, source: Path | str) -> RestoreReport:
    """Replace the library's contents with the backup ``source``, keeping the current first.

    ``library`` is an open Library (the GUI's writer: its connection does the copy, and its
    subscribers hear ``Change("restore", ...)``) or a home folder (None: the user's). The
    backup is checked before anything changes (``check_backup``); a backup from an older
    version is upgraded in a scratch copy, and that copy is what gets restored. Given a home
    whose library cannot be read (damaged, not a library), that file is moved to the backups
    folder (``-damaged``) instead of being opened. Another process writing for longer than
    the busy timeout makes this fail with a message, never wait forever.
    """
    source = Path(source)
    own = not isinstance(library, Library)
    home = _home(library) if own else library.home  # type: ignore[union-attr]
    db_path = paths.database_path(home)
    if source.exists() and _same_file(source, db_path):
        raise BackupError(f"{source} is the library itself; choose a backup file")
    scratch = home / f".restore-{secrets.token_hex(4)}.db.tmp"
    try:
        checked = checked_copy(source, scratch)
        set_aside = None
        if own:
            lib, set_aside = _open_or_set_aside(home)
        else:
            lib = library  # type: ignore[assignment]
        assert isinstance(lib, Library)
        try:
            before = lib.generation
            safety = None if set_aside else back_up(lib, kind="before-restore")
            src = read_only(scratch)
            try:
                _copy_into(src, lib.db.conn)
            finally:
                src.close()
            with lib.transaction("restore"):
                # Past both the old and the restored counter: the index must see a new generation.
                lib.db.execute(
                    "UPDATE meta SET value = max(CAST(value AS INTEGER), ?)"
                    " WHERE key = 'generation'",
                    [before],
                )
            papers = int(lib.db.execute("SELECT count(*) FROM papers").fetchone()[0])
            return RestoreReport(
                source, safety, papers, lib.generation, checked.upgraded, set_aside
            )
        finally:
            if own:
                lib.close()
    finally:
        remove_database(scratch)


def _open_or_set_aside(home: Path) -> tuple[Library, Path | None]:
    """The library of ``home``; if it cannot be read, it is moved to backups/ and a new one made."""
    try:
        return Library.open(home), None
    except NewerDatabase:
        raise
    except LibraryError as error:
        cause = error.__cause__
        if not isinstance(cause, sqlite3.DatabaseError) and "not a Reading List" not in str(error):
            raise  # a folder we cannot write, not a damaged file
        if isinstance(cause, sqlite3.OperationalError) and is_busy(cause):
            raise BackupError(_busy_message(paths.database_path(home))) from error
    aside = _set_aside(home)
    return Library.open(home), aside


def _set_aside(home: Path) -> Path:
    db_path = paths.database_path(home)
    folder = paths.backups_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    target = paths.backup_file(folder, "damaged")
    os.replace(db_path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
    log.warning("the unreadable library %s was moved to %s", db_path, target)
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _busy_message(path: Path) -> str:
    return (
        f"{path} is busy: another Reading List window or command is writing to it; nothing "
        "was restored; try again when it has finished"
    )


# --- the SQLite parts ----------------------------------------------------------------------------


@contextlib.contextmanager
def _source(library: Library | Path | str | None) -> Iterator[tuple[sqlite3.Connection, Path]]:
    if isinstance(library, Library):
        yield library.db.conn, library.home
        return
    home = _home(library)
    db_path = paths.database_path(home)
    if not db_path.exists():
        raise BackupError(f"there is no library at {db_path} to back up")
    conn = read_only(db_path)
    try:
        try:
            # A library of a newer version is refused before a file is written.
            migrations.check(sqlite_utils.Database(conn, execute_plugins=False), db_path)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{db_path} cannot be read ({error}); nothing was written") from error
        yield conn, home
    finally:
        conn.close()


def _snapshot(conn: sqlite3.Connection, target: Path) -> None:
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        copy = sqlite3.connect(temporary)
        try:
            conn.backup(copy)
            # A backup is one self-contained file: no -wal beside it when it is copied around.
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"the backup did not check out: {verdict}")
        finally:
            copy.close()
        os.replace(temporary, target)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up the library into {target}: {error}") from error
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{temporary}{suffix}").unlink()


def _copy_into(src: sqlite3.Connection, dest: sqlite3.Connection) -> None:
    """Copy ``src`` over ``dest`` in one transaction of ``dest`` (WAL mode kept)."""
    src_page = src.execute("PRAGMA page_size").fetchone()[0]
    dest_page = dest.execute("PRAGMA page_size").fetchone()[0]
    # Python retries a busy destination forever; give up after the usual busy timeout.
    give_up = _give_up_after(BUSY_TIMEOUT_S, dest)
    if src_page == dest_page:
        src.backup(dest, progress=give_up)
        return
    # A WAL database cannot change its page size; rebuild the source at the library's size
    # in a scratch file (VACUUM in memory keeps the old size), then copy that.
    with tempfile.TemporaryDirectory(prefix="readinglist-restore-") as folder:
        scratch = sqlite3.connect(Path(folder) / "scratch.db")
        try:
            src.backup(scratch)
            scratch.execute("PRAGMA journal_mode=DELETE")
            scratch.execute(f"PRAGMA page_size={int(dest_page)}")
            scratch.execute("VACUUM")
            scratch.backup(dest, progress=give_up)
        finally:
            scratch.close()


def _give_up_after(seconds: float, dest: sqlite3.Connection):  # noqa: ANN202
    start = time.monotonic()

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            if time.monotonic() - start > seconds:
                path = Path(dest.execute("PRAGMA database_list").fetchone()[2])
                raise BackupError(_busy_message(path))

    return progress


def _paper_count(path: Path) -> int | None:
    try:
        conn = read_only(path)
    except BackupError:
        return None
    try:
        return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _is_empty(library: Library | Path) -> bool:
    if isinstance(library, Library):
        return library.db.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is None
    return not _paper_count(paths.database_path(library))


def _home(home: Path | str | None) -> Path:
    return Path(home) if home is not None else paths.data_dir()
