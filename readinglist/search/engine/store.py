"""The index on disk: opening, creating and writing Whoosh indexes, and their file locks.

Everything the rest of the package does to the index's files goes through here (or through
``bulk`` for a fresh segment and ``repair`` for damage), so another engine or another
Whoosh distribution changes this folder only.
"""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.util import fib
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from readinglist.search.engine import columns, repair

WRITE_TIMEOUT_S = 30.0


def open_index(folder: Path, name: str) -> Any:
    """The Whoosh index ``name`` in ``folder``; raises whatever Whoosh raises when unreadable."""
    return whoosh_index.open_dir(str(folder), indexname=name)


def open_checked(folder: Path, name: str) -> tuple[Any, str | None]:
    """``(index, None)``, or ``(None, why)`` when its files are unreadable or damaged."""
    # Whoosh leaves the file of a table of contents it failed to read open until the error
    # is dropped: drop it here, where that ResourceWarning is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        ix = None
        failure = None
        try:
            ix = whoosh_index.open_dir(str(folder), indexname=name)
        except Exception as error:  # noqa: BLE001 - unreadable means "rebuild"
            failure = str(error) or type(error).__name__
        if failure is None:
            failure = repair.damage(folder, ix)
        if failure is not None:
            ix = None
            gc.collect()
    return ix, failure


def create_index(folder: Path, schema: Any, name: str) -> Any:
    """A new, empty index ``name`` in ``folder``."""
    return whoosh_index.create_in(str(folder), schema, indexname=name)


def storage(folder: Path) -> Any:
    return FileStorage(str(folder))


def file_lock(folder: Path, name: str) -> Any:
    """A lock file in ``folder`` (``acquire(blocking=)``/``release()``); a kill releases it."""
    return FileStorage(str(folder)).lock(name)


def paper_count(ix: Any) -> int:
    """Papers in the index, from its table of contents (no searcher opened: cheap at 100k)."""
    return ix.doc_count()


def segment_count(ix: Any) -> int:
    return len(_segments(ix))


def _segments(ix: Any) -> list[Any]:
    return ix._segments() if hasattr(ix, "_segments") else []


def write_toc(folder: Path, ix: Any, schema: Any, segments: Sequence[Any], name: str) -> None:
    """Make ``segments`` (written by worker processes) the contents of index ``name``."""
    from whoosh.index import TOC

    final = [s for s in segments if s.doc_count_all()]
    TOC(schema, final, ix.latest_generation() + 1).write(storage(folder), name)


class Append:
    """One commit that adds new segments to an index and deletes papers from its old ones.

    What Whoosh's ``MpWriter(multisegment=True)`` does, without its per-posting writer: the
    new segments are written by ``bulk.BulkSegmentWriter`` (here, or in worker processes,
    see ``readinglist.search.build``), the old versions of the papers are marked deleted in
    the segments already there (the table of contents holds deletions), and one new table of
    contents names them all. The index's write lock is held from before the first new file
    is written until the commit: ``repair.remove_orphans`` and Whoosh's own commits delete
    files no table of contents names, and must not take a segment being written for one. A
    kill before the commit leaves only such orphans (deleted by the next writer); the table
    of contents is written atomically (a temporary file renamed over).
    """

    def __init__(self, folder: Path, ix: Any, timeout: float = WRITE_TIMEOUT_S) -> None:
        self.folder = folder
        self.ix = ix
        self._lock = ix.lock("WRITELOCK")
        if not try_for(self._lock.acquire, timeout=timeout, delay=0.05):
            raise LockError("another process is writing the search index")
        self._open = True

    def __enter__(self) -> Append:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if self._open:
            self._release()
        if kind is not None:
            # A failed or abandoned write (a full disk): its new files go now, or they
            # would fill the space the user frees.
            with contextlib.suppress(Exception):
                repair.remove_orphans(self.folder, self.ix)

    def commit(self, segments: Sequence[Any], replaced: Iterable[str]) -> None:
        """Name ``segments`` in the index, deleting the papers ``replaced`` from the old ones."""
        from whoosh.index import TOC, clean_files

        toc = self.ix._read_toc()
        old = list(toc.segments)
        _delete_papers(self.ix.storage, toc.schema, old, set(replaced))
        final = old + [s for s in segments if s.doc_count_all()]
        generation = toc.generation + 1
        TOC(toc.schema, final, generation).write(self.ix.storage, self.ix.indexname)
        # Older tables of contents, and files no segment in use names (what Whoosh's commit
        # deletes too); readers that still have them open keep reading them.
        clean_files(self.ix.storage, self.ix.indexname, generation, final)
        repair.write_manifest(self.folder, self.ix)
        self._release()

    def _release(self) -> None:
        self._open = False
        self._lock.release()


def _delete_papers(storage: Any, schema: Any, segments: Sequence[Any], ids: set[str]) -> None:
    """Mark the documents of these paper ids deleted in ``segments`` (their TOC entries)."""
    if not ids:
        return
    from whoosh.reading import SegmentReader

    for segment in segments:
        if not segment.doc_count_all():
            continue
        reader = SegmentReader(storage, schema, segment)
        try:
            names = columns.segment_paper_ids(reader)
        finally:
            reader.close()
        for docnum, name in enumerate(names):
            if name in ids and not segment.is_deleted(docnum):
                segment.delete_document(docnum)


def merge_small_segments(folder: Path, ix: Any) -> bool:
    """Merge the small segments left by updates; True if there was anything to merge.

    Nothing is written when Whoosh's policy would merge nothing: a commit would still write a
    new table of contents, and a new version of the index makes every open window list again.
    """
    if not _merge_small_would_merge(_segments(ix)):
        return False
    writer = SegmentWriter(ix, timeout=WRITE_TIMEOUT_S, delay=0.05)
    try:
        writer.commit()  # the default policy merges only the small segments
    except BaseException:
        _cancel(folder, ix, writer)
        raise
    repair.write_manifest(folder, ix)
    return True


def _merge_small_would_merge(segments: Sequence[Any]) -> bool:
    """Whether ``whoosh.writing.MERGE_SMALL`` (a commit's default policy) merges any of these.

    Its rule: with the segments from smallest to largest, the first ``i`` above 3 at which the
    documents so far number fewer than ``fib(i + 5)`` is the merge point; no merge point, no
    merge.
    """
    total = 0
    for i, count in enumerate(sorted(s.doc_count_all() for s in segments)):
        total += max(count, 0)
        if i > 3 and total < fib(i + 5):
            return True
    return False


def _cancel(folder: Path, ix: Any, writer: Any) -> None:
    with contextlib.suppress(Exception):
        writer.cancel()
    with contextlib.suppress(Exception):
        repair.remove_orphans(folder, ix)
