"""Writing a fresh segment fast: Whoosh's own files, written a posting block at a time."""

from __future__ import annotations

import itertools
import operator
import os
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from readinglist.search.engine import columns, derived, vocabulary
from readinglist.search.engine.postings import postings_by_term
from readinglist.search.engine.schema import EXACT_FIELDS, PaperText, WeightedPositions

# Postings memory per writer before Whoosh spills sorted runs to disk (per worker process):
# about 150 bytes per posting, ~200 postings per paper, so a build's segments fit without a spill.
LIMIT_MB = 1024
# Text postings kept as flat triples before they move into their terms' arrays (BulkSegmentWriter
# ._pending): ~50 bytes each, so ~25 MB; fewer moves per term than settling after every batch.
SETTLE_POSTINGS = 500_000
VALUES_CACHED = 10_000  # per field (BulkSegmentWriter._index)
# The pickle protocol of a posting block's data (its ids, weights and values). Whoosh's writer
# uses protocol 2, which has no opcode for bytes: each encoded value (a posting's positions)
# becomes a call of ``_codecs.encode`` on a latin-1 string, ~30 bytes more per posting. Whoosh
# reads a block with ``pickle.loads``, which takes any protocol, so the block is the same to it;
# with protocol 4 the positions field's pickles are a third smaller, the segment a third
# smaller, and pickling, compressing and unpickling a block all take less time
# (docs/benchmarks.md). The block's summary stays at protocol 2, as Whoosh writes it.
BLOCK_PROTOCOL = 4
# Postings per block. Whoosh's writer puts 128; its reader takes any number (a block's summary
# says how many). With 256 a 100k-paper index is 9 % smaller and cold queries are no slower
# (p95 86 ms, 95-106 with 128); building takes about the same CPU (3 % less for 5,000 papers,
# 77-78 CPU-s either way at 100k). docs/benchmarks.md.
BLOCK_POSTINGS = 256


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter for building a fresh index: the same files, far less work per posting.

    Whoosh's writer turns every posting into a tuple, sorts all of them, then feeds them one
    at a time through its codec (four type checks and a handful of calls each). A fresh
    segment's documents arrive in order, so here each term's postings are appended to three
    arrays (document numbers, weights, encoded values) as documents are analyzed (text
    fields' postings come from ``postings_by_term``, keyed by the term as text, and wait in
    a flat list per term until ``_settle`` moves a few thousand documents' worth at once into
    the arrays), and at the
    end each term's blocks and term-table row are written whole (``_write_terms``): the
    bytes on disk are the ones Whoosh writes, but for the pickle protocol of the blocks' data
    (``BLOCK_PROTOCOL``) and the postings per block (``BLOCK_POSTINGS``):
    ``tests/core/test_search_build.py`` compares them with Whoosh's writer set to the same two,
    and searches the result with plain Whoosh. Field lengths come from memory instead of being
    read back from the file just written. Only the options our schema uses are supported:
    anything else is refused up front.
    """

    def __init__(self, ix: Any, limitmb: int = LIMIT_MB, **kwargs: Any) -> None:
        kwargs.setdefault("codec", W3Codec(blocklimit=BLOCK_POSTINGS))
        super().__init__(ix, limitmb=limitmb, **kwargs)
        # Whoosh names a writer's spill folder after the index, so two writers of one index
        # (our workers, or Whoosh's own MpWriter) delete each other's sorted runs. Use our own.
        self._tempstorage = self.storage.temp_storage(
            f"{self.indexname}.{os.getpid()}.{self.newsegment.segid}.tmp"
        )
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector:
                raise ValueError(f"BulkSegmentWriter does not support field {name!r}")
        self._lengths: dict[str, dict[int, int]] = {}
        # field -> term bytes -> (document numbers, weights, encoded values)
        self._postings: dict[str, dict[bytes, _TermPostings]] = {}
        self._fixed: dict[str, bool] = {}
        self._paper_ids: list[Any] = []  # for the segment's derived "ids" file
        # field -> term -> the latest documents' postings of a text field, as flat (docnum,
        # weight, value) triples: one list extension per posting instead of an append to each
        # of three arrays (half the time: one container touched, not three, per posting).
        # ``_settle`` moves them into the terms' arrays every SETTLE_POSTINGS postings (a list
        # holds a float object per weight) and before the segment is written.
        self._pending: dict[str, dict[str, list[Any]]] = {}
        self._pending_count = 0
        # Text fields whose postings come from postings_by_term, keyed by the term as text
        # (encoded once per term when the segment is written): field -> (exact, boost).
        self._text_fields = {
            name: (isinstance(field.format, WeightedPositions), field.format.field_boost)
            for name, field in self.schema.items()
            if isinstance(field, PaperText) and not field.column_type and not field.stored
        }
        self._fields = dict(self.schema.items())
        # field -> value -> its postings (``field.index(value)``), for the other indexed fields
        # but the unique id: flags, dates, counts, digest labels and tags repeat from paper to
        # paper, and Whoosh's analysis of one costs as much as a short title's.
        self._value_postings: dict[str, dict[Any, tuple[Any, ...]]] = {
            name: {}
            for name, field in self._fields.items()
            if field.indexed and name not in self._text_fields and not field.unique
        }

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        schema = self._fields
        docnum = self.docnum
        perdoc.start_doc(docnum)
        self._paper_ids.append(fields.get("id"))
        for fieldname in sorted(fields):  # Whoosh's order: the same bytes in every file
            value = fields[fieldname]
            if value is None or (value == "" and fieldname in self._text_fields):
                continue  # an empty text (most papers' note and org) adds nothing anywhere
            field = schema[fieldname]
            length = 0
            if field.indexed:
                terms = self._postings.get(fieldname)
                if terms is None:
                    terms = self._postings[fieldname] = {}
                    size = field.format.fixed_value_size()
                    self._fixed[fieldname] = size is not None and size >= 0
                fixed = self._fixed[fieldname]
                text = self._text_fields.get(fieldname)
                if text is not None and isinstance(value, str):
                    weights, values, length = postings_by_term(value, *text)
                    pending = self._pending.get(fieldname)
                    if pending is None:
                        pending = self._pending[fieldname] = {}
                    _add_text_postings(pending, docnum, weights, values)
                    self._pending_count += len(values)
                else:
                    if self._pending.get(fieldname):
                        self._settle()  # a text field's odd value: postings stay in order
                    postings = self._index(fieldname, field, value)
                    length = _add_postings(terms, docnum, fixed, postings)
                if length and field.scorable:
                    self._lengths.setdefault(fieldname, {})[docnum] = length
                else:
                    length = 0
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(
                    fieldname, field.column_type, field.to_column_value(value)
                )
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        if self._pending_count >= SETTLE_POSTINGS:
            self._settle()

    def _index(
        self, fieldname: str, field: Any, value: Any
    ) -> Iterable[tuple[bytes, int, float, bytes]]:
        """``field.index(value)``, from the cache of values met before when it has one."""
        seen = self._value_postings.get(fieldname)
        if seen is None:
            return field.index(value)
        key = (value.__class__, value)  # True and 1 are equal keys, not equal values
        try:
            return seen[key]
        except KeyError:
            found = tuple(field.index(value))
            if len(seen) < VALUES_CACHED:
                seen[key] = found
            return found
        except TypeError:  # a value that cannot be a key
            return field.index(value)

    def _settle(self) -> None:
        """Move the pending postings of text fields into their terms' arrays, in order."""
        for fieldname, pending in self._pending.items():
            terms = self._postings[fieldname]
            fixed = self._fixed[fieldname]
            get = terms.get
            for term, flat in pending.items():
                entry = get(term)
                if entry is None:
                    entry = terms[term] = _TermPostings(fixed)
                entry.ids.extend(flat[0::3])
                entry.weights.extend(flat[1::3])
                if fixed:
                    entry.values += b"".join(flat[2::3])
                else:
                    entry.values.extend(flat[2::3])
            pending.clear()
        self._pending_count = 0

    def _flush_segment(self) -> None:
        self._settle()
        self.perdocwriter.close()
        writer = self.fieldwriter
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue  # Whoosh numbers only the fields that have postings
            _write_terms(
                writer, fieldname, self.schema[fieldname], terms,
                _stored_lengths(self._lengths.get(fieldname), self.docnum),
                text=fieldname in self._text_fields,
            )
        words = {
            fieldname: {_text(term): len(self._postings[fieldname][term].ids)
                        for term in sorted(self._postings[fieldname])}
            for fieldname in EXACT_FIELDS.values() if self._postings.get(fieldname)
        }
        self._postings = {}
        writer.close()
        self._save_derived(words)

    def _save_derived(self, words: dict[str, dict[str, int]]) -> None:
        """The derived files a first query would otherwise compute from this segment."""
        folder = getattr(self.storage, "folder", None)
        if folder is None or self.docnum == 0:
            return
        name, count = self.newsegment.segment_id(), self.docnum
        ids = self._paper_ids
        if len(ids) == count and all(isinstance(i, str) and i for i in ids):
            body = columns.ids_file(ids)
            if body is not None:
                derived.save_written(Path(folder), name, count, "ids", body)
        for fieldname, found in words.items():
            body = vocabulary.words_file(found)
            if body is not None:
                derived.save_written(Path(folder), name, count,
                                     vocabulary.words_kind(fieldname), body)


