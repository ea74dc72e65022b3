"""Bulk build of a new Whoosh index from the whole library, on both cores when it pays.

Big libraries are split between worker *processes* started with ``subprocess`` (``python -O -m
readinglist.search.build``): never ``fork`` (the GUI calls this from a thread, and forking a
multi-threaded process can deadlock), and not ``multiprocessing``'s spawn either, which
re-imports the caller's ``__main__``. Each worker reads its share of papers from the store
itself, analyzes them and writes one finished segment (as Whoosh's own multiprocessing writer
does with ``multisegment=True``); the parent then writes the index's table of contents naming
those segments. No merge afterwards: merging two 50k-paper segments would cost more than it
saves at query time. Small libraries are indexed in this process.

A worker notices when its parent died (a kill -9 of the app) and stops; whatever it wrote is
not named by any table of contents and is deleted by the next build.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import operator
import os
import pickle
import selectors
import subprocess
import sys
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from readinglist.search.schema import document

if TYPE_CHECKING:
    from whoosh.fields import Schema

    from readinglist.library import Library
    from readinglist.search.index import IndexProgress

log = logging.getLogger(__name__)

BATCH = 500
PARALLEL_MIN_PAPERS = 3000
# Big segments stay separate files: whoosh copies a compound segment's files into memory
# (BytesIO) for every searcher it opens: +570 MB RSS and a ~300 ms first query at 100k,
# with the GIL held during the copy (the app's window stalls). Measured in docs/benchmarks.md.
COMPOUND = False
# Postings memory per writer before Whoosh spills sorted runs to disk (per worker process):
# about 150 bytes per posting, ~200 postings per paper, so SEGMENT_PAPERS fit without a spill.
LIMIT_MB = 1024
SEGMENT_PAPERS = 25_000


class WorkerFailed(Exception):  # noqa: N818 - reads as what happened
    """A worker process could not index its share (the caller indexes in-process instead)."""


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


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def build_index(
    library: Library,
    storage: Any,
    indexname: str,
    schema: Schema,
    workers: int | None = None,
    limitmb: int = LIMIT_MB,
) -> Iterator[IndexProgress]:
    """Write index ``indexname`` in ``storage`` holding every paper of ``library``.

    ``limitmb``: postings memory per writer before sorted runs spill to disk.
    """
    from readinglist.search.index import IndexProgress

    ix = whoosh_index.create_in(storage.folder, schema, indexname=indexname)
    ids = library.list_ids(sort="added", descending=False)
    total = len(ids)
    procs = default_workers() if workers is None else workers
    yield IndexProgress("reading", 0, total, "reading the library")
    if total >= PARALLEL_MIN_PAPERS and procs > 1:
        try:
            yield from _build_in_workers(
                library, ix, storage, indexname, schema, ids, procs, limitmb
            )
            return
        except WorkerFailed as error:
            # E.g. a packaged app whose executable cannot run "-m module": one core it is.
            log.warning("indexing in worker processes failed (%s); indexing here", error)
            ix = whoosh_index.create_in(storage.folder, schema, indexname=indexname)
    yield from _build_here(library, ix, ids, limitmb)


def _add_papers(
    writer: Any, library: Library, ids: Sequence[str]
) -> Iterator[int]:
    """Add these papers to ``writer``; yields how many are done after each batch."""
    from readinglist.search.index import _store_fingerprints

    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        stamps = _store_fingerprints(library, chunk)
        for paper in library.papers(chunk):
            writer.add_document(**document(paper, stamps.get(paper.id, b"")))
        done += len(chunk)
        yield done


def _build_here(
    library: Library, ix: Any, ids: Sequence[str], limitmb: int
) -> Iterator[IndexProgress]:
    from readinglist.search.index import IndexProgress

    total = len(ids)
    writer = BulkSegmentWriter(ix, limitmb=limitmb, compound=COMPOUND)
    try:
        for done in _add_papers(writer, library, ids):
            yield IndexProgress("reading", done, total, f"{done:,} of {total:,} papers")
        yield IndexProgress("writing", total, total, "writing the index")
        writer.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise


def _build_in_workers(
    library: Library,
    ix: Any,
    storage: Any,
    indexname: str,
    schema: Schema,
    ids: Sequence[str],
    procs: int,
    limitmb: int,
) -> Iterator[IndexProgress]:
    from whoosh.index import TOC

    from readinglist.search.index import IndexProgress

    folder = Path(storage.folder)
    total = len(ids)
    share = -(-total // procs)
    jobs = []
    for number in range(procs):
        part = ids[number * share : (number + 1) * share]
        if not part:
            continue
        job = folder / f"{indexname}.job{number}.json"
        job.write_text(json.dumps(part))
        jobs.append((job, folder / f"{indexname}.job{number}.segment"))
    workers: list[subprocess.Popen[str]] = []
    selector = selectors.DefaultSelector()
    progress: dict[int, int] = {}
    try:
        for number, (job, result) in enumerate(jobs):
            command = [
                sys.executable, "-O", "-m", "readinglist.search.build",
                "--home", str(library.home), "--index", str(folder), "--name", indexname,
                "--job", str(job), "--out", str(result), "--parent", str(os.getpid()),
                "--limitmb", str(limitmb),
            ]
            worker = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=_worker_env(),
            )
            workers.append(worker)
            assert worker.stdout is not None
            selector.register(worker.stdout, selectors.EVENT_READ, number)
            progress[number] = 0
        open_pipes = len(workers)
        while open_pipes:
            for key, _mask in selector.select(timeout=1.0):
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if not line:
                    selector.unregister(key.fileobj)
                    open_pipes -= 1
                    continue
                with contextlib.suppress(ValueError):
                    progress[key.data] = int(line)
                done = min(sum(progress.values()), total)
                yield IndexProgress("reading", done, total, f"{done:,} of {total:,} papers")
        segments = []
        for worker, (_job, result) in zip(workers, jobs, strict=True):
            _out, err = worker.communicate()
            if worker.returncode != 0 or not result.exists():
                raise WorkerFailed(err.strip()[-2000:] or f"exit status {worker.returncode}")
            with open(result, "rb") as f:
                segments.extend(pickle.load(f))  # noqa: S301 - our own worker's file
        yield IndexProgress("writing", total, total, "writing the index")
        TOC(schema, segments, ix.latest_generation() + 1).write(storage, indexname)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            for stream in (worker.stdout, worker.stderr):
                if stream is not None:
                    stream.close()
        selector.close()
        for job, result in jobs:
            job.unlink(missing_ok=True)
            result.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (folder / f"{indexname}.tmp").rmdir()  # the (empty) spill folder Whoosh made


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    # The worker must import this very package, wherever it is running from.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def _worker(args: argparse.Namespace) -> int:
    """One worker process: index the papers listed in the job file into one segment."""
    from readinglist.library import Library

    ids = json.loads(Path(args.job).read_text())
    ix = whoosh_index.open_dir(args.index, indexname=args.name)
    segments = []
    finished = 0
    with Library.open(Path(args.home)) as library:
        # One segment per SEGMENT_PAPERS: a writer whose postings outgrow memory sorts them in
        # runs on disk and merges those in Python, which made a 100k build twice as slow.
        for start in range(0, len(ids), SEGMENT_PAPERS):
            writer = BulkSegmentWriter(ix, _lk=False, limitmb=args.limitmb, compound=COMPOUND)
            for done in _add_papers(writer, library, ids[start : start + SEGMENT_PAPERS]):
                if args.parent and os.getppid() != args.parent:
                    writer.cancel()
                    return 3  # the app that started us is gone
                print(finished + done, flush=True)
            finished += min(SEGMENT_PAPERS, len(ids) - start)
            segments.append(writer._finalize_segment())
            writer._finish()
    tmp = Path(args.out + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(segments, f)
    os.replace(tmp, args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="An index-building worker (internal).")
    parser.add_argument("--home", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--job", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--parent", type=int, default=0)
    parser.add_argument("--limitmb", type=int, default=LIMIT_MB)
    return _worker(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
