"""The search index: a Whoosh index derived from the library, kept fresh, searched by the app.

Typical use (the CLI; the GUI does the same on a worker thread)::

    index = SearchIndex.open(library.home)
    for progress in index.ensure_fresh(library):   # no-op when fresh; catch-up or rebuild
        ...
    results = index.search("diffusion is:unread", sort="rank", limit=20)
    for hit in results.hits:
        print(hit.id, hit.score, hit.title_html, hit.snippet_html)

    index.attach(library)     # from now on every committed change is indexed in the background

Freshness. ``index/state.json`` names the Whoosh index in use and the library *generation* it
reflects. A missing, unreadable or other-schema index is rebuilt; an index behind the library
(another process wrote) is caught up by comparing a per-paper fingerprint with the store's,
which costs well under a second for 100k papers; a rebuild writes a new index beside the old
one and switches ``state.json`` atomically, so a kill at any point leaves a usable index or
none, never a wrong one — and nothing the user wrote lives only here.

Threads. Searching methods may be called from any thread (one lock around the searcher);
writes are serialized by another lock. No Qt here.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import json
import logging
import re
import shutil
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from readinglist import paths
from readinglist.atomic import atomic_write
from readinglist.search import highlight, repair, similar, spelling
from readinglist.search.analysis import PaperAnalyzer, exact_words
from readinglist.search.engine import ranking
from readinglist.search.engine.compile import Compiled, Expansions, compile_query
from readinglist.search.query import ParsedQuery, parse_query
from readinglist.search.schema import SCHEMA_VERSION, build_schema, document, fingerprint, fold
from readinglist.search.status import IndexStatus, ProgressReport, read_status

if TYPE_CHECKING:
    from readinglist.library import Library, Paper, PaperFilter
    from readinglist.search.indexer import IndexerProcess
    from readinglist.search.sync import IndexSync

log = logging.getLogger(__name__)
T = TypeVar("T")

SORTS = ("rank", "published", "upvotes", "added", "title")
STATE_FILE = "state.json"
INDEX_PREFIX = "papers"
BATCH = 500  # papers read from the store per step
WRITE_TIMEOUT_S = 30.0
FEW_RESULTS = 5  # fewer hits than this: look for a "did you mean"
MATCH_CACHE_SIZE = 8  # matched-document sets kept per searcher (queries the GUI pages through)
CATCH_UP_MAX_FRACTION = 0.25  # more changed than this: a rebuild is faster than updates


class IndexUnavailable(Exception):  # noqa: N818 - the user's word
    """The index cannot be used right now (missing, being rebuilt elsewhere, broken)."""


class IndexDamaged(IndexUnavailable):
    """The index's files were found damaged; it is set aside and the next ensure_fresh rebuilds."""


class _DamagedFile(Exception):  # noqa: N818
    """Found while reading: the index's files are not what was written (see _reading)."""


class QueryError(ValueError):
    """A caller's mistake (an unknown sort...), not damage to the index."""


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """One step of a rebuild or catch-up, for progress bars (``done``/``total`` papers)."""

    phase: str  # "reading", "writing", "updating", "done"
    done: int
    total: int
    detail: str = ""


@dataclass(slots=True)
class Hit:
    """One result: the paper id, its score, and (for the page asked for) highlighted text."""

    id: str
    score: float | None
    title: str = ""
    title_html: str = ""
    snippet_html: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "score": None if self.score is None else round(self.score, 4),
            "snippet": self.snippet_html,
        }


