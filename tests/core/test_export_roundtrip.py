"""JSON export → another library → import (issue 5, section 2): nothing lost, nothing doubled."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from readinglist.export import write_export
from readinglist.export.json_import import (
    ExportRefused,
    is_json_export,
    load_json_file,
    merge_json,
    merge_json_file,
)
from readinglist.library import Change, Library, PaperFilter
from readinglist.library.model import Paper
from tests.core.store_support import dump, info, paper

UTC = dt.UTC


def fill(lib: Library) -> None:
    """Two digests with metadata, and the user's work on some of their papers."""
    lib.import_parsed(
        info("jan16.txt", "Jan 16", layout="blank-separated+metadata", encoding="utf-8-sig"),
        [
            paper(1, authors_count=5, published=dt.date(2024, 5, 6), upvotes=4,
                  links=("https://github.com/ex/one",)),
            paper(2, organization="nyu-visionx VISIONx @ NYU", published=dt.date(2024, 1, 10)),
            paper(3),
        ],
    )  # fmt: skip
    lib.import_parsed(info("mar14.txt", "Mar 14"), [paper(3, upvotes=9), paper(4), paper(5)])
    ids = {p.title: p.id for p in lib.list_papers()}
    one, two, three = (ids[paper(n).title] for n in (1, 2, 3))
    lib.set_starred([one, three], True)
    lib.set_read([one], True, dt.datetime(2025, 1, 10, 9, 30, tzinfo=UTC))
    lib.set_read([two], True, dt.datetime(2025, 2, 1, 18, 5, 7, tzinfo=UTC))
    lib.set_note(one, "Useful for the weather project.\n\n- ask Ana\n<script>x</script>")
    lib.set_note(three, "short")
    lib.add_tags([one, two], ["climate", "To Read"])
    lib.add_tags([three], ["vision"])


def everything(lib: Library) -> list[Paper]:
    return lib.list_papers(sort="title")


def comparable(p: Paper, labels: dict[int, str]) -> dict:
    """Every field of a paper; sightings by digest file (ids are per library)."""
    data = dataclasses.asdict(p)
    data["sightings"] = sorted(
        (labels[s.digest_id], s.label, s.position, s.upvotes) for s in p.sightings
    )
    return data


def digest_files(lib: Library) -> dict[int, str]:
    return {d["id"]: d["sha256"] for d in lib.digests()}


def ledger(lib: Library) -> list[dict]:
    keep = ("path", "sha256", "size", "encoding", "label", "layout", "entries", "new", "known",
            "warnings", "imported_at", "papers")  # fmt: skip
    return sorted(({k: d[k] for k in keep} for d in lib.digests()), key=lambda d: d["sha256"])


@pytest.fixture
def source(tmp_path: Path):
    lib = Library.open(tmp_path / "laptop")
    fill(lib)
    yield lib
    lib.close()


@pytest.fixture
def target(tmp_path: Path):
    lib = Library.open(tmp_path / "new-machine")
    yield lib
    lib.close()


def export_json(lib: Library, path: Path, filter: PaperFilter | None = None) -> Path:
    ids = lib.list_ids(filter or PaperFilter(), sort="added")
    write_export(path, lib.papers(ids), "json", digests=lib.digests())
    return path


def test_export_then_import_into_a_fresh_library_reproduces_every_field(
    source: Library, target: Library, tmp_path: Path
) -> None:
    exported = export_json(source, tmp_path / "library.json")
    assert is_json_export(exported)

    report = merge_json_file(target, exported)

    assert report.new == 5 and report.papers_in_file == 5
    assert report.digests_added == 2 and report.digests_partial == 0
    assert report.sightings_added == 6 and report.sightings_skipped == 0
    theirs, ours = digest_files(source), digest_files(target)
    before = [comparable(p, theirs) for p in everything(source)]
    after = [comparable(p, ours) for p in everything(target)]
    assert after == before  # ids, metadata, star, read dates, notes, tags, sightings, times
    assert ledger(target) == ledger(source)
    assert target.tags() == source.tags()
    assert target.stats()["notes"] == 2
    # The "seen" counts the list sorts by came back too.
    assert target.rows(target.list_ids())[0]["seen"] == source.rows(target.list_ids())[0]["seen"]
    assert "5 new" in str(report) and report.to_json()["new"] == 5


def test_importing_the_same_export_twice_changes_nothing(
    source: Library, target: Library, tmp_path: Path
) -> None:
    exported = export_json(source, tmp_path / "library.json")
    merge_json_file(target, exported)
    before, generation = dump(target.path), target.generation
    heard: list[Change] = []
    target.subscribe(heard.append)

    again = merge_json_file(target, exported)

    assert again.new == 0 and again.state_taken == 0 and again.sightings_added == 0
    assert again.digests_known == 2 and not again.changed
    assert str(again).endswith("nothing changed")
    assert dump(target.path) == before
    assert target.generation == generation and heard == []


