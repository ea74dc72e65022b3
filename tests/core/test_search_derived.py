"""Derived files beside the index's segments (engine/derived.py) change speed, never answers.

Every test compares whole answers (totals, ids in order, scores, suggestions) with the answers
computed from Whoosh's own files, with no derived file and no in-memory cache: with the
derived files, with each kind of damage to them, and after writers killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readinglist.library import Library, PaperFilter
from readinglist.search import SearchIndex
from readinglist.search.engine import columns, derived, ranking, repair, sets, vocabulary

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DIGESTS = [
    FIXTURES / "search" / "conformance.txt",
    ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt",
    *sorted((FIXTURES / "digests").glob("layout*.txt")),
]
QUERIES = [
    "diffusion", "language model", "transformer", '"text to image"', '"state of the art"',
    "generati*", "trans*", "transfomer~", "segmantation~2", "title:agent", "tag:later",
    "diffusion -video", "gan OR vae", "is:starred", "year:2024", "tokenizr", "transfomer",
    "", "llm",
]
KINDS = ("ids", "text_exact.words")


def forget_memory() -> None:
    """Drop every in-process cache keyed by segment, as a new process starts."""
    columns._CACHE.clear()
    vocabulary._SEGMENTS.clear()
    with ranking._postings_lock:
        ranking._postings_cache.clear()
        ranking._postings_cached = 0
    sets._PHRASES.clear()


def answers(home: Path, library: Library) -> list[Any]:
    """Every query's answer from a new SearchIndex with nothing cached in memory."""
    forget_memory()
    with SearchIndex.open(home) as index:
        out: list[Any] = []
        for text in QUERIES:
            for sort in ("rank", "published"):
                r = index.search(text, sort=sort, limit=None, snippets=False, library=library)
                out.append((text, sort, r.total, [(h.id, h.score) for h in r.hits],
                            r.suggestion, r.corrected))
        digest = PaperFilter(digest="Mar 14")
        r = index.search("model", filter=digest, limit=None, snippets=False, library=library)
        out.append(("digest", r.total, r.ids))
        return out


def cache_files(home: Path) -> list[Path]:
    return sorted((home / "index").glob("*" + repair.DERIVED_SUFFIX))


@contextlib.contextmanager
def leaves(home: Path) -> Iterator[list[Any]]:
    """The segment readers of the index in ``home`` (closed afterwards)."""
    with SearchIndex.open(home) as index:
        yield [leaf for leaf, _o in index.searcher().reader.whoosh.reader().leaf_readers()]


@pytest.fixture()
def built(tmp_path: Path):
    """A library of the fixture digests whose index has three segments (two updates)."""
    home = tmp_path / "home"
    library = Library.open(home)
    for _ in library.import_files(DIGESTS):
        pass
    with SearchIndex.open(home) as index:
        list(index.ensure_fresh(library))
        ids = library.list_ids()
        library.set_starred(ids[:3], True)
        list(index.ensure_fresh(library))
        library.add_tags(ids[3:5], ["later"])
        list(index.ensure_fresh(library))
    for path in cache_files(home):
        path.unlink()
    with derived_writes_off():
        expected = answers(home, library)
    assert not cache_files(home)
    yield home, library, expected
    library.close()


class derived_writes_off:  # noqa: N801 - reads as a context
    """No derived file written meanwhile: answers from Whoosh's files alone."""

    def __enter__(self) -> None:
        self.saved = derived.save
        derived.save = lambda *a, **k: None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        derived.save = self.saved  # type: ignore[assignment]


def test_answers_are_the_same_with_derived_files(built) -> None:
    home, library, expected = built
    with leaves(home) as segments:
        assert len(segments) >= 3  # several segments: words and ids of each are combined
    assert answers(home, library) == expected  # reads Whoosh's files, saves derived ones
    names = {p.name.split(".", 1)[1] for p in cache_files(home)}
    assert names == {f"{kind}{repair.DERIVED_SUFFIX}" for kind in KINDS}
    with leaves(home) as segments:
        for leaf in segments:
            for kind in KINDS:
                assert derived.load(leaf, kind) is not None, kind
    before = {p: p.stat().st_mtime_ns for p in cache_files(home)}
    assert answers(home, library) == expected  # now from the derived files
    assert {p: p.stat().st_mtime_ns for p in cache_files(home)} == before  # read, not redone