@dataclass(slots=True)
class SearchResults:
    """A page of hits, the total count, and a "did you mean" when the query found little."""

    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    corrected: bool = False  # True: the hits are for ``suggestion`` (the query found nothing)
    elapsed_ms: float = 0.0
    fallback: bool = False  # True: the query was malformed and read as plain words
    error: str | None = None  # the query was refused (a one-letter prefix); nothing searched

    @property
    def ids(self) -> list[str]:
        return [hit.id for hit in self.hits]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "results": [hit.to_json() for hit in self.hits],
        }
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass(slots=True)
class IndexState:
    """What ``state.json`` says: which Whoosh index is current and what it reflects."""

    schema: int = 0
    indexname: str = ""
    generation: int = -1
    papers: int = 0
    built_at: float = 0.0

    @classmethod
    def read(cls, folder: Path) -> IndexState | None:
        try:
            data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            return cls(
                schema=int(data["schema"]),
                indexname=str(data["indexname"]),
                generation=int(data["generation"]),
                papers=int(data.get("papers", 0)),
                built_at=float(data.get("built_at", 0.0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, folder: Path) -> None:
        data = {
            "schema": self.schema,
            "indexname": self.indexname,
            "generation": self.generation,
            "papers": self.papers,
            "built_at": self.built_at,
            # status().version: a file's mtime moves in coarse clock ticks (1-4 ms), so two
            # commits close together could look like one; this stamp always moves.
            "written": _next_write_stamp(),
        }
        atomic_write(folder / STATE_FILE, json.dumps(data), guard=False)  # the index's own file


_last_stamp = 0
_stamp_lock = threading.Lock()


def _next_write_stamp() -> int:
    """Nanoseconds now, strictly increasing within this process."""
    global _last_stamp
    with _stamp_lock:
        _last_stamp = max(time.time_ns(), _last_stamp + 1)
        return _last_stamp


class SearchIndex:
    """The library's search index (see the module docstring)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = paths.index_dir(self.home)
        self._lock = threading.RLock()  # the searcher and the open index
        self._write_lock = threading.RLock()  # one writer per process
        self._ix: Any = None
        self._searcher: Any = None
        self._state: IndexState | None = None
        self._state_mtime: float | None = None
        self._texts = threading.local()
        self._sync: IndexSync | IndexerProcess | None = None
        self._match_cache: tuple[Any, dict[Any, set[int]]] = (None, {})
        self._sort_cache: tuple[Any, dict[tuple[str, bool], list[int]]] = (None, {})
        self._id_column_cache: tuple[Any, Any] = (None, None)
        self._expansions = Expansions(None)
        # Why the last rebuild was needed when it was a repair ("the search index was
        # damaged: ..."), for the message a command prints; None when nothing was damaged.
        self.last_repair: str | None = None

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, home: Path | None = None) -> SearchIndex:
        """The index of the library in ``home`` (default: the user's).

        Never fails: a missing or broken index shows as ``is_usable() == False`` until
        ``ensure_fresh`` rebuilds it.
        """
        index = cls(Path(home) if home is not None else paths.data_dir())
        with contextlib.suppress(IndexUnavailable):
            index._current()
        return index

    def close(self) -> None:
        if self._sync is not None:
            self._sync.stop()
            self._sync = None
        with self._lock:
            self._drop_searcher()
            self._ix = None
        library = getattr(self._texts, "library", None)
        if library is not None:
            library.close()
            self._texts.library = None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def state(self) -> IndexState | None:
        return IndexState.read(self.path)

    def is_usable(self) -> bool:
        try:
            self._current()
        except IndexUnavailable:
            return False
        return True

    def _current(self) -> Any:
        """The open Whoosh index named by state.json, reopened when another process switched it."""
        with self._lock:
            try:
                mtime = (self.path / STATE_FILE).stat().st_mtime_ns
            except OSError:
                self._drop_searcher()
                self._ix = None
                raise IndexUnavailable("the search index has not been built yet") from None
            if self._ix is not None and mtime == self._state_mtime:
                return self._ix
            state = IndexState.read(self.path)
            if state is None or state.schema != SCHEMA_VERSION:
                self._drop_searcher()
                self._ix = None
                raise IndexUnavailable("the search index is from another version")
            failure = None
            if self._ix is None or state.indexname != getattr(self._state, "indexname", ""):
                self._drop_searcher()
                self._ix = None
                # Whoosh leaves the file of a TOC it failed to read open until the error is
                # dropped: drop it here, where that ResourceWarning is expected.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    try:
                        self._ix = whoosh_index.open_dir(str(self.path), indexname=state.indexname)
                    except Exception as error:  # noqa: BLE001 - unreadable means "rebuild"
                        failure = str(error) or type(error).__name__
                    if failure is None:
                        failure = repair.damage(self.path, self._ix)
                    if failure is not None:
                        gc.collect()
            if failure is not None:
                self._mark_damaged(failure)
                raise IndexDamaged(f"the search index was damaged ({failure})")
            self._state = state
            self._state_mtime = mtime
            return self._ix

    def _mark_damaged(self, reason: str) -> None:
        """Forget a damaged index: state.json goes, so every process rebuilds it (once)."""
        log.info("the search index in %s is damaged (%s); it will be rebuilt", self.path, reason)
        self.last_repair = f"the search index was damaged ({reason}) and is rebuilt"
        self._drop_searcher()
        self._ix = None
        self._state = None
        self._state_mtime = None
        with contextlib.suppress(OSError):
            (self.path / STATE_FILE).unlink()

    def _reading(self, read: Callable[[], T]) -> T:
        """``read()``, a failure reading the index's files turned into IndexDamaged (a rebuild).

        Whoosh reports a truncated or missing file as whatever its decoder tripped on
        (struct.error, EOFError, OSError, KeyError...): anything but our own signals.
        """
        try:
            return read()
        except (IndexUnavailable, QueryError):
            raise
        except Exception as error:  # noqa: BLE001 - see above
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                log.debug("reading the index failed", exc_info=True)
                reason = f"{type(error).__name__}: {error}"[:120]
                # The failed reader's open files live in the traceback's frames: let them go
                # here, where their ResourceWarnings are expected.
                traceback.clear_frames(error.__traceback__)
                error.__traceback__ = None
                gc.collect()
        with self._lock:
            self._mark_damaged(reason)
        raise IndexDamaged(self.last_repair or "the search index was damaged")

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None

    def _get_searcher(self) -> Any:
        """A long-lived searcher, replaced when the index changed."""
        with self._lock:
            ix = self._current()
            if self._searcher is None:
                self._searcher = ix.searcher()
            elif not self._searcher.up_to_date():
                # Not searcher.refresh(): it reuses segment readers by segment id and so keeps
                # their old deletions; an updated paper would match with its old state.
                self._drop_searcher()
                self._searcher = ix.searcher()
            return self._searcher

    # --- freshness ---------------------------------------------------------------------------

    def generation(self) -> int:
        """The library generation the index reflects (-1: none)."""
        state = self.state
        return state.generation if state else -1

    def is_fresh(self, library: Library) -> bool:
        state = self.state
        return (
            state is not None
            and state.schema == SCHEMA_VERSION
            and state.generation == library.generation
            and self.is_usable()
        )

    def status(self) -> IndexStatus:
        """What the index reflects and what is being written now, by any process (cheap)."""
        return read_status(self.path)

    def _reported(self, steps: Iterator[IndexProgress]) -> Iterator[IndexProgress]:
        """Pass ``steps`` through, telling other processes about them (``status()``)."""
        report = ProgressReport(self.path)
        try:
            for step in steps:
                if step.phase != "done":
                    report.step(step.phase, step.done, step.total)
                yield step
        finally:
            report.finish()

    def ensure_fresh(self, library: Library) -> Iterator[IndexProgress]:
        """Make the index reflect ``library``, yielding progress.

        Nothing when fresh, a catch-up when behind, a rebuild when missing, broken or from
        another schema.
        """
        if self.is_fresh(library):
            return
        yield from self._reported(self._ensure_fresh(library))

    def _ensure_fresh(self, library: Library) -> Iterator[IndexProgress]:
        with self._write_lock:
            if self.is_fresh(library):
                return
            if not self.is_usable():
                yield from self.rebuild(library)
                return
            try:
                yield from self.catch_up(library)
            except IndexUnavailable:
                yield from self.rebuild(library)
            except Exception as error:  # noqa: BLE001 - a broken index is rebuilt, never fatal
                reason = f"{type(error).__name__}: {error}"[:120]
                log.info("catching up the search index failed (%s); rebuilding it", reason)
                self.last_repair = f"the search index could not be updated ({reason})"
                yield from self.rebuild(library)

    def catch_up(self, library: Library) -> Iterator[IndexProgress]:
        """Index what changed in the library since the index was written (by fingerprints)."""
        with self._write_lock:
            repair.remove_orphans(self.path, self._current())
            generation = library.generation
            stored = _store_fingerprints(library)
            indexed = self._indexed_fingerprints()
            changed = [i for i, fp in stored.items() if indexed.get(i) != fp]
            removed = [i for i in indexed if i not in stored]
            total = len(changed) + len(removed)
            if total > CATCH_UP_MAX_FRACTION * max(len(stored), 1) and len(stored) > 2000:
                yield from self.rebuild(library)
                return
            # Changed papers first, then the ones gone from the store; one commit per batch,
            # the generation stamped with the last one (or alone, when nothing differed).
            work = [(paper_id, True) for paper_id in changed]
            work += [(paper_id, False) for paper_id in removed]
            done = 0
            for start in range(0, max(total, 1), BATCH):
                batch = work[start : start + BATCH]
                last = start + BATCH >= total
                self._apply(
                    library,
                    [i for i, present in batch if present],
                    [i for i, present in batch if not present],
                    generation if last else None,
                )
                done = min(total, start + BATCH)
                yield IndexProgress("updating", done, total, f"{done:,} of {total:,} papers")
            yield IndexProgress("done", total, total)

    def _indexed_fingerprints(self) -> dict[str, bytes]:
        return self._reading(self._read_fingerprints)

    def _read_fingerprints(self) -> dict[str, bytes]:
        with self._lock:
            reader = self._get_searcher().reader()
            if reader.doc_count_all() == 0:
                return {}  # an empty index has no columns at all
            ids = reader.column_reader("id")
            fps = reader.column_reader("fingerprint")
            result: dict[str, bytes] = {}
            for docnum in reader.all_doc_ids():
                value = ids[docnum]
                key = value.decode("utf-8") if isinstance(value, bytes) else value
                result[key] = fps[docnum]
            return result

    # --- writing -----------------------------------------------------------------------------

    def rebuild(self, library: Library) -> Iterator[IndexProgress]:
        """Build a new index from the whole library beside the current one, then switch to it.

        Big libraries are analyzed by worker processes (started afresh, never forked: this may
        run on a thread of the GUI) so both cores work. Yields progress while reading and
        writing ("waiting" first when another process is rebuilding: then, if that left the
        index fresh, nothing more is done).
        """
        yield from self._reported(self._rebuild(library))

    def _rebuild(self, library: Library) -> Iterator[IndexProgress]:
        from readinglist.search.build import build_index

        with self._write_lock:
            try:
                repair.prepare_folder(self.path)
            except repair.FolderUnusable as error:
                raise IndexUnavailable(str(error)) from None
            # One rebuild at a time across processes (the app and the CLI): both would pick
            # the same new index name. A lock held by a killed process is released by the OS.
            lock = FileStorage(str(self.path)).lock("REBUILD_LOCK")
            waited = False
            if not lock.acquire(blocking=False):
                waited = True
                yield IndexProgress("waiting", 0, 0, "another process is rebuilding the index")
                lock.acquire(blocking=True)
            try:
                if waited and self.is_fresh(library):
                    count = self.state.papers if self.state else 0
                    yield IndexProgress("done", count, count)
                    return
                yield from self._rebuild_locked(library, build_index)
            finally:
                lock.release()

    def _rebuild_locked(self, library: Library, build_index: Any) -> Iterator[IndexProgress]:
        generation = library.generation  # read first: later writes show up as "behind"
        old = self.state
        indexname = _next_indexname(old)
        storage = FileStorage(str(self.path))
        _remove_index_files(self.path, keep={old.indexname} if old else set())
        count = 0
        for step in build_index(library, storage, indexname, build_schema()):
            count = step.total
            yield step
        state = IndexState(
            schema=SCHEMA_VERSION,
            indexname=indexname,
            generation=generation,
            papers=count,
            built_at=time.time(),
        )
        with contextlib.suppress(Exception):
            repair.write_manifest(self.path, whoosh_index.open_dir(str(self.path), indexname))
        state.write(self.path)
        with self._lock:
            self._drop_searcher()
            self._ix = None
        _remove_index_files(self.path, keep={indexname})
        yield IndexProgress("done", count, count)

    def update(self, library: Library, paper_ids: Iterable[str], generation: int | None) -> None:
        """Re-index these papers (deleting those gone from the store), then stamp ``generation``."""
        ids = list(dict.fromkeys(paper_ids))
        with self._write_lock:
            self._current()
            papers = library.papers(ids)
            present = {p.id for p in papers}
            self._write(library, papers, [i for i in ids if i not in present], generation)

    def _apply(
        self, library: Library, ids: Sequence[str], removed: Sequence[str], generation: int | None
    ) -> None:
        papers = library.papers(list(ids)) if ids else []
        present = {p.id for p in papers}
        gone = list(removed) + [i for i in ids if i not in present]
        self._write(library, papers, gone, generation)

    def _write(
        self,
        library: Library,
        papers: Sequence[Paper],
        removed: Sequence[str],
        generation: int | None,
    ) -> None:
        ix = self._current()
        stamps = _store_fingerprints(library, [p.id for p in papers]) if papers else {}
        if papers or removed:
            writer = SegmentWriter(ix, timeout=WRITE_TIMEOUT_S, delay=0.05)
            try:
                for paper in papers:
                    writer.update_document(**document(paper, stamps.get(paper.id, b"")))
                for paper_id in removed:
                    writer.delete_by_term("id", paper_id)
                # No merge here: a merge at 100k papers takes seconds; the sync merges when idle.
                writer.commit(merge=False)
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.cancel()
                # A failed commit (a full disk) leaves the new segment's files: delete them,
                # or they fill the space the user frees.
                with contextlib.suppress(Exception):
                    repair.remove_orphans(self.path, ix)
                raise
            repair.write_manifest(self.path, ix)
        self._stamp(generation, committed=bool(papers or removed))

    def _stamp(self, generation: int | None, committed: bool = False) -> None:
        """Record the generation reached; after any commit, rewrite state.json regardless.

        status().version is state.json's mtime: listings refresh when it moves, so every
        change to what searches see must move it, even one that reaches no new generation
        (a catch-up of another process's writes, a batch before the last one).
        """
        state = self.state
        if state is None:
            return
        advanced = generation is not None and generation > state.generation
        if advanced or committed:
            if advanced:
                state.generation = generation
            with self._lock:
                # From the table of contents: opening a searcher here would cost ~50 ms at 100k.
                state.papers = self._current().doc_count()
            state.write(self.path)

    def merge_small_segments(self) -> bool:
        """Merge the small segments left by updates (run when idle); True if anything merged."""
        with self._write_lock:
            ix = self._current()
            repair.remove_orphans(self.path, ix)
            segments = ix._segments() if hasattr(ix, "_segments") else []
            if len(segments) <= 2:
                return False
            writer = SegmentWriter(ix, timeout=WRITE_TIMEOUT_S, delay=0.05)
            try:
                writer.commit()  # the default policy merges only the small segments
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.cancel()
                with contextlib.suppress(Exception):
                    repair.remove_orphans(self.path, ix)
                raise
            repair.write_manifest(self.path, ix)
            # A merge moves scores (deleted papers leave the term statistics): searches see
            # new contents, so status().version must change and listings refresh.
            self._stamp(None, committed=True)
            return True

    def attach(self, library: Library, in_process: bool = False) -> IndexSync | IndexerProcess:
        """Index every change ``library`` commits from now on, in the indexer process.

        The indexer (``indexer.IndexerProcess``) is a process of its own, supervised from
        here: this process then only reads the index. ``in_process=True``, or a platform
        where no process can be started, keeps the writing on a thread of this process
        (``sync.IndexSync``). Either way the returned object's ``flush()`` waits until
        everything heard is searchable and ``stop()`` detaches; the library's callbacks only
        queue ids, so writers never wait.
        """
        from readinglist.search.indexer import IndexerProcess
        from readinglist.search.sync import IndexSync

        if self._sync is not None:
            self._sync.stop()
            self._sync = None
        if not in_process:
            process = IndexerProcess(self, library)
            try:
                process.start()
            except OSError as error:
                process.stop()
                log.warning("the indexer process could not start (%s); indexing here", error)
            else:
                self._sync = process
                return process
        self._sync = IndexSync(self, library)
        self._sync.start()
        return self._sync

    # --- searching ---------------------------------------------------------------------------

    def search(
        self,
        text: str,
        filter: PaperFilter | None = None,
        sort: str = "rank",
        descending: bool | None = None,
        limit: int | None = 50,
        offset: int = 0,
        snippets: bool = True,
        library: Library | None = None,
        correct: bool = True,
    ) -> SearchResults:
        """Search with the query language; a page of hits (``limit``/``offset``) and the total.

        A query that finds nothing because of a misspelt word is answered with the results
        of the corrected query when the correction is confident (``corrected`` is then
        True and ``suggestion`` the query searched); ``correct=False`` never does that
        (the user asked for their words as typed). A refused query (``d*``) has ``error``.

        ``sort``: rank (BM25F; an empty query lists by added date), published, upvotes, added,
        title. Dates and numbers run newest/most first unless ``descending=False``. Snippets
        are built only for the page returned; ``library`` (optional) supplies their text,
        otherwise the index reads the store in ``home`` itself.
        """
        started = time.perf_counter()
        parsed = parse_query(text)
        if parsed.error is not None:
            return SearchResults(text, 0, error=parsed.error)
        results = self._search(parsed, filter, sort, descending, limit, offset, snippets, library)
        if results.total < FEW_RESULTS and parsed.positive_words:
            correction = self.suggest_correction(parsed)
            if correction is not None:
                results.suggestion = correction.text
                if results.total == 0 and correction.confident and correct:
                    again = self._search(
                        parse_query(correction.text), filter, sort, descending, limit, offset,
                        snippets, library,
                    )
                    if again.total:
                        again.suggestion = correction.text
                        again.corrected = True
                        again.query = text
                        results = again
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def search_ids(
        self,
        text: str,
        filter: PaperFilter | None = None,
        sort: str = "rank",
        descending: bool | None = None,
    ) -> list[str]:
        """Every matching id in order (for a lazy list of the whole result), no snippets."""
        parsed = parse_query(text)
        if parsed.error is not None:
            return []
        results = self._search(parsed, filter, sort, descending, None, 0, False, None)
        return results.ids

    def _search(
        self,
        parsed: ParsedQuery,
        filter: PaperFilter | None,
        sort: str,
        descending: bool | None,
        limit: int | None,
        offset: int,
        snippets: bool,
        library: Library | None,
    ) -> SearchResults:
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
        return self._reading(
            lambda: self._search_index(
                parsed, filter, sort, descending, limit, offset, snippets, library
            )
        )

    def _search_index(
        self,
        parsed: ParsedQuery,
        filter: PaperFilter | None,
        sort: str,
        descending: bool | None,
        limit: int | None,
        offset: int,
        snippets: bool,
        library: Library | None,
    ) -> SearchResults:
        with self._lock:
            searcher = self._get_searcher()
            compiled = self.compile(parsed, searcher)
            query = compiled.query if compiled.query is not None else wq.Every()
            restrict = self._filter_query(filter, library)
            filters = [q for q in (compiled.filter, restrict) if q is not None]
            filter_q: Any = None
            if len(filters) == 1:
                filter_q = filters[0]
            elif filters:
                if any(isinstance(f, set) for f in filters):
                    filter_q = _intersect(searcher, filters)
                else:
                    filter_q = wq.And(filters)
            mask = compiled.mask
            want = None if limit is None else offset + limit
            scored = sort == "rank" and compiled.query is not None
            # The set of matching documents, by set operations on posting lists (no scoring):
            # the exact total, and all that a sort by a column needs.
            docs = self._matching(searcher, parsed, query, filter_q, mask, filter)
            total = len(docs)
            hits: list[Hit] = []
            ranked: list[tuple[int, float | None]]
            if not docs:
                ranked = []
            elif scored:
                # BM25F for the matches only, a posting block at a time; the page by heapq.
                ranked = list(ranking.top(searcher, query, docs, want))
            else:
                key = "added" if sort == "rank" else sort
                reverse = (key != "title") if descending is None else descending
                order = self._sort_order(searcher, key, reverse)
                if want is not None and want < len(docs) // 4:
                    chosen = heapq.nsmallest(want, docs, key=order.__getitem__)
                else:
                    chosen = sorted(docs, key=order.__getitem__)[:want]
                ranked = [(docnum, None) for docnum in chosen]
            page = ranked[offset:]
            id_column = self._id_column(searcher) if page else None
            for docnum, score in page:
                value = id_column[docnum]
                hit_id = value.decode("utf-8") if isinstance(value, bytes) else value
                if not hit_id:
                    # Whoosh reads a missing column file as empty values.
                    raise _DamagedFile("a search hit has no paper id")
                hits.append(Hit(hit_id, score))
            matches = self._match_set(parsed, compiled) if snippets and hits else None
        out = SearchResults(parsed.text, total, hits, fallback=parsed.fallback)
        if matches is not None:
            self._fill_snippets(out.hits, matches, library)
        return out

    def _matching(
        self,
        searcher: Any,
        parsed: ParsedQuery,
        query: Any,
        filter_q: Any,
        mask: Any,
        filter: PaperFilter | None,
    ) -> set[int]:
        """Document numbers matching the query, its filters and exclusions (cached).

        The GUI runs the query it shows again to page and sort: the set is remembered for
        the current searcher (a change to the index opens a new one), unless a digest filter
        makes it depend on the store.
        """
        cacheable = filter is None or filter.digest is None
        key = (parsed.text, filter)
        cache = self._match_cache
        if cache[0] is not searcher:
            cache = self._match_cache = (searcher, {})
        if cacheable and key in cache[1]:
            return cache[1][key]
        docs = ranking.matching_docs(searcher, query)
        if filter_q is not None and docs:
            allowed = filter_q if isinstance(filter_q, (set, frozenset)) else None
            docs &= allowed if allowed is not None else ranking.matching_docs(searcher, filter_q)
        if mask is not None and docs:
            docs -= ranking.matching_docs(searcher, mask)
        found = docs  # shared through the cache: never modified after this
        if cacheable:
            if len(cache[1]) >= MATCH_CACHE_SIZE:
                cache[1].pop(next(iter(cache[1])))
            cache[1][key] = found
        return found

    def compile(self, parsed: ParsedQuery, searcher: Any = None) -> Compiled:
        """``parsed`` as Whoosh queries for ``searcher`` (default: the current one)."""
        with self._lock:
            if searcher is None:
                searcher = self._get_searcher()
            if self._expansions.searcher is not searcher:
                self._expansions = Expansions(searcher)
            return compile_query(parsed, self._expansions)

    def _id_column(self, searcher: Any) -> Any:
        """The id column of the current searcher (opening it reads an offset per paper)."""
        cached = self._id_column_cache
        if cached[0] is not searcher:
            cached = self._id_column_cache = (searcher, searcher.reader().column_reader("id"))
        return cached[1]

    def _sort_order(self, searcher: Any, key: str, reverse: bool) -> list[int]:
        """Position of every document in the library sorted by ``key`` (cached per searcher).

        Sorting a result is then a C-speed sort of its document numbers by this list, instead
        of reading a column value per hit. Ties, and papers without a value, newest added first.
        """
        cached = self._sort_cache
        if cached[0] is not searcher:
            cached = self._sort_cache = (searcher, {})
        order = cached[1].get((key, reverse))
        if order is not None:
            return order
        reader = searcher.reader()
        size = reader.doc_count_all()
        order = [size] * size
        if size:
            values = reader.column_reader(_SORT_FIELDS[key])
            added = reader.column_reader("added")
            docnums = list(reader.all_doc_ids())
            if key == "title":
                docnums.sort(key=values.__getitem__, reverse=reverse)
            else:
                docnums.sort(key=added.__getitem__, reverse=True)
                docnums.sort(key=values.__getitem__, reverse=reverse)  # stable: ties by added
            for position, docnum in enumerate(docnums):
                order[docnum] = position
        cached[1][(key, reverse)] = order
        return order

    def _filter_query(self, filter: PaperFilter | None, library: Library | None) -> Any:
        if filter is None:
            return None
        parts: list[wq.Query] = []
        if filter.starred is not None:
            parts.append(wq.Term("starred", filter.starred))
        if filter.read is not None:
            parts.append(wq.Term("read", filter.read))
        if filter.has_note is not None:
            parts.append(wq.Term("has_note", filter.has_note))
        if filter.tag:
            parts.append(wq.Term("tag", fold(filter.tag)))
        ids: set[str] | None = None
        if filter.digest is not None:
            lib = self._library(library)
            ids = set(lib.list_ids(type(filter)(digest=filter.digest)))
        if filter.ids is not None:
            ids = set(filter.ids) if ids is None else ids & set(filter.ids)
        if ids is not None:
            docnums = self._docnums(ids)
            if not parts:
                return docnums
            return _intersect(self._get_searcher(), [*parts, docnums])
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _docnums(self, ids: set[str]) -> set[int]:
        """Document numbers of these ids in the current searcher (map cached per searcher)."""
        searcher = self._get_searcher()
        cached = getattr(self, "_id_map", None)
        if cached is None or cached[0] is not searcher:
            reader = searcher.reader()
            mapping = {}
            column = reader.column_reader("id") if reader.doc_count_all() else {}
            for docnum in reader.all_doc_ids():
                value = column[docnum]
                mapping[value.decode("utf-8") if isinstance(value, bytes) else value] = docnum
            cached = (searcher, mapping)
            self._id_map = cached
        mapping = cached[1]
        return {mapping[i] for i in ids if i in mapping}

    def _match_set(self, parsed: ParsedQuery, compiled: Compiled) -> highlight.MatchSet:
        matches = highlight.MatchSet()
        prefixes: set[str] = set()
        analyzer = PaperAnalyzer()
        for kind, text in parsed.highlight:
            if kind == "prefix":
                prefixes.add(text)
            elif kind == "phrase":
                matches.words.update(exact_words(text))
            elif kind != "fuzzy":
                matches.terms.update(t.text for t in analyzer(text, mode="index"))
        # Fuzzy words light up the words they stood for (already computed).
        matches.terms.update(compiled.fuzzy_stems)
        matches.prefixes = tuple(sorted(prefixes))
        return matches

    def _fill_snippets(
        self, hits: list[Hit], matches: highlight.MatchSet, library: Library | None
    ) -> None:
        papers = {p.id: p for p in self._library(library).papers([h.id for h in hits])}
        for hit in hits:
            paper = papers.get(hit.id)
            if paper is None:
                continue
            hit.title = paper.title
            hit.title_html = highlight.title_html(paper.title, matches)
            hit.snippet_html = highlight.snippet_html(paper.abstract, matches)

    def snippets(self, ids: Sequence[str], text: str, library: Library | None = None) -> list[Hit]:
        """Highlighted title and abstract fragment of these papers for the query ``text``."""
        hits = [Hit(i, None) for i in ids]
        parsed = parse_query(text)
        with self._lock:
            matches = self._match_set(parsed, self.compile(parsed))
        self._fill_snippets(hits, matches, library)
        return hits

    def highlight_terms(self, text: str) -> list[str]:
        """The words, phrases and prefixes the query looks for, as typed.

        To highlight a whole abstract prefer ``match_spans``, which knows about stems.
        """
        return [value for _kind, value in parse_query(text).highlight]

    def match_spans(self, text: str, query: str) -> list[tuple[int, int]]:
        """Character spans of ``text`` that ``query`` matched (stems, prefixes, fuzzy terms)."""
        parsed = parse_query(query)
        with self._lock:
            matches = self._match_set(parsed, self.compile(parsed))
        return [(s, e) for s, e, _t in highlight.match_spans(text, matches)]

    def suggest(self, parsed: ParsedQuery | str) -> str | None:
        """The query with its misspelt words replaced by the likeliest library word, or None."""
        correction = self.suggest_correction(parsed)
        return correction.text if correction is not None else None

    def suggest_correction(self, parsed: ParsedQuery | str) -> spelling.Correction | None:
        """How to correct the query's misspelt words (see ``readinglist.search.spelling``)."""
        if isinstance(parsed, str):
            parsed = parse_query(parsed)
        if parsed.fallback or parsed.error is not None:
            return None
        with self._lock:
            searcher = self._get_searcher()
            self.compile(parsed, searcher)  # the expansions of this searcher
            vocab = self._expansions.vocabulary("text_exact")
            reader = searcher.reader()
            return spelling.correct(parsed, vocab, lambda term: reader.doc_frequency("text", term))

    # --- related and recommended -------------------------------------------------------------

    def related(
        self, paper_id: str, limit: int = 10, library: Library | None = None
    ) -> SearchResults:
        """Papers most like this one (its title and abstract's most distinctive terms)."""
        started = time.perf_counter()
        lib = self._library(library)
        papers = lib.papers([paper_id])
        if not papers:
            return SearchResults(query=f"related:{paper_id}", total=0)
        paper = papers[0]
        text = f"{paper.title}. {paper.title}. {paper.abstract}"
        results = self._more_like(
            text, wq.Term("id", paper_id), limit, lib, label=f"related:{paper_id}"
        )
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def recommend(self, limit: int = 20, library: Library | None = None) -> SearchResults:
        """Unread papers most like the starred ones (excluding starred and read papers)."""
        from readinglist.library import PaperFilter

        started = time.perf_counter()
        lib = self._library(library)
        starred = lib.list_ids(PaperFilter(starred=True), sort="added", limit=200)
        if not starred:
            return SearchResults(query="recommend", total=0)
        text = " ".join(f"{p.title}. {p.title}. {p.abstract}" for p in lib.papers(starred))
        mask = wq.Or([wq.Term("starred", True), wq.Term("read", True)])
        results = self._more_like(text, mask, limit, lib, label="recommend")
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _more_like(
        self, text: str, mask: wq.Query, limit: int, library: Library, label: str
    ) -> SearchResults:
        return self._reading(lambda: self._more_like_unguarded(text, mask, limit, library, label))

    def _more_like_unguarded(
        self, text: str, mask: wq.Query, limit: int, library: Library, label: str
    ) -> SearchResults:
        with self._lock:
            searcher = self._get_searcher()
            terms = similar.key_terms(searcher.reader(), text, numterms=20)
            if not terms:
                return SearchResults(query=label, total=0)
            top = terms[0][1] or 1.0
            queries: list[wq.Query] = []
            for term, weight in terms:
                boost = max(weight / top, 0.05)
                queries.append(wq.Term("text", term, boost=boost))
            results = searcher.search(wq.Or(queries), limit=limit, mask=mask)
            hits = []
            id_column = searcher.reader().column_reader("id") if results.scored_length() else {}
            for hit in results:
                value = id_column[hit.docnum]
                hit_id = value.decode("utf-8") if isinstance(value, bytes) else value
                hits.append(Hit(hit_id, hit.score))
            total = results.scored_length()
            matches = highlight.MatchSet(terms={t for t, _w in terms[:10]})
        out = SearchResults(label, total, hits)
        self._fill_snippets(out.hits, matches, library)
        return out

    # --- reading the store -------------------------------------------------------------------

    def _library(self, library: Library | None) -> Library:
        """The caller's library, or one opened for this thread.

        SQLite connections belong to one thread, and the GUI searches from worker threads.
        """
        if library is not None:
            return library
        lib = getattr(self._texts, "library", None)
        if lib is None:
            from readinglist.library import Library

            lib = Library.open(self.home)
            self._texts.library = lib
        return lib


_SORT_FIELDS = {
    "published": "published",
    "upvotes": "upvotes",
    "added": "added",
    "title": "title_key",
}


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _intersect(searcher: Any, filters: list[Any]) -> set[int]:
    docs: set[int] | None = None
    for f in filters:
        found = f if isinstance(f, set) else set(searcher.docs_for_query(f))
        docs = found if docs is None else docs & found
    return docs or set()


def _store_fingerprints(library: Library, ids: Sequence[str] | None = None) -> dict[str, bytes]:
    """The fingerprint (see schema.fingerprint) of every paper in the store, or of ``ids``."""
    rows = library.index_rows(ids)
    return {r[0]: fingerprint(*r[1:]) for r in rows}


def _next_indexname(state: IndexState | None) -> str:
    number = 1
    if state is not None:
        match = re.search(r"_(\d+)$", state.indexname)
        number = int(match.group(1)) + 1 if match else 1
    return f"{INDEX_PREFIX}_{number}"


def _remove_index_files(folder: Path, keep: set[str]) -> None:
    """Delete files of Whoosh indexes other than ``keep`` (left by a rebuild or a kill)."""
    pattern = re.compile(rf"^_?({INDEX_PREFIX}_\d+)[_.]")
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match and match.group(1) not in keep:
            with contextlib.suppress(OSError):
                if entry.is_dir():
                    shutil.rmtree(entry)  # spill folders of a build that was killed
                else:
                    entry.unlink()
        elif entry.name.endswith(".tmp") and entry.name.lstrip(".").startswith(STATE_FILE):
            with contextlib.suppress(OSError):
                entry.unlink()
