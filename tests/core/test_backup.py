"""Backups and restore (issue 5, section 2): snapshots in use, rolling dailies, safe restore."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from readinglist.library import Change, Library, NewerDatabase
from readinglist.library.backup import (
    BackupError,
    back_up,
    check_backup,
    ensure_daily_backup,
    list_backups,
    prune_daily,
    restore,
)
from tests.core.store_support import dump, info, paper

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def library(home: Path):
    lib = Library.open(home)
    lib.import_parsed(info("a.txt", "Jan 16"), [paper(n) for n in range(5)])
    ids = lib.list_ids(sort="title")
    lib.set_starred(ids[:2], True)
    lib.set_read(ids[:1], True, dt.datetime(2025, 1, 10, 9, 30, tzinfo=dt.UTC))
    lib.set_note(ids[0], "the first note")
    lib.add_tags(ids[:3], ["vision"])
    yield lib
    lib.close()


def state(lib: Library) -> list[tuple]:
    return [
        (p.id, p.starred, p.read, p.read_at, p.note, tuple(p.tags))
        for p in lib.list_papers(sort="title")
    ]


# --- making backups ------------------------------------------------------------------------------


def test_a_backup_is_one_file_that_opens_as_the_same_library(library: Library, tmp_path: Path):
    target = back_up(library, tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db", "home"]
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(target, other / "library.db")
    with Library.open(other) as copy:
        assert state(copy) == state(library)
        assert copy.generation == library.generation


def test_a_backup_while_another_connection_writes_is_consistent(library: Library, home: Path):
    # Committed pages still in the WAL are in the snapshot; an open transaction is not.
    writer = sqlite3.connect(home / "library.db")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE papers SET starred = 1")
    target = back_up(home)  # by home: its own read-only connection, as a CLI would
    writer.execute("ROLLBACK")
    writer.close()
    assert target.parent == home / "backups"
    assert target.name.startswith("library-") and target.name.endswith("-manual.db")
    conn = sqlite3.connect(target)
    starred = conn.execute("SELECT count(*) FROM papers WHERE starred = 1").fetchone()[0]
    conn.close()
    assert starred == 2


def test_backing_up_nothing_is_a_clear_error(home: Path) -> None:
    with pytest.raises(BackupError, match="no library at"):
        back_up(home)


def test_daily_backup_once_a_day_keeping_the_last_seven(library: Library, home: Path) -> None:
    folder = home / "backups"
    folder.mkdir(exist_ok=True)
    today = dt.date.today()
    for days in range(1, 10):
        (folder / f"daily-{today - dt.timedelta(days=days)}.db").write_bytes(b"old")
    other = folder / "library-20240101-000000-manual.db"
    other.write_bytes(b"a manual backup is never pruned")

    made = ensure_daily_backup(library)
    assert made == folder / f"daily-{today}.db"
    assert check_backup(made) == 5
    daily = sorted(p.name for p in folder.glob("daily-*.db"))
    assert len(daily) == 7
    assert daily[-1] == f"daily-{today}.db"
    assert daily[0] == f"daily-{today - dt.timedelta(days=6)}.db"
    assert other.exists()

    stamp = made.stat().st_mtime_ns
    assert ensure_daily_backup(library) is None  # today's exists: nothing to do
    assert ensure_daily_backup(home) is None
    assert made.stat().st_mtime_ns == stamp


def test_daily_backup_without_a_library_does_nothing(home: Path) -> None:
    assert ensure_daily_backup(home) is None
    assert not (home / "backups").exists()
    assert prune_daily(home) == []
    with Library.open(home) as empty:  # nothing to protect yet
        assert ensure_daily_backup(empty) is None
        assert ensure_daily_backup(home) is None
    assert not (home / "backups").exists()


def test_a_failing_daily_backup_does_not_stop_the_user(library: Library, home: Path) -> None:
    (home / "backups").write_text("a file where the folder should be")
    assert ensure_daily_backup(library) is None
    with pytest.raises((OSError, BackupError)):
        ensure_daily_backup(library, quiet=False)


def test_list_backups_newest_first_with_kind_and_paper_count(library: Library, home: Path):
    first = back_up(library, home / "backups" / "library-20250101-120000-manual.db")
    daily = ensure_daily_backup(library)
    (home / "backups" / "notes.txt").write_text("not a backup")
    found = list_backups(home)
    assert [b.path for b in found] == [daily, first]
    assert [b.kind for b in found] == ["daily", "manual"]
    assert found[1].created == dt.datetime(2025, 1, 1, 12, 0)
    assert all(b.papers == 5 for b in found)
    assert "manual" in str(found[1]) and found[1].to_json()["papers"] == 5


# --- restoring -----------------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_the_current_library(library: Library):
    saved = back_up(library)
    before = state(library)
    ids = [row[0] for row in before]
    library.set_starred(ids, True)
    library.set_note(ids[1], "written after the backup")
    library.import_parsed(info("b.txt", "Mar 14"), [paper(n) for n in range(5, 8)])
    changed = state(library)
    generation = library.generation
    heard: list[Change] = []
    library.subscribe(heard.append)

    report = restore(library, saved)

    assert state(library) == before
    assert report.papers == 5 and report.source == saved
    assert library.generation > generation
    assert [c.kind for c in heard] == ["restore"]
    assert heard[0].generation == library.generation
    # The library as it was just before is a backup of its own, and holds the later work.
    assert report.safety_backup is not None and report.safety_backup.name.endswith(
        "-before-restore.db"
    )
    with Library.open(_home_with(report.safety_backup)) as kept:
        assert state(kept) == changed


def test_restore_by_home_folder_with_no_library_open(library: Library, home: Path) -> None:
    saved = back_up(library)
    ids = [row[0] for row in state(library)]
    library.set_starred(ids, False)
    library.close()
    report = restore(home, saved)
    with Library.open(home) as reopened:
        assert sum(p.starred for p in reopened.list_papers()) == 2
        assert reopened.generation == report.generation


def test_restore_of_an_older_schema_upgrades_it(library: Library, tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "db" / "library-v1.db", old)
    report = restore(library, old)
    assert "m002_indexes_and_generation" in report.upgraded
    assert report.papers == 5
    assert library.count() == 5
    assert all(p.title for p in library.list_papers())


def test_restore_with_another_page_size(library: Library, tmp_path: Path) -> None:
    other = tmp_path / "big-pages"
    other.mkdir()
    conn = sqlite3.connect(other / "library.db")
    conn.execute("PRAGMA page_size = 8192")
    conn.execute("VACUUM")
    conn.close()
    with Library.open(other) as lib:
        lib.import_parsed(info("c.txt"), [paper(n) for n in range(20, 23)])
        assert lib.db.execute("PRAGMA page_size").fetchone()[0] == 8192
    restore(library, other / "library.db")
    assert library.count() == 3
    assert library.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an SQLite database"),
        (b"just some text\n", "not an SQLite database"),
        (b'{"format": "readinglist-export"}', "readinglist import"),
    ],
)
def test_restore_refuses_files_that_are_not_backups(
    library: Library, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    _refused_without_change(library, bad, BackupError, message)


def test_restore_refuses_a_database_that_is_not_a_library(library: Library, tmp_path: Path):
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (n)")
    conn.commit()
    conn.close()
    _refused_without_change(library, foreign, Exception, "not a Reading List library")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.execute("DROP TABLE t")
    _refused_without_change(library, empty, BackupError, "holds no library")


def test_restore_refuses_a_newer_library(library: Library, tmp_path: Path) -> None:
    newer = back_up(library, tmp_path / "newer.db")
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('readinglist', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    _refused_without_change(library, newer, NewerDatabase, "m999_from_the_future")


def test_restore_refuses_a_damaged_file(library: Library, tmp_path: Path) -> None:
    damaged = back_up(library, tmp_path / "damaged.db")
    data = bytearray(damaged.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a b-tree page overwritten
    damaged.write_bytes(bytes(data))
    _refused_without_change(library, damaged, BackupError, "damaged|cannot be opened")


def test_restore_refuses_the_library_itself(library: Library) -> None:
    _refused_without_change(library, library.path, BackupError, "the library itself")


def _refused_without_change(
    library: Library, source: Path, error: type[BaseException], message: str
) -> None:
    before = dump(library.path)
    generation = library.generation
    with pytest.raises(error, match=message):
        restore(library, source)
    assert dump(library.path) == before
    assert library.generation == generation
    backups = library.home / "backups"
    assert not any(backups.glob("*-before-restore.db")) if backups.exists() else True


def _home_with(database: Path) -> Path:
    home = database.parent / f"home-{database.stem}"
    home.mkdir()
    shutil.copy(database, home / "library.db")
    return home


def test_restore_preview_says_what_a_restore_would_lose(tmp_path: Path) -> None:
    from readinglist.library.backup import back_up, restore_preview
    from tests.core.store_support import info, paper

    home = tmp_path / "home"
    with Library.open(home) as library:
        library.import_parsed(info("one.txt"), [paper(n) for n in range(6)])
        ids = library.list_ids(sort="title")
        library.set_note(ids[0], "kept as it was")
        library.set_note(ids[1], "first thought")
        saved = back_up(library)
        library.set_note(ids[1], "second thought")  # changed since
        library.set_note(ids[2], "new note")  # written since
        library.import_parsed(info("two.txt"), [paper(n) for n in range(6, 9)])  # 3 new papers
        preview = restore_preview(library, saved)
    assert (preview.backup.papers, preview.backup_notes) == (6, 2)
    assert (preview.papers, preview.notes) == (9, 3)
    assert (preview.lost_papers, preview.lost_notes) == (3, 2)
    assert preview.changed_since == 2  # the two papers whose notes changed
    text = "\n".join(preview.lines())
    assert "6 papers, 2 notes" in text and "Your library now: 9 papers, 3 notes." in text
    assert "loses 3 papers not in the backup; 2 notes written or changed since" in text
