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
from whoosh.writing import SegmentWriter

from readinglist.search.engine import repair

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
    return len(ix._segments()) if hasattr(ix, "_segments") else 0


def write_toc(folder: Path, ix: Any, schema: Any, segments: Sequence[Any], name: str) -> None:
    """Make ``segments`` (written by worker processes) the contents of index ``name``."""
    from whoosh.index import TOC

    TOC(schema, list(segments), ix.latest_generation() + 1).write(storage(folder), name)


def write_documents(
    folder: Path, ix: Any, documents: Iterable[dict[str, Any]], removed: Iterable[str]
) -> None:
    """Replace these documents (by ``id``) and delete the ids ``removed``, in one commit.

    No merge here: a merge at 100k papers takes seconds; ``merge_small_segments`` runs when
    idle. A failed commit (a full disk) deletes its new segment's files, or they would fill
    the space the user frees.
    """
    writer = SegmentWriter(ix, timeout=WRITE_TIMEOUT_S, delay=0.05)
    try:
        for document in documents:
            writer.update_document(**document)
        for paper_id in removed:
            writer.delete_by_term("id", paper_id)
        writer.commit(merge=False)
    except BaseException:
        _cancel(folder, ix, writer)
        raise
    repair.write_manifest(folder, ix)


def merge_small_segments(folder: Path, ix: Any) -> bool:
    """Merge the small segments left by updates; True if there was anything to merge."""
    if segment_count(ix) <= 2:
        return False
    writer = SegmentWriter(ix, timeout=WRITE_TIMEOUT_S, delay=0.05)
    try:
        writer.commit()  # the default policy merges only the small segments
    except BaseException:
        _cancel(folder, ix, writer)
        raise
    repair.write_manifest(folder, ix)
    return True


def _cancel(folder: Path, ix: Any, writer: Any) -> None:
    with contextlib.suppress(Exception):
        writer.cancel()
    with contextlib.suppress(Exception):
        repair.remove_orphans(folder, ix)
