"""Writing many papers at once as new segments: a whole new index, or an append to one.

``build_index`` writes a new index from the whole library; ``write_segments`` writes any set
of papers as new segments for ``store.Append`` to add to the current index (a catch-up, or a
burst of changes the indexer was told about), on both cores when it pays.

Big libraries are split between worker *processes* started with ``subprocess`` (``python -m
readinglist.search.build``): never ``fork`` (the GUI calls this from a thread, and forking a
multi-threaded process can deadlock), and not ``multiprocessing``'s spawn either, which
re-imports the caller's ``__main__``. Each worker reads its share of papers from the store
itself, analyzes them and writes one finished segment (as Whoosh's own multiprocessing writer
does with ``multisegment=True``); the parent then writes the index's table of contents naming
those segments. No merge afterwards: merging two 50k-paper segments would cost more than it
saves at query time. Small sets of papers are indexed in this process.

A worker notices when its parent died (a kill -9 of the app) and stops; whatever it wrote is
not named by any table of contents and is deleted by the next build (or the next writer of
the index it was appending to).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import pickle
import selectors
import subprocess
import sys
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.search.document import document, store_fingerprints
from readinglist.search.engine import store
from readinglist.search.engine.bulk import LIMIT_MB, BulkSegmentWriter, finish_segment

if TYPE_CHECKING:
    from readinglist.library import Library
    from readinglist.search.state import IndexProgress

log = logging.getLogger(__name__)

BATCH = 500
PARALLEL_MIN_PAPERS = 3000
# Big segments stay separate files: whoosh copies a compound segment's files into memory
# (BytesIO) for every searcher it opens: +570 MB RSS and a ~300 ms first query at 100k,
# with the GIL held during the copy (the app's window stalls). Measured in docs/benchmarks.md.
COMPOUND = False
SEGMENT_PAPERS = 25_000


class WorkerFailed(Exception):  # noqa: N818 - reads as what happened
    """A worker process could not index its share (the caller indexes in-process instead)."""


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def build_index(
    library: Library,
    folder: Path,
    indexname: str,
    schema: Any,
    workers: int | None = None,
    limitmb: int = LIMIT_MB,
) -> Iterator[IndexProgress]:
    """Write index ``indexname`` in ``folder`` holding every paper of ``library``.

    ``limitmb``: postings memory per writer before sorted runs spill to disk.
    """
    from readinglist.search.state import IndexProgress

    ix = store.create_index(folder, schema, indexname)
    ids = library.list_ids(sort="added", descending=False)
    total = len(ids)
    yield IndexProgress("reading", 0, total, "reading the library")
    segments = yield from write_segments(library, ix, folder, ids, workers, limitmb)
    yield IndexProgress("writing", total, total, "writing the index")
    store.write_toc(folder, ix, schema, segments, indexname)


def write_segments(
    library: Library,
    ix: Any,
    folder: Path,
    ids: Sequence[str],
    workers: int | None = None,
    limitmb: int = LIMIT_MB,
    phase: str = "reading",
) -> Generator[IndexProgress, None, list[Any]]:
    """New segments of index ``ix`` holding these papers (those still in the store).

    Yields progress (``phase``, papers done of ``len(ids)``); returns the segments, which no
    table of contents names yet: the caller commits them (a new index's first table of
    contents, or ``store.Append``). In worker processes when there are many papers.
    """
    procs = default_workers() if workers is None else workers
    if len(ids) >= PARALLEL_MIN_PAPERS and procs > 1:
        try:
            return (yield from _segments_in_workers(
                library, ix, folder, ids, procs, limitmb, phase
            ))
        except WorkerFailed as error:
            # E.g. a packaged app whose executable cannot run "-m module": one core it is.
            log.warning("indexing in worker processes failed (%s); indexing here", error)
    return (yield from _segments_here(library, ix, ids, limitmb, phase))


def _add_papers(
    writer: Any, library: Library, ids: Sequence[str]
) -> Iterator[int]:
    """Add these papers to ``writer``; yields how many are done after each batch."""
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        stamps = store_fingerprints(library, chunk)
        for paper in library.papers(chunk):
            writer.add_document(**document(paper, stamps.get(paper.id, b"")))
        done += len(chunk)
        yield done


def _segments_here(
    library: Library, ix: Any, ids: Sequence[str], limitmb: int, phase: str
) -> Generator[IndexProgress, None, list[Any]]:
    from readinglist.search.state import IndexProgress

    total = len(ids)
    segments = []
    finished = 0
    # One segment per SEGMENT_PAPERS, as the workers do (see _worker).
    for start in range(0, total, SEGMENT_PAPERS):
        part = ids[start : start + SEGMENT_PAPERS]
        writer = BulkSegmentWriter(ix, _lk=False, limitmb=limitmb, compound=COMPOUND)
        try:
            for done in _add_papers(writer, library, part):
                done += finished
                yield IndexProgress(phase, done, total, f"{done:,} of {total:,} papers")
            if writer.docnum:
                segments.append(finish_segment(writer))
            else:
                writer.cancel()  # every one of these papers is gone from the store
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        finished += len(part)
    return segments


def _segments_in_workers(
    library: Library,
    ix: Any,
    folder: Path,
    ids: Sequence[str],
    procs: int,
    limitmb: int,
    phase: str,
) -> Generator[IndexProgress, None, list[Any]]:
    from readinglist.search.state import IndexProgress

    indexname = ix.indexname
    total = len(ids)
    share = -(-total // procs)
    jobs = []
    for number in range(procs):
        part = ids[number * share : (number + 1) * share]
        if not part:
            continue
        # Named like a segment's files: a kill leaves them to the next writer's cleanup of
        # files no table of contents names (repair.remove_orphans).
        job = folder / f"{indexname}_job{number}.json"
        job.write_text(json.dumps(part))
        jobs.append((job, folder / f"{indexname}_job{number}.segment"))
    workers: list[subprocess.Popen[str]] = []
    selector = selectors.DefaultSelector()
    progress: dict[int, int] = {}
    try:
        for number, (job, result) in enumerate(jobs):
            command = [
                # Not -O: it saves no measurable time here, and its bytecode (.opt-1.pyc) is
                # not what pip or a .deb compiles, so each worker recompiled ~260 modules
                # (~0.5 s CPU) wherever it could not cache them.
                sys.executable, "-m", "readinglist.search.build",
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
                yield IndexProgress(phase, done, total, f"{done:,} of {total:,} papers")
        segments = []
        for worker, (_job, result) in zip(workers, jobs, strict=True):
            _out, err = worker.communicate()
            if worker.returncode != 0 or not result.exists():
                raise WorkerFailed(err.strip()[-2000:] or f"exit status {worker.returncode}")
            with open(result, "rb") as f:
                segments.extend(pickle.load(f))  # noqa: S301 - our own worker's file
        return segments
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

    # No cyclic garbage collection: a build makes millions of objects that live until the
    # segment is written, which the collector would scan again and again (~4 % of the CPU),
    # and it makes no cycles worth collecting in a process this short.
    gc.disable()
    ids = json.loads(Path(args.job).read_text())
    ix = store.open_index(Path(args.index), args.name)
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
            if writer.docnum:
                segments.append(finish_segment(writer))
            else:
                writer.cancel()  # every one of these papers is gone from the store
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
    status = main()
    # Everything is written and closed: skip the interpreter's teardown, which spends ~70 ms
    # freeing a build's caches (and collecting garbage) while the parent waits for our exit.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
