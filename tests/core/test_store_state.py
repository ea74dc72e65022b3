"""The user's state: stars, read marks, notes, tags; one transaction each, told to subscribers."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist.library import Change, Library, LibraryError, UnknownPaper
from tests.core.store_support import dump, info, paper


@pytest.fixture
def library(home: Path) -> Iterator[Library]:
    lib = Library.open(home)
    lib.import_parsed(info(), [paper(n) for n in range(5)])
    yield lib
    lib.close()


@pytest.fixture
def ids(library: Library) -> list[str]:
    return library.list_ids(sort="title")


@pytest.fixture
def heard(library: Library) -> list[Change]:
    changes: list[Change] = []
    library.subscribe(changes.append)
    return changes


def test_star_returns_only_what_changed_and_counts_one_generation(
    library: Library, ids: list[str], heard: list[Change]
) -> None:
    start = library.generation
    assert library.set_starred(ids[:2], True) == ids[:2]
    assert library.set_starred(ids[:3], True) == [ids[2]]
    assert library.set_starred(ids[:3], True) == []
    assert library.set_starred([ids[0]], False) == [ids[0]]
    assert [p.starred for p in library.papers(ids)] == [False, True, True, False, False]
    assert library.generation == start + 3
    assert [(c.kind, sorted(c.paper_ids), c.generation) for c in heard] == [
        ("state", sorted(ids[:2]), start + 1),
        ("state", [ids[2]], start + 2),
        ("state", [ids[0]], start + 3),
    ]


def test_edits_bump_updated_at_only_of_changed_papers(library: Library, ids: list[str]) -> None:
    before = {p.id: p.updated_at for p in library.papers(ids)}
    library.set_starred([ids[0]], True)
    after = {p.id: p.updated_at for p in library.papers(ids)}
    assert after[ids[0]] is not None and after[ids[0]] >= before[ids[0]]
    assert all(after[i] == before[i] for i in ids[1:])


def test_read_and_unread_with_dates(library: Library, ids: list[str]) -> None:
    when = dt.datetime(2025, 3, 1, 12, 30, tzinfo=dt.UTC)
    assert library.set_read(ids[:2], True, when=when) == ids[:2]
    assert library.get(ids[0]).read_at == when
    # Marking read again keeps the first date, unless a date is given.
    assert library.set_read(ids[:2], True) == []
    assert library.get(ids[0]).read_at == when
    later = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    assert library.set_read([ids[0]], True, when=later) == [ids[0]]
    assert library.get(ids[0]).read_at == later
    # A naive time is the user's local time.
    naive = dt.datetime(2025, 5, 1, 9, 0)
    library.set_read([ids[2]], True, when=naive)
    assert library.get(ids[2]).read_at == naive.astimezone().astimezone(dt.UTC)
    # Now, by default
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    library.set_read([ids[3]], True)
    read_at = library.get(ids[3]).read_at
    assert read_at is not None and before <= read_at <= dt.datetime.now(dt.UTC)
    assert library.set_read(ids, False) == ids[:4]
    assert all(not p.read and p.read_at is None for p in library.papers(ids))


def test_notes_set_replace_clear(library: Library, ids: list[str], heard: list[Change]) -> None:
    library.set_note(ids[0], "First thoughts.\n\n")
    assert library.get(ids[0]).note == "First thoughts."
    library.set_note(ids[0], "First thoughts.")  # unchanged: no write, no notice
    library.set_note(ids[0], "Second thoughts, with ünïcode and <b>markup</b>.")
    assert library.get(ids[0]).note == "Second thoughts, with ünïcode and <b>markup</b>."
    library.set_note(ids[0], "   \n")
    assert library.get(ids[0]).note == ""
    assert [c.kind for c in heard] == ["note", "note", "note"]
    assert library.stats()["notes"] == 0


def test_a_note_of_a_few_megabytes_is_fine_and_too_long_is_refused(
    library: Library, ids: list[str]
) -> None:
    big = ("A line of notes about the paper. " * 30 + "\n") * 3000  # ~3 MB
    library.set_note(ids[0], big)
    assert library.get(ids[0]).note == big.rstrip()
    with pytest.raises(LibraryError, match="note is too long"):
        library.set_note(ids[0], "x" * 9_000_000)
    assert library.get(ids[0]).note == big.rstrip()


def test_tags_normalized_and_case_insensitive(library: Library, ids: list[str]) -> None:
    assert library.add_tags(ids[:2], ["  Large   language models ", "RL"]) == ids[:2]
    assert library.add_tags(ids[1:3], ["large LANGUAGE models"]) == [ids[2]]
    assert library.tags() == [("Large language models", 3), ("RL", 2)]
    assert library.get(ids[2]).tags == ["Large language models"]
    assert library.remove_tags([ids[0]], ["rl"]) == [ids[0]]
    assert library.remove_tags([ids[0]], ["rl"]) == []
    assert library.remove_tags([ids[1]], ["RL"]) == [ids[1]]
    assert library.tags() == [("Large language models", 3)]  # unused tags disappear
    assert library.add_tags([ids[0]], "single") == [ids[0]]  # one string is one tag


@pytest.mark.parametrize("bad", ["", "   ", "a,b"])
def test_bad_tags_are_refused_before_any_write(
    library: Library, ids: list[str], bad: str
) -> None:
    before = dump(library.path)
    with pytest.raises(LibraryError, match="tag cannot"):
        library.add_tags(ids, ["fine", bad])
    assert dump(library.path) == before


def test_rename_tag_and_merge_into_existing(library: Library, ids: list[str]) -> None:
    library.add_tags(ids[:2], ["nlp"])
    library.add_tags(ids[1:3], ["Language"])
    assert sorted(library.rename_tag("NLP", "NLP ")) == sorted(ids[:2])
    assert library.tags() == [("Language", 2), ("NLP", 2)]
    assert sorted(library.rename_tag("nlp", "language")) == sorted(ids[:2])
    assert library.tags() == [("Language", 3)]
    with pytest.raises(LibraryError, match="no tag named 'nope'"):
        library.rename_tag("nope", "x")


def test_unknown_id_changes_nothing(library: Library, ids: list[str], heard: list) -> None:
    before = dump(library.path)
    for call in (
        lambda: library.set_starred([ids[0], "ffffffffff"], True),
        lambda: library.set_read([ids[0], "ffffffffff"], True),
        lambda: library.add_tags([ids[0], "ffffffffff"], ["x"]),
        lambda: library.remove_tags(["ffffffffff"], ["x"]),
        lambda: library.set_note("ffffffffff", "x"),
    ):
        with pytest.raises(UnknownPaper, match="ffffffffff"):
            call()
    assert dump(library.path) == before and heard == []


def test_notice_comes_after_commit_and_failing_listener_is_harmless(
    library: Library, ids: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    seen_from_outside = []

    def look(change: Change) -> None:
        with Library.open(library.home) as other:
            seen_from_outside.append((other.get(ids[0]).starred, other.generation))

    def broken(change: Change) -> None:
        raise RuntimeError("listener bug")

    library.subscribe(broken)
    unsubscribe = library.subscribe(look)
    assert library.set_starred([ids[0]], True) == [ids[0]]
    assert seen_from_outside == [(True, library.generation)]
    assert "listener bug" in caplog.text
    unsubscribe()
    unsubscribe()  # twice is harmless
    library.set_starred([ids[0]], False)
    assert len(seen_from_outside) == 1


def test_transaction_for_other_modules(library: Library, ids: list[str], heard: list) -> None:
    start = library.generation
    with library.transaction("restore") as touched:
        library.db.execute("UPDATE papers SET starred = 1 WHERE id = ?", [ids[0]])
        touched.add(ids[0])
    assert library.get(ids[0]).starred and library.generation == start + 1
    assert heard == [Change("restore", frozenset([ids[0]]), start + 1)]

    with pytest.raises(RuntimeError), library.transaction("restore") as touched:
        library.db.execute("UPDATE papers SET starred = 0 WHERE id = ?", [ids[0]])
        touched.add(ids[0])
        raise RuntimeError("merge failed")
    assert library.get(ids[0]).starred and library.generation == start + 1

    with library.transaction("state"):
        pass  # nothing written: no new generation, no notice
    assert library.generation == start + 1 and len(heard) == 1

    with library.transaction("restore"), pytest.raises(LibraryError, match="already"):
        library.set_starred([ids[1]], True)


def test_reader_and_writer_on_two_threads(library: Library, ids: list[str]) -> None:
    """The GUI's arrangement: a writer Library in a worker thread, the main one reading."""
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        try:
            with Library.open(library.home) as mine:
                for n in range(30):
                    mine.set_starred(ids, n % 2 == 0)
                    mine.import_parsed(info(f"w{n}.txt"), [paper(100 + n)])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    counts = []
    while not done.is_set():
        counts.append(library.count())
        library.papers(ids)
    thread.join()
    assert errors == []
    assert counts == sorted(counts) and library.count() == 35
    assert [p.starred for p in library.papers(ids)] == [False] * 5


def test_library_is_not_shared_across_threads(library: Library) -> None:
    caught: list[BaseException] = []
    thread = threading.Thread(target=lambda: _try(library.count, caught))
    thread.start()
    thread.join()
    assert caught and "thread" in str(caught[0])


def _try(call, caught: list[BaseException]) -> None:
    try:
        call()
    except BaseException as error:  # noqa: BLE001 - the test inspects it
        caught.append(error)


def test_a_busy_library_is_a_clear_error_and_changes_nothing(
    library: Library, ids: list[str]
) -> None:
    with Library.open(library.home) as other:
        other.db.conn.execute("PRAGMA busy_timeout=50")
        with library.transaction("state") as touched:  # holds the write lock
            library.db.execute("UPDATE papers SET starred = 1 WHERE id = ?", [ids[0]])
            touched.add(ids[0])
            with pytest.raises(LibraryError, match="is busy: another Reading List"):
                other.set_starred([ids[1]], True)
        assert not other.get(ids[1]).starred
        assert other.set_starred([ids[1]], True) == [ids[1]]
