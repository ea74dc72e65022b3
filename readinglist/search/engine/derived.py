"""Derived files beside a segment: what a fresh process would otherwise recompute from it.

A segment never changes once written, so anything computed from it alone (the words of a
field and how many papers use each) can be saved once and read by every later process in a
fraction of the time: at 100k papers, walking Whoosh's term table for the vocabulary a fuzzy
word needs takes ~2 s, reading the saved list ~30 ms.

Each file is named after its segment (``<segment id>.<kind>.cache``), so Whoosh's orphan
cleanup and a rebuild's removal of old indexes delete it with its segment
(``repair.remove_orphans``); ``repair`` leaves ``.cache`` files out of the size manifest, since
they are not the index. A file starts with a header naming its format, segment, kind,
document count, body size and a CRC-32 of the body; anything that does not match exactly
(another segment's file, a truncated or damaged one, an older format) is ignored and written
again, so a cache can make a query faster but never change its answer. A bulk build writes
them with its segments (``bulk.py``: it has the ids and words in hand); other segments get
theirs from the first process that reads them. Files are written
atomically (``readinglist.atomic``: a temporary file renamed over), so a killed writer leaves
the old file or none. Writing is best effort: a read-only or full disk only costs speed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from readinglist.atomic import atomic_write
from readinglist.search.engine.repair import DERIVED_SUFFIX as SUFFIX

log = logging.getLogger(__name__)

FORMAT = 1
STALE_TEMPORARY_S = 600  # a killed writer's temporary file is removed after this


def folder_of(leaf: Any) -> Path | None:
    """The index folder a segment reader reads from, or None (an index not in a folder)."""
    storage = leaf.storage() if hasattr(leaf, "storage") else None
    storage = getattr(storage, "b", storage)  # a compound segment: the folder's storage
    folder = getattr(storage, "folder", None)
    return Path(folder) if folder else None


def path_for(folder: Path, segment_id: str, kind: str) -> Path:
    return folder / f"{segment_id}.{kind}{SUFFIX}"


def load(leaf: Any, kind: str) -> bytes | None:
    """The saved body for this segment and ``kind``, or None when absent or not trustworthy."""
    where = _where(leaf, kind)
    if where is None:
        return None
    path, stamp = where
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _checked(data, stamp)


def save(leaf: Any, kind: str, body: bytes) -> None:
    """Save ``body`` as the derived file of this segment and ``kind`` (best effort)."""
    where = _where(leaf, kind)
    if where is None:
        return
    _save(*where, body)


def save_written(folder: Path, segment_id: str, documents: int, kind: str, body: bytes) -> None:
    """``save`` for a segment its writer has just written (and so already knows ``body``)."""
    _save(path_for(folder, segment_id, kind), _stamp(segment_id, documents, kind), body)


def _save(path: Path, stamp: dict[str, Any], body: bytes) -> None:
    header = dict(stamp, size=len(body), crc=zlib.crc32(body))
    try:
        # Not durable: a cache lost or garbled by a power cut fails its check and is redone.
        atomic_write(path, json.dumps(header).encode("ascii") + b"\n" + body, durable=False,
                     guard=False)
    except OSError as error:
        log.debug("could not save %s: %s", path, error)
        return
    _remove_stale_temporaries(path.parent)


def _where(leaf: Any, kind: str) -> tuple[Path, dict[str, Any]] | None:
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    folder = folder_of(leaf)
    if segment is None or folder is None:
        return None
    segment_id = segment.segment_id()
    return path_for(folder, segment_id, kind), _stamp(segment_id, segment.doc_count_all(), kind)


def _stamp(segment_id: str, documents: int, kind: str) -> dict[str, Any]:
    return {"format": FORMAT, "segment": segment_id, "kind": kind, "documents": documents,
            "byteorder": sys.byteorder}


def _checked(data: bytes, stamp: dict[str, Any]) -> bytes | None:
    end = data.find(b"\n")
    if end < 0:
        return None
    try:
        header = json.loads(data[:end])
    except ValueError:
        return None
    if not isinstance(header, dict) or any(header.get(k) != v for k, v in stamp.items()):
        return None
    body = data[end + 1 :]
    if header.get("size") != len(body) or header.get("crc") != zlib.crc32(body):
        return None
    return body


def _remove_stale_temporaries(folder: Path) -> None:
    # Hidden temporaries of writers killed mid-write (readinglist.atomic's naming).
    limit = time.time() - STALE_TEMPORARY_S
    for stale in folder.glob(f".*{SUFFIX}.*.tmp"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < limit:
                stale.unlink()
