"""Schema migrations: a new library, a library from the first release, newer and foreign files."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from readinglist.library import Library, LibraryError, NewerDatabase, PaperFilter
from readinglist.library.migrations import known_steps
from tests.core.store_support import dump, info, paper

V1_STEPS = ["m001_initial"]


def applied(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def v1_home(tmp_path: Path, fixtures_dir: Path) -> Path:
    home = tmp_path / "v1"
    home.mkdir()
    shutil.copy(fixtures_dir / "db" / "library-v1.db", home / "library.db")
    return home


def test_steps_are_named_and_ordered() -> None:
    assert known_steps() == [
        "m001_initial",
        "m002_indexes_and_generation",
        "m003_citation_keys",
        "m004_deleted_papers",
        "m005_partial_digests",
    ]


def test_new_library_gets_every_step_in_wal_mode_and_no_backup(home: Path) -> None:
    with Library.open(home) as library:
        assert library.upgrade.applied == tuple(known_steps())
        assert library.upgrade.backup is None
        assert library.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert library.db.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert library.db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        assert library.db.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert library.count() == 0 and library.generation >= 1
    assert applied(home / "library.db") == known_steps()
    assert not (home / "backups").exists()


def test_reopening_applies_nothing_and_changes_nothing(home: Path) -> None:
    with Library.open(home) as library:
        library.import_parsed(info(), [paper(1)])
        generation = library.generation
    before = dump(home / "library.db")
    with Library.open(home) as library:
        assert library.upgrade.applied == ()
        assert library.generation == generation
    assert dump(home / "library.db") == before


def test_v1_library_migrates_forward_keeping_everything(v1_home: Path) -> None:
    db_path = v1_home / "library.db"
    assert applied(db_path) == V1_STEPS
    original = dump(db_path)

    with Library.open(v1_home) as library:
        assert library.upgrade.applied == tuple(known_steps()[1:])
        backup = library.upgrade.backup
        assert library.count() == 5
        unet = library.get(library.resolve("34fe"))
        assert unet.title.startswith("U-Net Transformer")
        assert (unet.starred, unet.read, unet.authors_count, unet.upvotes) == (True, True, 5, 12)
        assert unet.read_at == dt.datetime(2025, 1, 20, 18, 0, tzinfo=dt.UTC)
        assert unet.note == "Skip connections carry the cross attention.\nRe-read section 3."
        assert unet.tags == ["Medical"] and unet.links == ["https://github.com/ex/unet"]
        assert [(s.digest_id, s.label) for s in unet.sightings] == [
            (1, "Jan 16"),
            (2, "Mar 14"),
            (3, None),
        ]
        # m002 backfilled the sighting counts that "seen" sorts on.
        assert [r["seen"] for r in library.rows(library.list_ids(sort="seen"))] == [
            3, 2, 1, 1, 1
        ]
        assert library.tags() == [("diffusion", 2), ("Medical", 1)]
        assert library.count(PaperFilter(starred=True)) == 2
        assert library.count(PaperFilter(has_note=True)) == 2
        assert library.count(PaperFilter(digest="Mar 14")) == 3
        # and it keeps working as a current library
        report = library.import_parsed(info("new.txt"), [paper(1), paper(2)])
        assert report.new == 2
        library.set_starred([report.paper_ids[0]], True)
        assert library.count(PaperFilter(starred=True)) == 3

    assert applied(db_path) == known_steps()
    # The backup is the library exactly as it was before the upgrade.
    assert backup is not None and backup.parent == v1_home / "backups"
    assert "before-m002_indexes_and_generation" in backup.name
    assert applied(backup) == V1_STEPS
    assert dump(backup) == original


def test_failed_migration_rolls_back_to_v1(
    v1_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readinglist.library import migrations

    original = dump(v1_home / "library.db")
    broken = migrations.M002_SQL + "\nINSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(migrations, "M002_SQL", broken)
    with pytest.raises(LibraryError, match="upgrading .* failed .*no_such_table.*left as it was"):
        Library.open(v1_home)
    assert dump(v1_home / "library.db") == original
    monkeypatch.undo()
    with Library.open(v1_home) as library:
        assert library.upgrade.applied == tuple(known_steps()[1:])


def test_library_from_a_newer_version_is_refused(home: Path) -> None:
    Library.open(home).close()
    conn = sqlite3.connect(home / "library.db")
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('readinglist', 'm003_from_the_future', '2031-01-01')"
        )
        conn.execute("UPDATE meta SET value = '9.0.0' WHERE key = 'app_version'")
    conn.close()
    before = dump(home / "library.db")
    with pytest.raises(NewerDatabase) as caught:
        Library.open(home)
    message = str(caught.value)
    assert str(home / "library.db") in message
    assert "Reading List 9.0.0" in message and "m003_from_the_future" in message
    assert caught.value.unknown_steps == ["m003_from_the_future"]
    assert dump(home / "library.db") == before
    assert not (home / "backups").exists()


def test_sqlite_file_of_another_app_is_refused(home: Path) -> None:
    conn = sqlite3.connect(home / "library.db")
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY)")
    conn.close()
    with pytest.raises(LibraryError, match="not a Reading List library.*moz_places"):
        Library.open(home)


def test_file_that_is_not_sqlite_is_refused_clearly(home: Path) -> None:
    (home / "library.db").write_bytes(b"this is a text file, not a database\n" * 200)
    with pytest.raises(LibraryError, match=r"library\.db cannot be opened"):
        Library.open(home)


def _open_at_once(home: Path, instances: int = 3) -> list[BaseException]:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            library = Library.open(home)
            library.count()
            library.close()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(instances)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_instances_open_an_old_library_at_once(v1_home: Path, fixtures_dir: Path) -> None:
    assert _open_at_once(v1_home) == []
    assert applied(v1_home / "library.db") == known_steps()
    assert len(list((v1_home / "backups").iterdir())) == 1
    # Switching an old library to WAL needs it to itself for a moment, and SQLite answered
    # "database is locked" at once (no busy wait) to the instance that lost the race: ~6 % of
    # such opens. Fifty more races, each on a fresh copy.
    for attempt in range(50):
        home = v1_home.parent / f"race{attempt}"
        home.mkdir()
        shutil.copy(fixtures_dir / "db" / "library-v1.db", home / "library.db")
        assert _open_at_once(home) == [], attempt
        assert applied(home / "library.db") == known_steps()