def _stored_lengths(lengths: dict[int, int] | None, count: int) -> list[int] | None:
    """A field's length per document number as Whoosh's writer sees it (0: none), or None.

    Lengths as stored (one byte, approximate), in a list: a block's lengths are then read
    with ``map`` in C rather than a dictionary lookup per posting in Python.
    """
    if not lengths:
        return None
    stored = [0] * count
    rounded: dict[int, int] = {}
    for docnum, length in lengths.items():
        found = rounded.get(length)
        if found is None:
            found = rounded[length] = byte_to_length(length_to_byte(length))
        stored[docnum] = found
    return stored


def _text(term: Any) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _add_postings(
    terms: dict[bytes, _TermPostings],
    docnum: int,
    fixed: bool,
    postings: Iterable[tuple[bytes, int, float, bytes]],
) -> int:
    """Append one document's postings of a field (as ``field.index`` gives them)."""
    length = 0
    for tbytes, freq, weight, vbytes in postings:
        length += freq
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = _TermPostings(fixed)
        entry.ids.append(docnum)
        entry.weights.append(weight)
        if not vbytes:
            pass
        elif fixed:
            entry.values += vbytes
        else:
            entry.values.append(vbytes)
    return length


def _add_text_postings(
    pending: dict[str, list[Any]], docnum: int, weights: dict[str, float], values: list[bytes]
) -> None:
    """Append one document's postings of a text field to the field's pending triples."""
    get = pending.get
    for term, weight, vbytes in zip(weights, weights.values(), values, strict=True):
        flat = get(term)
        if flat is None:
            flat = pending[term] = []
        flat += (docnum, weight, vbytes)


