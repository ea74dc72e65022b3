"""Bulk build of a new Whoosh index from the whole library, on both cores when it pays.

The parent reads papers from the store in batches and hands documents to Whoosh's
multiprocessing writer (``procs=2, multisegment=True``) started with **spawn**: forking from a
multi-threaded process (the GUI) can deadlock, and Python 3.12+ warns about it. Each worker
analyzes its share and writes its own segment; no merge afterwards (merging two 50k-paper
segments would cost more than it saves at query time). Small libraries use one writer in
this process, where starting workers would cost more than the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from readinglist.search.schema import document

if TYPE_CHECKING:
    from whoosh.fields import Schema

    from readinglist.library import Library
    from readinglist.search.index import IndexProgress

BATCH = 500
PARALLEL_MIN_PAPERS = 4000
WORKERS = 2
# Postings memory per writer before Whoosh spills sorted runs to disk (per worker process).
LIMIT_MB = 256


def build_index(
    library: Library, storage: Any, indexname: str, schema: Schema, workers: int | None = None
) -> Iterator[IndexProgress]:
    """Write index ``indexname`` in ``storage`` holding every paper of ``library``."""
    from readinglist.search.index import IndexProgress
    from readinglist.search.index import _store_fingerprints as store_fingerprints

    ix = whoosh_index.create_in(storage.folder, schema, indexname=indexname)
    ids = library.list_ids(sort="added", descending=False)
    total = len(ids)
    stamps = store_fingerprints(library)
    procs = WORKERS if workers is None else workers
    if total >= PARALLEL_MIN_PAPERS and procs > 1:
        writer: Any = ix.writer(
            procs=procs,
            multisegment=True,
            start_method="spawn",
            limitmb=LIMIT_MB,
            batchsize=250,
        )
    else:
        writer = SegmentWriter(ix, limitmb=LIMIT_MB)
    try:
        yield IndexProgress("reading", 0, total, "reading the library")
        done = 0
        for start in range(0, total, BATCH):
            for paper in library.papers(ids[start : start + BATCH]):
                writer.add_document(**document(paper, stamps.get(paper.id, b"")))
            done = min(total, start + BATCH)
            yield IndexProgress("reading", done, total, f"{done:,} of {total:,} papers")
        yield IndexProgress("writing", total, total, "writing the index")
        writer.commit()
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # noqa: BLE001,S110 - already failing; the original error matters
            pass
        raise
