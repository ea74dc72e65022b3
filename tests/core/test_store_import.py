"""Importing digests into the library: identity, idempotence, metadata, transactions, progress."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist.library import ImportProgress, ImportReport, Library, PaperFilter
from readinglist.library.identity import paper_id, title_key
from tests.core.store_support import (
    dump,
    failing,
    info,
    paper,
    refused_after,
    title_for,
    write_digest,
)


@pytest.fixture
def library(home: Path) -> Iterator[Library]:
    lib = Library.open(home)
    yield lib
    lib.close()


def reports(steps: list[ImportProgress | ImportReport]) -> list[ImportReport]:
    return [s for s in steps if isinstance(s, ImportReport)]


# --- the real digests ---------------------------------------------------------------------------


@pytest.mark.shared
def test_real_digests_import_once_and_dedupe(library: Library, shared_digests: Path) -> None:
    first = reports(list(library.import_files(sorted(shared_digests.glob("*.txt")))))
    assert [r.status for r in first] == ["imported"] * 3
    assert sum(r.new for r in first) == 311 == library.count()
    assert sum(r.new + r.known + r.repeated for r in first) == 330
    assert {r.label for r in first} == {"Mar 14", "Jan 16", None}
    generation = library.generation
    before = dump(library.path)

    again = reports(list(library.import_files(sorted(shared_digests.glob("*.txt")))))
    assert [r.status for r in again] == ["already-imported"] * 3
    assert all(r.new == r.known == 0 and r.paper_ids == [] for r in again)
    assert [r.digest_id for r in again] == [r.digest_id for r in first]
    assert library.generation == generation
    assert dump(library.path) == before


@pytest.mark.shared
def test_real_paper_seen_in_two_digests_has_two_sightings(
    library: Library, shared_digests: Path
) -> None:
    list(library.import_files(sorted(shared_digests.glob("*.txt"))))
    seen_twice = library.list_ids(sort="seen", limit=1)
    (top,) = library.papers(seen_twice)
    assert len(top.sightings) >= 2
    assert len({s.digest_id for s in top.sightings}) == len(top.sightings)
    assert library.rows([top.id])[0]["seen"] == len(top.sightings)


# --- identity and dedupe ----------------------------------------------------------------------


def test_same_title_written_differently_is_one_paper(library: Library) -> None:
    a = library.import_parsed(info("a.txt"), [paper(1, title="U-Net: A Study")])
    b = library.import_parsed(info("b.txt", label="Mar 15"), [paper(1, title="u net  A STUDY")])
    assert (a.new, a.known, b.new, b.known) == (1, 0, 0, 1)
    assert a.paper_ids == b.paper_ids == [paper_id(title_key("U-Net: A Study"))]
    (only,) = library.list_papers()
    assert only.title == "U-Net: A Study"  # the first spelling stays
    assert [(s.label, s.position) for s in only.sightings] == [("Mar 14", 1), ("Mar 15", 1)]


def test_ids_are_ten_hex_chars_stable_across_libraries(tmp_path: Path) -> None:
    ids = []
    for name in ("one", "two"):
        with Library.open(tmp_path / name) as lib:
            ids.append(lib.import_parsed(info(), [paper(n) for n in range(5)]).paper_ids)
    assert ids[0] == ids[1]
    assert all(len(i) == 10 and int(i, 16) >= 0 for i in ids[0])


def test_colliding_id_is_lengthened_for_the_newcomer(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readinglist.library.importer as importer

    def same_prefix(key: str) -> str:
        import hashlib

        return "abcdef0123" + hashlib.sha256(key.encode()).hexdigest()[10:]

    monkeypatch.setattr(importer, "key_digest", same_prefix)
    first = library.import_parsed(info("a.txt"), [paper(1)]).paper_ids[0]
    second = library.import_parsed(info("b.txt"), [paper(2), paper(3)]).paper_ids
    assert first == "abcdef0123"
    assert [len(i) for i in second] == [11, 12]
    assert len({first, *second}) == 3 and all(i.startswith("abcdef0123") for i in second)
    assert library.resolve("abcdef0123") == first  # the exact id wins over longer ones
    assert library.get(second[1]).title == title_for(3)


def test_repeats_within_one_file_make_one_sighting(library: Library) -> None:
    report = library.import_parsed(
        info(), [paper(1, upvotes=3), paper(2), paper(1, upvotes=9, authors_count=4)]
    )
    assert (report.new, report.known, report.repeated) == (2, 0, 1)
    one = library.get(report.paper_ids[0])
    assert [(s.position, s.upvotes) for s in one.sightings] == [(1, 9)]
    assert (one.upvotes, one.authors_count) == (9, 4)
    assert library.rows([one.id])[0]["seen"] == 1


def test_missing_metadata_filled_never_erased_and_upvotes_keep_history(library: Library) -> None:
    bare = paper(1, abstract="")
    library.import_parsed(info("a.txt", label="Jan 1"), [bare])
    library.import_parsed(
        info("b.txt", label="Jan 2"),
        [
            paper(
                1,
                authors_count=5,
                organization="nyu-visionx VISIONx @ NYU",
                published=dt.date(2024, 5, 6),
                upvotes=12,
                links=("https://github.com/x/y",),
            )
        ],
    )
    library.import_parsed(info("c.txt", label="Jan 3"), [paper(1, upvotes=7, authors_count=2)])
    library.import_parsed(info("d.txt", label="Jan 4"), [paper(1)])
    (p,) = library.list_papers()
    assert p.abstract == paper(1).abstract  # filled once a digest had it
    assert (p.authors_count, p.organization) == (5, "nyu-visionx VISIONx @ NYU")
    assert p.published == dt.date(2024, 5, 6)
    assert p.links == ["https://github.com/x/y"]
    assert p.upvotes == 12  # the largest count seen; a later, smaller one doesn't lower it
    assert [(s.label, s.upvotes) for s in p.sightings] == [
        ("Jan 1", None),
        ("Jan 2", 12),
        ("Jan 3", 7),
        ("Jan 4", None),
    ]


def test_users_state_survives_reimport_of_the_paper(library: Library) -> None:
    (pid,) = library.import_parsed(info("a.txt"), [paper(1)]).paper_ids
    library.set_starred([pid], True)
    library.set_read([pid], True, when=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    library.set_note(pid, "Read section 3 again.")
    library.add_tags([pid], ["diffusion"])
    before = library.get(pid)

    report = library.import_parsed(info("b.txt"), [paper(1, upvotes=40), paper(2)])
    assert (report.new, report.known) == (1, 1)
    after = library.get(pid)
    assert (after.starred, after.read, after.read_at, after.note, after.tags) == (
        True,
        True,
        dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "Read section 3 again.",
        ["diffusion"],
    )
    assert (after.added_at, after.updated_at) == (before.added_at, before.updated_at)
    assert after.upvotes == 40


def test_reimport_same_bytes_changes_nothing_and_says_so(library: Library, tmp_path: Path) -> None:
    path = write_digest(tmp_path / "d.txt", range(12), metadata=True)
    first = library.import_file(path)
    assert (first.status, first.new, first.layout) == ("imported", 12, "blank-separated+metadata")
    copy = tmp_path / "copy of d.txt"
    copy.write_bytes(path.read_bytes())
    before, generation = dump(library.path), library.generation
    second = library.import_file(copy)
    assert second.status == "already-imported"
    assert second.digest_id == first.digest_id and second.label == "Mar 14"
    assert "already imported" in str(second)
    assert dump(library.path) == before and library.generation == generation


def test_report_json_and_ledger(library: Library, tmp_path: Path) -> None:
    path = write_digest(tmp_path / "d.txt", range(3))
    report = library.import_file(path)
    data = report.to_json()
    assert data["status"] == "imported" and data["new"] == 3 and data["path"] == str(path)
    assert data["paper_ids"] == report.paper_ids and data["warnings"] == []
    (ledger,) = library.digests()
    assert ledger["sha256"] == report.sha256 and ledger["path"] == str(path.resolve())
    assert (ledger["label"], ledger["entries"], ledger["new"], ledger["papers"]) == (
        "Mar 14",
        3,
        3,
        3,
    )


# --- one file = one transaction ---------------------------------------------------------------


def test_file_refused_halfway_leaves_library_exactly_as_before(library: Library) -> None:
    library.import_parsed(info("ok.txt"), [paper(n) for n in range(3)])
    before, generation = dump(library.path), library.generation
    heard = []
    library.subscribe(heard.append)

    report = library.import_parsed(
        info("bad.txt"), refused_after([paper(n) for n in range(1, 700)], line=2801)
    )
    assert report.status == "refused" and report.refused == "line 2801: undecodable text"
    assert dump(library.path) == before
    assert library.generation == generation and heard == []


def test_unexpected_error_halfway_rolls_back_and_library_stays_usable(library: Library) -> None:
    before = dump(library.path)
    with pytest.raises(RuntimeError, match="disk on fire"):
        library.import_parsed(
            info("bad.txt"), failing([paper(n) for n in range(450)], RuntimeError("disk on fire"))
        )
    assert dump(library.path) == before
    assert not library.db.conn.in_transaction
    assert library.import_parsed(info("ok.txt"), [paper(1)]).new == 1


def test_real_file_with_bad_bytes_in_the_middle_is_refused_whole(
    library: Library, tmp_path: Path
) -> None:
    path = write_digest(tmp_path / "d.txt", range(600))
    data = path.read_bytes()
    middle = data.index(title_for(450).encode())
    path.write_bytes(data[:middle] + b"\xff\xfe\xfa broken " + data[middle:])
    (report,) = reports(list(library.import_files([path])))
    assert report.status == "refused" and "line" in report.refused
    assert library.count() == 0 and library.digests() == []


def test_stopping_the_import_generator_rolls_back_the_file(
    library: Library, tmp_path: Path
) -> None:
    small = write_digest(tmp_path / "a.txt", range(5))
    big = write_digest(tmp_path / "b.txt", range(100, 1100))
    steps = library.import_files([small, big])
    for step in steps:
        if isinstance(step, ImportProgress) and step.file == big and step.papers_done > 300:
            break
    steps.close()
    assert library.count() == 5 and len(library.digests()) == 1
    assert not library.db.conn.in_transaction


def test_pasted_text_imports_under_its_name(library: Library) -> None:
    from readinglist.digests import parse_digest

    digest_info, papers = parse_digest(
        "\n\n".join(["Mar 14", title_for(1), paper(1).abstract]).encode(), "<clipboard>"
    )
    report = library.import_parsed(digest_info, papers)
    assert (report.status, report.new, str(report.path)) == ("imported", 1, "<clipboard>")
    assert library.digests()[0]["path"] == "<clipboard>"


def test_empty_stream_is_refused(library: Library) -> None:
    report = library.import_parsed(info(), [])
    assert report.status == "refused" and "no papers" in report.refused
    assert library.digests() == []


# --- files, folders and progress ----------------------------------------------------------------


def test_folders_expand_recursively_skipping_hidden(library: Library, tmp_path: Path) -> None:
    root = tmp_path / "digests"
    (root / "2024").mkdir(parents=True)
    write_digest(root / "2024" / "b.txt", [1])
    write_digest(root / "a.md", [2])
    write_digest(root / ".hidden.txt", [3])
    (root / ".cache").mkdir()
    write_digest(root / ".cache" / "c.txt", [4])
    (root / "notes.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    steps = list(library.import_files([root, root / "a.md"]))
    done = reports(steps)
    assert [(r.path.name, r.status) for r in done] == [
        ("a.md", "imported"),
        ("notes.pdf", "refused"),
        ("b.txt", "imported"),
    ]
    assert "PDF" in done[1].refused
    assert library.count() == 2


def test_missing_file_is_refused_with_its_name(library: Library, tmp_path: Path) -> None:
    (report,) = reports(list(library.import_files([tmp_path / "gone.txt"])))
    assert report.status == "refused" and "cannot read" in (report.refused or "")
    assert str(report).startswith("gone.txt: refused: cannot read")


def test_a_many_file_import_tells_which_file_is_its_last(
    library: Library, tmp_path: Path
) -> None:
    """The search index waits for the rest of an import (``Change.more``), not longer."""
    heard: list = []
    library.subscribe(heard.append)
    files = [write_digest(tmp_path / f"{n}.txt", range(n * 10, n * 10 + 10)) for n in range(3)]
    list(library.import_files(files))
    assert [(c.kind, len(c.paper_ids), c.more) for c in heard] == [
        ("import", 10, True), ("import", 10, True), ("import", 10, False)
    ]
    # A last file refused commits nothing: the one before it said more were coming, and the
    # index waits for the changes to stop instead.
    heard.clear()
    bad = tmp_path / "bad.txt"
    bad.write_text("not a digest at all\n")
    files = [write_digest(tmp_path / f"{n}.txt", range(n * 10, n * 10 + 10)) for n in (3, 4)]
    list(library.import_files([*files, bad]))
    assert [c.more for c in heard] == [True, True]
    heard.clear()
    library.set_starred(library.list_ids()[:1], True)
    assert [c.more for c in heard] == [False]


def test_progress_is_frequent_and_ends_complete(library: Library, tmp_path: Path) -> None:
    files = [
        write_digest(tmp_path / "a.txt", range(0, 450)),
        write_digest(tmp_path / "b.txt", range(450, 500)),
    ]
    total = sum(f.stat().st_size for f in files)
    steps = list(library.import_files(files))
    progress = [s for s in steps if isinstance(s, ImportProgress)]
    assert all(p.bytes_total == total and p.file_count == 2 for p in progress)
    done = [p.bytes_done for p in progress]
    assert done == sorted(done) and done[-1] == total and progress[-1].fraction == 1.0
    papers = [p.papers_done for p in progress]
    assert papers == sorted(papers) and papers[-1] == 500
    assert max(b - a for a, b in zip(papers, papers[1:], strict=False)) <= 200
    assert [p.file_index for p in progress] == sorted(p.file_index for p in progress)
    assert isinstance(steps[-1], ImportReport)


def test_import_notifies_once_per_file_after_commit(library: Library, tmp_path: Path) -> None:
    heard = []

    def listener(change):
        # After the commit: another connection already sees the papers.
        with Library.open(library.home) as other:
            heard.append((change.kind, change.paper_ids, change.generation, other.count()))

    library.subscribe(listener)
    report = library.import_file(write_digest(tmp_path / "a.txt", range(3)))
    library.import_file(write_digest(tmp_path / "a copy.txt", range(3)))  # same bytes
    assert heard == [("import", frozenset(report.paper_ids), library.generation, 3)]


# --- kill -9 ----------------------------------------------------------------------------------

KILLED_IMPORT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from readinglist.library import ImportProgress, Library

    library = Library.open(Path(sys.argv[1]))
    for step in library.import_files([Path(p) for p in sys.argv[2:]]):
        if isinstance(step, ImportProgress):
            print(step.file_index, step.papers_done, flush=True)
    print("finished", flush=True)
    """
)


