"""Deleting papers: one transaction, tombstones that survive re-imports, undelete restores all."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist.library import Change, Library, PaperFilter, UnknownPaper
from readinglist.search import SearchIndex
from tests.core.store_support import dump, open_two_digests, write_digest


@pytest.fixture
def library(home: Path) -> Iterator[Library]:
    lib = open_two_digests(home)
    yield lib
    lib.close()


def _everything(library: Library, paper_id: str) -> tuple:
    """All a paper has, the way a user sees it."""
    p = library.get(paper_id)
    return (
        p.title, p.abstract, p.links, p.starred, p.read, p.read_at, p.note, p.tags,
        [(s.digest_id, s.label, s.position) for s in p.sightings], p.added_at, p.upvotes,
    )


def _dress(library: Library, paper_id: str) -> None:
    library.set_starred([paper_id], True)
    library.set_read([paper_id], True, when=dt.datetime(2025, 2, 3, 4, 5, tzinfo=dt.UTC))
    library.set_note(paper_id, "A note worth keeping.\nSecond line.")
    library.add_tags([paper_id], ["Vision", "keep"])


def test_delete_removes_paper_and_everything_it_had_in_one_change(library: Library) -> None:
    target = library.list_ids(sort="title")[0]
    _dress(library, target)
    library.add_tags([library.list_ids(sort="title")[1]], ["Vision"])
    heard: list[Change] = []
    library.subscribe(heard.append)
    before = library.generation

    assert library.delete([target]) == [target]

    assert library.generation == before + 1
    assert [(c.kind, set(c.paper_ids)) for c in heard] == [("delete", {target})]
    assert target not in library.list_ids()
    assert library.count() == 6
    with pytest.raises(UnknownPaper):
        library.get(target)
    # Nothing hangs off the deleted paper; a tag still used elsewhere stays, "keep" goes.
    conn = library.db.conn
    assert conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    assert dict(library.tags()) == {"Vision": 1}
    for table in ("paper_texts", "sightings", "paper_tags"):
        orphans = conn.execute(
            f"SELECT count(*) FROM {table} WHERE paper NOT IN (SELECT seq FROM papers)"
        ).fetchone()
        assert orphans == (0,), table
    assert [d["id"] for d in library.deleted()] == [target]
    assert library.count(PaperFilter(has_note=True)) == 0


def test_undelete_restores_note_stars_tags_read_marks_and_sightings(library: Library) -> None:
    target = library.list_ids(sort="seen")[0]  # a paper seen in both digests
    _dress(library, target)
    before = _everything(library, target)
    seen_before = library.rows([target])[0]["seen"]
    assert len(before[8]) == 2

    library.delete([target])
    assert library.undelete([target]) == [target]

    assert _everything(library, target) == before
    assert library.rows([target])[0]["seen"] == seen_before
    assert library.deleted() == []
    assert dict(library.tags()) == {"keep": 1, "Vision": 1}


def test_delete_and_undelete_round_trip_the_whole_database(library: Library, home: Path) -> None:
    ids = library.list_ids()
    _dress(library, ids[0])
    library.set_starred(ids[2:4], True)
    before = dump(home / "library.db")

    library.delete(ids[:4])
    library.undelete(ids[:4])

    after = dump(home / "library.db")
    # Only the generation counter moved; every paper, text, note, tag and sighting is back.
    before.pop("meta"), after.pop("meta")
    assert after == before


def test_reimporting_a_digest_skips_deleted_papers_and_says_so(
    library: Library, tmp_path: Path
) -> None:
    digest = write_digest(tmp_path / "again.txt", range(0, 8), label="Mar 16")
    titles = {p.title: p.id for p in library.list_papers()}
    gone = [titles[t] for t in sorted(titles)[:2]]
    library.delete(gone)

    report = library.import_file(digest)

    assert report.status == "imported"
    assert (report.new, report.known, report.deleted) == (1, 5, 2)
    assert "2 papers skipped as deleted" in str(report)
    assert not set(gone) & set(library.list_ids())
    assert not set(gone) & set(report.paper_ids)
    assert library.count() == 6


def test_import_undelete_brings_deleted_papers_back_with_their_state(
    library: Library, tmp_path: Path
) -> None:
    digest = write_digest(tmp_path / "again.txt", range(0, 8), label="Mar 16")
    target = library.list_ids(sort="title")[0]
    _dress(library, target)
    note = library.get(target).note
    library.delete([target])

    report = library.import_file(digest, undelete=True)

    assert (report.deleted, report.undeleted) == (0, 1)
    back = library.get(target)
    assert back.note == note and back.starred and back.tags == ["keep", "Vision"]
    assert len(back.sightings) == 1 + 1  # its old sighting, and this digest's
    assert library.deleted() == []


def test_undelete_through_a_digest_already_imported(library: Library, tmp_path: Path) -> None:
    digest = write_digest(tmp_path / "again.txt", range(0, 3), label="Mar 16")
    library.import_file(digest)
    target = library.list_ids(sort="title")[0]
    library.delete([target])
    assert str(library.import_file(digest)).endswith("already imported, nothing changed")

    report = library.import_file(digest, undelete=True)

    assert report.status == "already-imported" and report.undeleted == 1
    assert "1 paper undeleted" in str(report)
    assert target in library.list_ids()


def test_unknown_ids_change_nothing(library: Library, home: Path) -> None:
    before = dump(home / "library.db")
    with pytest.raises(UnknownPaper):
        library.delete([library.list_ids()[0], "ffffffffff"])
    with pytest.raises(UnknownPaper):
        library.undelete(["ffffffffff"])
    assert dump(home / "library.db") == before


def test_a_failing_delete_rolls_back_everything(library: Library, home: Path) -> None:
    ids = library.list_ids()
    before = dump(home / "library.db")
    library.db.conn.execute(
        "CREATE TRIGGER refuse BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    library.set_note(ids[1], "x")
    before = dump(home / "library.db")
    with pytest.raises(sqlite3.IntegrityError):
        library.delete(ids)
    assert dump(home / "library.db") == before


def test_resolve_deleted_prefix(library: Library) -> None:
    target = library.list_ids()[0]
    library.delete([target])
    assert library.resolve_deleted(target[:6]) == target
    with pytest.raises(UnknownPaper):
        library.resolve(target)
    with pytest.raises(UnknownPaper):
        library.resolve_deleted(library.list_ids()[0])


def test_the_search_index_follows_delete_and_undelete(library: Library, home: Path) -> None:
    index = SearchIndex.open(home)
    sync = index.attach(library)
    try:
        target = library.list_ids(sort="title")[0]
        word = library.get(target).title.split()[-1]  # "part N" -> N, unique per paper
        assert sync.flush()
        assert [h.id for h in index.search(f'title:"part {word}"', snippets=False).hits] == [target]

        library.delete([target])
        assert sync.flush()
        assert index.search(f'title:"part {word}"', snippets=False).total == 0

        library.undelete([target])
        assert sync.flush()
        assert [h.id for h in index.search(f'title:"part {word}"', snippets=False).hits] == [target]
    finally:
        sync.stop()
        index.close()