def test_import_into_a_library_with_the_same_digests_takes_the_users_state(
    source: Library, target: Library, tmp_path: Path
) -> None:
    # The new machine imported the digest files first (the papers, no state), then the export.
    target.import_parsed(
        info("jan16.txt", "Jan 16", layout="blank-separated+metadata", encoding="utf-8-sig"),
        [paper(1), paper(2), paper(3)],
    )
    exported = export_json(source, tmp_path / "library.json")
    heard: list[Change] = []
    target.subscribe(heard.append)

    report = merge_json_file(target, exported)

    assert report.new == 2 and report.state_taken == 3 and report.digests_known == 1
    assert target.count() == 5  # no duplicates
    assert target.db.execute("SELECT count(*) FROM sightings").fetchone()[0] == 6
    by_title = {p.title: p for p in everything(target)}
    one = by_title[paper(1).title]
    assert one.starred and one.read_at == dt.datetime(2025, 1, 10, 9, 30, tzinfo=UTC)
    assert one.note.startswith("Useful for the weather project.")
    assert one.tags == ["climate", "To Read"]
    assert one.authors_count == 5 and one.upvotes == 4  # metadata filled in from the file
    assert [c.kind for c in heard] == ["import"]
    assert heard[0].paper_ids == {p.id for p in everything(target)}


def test_newer_edits_win_on_each_side(source: Library, target: Library, tmp_path: Path) -> None:
    exported = export_json(source, tmp_path / "library.json")
    merge_json_file(target, exported)
    by_title = {p.title: p.id for p in everything(target)}
    one, three = by_title[paper(1).title], by_title[paper(3).title]

    # Later, on the new machine: paper 1 gets a new note (newer than the export).
    target.set_note(one, "rewritten on the new machine")
    # Meanwhile, on the laptop: paper 3 is unstarred and retagged, then exported again; the
    # laptop's edit is later than anything the new machine did to paper 3.
    _later(target, three, dt.datetime(2020, 1, 1, tzinfo=UTC))
    source.set_starred([three], False)
    source.remove_tags([three], ["vision"])
    source.add_tags([three], ["done"])
    exported = export_json(source, tmp_path / "library-2.json")

    report = merge_json_file(target, exported)

    papers = {p.id: p for p in target.papers([one, three])}
    assert papers[one].note == "rewritten on the new machine"  # newer here: kept
    assert papers[one].starred  # the rest of paper 1's state is the new machine's too
    assert not papers[three].starred and papers[three].tags == ["done"]  # newer there: taken
    assert report.state_taken == 1 and report.state_kept == 1
    assert [name for name, _ in target.tags()] == ["climate", "done", "To Read"]


def test_a_partial_export_brings_its_papers_whole_and_the_digest_file_still_imports(
    source: Library, target: Library, tmp_path: Path
) -> None:
    exported = export_json(source, tmp_path / "starred.json", PaperFilter(starred=True))
    data = load_json_file(exported)
    assert len(data["papers"]) == 2 and len(data["digests"]) == 2
    sightings = {p["title"]: sorted(s["label"] for s in p["sightings"]) for p in data["papers"]}
    assert sum(map(len, sightings.values())) == 3

    report = merge_json(target, data)

    assert report.new == 2 and report.digests_partial == 2 and report.digests_added == 0
    assert report.sightings_skipped == 0 and report.sightings_added == 3
    assert "only partly in the file" in str(report)
    # The papers come whole, with every sighting (docs/export.md promises it)...
    merged = everything(target)
    assert {p.title: sorted(s.label or "" for s in p.sightings) for p in merged} == sightings
    # ...and the ledger knows the two digests only partly.
    ledger = target.digests()
    assert [d["partial"] for d in ledger] == [True, True]
    # Importing the digest file itself later still brings in all its papers, with the state.
    imported = target.import_parsed(info("mar14.txt", "Mar 14"), [paper(3), paper(4), paper(5)])
    assert imported.status == "imported" and imported.new == 2 and imported.known == 1
    three = next(p for p in everything(target) if p.title == paper(3).title)
    assert three.starred and three.note == "short"
    whole = next(d for d in target.digests() if d["sha256"] == info("mar14.txt").sha256)
    assert whole["partial"] is False and whole["papers"] == 3
    # "seen" counts digests, not sightings imported twice.
    rows = {r["title"]: r["seen"] for r in target.rows(target.list_ids())}
    assert rows == {p.title: len(p.sightings) for p in everything(target)}
    again = target.import_parsed(info("mar14.txt", "Mar 14"), [paper(3), paper(4), paper(5)])
    assert again.status == "already-imported"


