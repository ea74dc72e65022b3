"""Control characters on output, leftovers of killed writes, unreadable folders."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from readinglist import paths
from readinglist.export import export
from readinglist.library import Library
from readinglist.library.backup import ensure_daily_backup, remove_leftovers
from tests.core.store_support import cli, info, paper, write_digest

HOSTILE_TITLE = "Evil \x1b[31mred\x1b[0m title\x00 with \x07bell"


@pytest.fixture
def hostile(home: Path) -> str:
    with Library.open(home) as library:
        library.import_parsed(info("h.txt"), [paper(1, title=HOSTILE_TITLE)])
        paper_id = library.list_ids()[0]
        library.set_note(paper_id, "note with \x1b]0;owned\x07 escape\x00")
    return paper_id


def test_list_and_show_print_no_control_characters(home: Path, hostile: str):
    for args in (["list"], ["show", hostile]):
        result = cli(home, *args)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x00" not in result.stdout
        assert "\x07" not in result.stdout
        assert "red" in result.stdout  # the words stay


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "bibtex", "ris"])
def test_exports_carry_no_nul_or_esc(home: Path, hostile: str, fmt: str):
    with Library.open(home) as library:
        text = export(library.list_papers(), fmt)
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    assert "red" in text


def test_json_keeps_the_text_exactly(home: Path, hostile: str):
    import json

    with Library.open(home) as library:
        data = json.loads(export(library.list_papers(), "json"))
    assert data["papers"][0]["title"] == HOSTILE_TITLE.replace("\x00", "\x00")


def test_leftovers_of_killed_backups_and_exports_are_removed(home: Path, tmp_path: Path):
    with Library.open(home) as library:
        library.import_parsed(info("a.txt"), [paper(n) for n in range(3)])
    backups = paths.backups_dir(home)
    backups.mkdir(parents=True)
    old = time.time() - 3600
    stale = [backups / ".library-x.db.0123abcd.tmp", home / ".restore-89abcdef.db.tmp"]
    fresh = backups / ".daily.db.fedcba98.tmp"  # a backup being written right now
    mine = backups / "notes.txt"  # not ours: never touched
    for path in [*stale, fresh, mine]:
        path.write_bytes(b"x" * 1000)
    for path in stale:
        os.utime(path, (old, old))
    os.utime(mine, (old, old))
    ensure_daily_backup(home)  # what every start runs
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and mine.exists()

    target = tmp_path / "out.md"
    killed = tmp_path / ".out.md.0badf00d.tmp"
    killed.write_bytes(b"y" * 1000)
    os.utime(killed, (old, old))
    assert cli(home, "export", "-f", "md", "-o", str(target)).returncode == 0
    assert not killed.exists() and target.exists()
    assert remove_leftovers(home) == []


def test_an_unreadable_folder_inside_an_import_is_reported(home: Path, tmp_path, monkeypatch):
    folder = tmp_path / "digests"
    (folder / "locked").mkdir(parents=True)
    write_digest(folder / "a.txt", range(3))
    write_digest(folder / "locked" / "b.txt", range(10, 13))
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":  # what a folder without read permission does
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with Library.open(home) as library:
        reports = [r for r in library.import_files([folder]) if hasattr(r, "status")]
    by_path = {Path(r.path).name: r for r in reports}
    assert by_path["a.txt"].status == "imported"
    assert by_path["locked"].status == "refused"
    assert "cannot read the folder" in by_path["locked"].refused