class _TermPostings:
    """One term's postings in a new segment, in document order."""

    __slots__ = ("ids", "weights", "values", "fixed")

    def __init__(self, fixed: bool) -> None:
        self.ids = array("I")
        self.weights = array("d")
        # Fixed-size values (frequencies) as one byte string, as Whoosh's block stores them;
        # variable ones (positions) one bytes object per posting.
        self.values: Any = bytearray() if fixed else []
        self.fixed = fixed


_TERM_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part (not inlined)


def _write_terms(
    writer: Any,
    fieldname: str,
    field: Any,
    terms: dict[Any, _TermPostings],
    lengths: list[int] | None,
    text: bool,
) -> None:
    """Write a field's posting lists and term table rows: the bytes Whoosh's W3 codec writes.

    What ``W3PostingsWriter`` (blocks of ``blocklimit`` postings: pickled, zlib-compressed
    from ``COMPRESSION_MIN_SIZE`` bytes, each behind a pickled summary) and ``W3TermInfo``
    (per-term statistics) write, a whole block at a time instead of a posting at a time,
    the block's data pickled with ``BLOCK_PROTOCOL``.
    """
    codec = writer._codec
    limit, compression = codec._blocklimit, codec._compression
    if codec._inlinelimit > 1:
        raise ValueError("inlined postings are not supported")
    writer.start_field(fieldname, field)
    fieldid = pack_ushort(writer._fieldid)
    postfile, table = writer._postfile, writer._tindex
    size = field.format.fixed_value_size()
    fixed = size is not None and size >= 0
    offset = postfile.tell()
    for term in sorted(terms):  # text terms: str order is UTF-8 byte order
        postings = terms[term]
        ids, weights, values = postings.ids, postings.weights, postings.values
        count = len(ids)
        if count == 1:  # a third of the terms: the same bytes with a fraction of the work
            blob, row = _single_posting(ids[0], weights, values, fixed, size, lengths,
                                        compression, offset)
            postfile.write(blob)
            table.add(fieldid + (term.encode("utf-8") if text else term), row)
            offset += len(blob)
            continue
        chunks = [WHOOSH3_HEADER_MAGIC]
        total = maxweight = maxlength = 0
        minlength = None
        for start in range(0, count, limit):
            end = min(start + limit, count)
            block_ids = ids[start:end]
            block_weights = weights[start:end]
            # Whoosh keeps the block's weights as float32 but its maximum as the double.
            single = array("f", block_weights)
            top = max(block_weights)
            n = end - start
            if single.count(1.0) == n:
                mini_weights: Any = None
            elif single.count(single[0]) == n:
                mini_weights = single[0]
            else:
                mini_weights = tuple(single)
            if not fixed:
                mini_values: Any = tuple(values[start:end])
            elif size == 0:
                mini_values = None
            else:
                mini_values = bytes(values[start * size : end * size])
            mini_ids = tuple(map(operator.sub, block_ids, itertools.chain((0,), block_ids)))
            data = pickle.dumps((mini_ids, mini_weights, mini_values), BLOCK_PROTOCOL)
            level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if level:
                data = zlib.compress(data, level)
            if lengths:
                found = list(filter(None, map(lengths.__getitem__, block_ids)))
                low = min(found) if found else None
                high = max(found) if found else 0
            else:
                low, high = None, 0
            info = pickle.dumps(
                (n, block_ids[-1], top, level, length_to_byte(low), length_to_byte(high)), 2
            )
            size_bytes = len(info) + len(data)
            chunks += (pack_int(-size_bytes if end == count else size_bytes), info, data)
            total += sum(single)
            minlength = low if minlength is None else min(minlength, low)
            maxlength = max(maxlength, high)
            maxweight = max(maxweight, top)
        blob = b"".join(chunks)
        postfile.write(blob)
        row = _TERM_INFO.pack(
            0, total, count, 0 if minlength is None else length_to_byte(minlength),
            length_to_byte(maxlength), maxweight, ids[0], ids[-1],
        ) + pack_long(offset) + pack_int(len(blob))
        table.add(fieldid + (term.encode("utf-8") if text else term), row)
        offset += len(blob)
    writer.finish_field()


