"""Restore checks a backup before it replaces anything, and never waits forever for the lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from readinglist import paths
from readinglist.library import Library, store
from readinglist.library import backup as backup_module
from readinglist.library.backup import BackupError, back_up, check_backup, restore
from tests.core.store_support import cli, dump
from tests.reliability.support import NOTE, make_library, no_traceback, note_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def ids(home: Path) -> list[str]:
    return make_library(home)


def tampered(home: Path, tmp_path: Path, sql: str) -> Path:
    """A backup of ``home`` changed by ``sql`` behind our back."""
    target = back_up(home, tmp_path / "tampered.db")
    conn = sqlite3.connect(target)
    conn.executescript(sql)
    conn.close()
    return target


BAD_BACKUPS = {
    "no meta table": ("DROP TABLE meta;", "lacks the table 'meta'"),
    "a planted trigger": (
        "CREATE TRIGGER eat AFTER INSERT ON notes BEGIN DELETE FROM notes; END;",
        "trigger 'eat'",
    ),
    "a missing column": (
        "ALTER TABLE papers DROP COLUMN organization;",
        "lacks the column 'organization'",
    ),
    "a view": ("CREATE VIEW v AS SELECT 1;", "view 'v'"),
    "a missing index": ("DROP INDEX papers_by_upvotes;", "lacks the index 'papers_by_upvotes'"),
    "an extra table": ("CREATE TABLE spy (x);", "table 'spy'"),
}


@pytest.mark.parametrize("name", sorted(BAD_BACKUPS))
def test_a_bad_backup_is_refused_before_anything_changes(home: Path, ids, tmp_path, name):
    sql, words = BAD_BACKUPS[name]
    bad = tampered(home, tmp_path, sql)
    before = dump(paths.database_path(home))
    with pytest.raises(BackupError, match=words):
        check_backup(bad)
    with pytest.raises(BackupError, match=words):
        restore(home, bad)
    assert dump(paths.database_path(home)) == before
    assert not [p for p in paths.backups_dir(home).glob("*before-restore*")]
    assert not list(home.glob(".restore-*"))  # the scratch copy is gone


def test_the_cli_refuses_the_three_bad_backups_of_the_issue(home: Path, ids, tmp_path):
    for name in ("no meta table", "a planted trigger", "a missing column"):
        sql, words = BAD_BACKUPS[name]
        bad = tampered(home, tmp_path, sql)
        result = cli(home, "restore", "--yes", str(bad))
        no_traceback(result)
        assert result.returncode == 1, result.stdout
        assert "not a backup of a Reading List library" in result.stderr
        assert words.replace("'", "") in result.stderr.replace("'", "")
        assert "nothing was changed" in result.stderr
        bad.unlink()
    # And the note written after all that is still there (no trigger got in).
    with Library.open(home) as library:
        library.set_note(ids[1], "later")
        assert library.get(ids[1]).note == "later"
    assert note_of(home, ids[0]) == NOTE


def test_a_damaged_backup_is_refused(home: Path, ids, tmp_path):
    good = back_up(home, tmp_path / "good.db")
    data = bytearray(good.read_bytes())
    page = 4096
    data[2 * page : 2 * page + 200] = b"\xff" * 200  # a b-tree page trashed
    bad = tmp_path / "bad.db"
    bad.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged|not a backup|malformed"):
        restore(home, bad)
    assert note_of(home, ids[0]) == NOTE


def test_an_old_backup_is_upgraded_in_a_copy_and_restored(home: Path, ids, tmp_path):
    old = tmp_path / "v1.db"
    old.write_bytes((FIXTURES / "db" / "library-v1.db").read_bytes())
    before = old.read_bytes()
    report = restore(home, old)
    assert report.upgraded  # it went through our migrations
    assert old.read_bytes() == before  # the backup itself is only read
    with Library.open(home) as library:
        assert library.count() == report.papers > 0


@pytest.mark.slow  # waits out the 5 s busy timeout
def test_restore_gives_up_with_a_message_when_another_process_holds_the_lock(home: Path, ids):
    backup = back_up(home)
    holder = sqlite3.connect(paths.database_path(home))
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = cli(home, "restore", "--yes", str(backup), timeout=60)
    finally:
        holder.rollback()
        holder.close()
    no_traceback(result)
    assert result.returncode == 1
    assert "busy" in result.stderr and "nothing was restored" in result.stderr
    assert note_of(home, ids[0]) == NOTE


def test_restore_in_process_gives_up_too(home: Path, ids, monkeypatch):
    backup = back_up(home)
    # The same giving up as after the usual 5 s (the command above waits those out).
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.5)
    monkeypatch.setattr(backup_module, "BUSY_TIMEOUT_S", 0.5)
    holder = sqlite3.connect(paths.database_path(home))
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(30, holder.rollback)  # never reached unless restore hangs
    release.start()
    start = time.monotonic()
    try:
        with pytest.raises(BackupError, match="busy"):
            restore(home, backup)
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    assert time.monotonic() - start < 29


def test_backup_of_a_too_new_library_writes_nothing(home: Path, ids, tmp_path):
    conn = sqlite3.connect(paths.database_path(home))
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('readinglist', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    target = tmp_path / "new.db"
    result = cli(home, "backup", str(target))
    no_traceback(result)
    assert result.returncode == 1
    assert "newer" in result.stderr
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".new.db")]
