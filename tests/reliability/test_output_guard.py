"""No export or backup may be written over the library, its working files, index or backups."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readinglist import paths
from readinglist.export import write_export
from readinglist.library import Library
from readinglist.library.backup import back_up, restore
from tests.core.store_support import cli
from tests.reliability.support import NOTE, make_library, no_traceback, note_of


@pytest.fixture
def ids(home: Path) -> list[str]:
    return make_library(home)


def protected_paths(home: Path) -> list[Path]:
    db = paths.database_path(home)
    (paths.index_dir(home)).mkdir(exist_ok=True)
    (paths.index_dir(home) / "_MAIN_1.toc").write_bytes(b"index")
    backup = back_up(home)
    return [
        db,
        Path(f"{db}-wal"),
        Path(f"{db}-shm"),
        paths.index_dir(home) / "_MAIN_1.toc",
        paths.index_dir(home) / "new-file.md",
        backup,
    ]


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_export_o_cannot_overwrite_any_part_of_the_library(home: Path, ids, fmt: str):
    for target in protected_paths(home):
        before = target.read_bytes() if target.exists() else None
        result = cli(home, "export", "--format", fmt, "-o", str(target))
        no_traceback(result)
        assert result.returncode != 0, target
        assert "choose another file name" in result.stderr, result.stderr
        assert (target.read_bytes() if target.exists() else None) == before, target
    assert note_of(home, ids[0]) == NOTE
    assert cli(home, "list").returncode == 0


def test_a_link_or_a_relative_path_to_the_library_is_refused_too(home: Path, ids, tmp_path):
    link = tmp_path / "innocent.md"
    link.symlink_to(paths.database_path(home))
    hard = tmp_path / "hard.md"
    os.link(paths.database_path(home), hard)
    with Library.open(home) as library:
        papers = library.list_papers()
    for target in (link, hard):
        with pytest.raises(paths.ProtectedFile):
            write_export(target, papers, "md")
    assert note_of(home, ids[0]) == NOTE


def test_any_sqlite_database_is_refused_as_an_export_target(home: Path, ids, tmp_path):
    other = tmp_path / "elsewhere.db"
    back_up(home, other)
    result = cli(home, "export", "-f", "csv", "-o", str(other))
    assert result.returncode != 0 and "SQLite database" in result.stderr
    assert other.read_bytes().startswith(paths.SQLITE_MAGIC)


def test_backup_refuses_the_library_its_working_files_and_existing_backups(home: Path, ids):
    for target in protected_paths(home):
        before = target.read_bytes() if target.exists() else None
        result = cli(home, "backup", str(target))
        no_traceback(result)
        assert result.returncode != 0, (target, result.stdout)
        assert (target.read_bytes() if target.exists() else None) == before, target
    assert note_of(home, ids[0]) == NOTE


def test_restore_works_when_the_library_was_overwritten(home: Path, ids):
    backup = back_up(home)
    db = paths.database_path(home)
    # What `export -o library.db` did before the guard: the library is a Markdown file now.
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_text("# Reading list\n\n11 papers.\n", encoding="utf-8")
    assert cli(home, "list").returncode != 0

    result = cli(home, "restore", "--yes", str(backup))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "moved to" in result.stdout
    assert note_of(home, ids[0]) == NOTE
    damaged = [p for p in paths.backups_dir(home).iterdir() if "damaged" in p.name]
    assert len(damaged) == 1 and damaged[0].read_text().startswith("# Reading list")


def test_restore_in_process_sets_a_damaged_library_aside(home: Path, ids):
    backup = back_up(home)
    db = paths.database_path(home)
    Path(f"{db}-wal").unlink(missing_ok=True)
    with open(db, "r+b") as handle:  # garbage over the first pages: "file is not a database"
        handle.write(os.urandom(8192))
    report = restore(home, backup)
    assert report.set_aside is not None and report.set_aside.exists()
    assert note_of(home, ids[0]) == NOTE
