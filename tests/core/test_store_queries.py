"""Reading the library: filters, sorts, pages, id prefixes, light rows, ledger, tags, stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist.library import AmbiguousPaper, Library, LibraryError, PaperFilter, UnknownPaper
from tests.core.store_support import info, paper, title_for

# Ten papers over three digests. Paper n: published in 2024 on month n+1 (none for n = 9),
# upvotes 10*n (none for n = 0), seen once, except 1 and 2 which the second digest repeats.
N = 10


@pytest.fixture
def library(home: Path) -> Iterator[Library]:
    lib = Library.open(home)
    lib.import_parsed(
        info("jan.txt", label="Jan 16"),
        [
            paper(
                n,
                published=dt.date(2024, n + 1, 1) if n < 9 else None,
                upvotes=10 * n if n else None,
            )
            for n in range(6)
        ],
    )
    lib.import_parsed(
        info("mar.txt", label="Mar 14"),
        [paper(n, published=dt.date(2024, n + 1, 1) if n < 9 else None, upvotes=10 * n)
         for n in (6, 7, 8, 9, 1, 2)],
    )
    lib.import_parsed(info("apr.txt", label="Apr 1"), [paper(2)])
    yield lib
    lib.close()


def ids_of(library: Library, numbers: list[int]) -> list[str]:
    by_title = {p.title: p.id for p in library.list_papers()}
    return [by_title[title_for(n)] for n in numbers]


def numbers(library: Library, ids: list[str]) -> list[int]:
    by_id = {p.id: p.title for p in library.list_papers()}
    titles = [title_for(n) for n in range(N)]
    return [titles.index(by_id[i]) for i in ids]


# --- sorting and paging -------------------------------------------------------------------------


def test_default_listing_is_newest_import_first_in_digest_order(library: Library) -> None:
    assert numbers(library, library.list_ids()) == [6, 7, 8, 9, 0, 1, 2, 3, 4, 5]
    assert numbers(library, library.list_ids(descending=False)) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_sorts_default_directions_and_missing_values_last(library: Library) -> None:
    assert numbers(library, library.list_ids(sort="published")) == [8, 7, 6, 5, 4, 3, 2, 1, 0, 9]
    assert numbers(library, library.list_ids(sort="upvotes")) == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    titles = [p.title for p in library.list_papers(sort="title")]
    assert titles == sorted(titles, key=str.casefold)
    seen = library.rows(library.list_ids(sort="seen"))
    assert [r["seen"] for r in seen] == [3, 2] + [1] * 8
    assert numbers(library, [r["id"] for r in seen[:2]]) == [2, 1]
    assert numbers(library, library.list_ids(sort="upvotes", descending=False))[-1] == 9


def test_sort_by_read_date(library: Library) -> None:
    a, b, c = ids_of(library, [3, 5, 7])
    library.set_read([a], True, when=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    library.set_read([b], True, when=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    library.set_read([c], True, when=dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    assert library.list_ids(PaperFilter(read=True), sort="read_at") == [b, c, a]


def test_pages_with_limit_and_offset_cover_the_list_once(library: Library) -> None:
    whole = library.list_ids(sort="title")
    pages = [library.list_ids(sort="title", limit=3, offset=o) for o in range(0, N, 3)]
    assert [i for page in pages for i in page] == whole
    assert library.list_ids(limit=0) == []


def test_unknown_sort_is_a_clear_error(library: Library) -> None:
    with pytest.raises(LibraryError, match="unknown sort 'stars'; choose one of added, "):
        library.list_ids(sort="stars")


# --- filters -------------------------------------------------------------------------------------


def test_each_filter_and_their_combination(library: Library) -> None:
    one, two, three, four = ids_of(library, [1, 2, 3, 4])
    library.set_starred([one, two], True)
    library.set_read([two, three], True)
    library.set_note(three, "good")
    library.add_tags([one, three, four], ["Vision"])

    def got(f: PaperFilter) -> list[int]:
        return sorted(numbers(library, library.list_ids(f)))

    assert got(PaperFilter(starred=True)) == [1, 2]
    assert got(PaperFilter(starred=False)) == [0, 3, 4, 5, 6, 7, 8, 9]
    assert got(PaperFilter(read=True)) == [2, 3]
    assert len(got(PaperFilter(read=False))) == 8
    assert got(PaperFilter(has_note=True)) == [3]
    assert len(got(PaperFilter(has_note=False))) == 9
    assert got(PaperFilter(tag="vision")) == [1, 3, 4]  # tags match case-insensitively
    assert got(PaperFilter(tag="  VISION ")) == [1, 3, 4]
    assert got(PaperFilter(tag="audio")) == []
    assert got(PaperFilter(tag="Vision", starred=True, read=False)) == [1]
    assert got(PaperFilter(ids=frozenset([one, two, three]), read=True)) == [2, 3]
    assert got(PaperFilter(ids=frozenset())) == []
    assert library.count(PaperFilter(tag="Vision", read=True)) == 1
    assert library.count() == N


def test_digest_filter_by_label_file_name_or_id(library: Library) -> None:
    (apr, mar, jan) = library.digests()
    assert (apr["label"], mar["label"], jan["label"]) == ("Apr 1", "Mar 14", "Jan 16")
    assert sorted(numbers(library, library.list_ids(PaperFilter(digest="Mar 14")))) == [
        1, 2, 6, 7, 8, 9
    ]
    assert library.count(PaperFilter(digest="mar 14")) == 6
    assert library.count(PaperFilter(digest="jan.txt")) == 6
    assert library.count(PaperFilter(digest=str(apr["id"]))) == 1
    assert library.count(PaperFilter(digest=apr["id"])) == 1
    assert library.count(PaperFilter(digest="Dec 25")) == 0
    assert library.find_digests("Mar 14") == [mar["id"]]
    assert library.find_digests("nothing") == []


def test_a_file_with_two_pasted_pages_keeps_each_pages_label(home: Path) -> None:
    with Library.open(home) as library:
        library.import_parsed(
            info("two pages.txt", label="May 1"),
            [paper(1, label="May 1"), paper(2, label="May 2"), paper(3, label=None)],
        )
        assert library.count(PaperFilter(digest="May 2")) == 1
        assert library.count(PaperFilter(digest="May 1")) == 2  # unlabelled take the file's
        labels = [p.sightings[0].label for p in library.list_papers(sort="added")]
        assert labels == ["May 1", "May 2", "May 1"]


# --- ids -----------------------------------------------------------------------------------------


def test_resolve_exact_prefix_ambiguous_unknown(library: Library) -> None:
    every = library.list_ids()
    target = every[0]
    assert library.resolve(target) == target
    assert library.resolve(target.upper()) == target
    unique = next(
        target[:n] for n in range(1, 11) if sum(i.startswith(target[:n]) for i in every) == 1
    )
    assert library.resolve(unique) == target
    # These ten fixed titles give ids of which several start with the same hex digit.
    shared = next(i[:1] for i in every if sum(j.startswith(i[:1]) for j in every) > 1)
    with pytest.raises(AmbiguousPaper, match="matches several papers") as caught:
        library.resolve(shared)
    assert all(m.startswith(shared) for m in caught.value.matches)
    with pytest.raises(UnknownPaper, match="no paper with id 'zz'"):
        library.resolve("zz")
    with pytest.raises(UnknownPaper):
        library.resolve("")
    with pytest.raises(UnknownPaper):
        library.get(target[:5])


def test_papers_keeps_order_skips_unknown_and_reads_in_chunks(home: Path) -> None:
    with Library.open(home) as library:
        report = library.import_parsed(info("big.txt"), [paper(n) for n in range(1234)])
        wanted = list(reversed(report.paper_ids)) + ["0000000000"]
        got = library.papers(wanted)
        assert [p.id for p in got] == wanted[:-1]
        assert got[-1].title == title_for(0) and got[0].title == title_for(1233)
        assert [r["id"] for r in library.rows(wanted)] == wanted[:-1]


def test_full_record_and_light_row(library: Library) -> None:
    (pid,) = ids_of(library, [2])
    library.set_note(pid, "Note")
    library.add_tags([pid], ["b-tag", "A-tag"])
    p = library.get(pid)
    assert p.title == title_for(2) and p.abstract == paper(2).abstract
    assert p.published == dt.date(2024, 3, 1) and p.upvotes == 20
    assert p.tags == ["A-tag", "b-tag"]
    assert [(s.label, s.position, s.upvotes) for s in p.sightings] == [
        ("Jan 16", 3, 20),
        ("Mar 14", 6, 20),
        ("Apr 1", 1, None),
    ]
    assert isinstance(p.added_at, dt.datetime) and p.added_at.tzinfo is not None
    (row,) = library.rows([pid])
    assert set(row) == {
        "id", "title", "starred", "read", "read_at", "published", "upvotes", "seen", "has_note",
        "tags", "organization", "authors_count", "added_at",
    }
    assert (row["has_note"], row["seen"], row["tags"], row["starred"]) == (
        True, 3, ["A-tag", "b-tag"], False
    )
    assert p.to_json()["sightings"][0] == {"digest": 1, "label": "Jan 16", "position": 3}


# --- ledger, tags, stats -------------------------------------------------------------------------


def test_digests_ledger_newest_first_with_counts(library: Library) -> None:
    ledger = library.digests()
    assert [(d["label"], d["entries"], d["new"], d["known"], d["papers"]) for d in ledger] == [
        ("Apr 1", 1, 0, 1, 1),
        ("Mar 14", 6, 4, 2, 6),
        ("Jan 16", 6, 6, 0, 6),
    ]
    assert ledger[0]["name"] == "apr.txt" and isinstance(ledger[0]["imported_at"], dt.datetime)


def test_tags_sorted_by_name_with_counts(library: Library) -> None:
    a, b, c = ids_of(library, [1, 2, 3])
    library.add_tags([a, b], ["vision", "Agents"])
    library.add_tags([c], ["VISION"])
    assert library.tags() == [("Agents", 2), ("vision", 3)]


def test_stats(library: Library) -> None:
    a, b = ids_of(library, [1, 2])
    library.set_starred([a], True)
    library.set_read([a, b], True)
    library.set_note(b, "x")
    library.add_tags([a], ["t"])
    stats = library.stats()
    assert {k: stats[k] for k in ("papers", "read", "unread", "starred", "notes", "tags",
                                  "digests")} == {
        "papers": 10, "read": 2, "unread": 8, "starred": 1, "notes": 1, "tags": 1, "digests": 3,
    }
    assert stats["path"] == library.path and stats["size_bytes"] >= library.path.stat().st_size


# --- the plans that keep a 100k library instant --------------------------------------------------


@pytest.mark.parametrize("sort", ["added", "published", "upvotes", "title", "read_at", "seen"])
def test_every_default_sort_walks_an_index_without_sorting(library: Library, sort: str) -> None:
    from readinglist.library.queries import order_by

    plan = library.db.execute(
        f"EXPLAIN QUERY PLAN SELECT p.id FROM papers p {order_by(sort, None)} LIMIT 50"
    ).fetchall()
    details = " / ".join(row[3] for row in plan)
    assert "USING" in details and "INDEX" in details, details
    assert "TEMP B-TREE" not in details, details
