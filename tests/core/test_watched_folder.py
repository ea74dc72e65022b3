"""The watched folder's decisions: complete files only, each version once, clear folder errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readinglist.watched_folder import FolderArrivals


class Clocks:
    """A monotonic clock and a wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall = 1_700_000_000.0

    def tick(self, seconds: float) -> None:
        self.now += seconds
        self.wall += seconds


def _write(path: Path, text: str, clocks: Clocks, age: float = 0.0) -> Path:
    path.write_text(text, encoding="utf-8")
    when = clocks.wall - age
    os.utime(path, (when, when))
    return path


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


def _arrivals(folder: Path, clocks: Clocks) -> FolderArrivals:
    return FolderArrivals(folder, settle=2.0, clock=lambda: clocks.now, wall=lambda: clocks.wall)


def test_a_file_being_written_waits_until_it_stops_changing(tmp_path: Path, clocks: Clocks):
    arrivals = _arrivals(tmp_path, clocks)
    digest = _write(tmp_path / "mar14.txt", "first half", clocks)

    first = arrivals.scan()
    assert (first.ready, first.waiting, first.error) == ([], 1, None)
    clocks.tick(1.5)
    _write(digest, "first half, second half", clocks)  # still being written
    assert arrivals.scan().ready == []
    clocks.tick(1.5)
    assert arrivals.scan().ready == []  # unchanged for 1.5 s only
    clocks.tick(1.0)
    assert arrivals.scan().ready == [digest]
    clocks.tick(5)
    assert arrivals.scan().ready == []  # handed over once


def test_files_already_there_are_ready_at_once_and_hidden_or_partial_never(
    tmp_path: Path, clocks: Clocks
):
    old = _write(tmp_path / "jan.txt", "x", clocks, age=3600)
    _write(tmp_path / ".hidden.txt", "x", clocks, age=3600)
    _write(tmp_path / "feb.txt.crdownload", "x", clocks, age=3600)
    _write(tmp_path / "mar.txt.part", "x", clocks, age=3600)
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "inner.txt", "x", clocks, age=3600)
    empty = _write(tmp_path / "empty.txt", "", clocks, age=3600)

    scan = _arrivals(tmp_path, clocks).scan()

    assert scan.ready == [old]
    assert empty not in scan.ready and scan.waiting == 1


def test_a_file_changed_later_is_handed_over_again(tmp_path: Path, clocks: Clocks):
    arrivals = _arrivals(tmp_path, clocks)
    digest = _write(tmp_path / "d.txt", "one", clocks, age=60)
    assert arrivals.scan().ready == [digest]
    clocks.tick(10)
    _write(digest, "one and two", clocks)
    assert arrivals.scan().ready == []
    clocks.tick(3)
    assert arrivals.scan().ready == [digest]


def test_a_file_removed_and_saved_again_is_new_again(tmp_path: Path, clocks: Clocks):
    arrivals = _arrivals(tmp_path, clocks)
    digest = _write(tmp_path / "d.txt", "one", clocks, age=60)
    assert arrivals.scan().ready == [digest]
    digest.unlink()
    assert arrivals.scan().ready == []
    _write(digest, "one", clocks, age=60)
    assert arrivals.scan().ready == [digest]


def test_a_missing_or_unreadable_folder_is_a_clear_error(tmp_path: Path, clocks: Clocks):
    gone = tmp_path / "gone"
    scan = _arrivals(gone, clocks).scan()
    assert scan.ready == [] and f"the watched folder {gone} does not exist" in str(scan.error)

    a_file = _write(tmp_path / "file.txt", "x", clocks)
    assert "is not a folder" in str(_arrivals(a_file, clocks).scan().error)



def test_a_folder_without_permission_says_so(
    tmp_path: Path, clocks: Clocks, monkeypatch: pytest.MonkeyPatch
):
    # Root reads any folder, so the refusal the system would give is made here.
    def refuse(_path):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(os, "scandir", refuse)
    scan = _arrivals(tmp_path, clocks).scan()
    assert scan.error == f"the watched folder {tmp_path} cannot be read: Permission denied"


def test_the_folder_coming_back_is_watched_again(tmp_path: Path, clocks: Clocks):
    folder = tmp_path / "usb"
    arrivals = _arrivals(folder, clocks)
    assert arrivals.scan().error is not None
    folder.mkdir()
    digest = _write(folder / "d.txt", "x", clocks, age=60)
    scan = arrivals.scan()
    assert scan.error is None and scan.ready == [digest]