def _single_posting(
    docnum: int,
    weights: array,
    values: Any,
    fixed: bool,
    size: int | None,
    lengths: list[int] | None,
    compression: int,
    offset: int,
) -> tuple[bytes, bytes]:
    """The posting list and term table row of a term in one document (``_write_terms``)."""
    single = array("f", weights)
    weight = single[0]
    if not fixed:
        mini_values: Any = (values[0],)
    elif size == 0:
        mini_values = None
    else:
        mini_values = bytes(values)
    data = pickle.dumps(
        ((docnum,), None if weight == 1.0 else weight, mini_values), BLOCK_PROTOCOL
    )
    level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
    if level:
        data = zlib.compress(data, level)
    length = lengths[docnum] if lengths else 0
    low = length_to_byte(length or None)
    high = length_to_byte(length)
    top = weights[0]
    info = pickle.dumps((1, docnum, top, level, low, high), 2)
    blob = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-(len(info) + len(data))), info, data))
    row = _TERM_INFO.pack(
        0, sum(single), 1, low if length else 0, high, max(0, top), docnum, docnum
    ) + pack_long(offset) + pack_int(len(blob))
    return blob, row


def finish_segment(writer: BulkSegmentWriter) -> Any:
    """Close a worker's writer without a table of contents; the segment, for the parent's TOC.

    What Whoosh's own multiprocessing writer does with ``multisegment=True``.
    """
    segment = writer._finalize_segment()
    writer._finish()
    return segment
