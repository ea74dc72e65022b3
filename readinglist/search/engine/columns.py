"""Whole columns of a segment read at once: every paper id, every field length.

Whoosh reads a column a document at a time (a seek, a read and a few Python calls each): at
100k papers, mapping 66,000 hits to their paper ids took 0.6 s and reading one field's
lengths for BM25F 0.2 s in a fresh process. Both columns are plain arrays in the segment's
files, so one read and one C-speed pass give all of them. Segments never change once written
(deletions are kept apart), so what is read here is remembered per segment; a column that
is not what this module expects is read through Whoosh's own accessors instead.
"""

from __future__ import annotations

import sys
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from typing import Any

from whoosh.util.numeric import byte_to_length

from readinglist.search.engine import derived


class DamagedColumn(Exception):  # noqa: N818 - reads as what was found
    """A column file is shorter than its segment says, or a paper has no id."""


# One byte per document encodes a field length (Whoosh's lossy length byte); 0 means none.
_LENGTHS = [1] + [byte_to_length(b) or 1 for b in range(1, 256)]

_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SEGMENTS = 64  # columns kept (a few per segment: ids, then lengths of queried fields)


def segment_key(leaf: Any) -> str | None:
    """A name for this segment's contents, or None (not a segment: nothing is remembered)."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


def paper_ids(reader: Any) -> list[str]:
    """The paper id of every document of the index ``reader`` reads, by document number.

    Deleted documents keep their (old) id: callers only ask for live documents.
    """
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    if len(leaves) == 1:
        return _remembered(leaves[0][0], "id", _segment_ids)
    found: list[str] = []
    for leaf, offset in leaves:
        if len(found) != offset:
            raise DamagedColumn("segments out of order")
        found.extend(_remembered(leaf, "id", _segment_ids))
    return found


def segment_paper_ids(leaf: Any) -> list[str]:
    """The paper id of every document of one segment's reader (deleted ones too)."""
    return _remembered(leaf, "id", _segment_ids)


def ids_of(reader: Any, docnums: list[int]) -> list[str]:
    """The paper ids of these documents of the index ``reader`` reads."""
    if not docnums:
        return []
    if len(docnums) <= FEW_IDS:
        found = _few_ids(reader, docnums)
        if found is not None:
            return found
    ids = paper_ids(reader)
    return [ids[d] for d in docnums]


FEW_IDS = 1000  # a page's ids are sliced out of the saved files, not all ids split


def _few_ids(reader: Any, docnums: list[int]) -> list[str] | None:
    """``ids_of`` from the segments' derived id files when their ids all have one length.

    A fresh process naming a page of 20 hits split 100,000 ids first (~5 ms at 100k papers).
    None: a segment without such a file (the caller reads every id, and saves the file).
    """
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    starts = [offset for _leaf, offset in leaves]
    found: list[str] = []
    for docnum in docnums:
        leaf, offset = leaves[bisect_right(starts, docnum) - 1]
        lines = _remembered(leaf, "id lines", _id_lines)
        if lines is None:
            return None
        body, width = lines
        at = (docnum - offset) * (width + 1)
        found.append(body[at : at + width].decode("utf-8"))
    return found


def _id_lines(leaf: Any) -> tuple[bytes, int] | None:
    """A segment's derived id file and the length of every id in it, or None (not so)."""
    count = leaf.doc_count_all()
    saved = derived.load(leaf, "ids") if count else None
    if saved is None:
        return None
    width = saved.find(b"\n") if count > 1 else len(saved)
    # Every id ``width`` bytes long: each id's line ends exactly where a newline stands.
    if width < 1 or len(saved) != count * (width + 1) - 1:
        return None
    if saved[width :: width + 1] != b"\n" * (count - 1):
        return None
    return saved, width


def field_lengths(leaf: Any, fieldname: str) -> list[int]:
    """Every document's length of ``fieldname`` in one segment (as BM25F reads it)."""
    return _remembered(leaf, ("length", fieldname), lambda r: _segment_lengths(r, fieldname))


def numeric_range(
    reader: Any, fieldname: str, start: Any, end: Any, startexcl: bool, endexcl: bool
) -> set[int] | None:
    """Live documents whose value of an unsigned integer field is in the range, from its column.

    Whoosh's range query walks a tiered term tree and its matcher a document at a time
    (~0.1 s for ``year:2024`` at 100k papers); the column is one array per segment. Every
    document of ours has a value for each numeric field (``document.document``), so the
    column and the terms agree. None: not answerable so (a signed or decimal field, a segment
    without the column, a bound that is not an integer, a field without postings): the
    caller asks Whoosh.
    """
    field = reader.schema[fieldname] if fieldname in reader.schema else None
    if (getattr(field, "numtype", None) is not int or getattr(field, "signed", True)
            or getattr(field, "decimal_places", 0) or not getattr(field, "indexed", False)):
        return None  # (not indexed: a sort column only, which Whoosh's range never matches)
    if any(b is not None and type(b) is not int for b in (start, end)):
        return None
    low = -1 if start is None else start + (1 if startexcl else 0)
    high = 2 ** 64 if end is None else end - (1 if endexcl else 0)
    found: set[int] = set()
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    for leaf, offset in leaves:
        if leaf.doc_count_all() == 0:
            continue
        values = _remembered(leaf, ("numbers", fieldname), lambda r: _numbers(r, fieldname))
        if values is None:
            return None
        hits = [d for d, v in enumerate(values) if low <= v <= high]
        if leaf.has_deletions():
            deleted = getattr(leaf, "deleted_docs_set", None)  # a property in whoosh3
            if callable(deleted):
                deleted = deleted()
            if not isinstance(deleted, (set, frozenset)):
                deleted = {d for d in hits if leaf.is_deleted(d)}
            hits = [d for d in hits if d not in deleted]
        found.update(map(offset.__add__, hits) if offset else hits)
    return found


