"""Whole columns read at once (engine/columns.py) give what Whoosh gives a document at a time."""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import query as wq

from readinglist.library import Library
from readinglist.search import SearchIndex
from readinglist.search.engine import columns

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = [
    ROOT / "tests" / "fixtures" / "search" / "conformance.txt",
    ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt",
    *sorted((ROOT / "tests" / "fixtures" / "digests").glob("layout*.txt")),
]


@contextmanager
def two_segments(tmp_path: Path) -> Iterator[SearchIndex]:
    """The index of DIGESTS after an update: a second segment, and deleted documents."""
    home = tmp_path / "home"
    with Library.open(home) as library, SearchIndex.open(home) as index:
        for _ in library.import_files(DIGESTS):
            pass
        list(index.ensure_fresh(library))
        library.set_starred(library.list_ids()[:4], True)
        list(index.ensure_fresh(library))
        yield index


def test_ids_lengths_and_ranges_equal_whooshs_own_reading(tmp_path: Path) -> None:
    with two_segments(tmp_path) as index:
        whoosh = index.searcher().reader.whoosh
        reader = whoosh.reader()
        assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
        column = reader.column_reader("id")
        names = columns.paper_ids(reader)
        assert [names[d] for d in reader.all_doc_ids()] == [
            column[d] for d in reader.all_doc_ids()]
        for leaf, _offset in reader.leaf_readers():
            for field in ("text", "title", "note", "org", "text_exact"):
                assert columns.field_lengths(leaf, field) == [
                    leaf.doc_field_length(d, field, 1) or 1 for d in range(leaf.doc_count_all())]
        values = {f: sorted({reader.column_reader(f)[d] for d in reader.all_doc_ids()})
                  for f in ("published", "upvotes")}
        # A sort column only (no postings, since schema 5): Whoosh answers, with nothing.
        assert columns.numeric_range(reader, "added", None, None, False, False) is None
        assert not list(whoosh.docs_for_query(wq.NumericRange("added", None, None)))
        checked = 0
        for field, known in values.items():
            bounds = [None, 0, known[0], known[len(known) // 2], known[-1], known[-1] + 1]
            for start, end, sx, ex in itertools.product(bounds, bounds, (False, True),
                                                        (False, True)):
                query = wq.NumericRange(field, start, end, startexcl=sx, endexcl=ex)
                try:
                    expected = set(whoosh.docs_for_query(query))
                except struct.error:  # Whoosh cannot encode a bound below 0 (< 0)
                    continue
                found = columns.numeric_range(reader, field, start, end, sx, ex)
                assert found == expected, (field, start, end, sx, ex)
                checked += bool(expected)
        assert checked > 50


def test_a_page_s_ids_are_whoosh_s_with_ids_of_one_length_or_not(tmp_path: Path) -> None:
    with two_segments(tmp_path) as index:
        reader = index.searcher().reader.whoosh.reader()
        live = list(reader.all_doc_ids())
        column = reader.column_reader("id")
        expected = [column[d] for d in live]
        columns.paper_ids(reader)  # every segment's derived id file saved
        columns._CACHE.clear()
        assert columns._few_ids(reader, live) == expected
        assert columns.ids_of(reader, live[::-1]) == expected[::-1]
        # Ids of different lengths: not sliced out by position; read whole instead.
        leaf = reader.leaf_readers()[0][0]
        count = leaf.doc_count_all()
        assert columns._id_lines(leaf) is not None
        uneven = [f"p{'x' * (i % 3)}{i}" for i in range(count)]
        columns.derived.save(leaf, "ids", columns.ids_file(uneven))
        columns._CACHE.clear()
        assert columns._id_lines(leaf) is None and columns._few_ids(reader, live) is None