def test_a_digest_partial_here_stays_partial_in_the_next_library(
    source: Library, target: Library, tmp_path: Path
) -> None:
    starred = load_json_file(
        export_json(source, tmp_path / "starred.json", PaperFilter(starred=True))
    )
    merge_json(target, starred)
    # Everything of the target: each digest's papers are all here, yet it is still partial.
    data = load_json_file(export_json(target, tmp_path / "all.json"))
    assert [d["partial"] for d in data["digests"]] == [True, True]
    with Library.open(tmp_path / "third") as third:
        report = merge_json(third, data)
        assert report.digests_partial == 2 and report.digests_added == 0
        assert all(d["partial"] for d in third.digests())


def test_merge_can_be_cancelled_midway_and_leaves_nothing(
    source: Library, target: Library, tmp_path: Path
) -> None:
    from readinglist.export.json_import import iter_merge_json

    data = load_json_file(export_json(source, tmp_path / "library.json"))
    data["papers"] = data["papers"] * 300  # several batches
    before = dump(target.path)
    steps = iter_merge_json(target, data)
    next(steps)
    next(steps)
    steps.close()
    assert dump(target.path) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "readinglist-export", "schema_version": 1,\n "papers": [\n}', "line 3"),
        ('{"papers": []}', "not a Reading List export"),
        ('[1, 2]', "not a JSON object"),
        ('{"format": "readinglist-export", "schema_version": 7, "papers": []}', "newer"),
        ('{"format": "readinglist-export", "schema_version": 1, "papers": [{"id": "ab12cd34ef",'
         ' "title": "T", "abstract": "", "starred": "yes", "read": false, "note": "", "tags": []'
         "}]}", r"papers\[0\] \(id ab12cd34ef\): starred must be true or false"),
        ('{"format": "readinglist-export", "schema_version": 1, "papers": [{"id": "ab12cd34ef",'
         ' "title": "T", "tags": ["a,b"]}]}', "without commas"),
        ('{"format": "readinglist-export", "schema_version": 1, "papers": [{"id": "x",'
         ' "title": "T"}]}', "a paper id"),
        ('{"format": "readinglist-export", "schema_version": 1, "papers": [{"id": "ab12cd34ef",'
         ' "title": "T", "read": true, "read_at": "yesterday"}]}', "read_at must be an ISO 8601"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_the_reason_and_change_nothing(
    target: Library, tmp_path: Path, text: str, message: str
) -> None:
    target.import_parsed(info("a.txt"), [paper(1)])
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    before = dump(target.path)
    with pytest.raises(ExportRefused, match=message) as caught:
        merge_json_file(target, bad)
    assert str(bad) in str(caught.value)
    assert dump(target.path) == before


def test_is_json_export_tells_exports_from_other_files(tmp_path: Path, source: Library) -> None:
    exported = export_json(source, tmp_path / "x.json")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + exported.read_bytes())
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else", "papers": []}))
    digest = tmp_path / "digest.txt"
    digest.write_text("new\n\nSubscribe\n\nA title\n\nAn abstract\n")
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(range(256)))
    assert is_json_export(exported) and is_json_export(bom)
    assert not is_json_export(other)
    assert not is_json_export(digest)
    assert not is_json_export(binary)
    assert not is_json_export(tmp_path / "missing.json")
    assert merge_json_file(Library.open(tmp_path / "third"), bom).new == 5


def _later(lib: Library, paper_id: str, when: dt.datetime) -> None:
    """Make the library's last edit of a paper look older (as if made long ago)."""
    stamp = when.isoformat(timespec="seconds")
    lib.db.execute("UPDATE papers SET updated_at = ? WHERE id = ?", [stamp, paper_id])
    lib.db.conn.commit()


def test_library_papers_reads_lazily_in_pages_and_in_order(target: Library) -> None:
    from readinglist.export.pages import PAGE, LibraryPapers

    target.import_parsed(info("big.txt"), [paper(n) for n in range(PAGE + 20)])
    ids = target.list_ids(sort="title")
    lazy = LibraryPapers(target, ids)
    assert len(lazy) == PAGE + 20
    assert [p.id for p in lazy] == ids
    assert lazy[-1].id == ids[-1] and lazy[PAGE].id == ids[PAGE]
    assert [p.id for p in lazy[3:6]] == ids[3:6]
    with pytest.raises(IndexError):
        lazy[len(ids)]
    queries = []
    target.db.conn.set_trace_callback(queries.append)
    for _ in lazy:
        pass
    target.db.conn.set_trace_callback(None)
    assert len([q for q in queries if "FROM papers p" in q]) == 2  # two pages, not 520 reads


def test_library_papers_count_themselves_in_sql(source: Library) -> None:
    from readinglist.export.grouping import Counts
    from readinglist.export.pages import LibraryPapers

    ids = source.list_ids()
    lazy = LibraryPapers(source, ids)
    assert lazy.counts() == Counts.of(source.papers(ids)) == Counts(5, 2, 2, 2)
    assert LibraryPapers(source, ids[:1]).counts().papers == 1