def _numbers(leaf: Any, fieldname: str) -> array | None:
    """A NumericColumn's values for every document of the segment, or None."""
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None or not perdoc.has_column(fieldname):
        return None
    column = leaf.column_reader(fieldname, translate=False)
    needed = ("_typecode", "_fixedlen", "_count", "_dbfile", "_basepos", "_default")
    if not all(hasattr(column, name) for name in needed):
        return None
    count = leaf.doc_count_all()
    stored = min(column._count, count)  # trailing documents with the default: not written
    data = column._dbfile.get(column._basepos, stored * column._fixedlen)
    if len(data) != stored * column._fixedlen:
        raise DamagedColumn(f"the column of {fieldname} is truncated")
    values = array(column._typecode)
    if values.itemsize != column._fixedlen:
        return None
    values.frombytes(data)
    if sys.byteorder == "little":
        values.byteswap()  # stored big-endian ("!" struct order)
    values.extend([column._default] * (count - stored))
    return values


def _remembered(leaf: Any, what: Any, read: Any) -> Any:
    name = segment_key(leaf)
    if name is None:
        return read(leaf)
    key = (name, leaf.doc_count_all(), what)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found = read(leaf)
    with _CACHE_LOCK:
        _CACHE[key] = found
        while len(_CACHE) > CACHE_SEGMENTS:
            _CACHE.popitem(last=False)
    return found


def _segment_ids(leaf: Any) -> list[str]:
    count = leaf.doc_count_all()
    if count == 0:
        return []
    saved = derived.load(leaf, "ids")
    if saved is not None:
        ids = saved.decode("utf-8").split("\n")
        if len(ids) == count and all(ids):
            return ids
    ids = _column_ids(leaf, count)
    body = ids_file(ids)
    if body is not None:
        derived.save(leaf, "ids", body)
    return ids


def ids_file(ids: list[str]) -> bytes | None:
    """The body of a segment's derived "ids" file, or None (not representable)."""
    if any("\n" in i for i in ids):
        return None
    return "\n".join(ids).encode("utf-8")


def _column_ids(leaf: Any, count: int) -> list[str]:
    column = leaf.column_reader("id", translate=False)
    raw = _var_bytes(column, count)
    values = raw if raw is not None else list(column)
    ids = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
    if len(ids) != count or not all(ids):
        # Whoosh reads a missing column file as empty values.
        raise DamagedColumn("a paper in the search index has no id")
    return ids


def _var_bytes(column: Any, count: int) -> list[bytes] | None:
    """A VarBytesColumn's values in one read, or None for another kind of column."""
    needed = ("_dbfile", "_basepos", "_lengths", "_offsets")
    if not all(hasattr(column, name) for name in needed):
        return None
    lengths, offsets = column._lengths, column._offsets
    if len(lengths) != count or len(offsets) != count:
        raise DamagedColumn("the id column does not cover its segment")
    size = offsets[-1] + lengths[-1]
    data = column._dbfile.get(column._basepos, size)
    if len(data) != size:
        raise DamagedColumn("the id column is truncated")
    return [data[o : o + n] for o, n in zip(offsets, lengths, strict=True)]


def _segment_lengths(leaf: Any, fieldname: str) -> list[int]:
    count = leaf.doc_count_all()
    raw = _length_bytes(leaf, fieldname, count)
    if raw is not None:
        return list(map(_LENGTHS.__getitem__, raw))
    length = leaf.doc_field_length
    return [length(d, fieldname, 1) or 1 for d in range(count)]


def _length_bytes(leaf: Any, fieldname: str, count: int) -> bytes | None:
    """The length column's bytes (one per document), padded with zeros; None: not readable so."""
    try:  # whoosh 2.7/3.x codec internals; anything else takes the public accessor
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except (AttributeError, ImportError):
        return None
    if column is None:
        return bytes(count)  # no document has the field
    if getattr(column, "_fixedlen", None) != 1 or not hasattr(column, "_count"):
        return None
    stored = min(column._count, count)  # trailing documents without the field are not written
    data = column._dbfile.get(column._basepos, stored)
    if len(data) != stored:
        raise DamagedColumn(f"the length column of {fieldname} is truncated")
    return data + bytes(count - stored)
