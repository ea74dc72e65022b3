"""The bulk writer writes what Whoosh's own writer writes, and Whoosh alone can search it."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import QueryParser
from whoosh.writing import SegmentWriter

from readinglist.library import Library
from readinglist.search import SearchIndex
from readinglist.search.document import document
from readinglist.search.engine import bulk, repair
from readinglist.search.engine.bulk import BulkSegmentWriter
from readinglist.search.engine.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.core.test_search_cli import make_library  # noqa: E402


def _write(folder: Path, writer_class: type, documents: list[dict]) -> Path:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname="papers_1")
    # Ours writes BLOCK_POSTINGS postings per block; Whoosh's writer is told the same.
    writer = writer_class(ix, compound=False, codec=W3Codec(blocklimit=bulk.BLOCK_POSTINGS))
    for fields in documents:
        writer.add_document(**fields)
    writer.commit(merge=False)
    return folder


def _segment_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of the one segment, by extension (segment ids are random)."""
    ix = whoosh_index.open_dir(str(folder), indexname="papers_1")
    (segment,) = ix._segments()
    prefix = segment.segment_id()
    return {
        path.name[len(prefix):]: path.read_bytes()
        for path in folder.iterdir() if path.name.startswith(prefix + ".")
    }


@pytest.mark.parametrize("settle", [None, 1000])  # 1000: pending postings moved ~150 times
def test_bulk_writer_writes_the_bytes_whoosh_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settle: int | None
) -> None:
    if settle is not None:
        monkeypatch.setattr(bulk, "SETTLE_POSTINGS", settle)
    home = tmp_path / "home"
    make_library(home, 400)
    with Library.open(home) as library:
        ids = library.list_ids(sort="added", descending=False)
        library.set_note(ids[3], "a note, with words: zebra zebra migration")
        library.add_tags([ids[4]], ["to read", "vision"])
        documents = [document(paper, b"fp") for paper in library.papers(ids)]
    ours = _segment_bytes(_write(tmp_path / "ours", BulkSegmentWriter, documents))
    # Whoosh's writer as ours differs from it: a block's data (ids, weights, values: the one
    # 3-tuple its postings writer pickles) at BLOCK_PROTOCOL, its summary as it was.
    def dumps(obj: object, protocol: int) -> bytes:
        if isinstance(obj, tuple) and len(obj) == 3:
            protocol = bulk.BLOCK_PROTOCOL
        return pickle.dumps(obj, protocol)

    monkeypatch.setattr(whoosh3, "dumps", dumps)
    whoosh = _segment_bytes(_write(tmp_path / "whoosh", SegmentWriter, documents))
    # Ours also leaves the segment's derived files (engine/derived.py), which are not the index.
    derived = {ext for ext in ours if ext.endswith(repair.DERIVED_SUFFIX)}
    assert {".ids.cache", ".text_exact.words.cache"} <= derived
    ours = {ext: data for ext, data in ours.items() if ext not in derived}
    assert set(ours) == set(whoosh)
    assert {".pst", ".trm", ".id.col"} <= set(ours)
    for ext in sorted(whoosh):
        assert ours[ext] == whoosh[ext], ext


@pytest.mark.slow  # builds 4,000 papers with worker processes
def test_the_built_index_is_a_plain_whoosh_index(tmp_path: Path) -> None:
    """Whoosh by itself (its query parser, searcher and scoring) searches what we built."""
    home = tmp_path / "home"
    make_library(home, 4000)  # above PARALLEL_MIN_PAPERS: segments written by workers
    with Library.open(home) as library, SearchIndex.open(home) as index:
        for _ in index.rebuild(library):
            pass
        ours = index.search("diffusion model", library=library, limit=5000)
        state = index.state
        assert state is not None
        word_ids = {
            p.id for p in library.papers(library.list_ids())
            if "diffusion" in f"{p.title} {p.abstract}".lower()
        }
    ix = whoosh_index.open_dir(str(index.path), indexname=state.indexname)
    assert len(ix._segments()) >= 2
    storage = FileStorage(str(index.path))
    assert storage.file_exists(f"_{state.indexname}_{ix.latest_generation()}.toc")
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 4000
        query = QueryParser("text", ix.schema).parse("diffusion")
        found = {hit["id"] for hit in searcher.search(query, limit=None)}
        assert found == word_ids  # stemmed "diffusion": papers with the word
        both = QueryParser("text", ix.schema).parse("diffusion model")
        hits = searcher.search(both, limit=None)
        assert len(hits) == ours.total
        assert [hit["id"] for hit in hits[:20]] == ours.ids[:20]


@pytest.mark.slow  # 4,000 papers, then 3,200 written again by worker processes
def test_an_index_with_appended_segments_and_deletions_is_a_plain_whoosh_index(
    tmp_path: Path,
) -> None:
    """An append (new segments, old versions deleted in the old ones) is still Whoosh's index."""
    from readinglist.search.build import PARALLEL_MIN_PAPERS

    home = tmp_path / "home"
    make_library(home, 4000)
    with Library.open(home) as library, SearchIndex.open(home) as index:
        for _ in index.rebuild(library):
            pass
        ids = library.list_ids(sort="added", descending=False)
        changed = ids[:3200]
        assert len(changed) >= PARALLEL_MIN_PAPERS  # written by the worker processes
        library.set_starred(changed, True)
        library.set_note(changed[7], "a marmoset note")
        removed = library.delete(ids[-50:])
        before = len(store_segments(index))
        steps = list(index.write_papers(library, changed + removed, library.generation))
        assert steps[-1].done == len(changed) + len(removed)
        assert index.is_fresh(library)
        assert len(store_segments(index)) > before  # appended, not rebuilt
        ours = index.search("diffusion model", library=library, limit=5000)
        state = index.state
        assert state is not None
        live = set(library.list_ids())
    ix = whoosh_index.open_dir(str(index.path), indexname=state.indexname)
    assert sum(s.deleted_count() for s in ix._segments()) == len(changed) + len(removed)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 3950 == len(live)
        assert {hit["id"] for hit in searcher.search(QueryParser("id", ix.schema).parse("*"),
                                                     limit=None)} == live
        note = QueryParser("text", ix.schema).parse("marmoset")
        assert [hit["id"] for hit in searcher.search(note)] == [changed[7]]
        starred = searcher.search(QueryParser("starred", ix.schema).parse("true"), limit=None)
        assert {hit["id"] for hit in starred} == set(changed)
        both = QueryParser("text", ix.schema).parse("diffusion model")
        hits = searcher.search(both, limit=None)
        assert len(hits) == ours.total
        assert [hit["id"] for hit in hits[:20]] == ours.ids[:20]
    # The manifest lists the new segments, so damage to them is found.
    assert repair.damage(index.path, ix) is None
    assert set(repair._read_manifest(index.path)) == {s.segment_id() for s in ix._segments()}


def store_segments(index: SearchIndex) -> list:
    return whoosh_index.open_dir(str(index.path), indexname=index.state.indexname)._segments()