def damage_truncate(path: Path, other: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_flip_a_byte(path: Path, other: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x20
    path.write_bytes(bytes(data))


def damage_empty(path: Path, other: Path) -> None:
    path.write_bytes(b"")


def damage_garbage(path: Path, other: Path) -> None:
    path.write_bytes(os.urandom(4096))


def damage_another_segment(path: Path, other: Path) -> None:
    path.write_bytes(other.read_bytes())  # valid file, stale for this segment


def damage_other_documents(path: Path, other: Path) -> None:
    # A self-consistent file (its checksum matches) made for another state of the segment.
    head, body = path.read_bytes().split(b"\n", 1)
    head = head.replace(b'"documents": ', b'"documents": 1')
    path.write_bytes(head + b"\n" + body)


@pytest.mark.parametrize("damage", [damage_truncate, damage_flip_a_byte, damage_empty,
                                    damage_garbage, damage_another_segment,
                                    damage_other_documents])
@pytest.mark.parametrize("kind", KINDS)
def test_damaged_or_stale_derived_files_are_ignored_and_rewritten(built, damage, kind) -> None:
    home, library, expected = built
    answers(home, library)  # writes the derived files
    files = [p for p in cache_files(home) if p.name.endswith(f".{kind}{repair.DERIVED_SUFFIX}")]
    others = [p for p in cache_files(home) if p not in files]
    assert files and others
    for path in files:
        damage(path, others[0])
    with leaves(home) as segments:
        assert all(derived.load(leaf, kind) is None for leaf in segments)
    assert answers(home, library) == expected
    with leaves(home) as segments:
        assert all(derived.load(leaf, kind) is not None for leaf in segments)  # written again


def test_a_folder_that_cannot_be_written_costs_speed_only(built, monkeypatch) -> None:
    home, library, expected = built

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(derived, "atomic_write", refuse)
    assert answers(home, library) == expected
    assert not cache_files(home)


def test_the_manifest_and_repair_leave_derived_files_out(built) -> None:
    home, library, expected = built
    answers(home, library)
    folder = home / "index"
    with SearchIndex.open(home) as index:
        ix = index._current()
        repair.write_manifest(folder, ix)
        listed = {name for files in repair.segment_files(folder, ix).values() for name in files}
        assert listed and not any(name.endswith(repair.DERIVED_SUFFIX) for name in listed)
        for path in cache_files(home):
            path.write_bytes(b"x")  # damaged derived files are not damage to the index
        assert repair.damage(folder, ix) is None
    assert answers(home, library) == expected


def test_derived_files_go_with_their_segments(built) -> None:
    home, library, expected = built
    answers(home, library)
    folder = home / "index"
    orphan = folder / f"papers_1_zzzzzzzzzzzzzzzz.ids{repair.DERIVED_SUFFIX}"
    orphan.write_bytes(b"of a segment no table of contents names")
    with SearchIndex.open(home) as index:
        assert orphan.name in repair.remove_orphans(folder, index._current())
        index._current().optimize()  # one segment: Whoosh deletes the others' files
    with leaves(home) as segments:
        live = {leaf.segment().segment_id() for leaf in segments}
    assert len(live) == 1
    assert all(p.name.split(".", 1)[0] in live for p in cache_files(home))
    # Merging drops deleted papers from the statistics: scores move, so compare afresh.
    for path in cache_files(home):
        path.unlink()
    with derived_writes_off():
        merged = answers(home, library)
    assert [a[:3] for a in merged] == [a[:3] for a in expected]  # same totals
    assert answers(home, library) == merged
    assert len(cache_files(home)) == len(KINDS)


def test_a_killed_writers_temporary_file_is_removed_later(built) -> None:
    home, library, _expected = built
    answers(home, library)
    with leaves(home) as segments:
        leaf = segments[0]
        target = derived.path_for(home / "index", leaf.segment().segment_id(), "ids")
        stale = target.with_name(f".{target.name}.0badc0de.tmp")
        stale.write_bytes(b"half a file")
        old = time.time() - derived.STALE_TEMPORARY_S - 60
        os.utime(stale, (old, old))
        derived.save(leaf, "ids", b"anything")
        assert not stale.exists()


WRITER = """
import sys
from pathlib import Path
from readinglist.library import Library
from readinglist.search import SearchIndex
from readinglist.search.engine import columns, vocabulary

home = Path(sys.argv[1])
library = Library.open(home)
print("ready", flush=True)
while True:
    for path in (home / "index").glob("*.cache"):
        path.unlink()
    columns._CACHE.clear()
    vocabulary._SEGMENTS.clear()
    with SearchIndex.open(home) as index:
        index.search("transfomer~", limit=None, snippets=False, library=library)
        index.search("diffusion", limit=None, snippets=False, library=library)
"""


@pytest.mark.slow
def test_kill_9_while_writing_derived_files_leaves_usable_state(built) -> None:
    home, library, expected = built
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt in range(6):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(home)], env=env,
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.15 * attempt)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        # Whatever the kill left under a final name is whole: it loads, or it is absent.
        with leaves(home) as segments:
            for leaf in segments:
                for kind in KINDS:
                    name = leaf.segment().segment_id()
                    if derived.path_for(home / "index", name, kind).exists():
                        assert derived.load(leaf, kind) is not None
        assert answers(home, library) == expected


def test_a_bulk_build_writes_the_derived_files_a_reader_would(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Library.open(home) as library, SearchIndex.open(home) as index:
        for _ in library.import_files(DIGESTS):
            pass
        list(index.ensure_fresh(library))  # a new index: one bulk-built segment
    written = {p.name: p.read_bytes() for p in cache_files(home)}
    assert {name.split(".", 1)[1] for name in written} >= {
        f"{kind}{repair.DERIVED_SUFFIX}" for kind in KINDS}
    for path in cache_files(home):
        path.unlink()
    forget_memory()
    with leaves(home) as segments:
        assert len(segments) == 1
        columns.paper_ids(segments[0])
        for name in written:
            kind = name.split(".", 1)[1].removesuffix(repair.DERIVED_SUFFIX)
            if kind != "ids":
                vocabulary._segment_words(segments[0], kind.removesuffix(".words"))
    assert {p.name: p.read_bytes() for p in cache_files(home) if p.name in written} == written