def test_kill_9_during_import_leaves_whole_files(home: Path, tmp_path: Path) -> None:
    small = write_digest(tmp_path / "small.txt", range(40))
    big = write_digest(tmp_path / "big.txt", range(1000, 13000), metadata=True)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(home), str(small), str(big)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.stdout is not None
    with child.stdout:
        for line in child.stdout:
            index, papers = line.split()
            if index == "1" and int(papers) >= 40 + 3000:
                os.kill(child.pid, signal.SIGKILL)
                break
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert (home / "library.db-wal").exists()  # the kill left a live WAL behind to recover
    with Library.open(home) as library:
        assert library.count() == 40
        assert [d["entries"] for d in library.digests()] == [40]
        assert library.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert library.import_file(big).new == 12000  # the file imports whole afterwards
        assert library.count(PaperFilter()) == 12040
    conn = sqlite3.connect(home / "library.db")
    assert conn.execute("SELECT count(*) FROM sightings").fetchone() == (12040,)
    conn.close()


def test_each_report_comes_after_its_commit(library: Library, tmp_path: Path) -> None:
    """A caller may act on a report (star what came in) before the next file is read."""
    files = [write_digest(tmp_path / "a.txt", range(3)), write_digest(tmp_path / "b.txt", [9])]
    files.append(tmp_path / "a again.txt")
    files[2].write_bytes(files[0].read_bytes())
    for step in library.import_files(files):
        if isinstance(step, ImportReport):
            assert not library.db.conn.in_transaction
            library.set_starred(step.paper_ids, True)
    assert library.count(PaperFilter(starred=True)) == 4
