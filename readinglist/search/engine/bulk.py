"""Writing a fresh segment fast: Whoosh's own files, written a posting block at a time."""

from __future__ import annotations

import itertools
import operator
import os
from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# Postings memory per writer before Whoosh spills sorted runs to disk (per worker process):
# about 150 bytes per posting, ~200 postings per paper, so a build's segments fit without a spill.
LIMIT_MB = 1024


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter for building a fresh index: the same files, far less work per posting.

    Whoosh's writer turns every posting into a tuple, sorts all of them, then feeds them one
    at a time through its codec (four type checks and a handful of calls each). A fresh
    segment's documents arrive in order, so here each term's postings are appended to three
    arrays (document numbers, weights, encoded values) as documents are analyzed, and at the
    end every term is written a *block* at a time through Whoosh's own block writer: the
    bytes on disk are the ones Whoosh writes (``tests/core/test_search_build.py`` compares
    them with Whoosh's writer and searches the result with plain Whoosh). Field lengths come
    from memory instead of being read back from the file just written. Only the options our
    schema uses are supported: anything else is refused up front.
    """

    def __init__(self, ix: Any, limitmb: int = LIMIT_MB, **kwargs: Any) -> None:
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

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        perdoc.start_doc(docnum)
        for fieldname in sorted(fields):  # Whoosh's order: the same bytes in every file
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                terms = self._postings.get(fieldname)
                if terms is None:
                    terms = self._postings[fieldname] = {}
                    size = field.format.fixed_value_size()
                    self._fixed[fieldname] = size is not None and size >= 0
                fixed = self._fixed[fieldname]
                for tbytes, freq, weight, vbytes in field.index(value):
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

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue  # Whoosh numbers only the fields that have postings
            lengths = self._lengths.get(fieldname)
            if lengths:
                # What Whoosh's writer sees: lengths as stored (one byte, approximate).
                lengths = {d: byte_to_length(length_to_byte(n)) for d, n in lengths.items()}
            writer.start_field(fieldname, self.schema[fieldname])
            blocks = writer._postwriter
            blocks.__class__ = _BlockWriter
            for tbytes in sorted(terms):
                writer.start_term(tbytes)
                blocks.write_term(terms[tbytes], lengths)
                writer.finish_term()
            writer.finish_field()
        self._postings = {}
        writer.close()


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


class _BlockWriter(W3PostingsWriter):
    """Whoosh's W3 postings writer, fed a block of postings at a time (same bytes)."""

    def write_term(self, postings: _TermPostings, lengths: dict[int, int] | None) -> None:
        ids, weights, values = postings.ids, postings.weights, postings.values
        limit = self._blocklimit
        count = len(ids)
        size = self._format.fixed_value_size() if postings.fixed else None
        for start in range(0, count, limit):
            end = min(start + limit, count)
            block_ids = ids[start:end]
            self._ids = block_ids
            block_weights = weights[start:end]
            # Whoosh keeps the block's weights as float32 but its maximum as the double.
            self._weights = array("f", block_weights)
            self._maxweight = max(block_weights)
            if not values:
                self._values = []
            elif size:
                self._values = [values[start * size : end * size]]  # joined by _mini_values
            else:
                self._values = values[start:end]
            if lengths:
                found = [n for n in map(lengths.get, block_ids) if n]
                self._minlength = min(found) if found else None
                self._maxlength = max(found) if found else 0
            else:
                self._minlength, self._maxlength = None, 0
            self._write_block(last=end == count)

    def _mini_ids(self) -> tuple[int, ...]:
        ids = self._ids
        return tuple(map(operator.sub, ids, itertools.chain((0,), ids)))

    def _mini_weights(self) -> Any:
        weights = self._weights
        count = len(weights)
        if weights.count(1.0) == count:
            return None
        if weights.count(weights[0]) == count:
            return weights[0]
        return tuple(weights)

    def _mini_values(self) -> Any:
        size = self._format.fixed_value_size()
        values = self._values
        if size is None or size < 0:
            return tuple(values)
        if size == 0:
            return None
        return bytes(values[0]) if values else b""


def finish_segment(writer: BulkSegmentWriter) -> Any:
    """Close a worker's writer without a table of contents; the segment, for the parent's TOC.

    What Whoosh's own multiprocessing writer does with ``multisegment=True``.
    """
    segment = writer._finalize_segment()
    writer._finish()
    return segment
