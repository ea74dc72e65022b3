"""A JSON merge keeps deleted papers deleted, as a digest import does, unless asked to undelete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist.export import write_export
from readinglist.export.json_import import merge_json_file
from readinglist.library import Change, Library
from tests.core.store_support import cli, dump, info, open_two_digests, paper


@pytest.fixture
def library(home: Path) -> Iterator[Library]:
    lib = open_two_digests(home)
    yield lib
    lib.close()


def _export(lib: Library, path: Path) -> Path:
    write_export(path, lib.papers(lib.list_ids(sort="added")), "json", digests=lib.digests())
    return path


def _by_title(lib: Library) -> dict[str, str]:
    return {p.title: p.id for p in lib.list_papers()}


def test_merging_an_export_does_not_bring_deleted_papers_back(
    library: Library, home: Path, tmp_path: Path
) -> None:
    ids = _by_title(library)
    target = ids[paper(3).title]  # seen in both digests
    library.set_starred([target], True)
    library.set_note(target, "my note")
    exported = _export(library, tmp_path / "everything.json")
    library.delete([target])
    before = dump(home / "library.db")
    heard: list[Change] = []
    library.subscribe(heard.append)

    report = merge_json_file(library, exported)

    assert (report.deleted, report.undeleted, report.new) == (1, 0, 0)
    assert "1 paper skipped as deleted" in str(report)
    assert report.to_json()["deleted"] == 1 and report.to_json()["undeleted"] == 0
    assert target not in library.list_ids() and target not in report.paper_ids
    assert [d["id"] for d in library.deleted()] == [target]
    # Nothing else in the file was new: the library is exactly as it was, and nobody was told.
    after = dump(home / "library.db")
    assert after == before and heard == []


def test_merge_into_another_library_that_deleted_the_paper(
    library: Library, tmp_path: Path
) -> None:
    exported = _export(library, tmp_path / "laptop.json")
    other = Library.open(tmp_path / "desktop")
    try:
        other.import_parsed(info("one.txt"), [paper(n) for n in range(5)])
        gone = [_by_title(other)[paper(n).title] for n in (0, 4)]
        other.delete(gone)

        report = merge_json_file(other, exported)

        # Papers 5 and 6 (only in two.txt) are new; 0 and 4 stay deleted.
        assert (report.new, report.deleted) == (2, 2)
        titles = set(_by_title(other))
        assert paper(0).title not in titles and paper(4).title not in titles
        assert {paper(n).title for n in (1, 2, 3, 5, 6)} == titles
        assert sorted(d["id"] for d in other.deleted()) == sorted(gone)
        # The digest holding a skipped paper is whole in the ledger (not "partial"): importing
        # its file later finds nothing new to bring in, and the paper stays deleted.
        assert all(not d["partial"] for d in other.digests())
    finally:
        other.close()


def test_merge_with_undelete_brings_them_back_and_takes_the_newer_state(
    library: Library, tmp_path: Path
) -> None:
    ids = _by_title(library)
    kept, edited = ids[paper(1).title], ids[paper(2).title]
    library.set_note(kept, "written before the export")
    library.add_tags([kept], ["keep"])
    exported = _export(library, tmp_path / "old.json")
    # Edited after the export: the tombstone's state is newer than the file's and wins.
    library.set_starred([edited], True)
    library.delete([kept, edited])
    changes: list[Change] = []
    library.subscribe(changes.append)

    report = merge_json_file(library, exported, undelete=True)

    assert (report.deleted, report.undeleted) == (0, 2)
    assert "2 papers undeleted" in str(report)
    assert library.deleted() == []
    back = library.get(kept)
    assert back.note == "written before the export" and back.tags == ["keep"]
    assert len(back.sightings) == 1
    assert library.get(edited).starred
    assert {kept, edited} <= set(changes[-1].paper_ids)
    assert library.count() == 7


def test_the_same_deleted_paper_twice_in_a_file_counts_once(
    library: Library, tmp_path: Path
) -> None:
    exported = _export(library, tmp_path / "dup.json")
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["papers"].append(dict(data["papers"][0]))
    exported.write_text(json.dumps(data), encoding="utf-8")
    target = data["papers"][0]["id"]
    library.delete([target])

    report = merge_json_file(library, exported)

    assert report.deleted == 1 and target not in library.list_ids()


def test_cli_import_of_an_export_skips_deleted_papers_unless_undelete(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lib = Library.open(home)
    try:
        lib.import_parsed(info("one.txt"), [paper(n) for n in range(3)])
        target = _by_title(lib)[paper(1).title]
        lib.set_note(target, "note to keep")
        exported = _export(lib, tmp_path / "export.json")
        lib.delete([target])
    finally:
        lib.close()

    result = cli(home, "import", str(exported))
    assert result.returncode == 0, result.stderr
    assert "1 paper skipped as deleted (--undelete brings them back)" in result.stdout
    listed = json.loads(cli(home, "list", "--json").stdout)
    assert target not in [p["id"] for p in listed]

    result = cli(home, "import", "--undelete", "--json", str(exported))
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert (report["status"], report["deleted"], report["undeleted"]) == ("merged", 0, 1)
    shown = json.loads(cli(home, "show", target, "--json").stdout)
    assert shown["note"] == "note to keep"
    assert json.loads(cli(home, "undelete", "--list", "--json").stdout) == []


def test_undelete_keeps_ids_and_a_later_merge_is_a_no_op(library: Library, tmp_path: Path) -> None:
    exported = _export(library, tmp_path / "e.json")
    target = library.list_ids()[0]
    library.delete([target])
    merge_json_file(library, exported, undelete=True)
    assert target in library.list_ids()
    before = library.generation

    report = merge_json_file(library, exported, undelete=True)

    assert (report.deleted, report.undeleted, report.changed) == (0, 0, False)
    assert library.generation == before
