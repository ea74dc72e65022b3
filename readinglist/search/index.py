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
import logging
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from readinglist import paths
from readinglist.search import highlight, similar, spelling
from readinglist.search.document import store_fingerprints
from readinglist.search.engine import repair, store
from readinglist.search.engine.compile import Compiled
from readinglist.search.engine.schema import SCHEMA_VERSION, build_schema
from readinglist.search.query import ParsedQuery, parse_query
from readinglist.search.results import Hit, SearchResults
from readinglist.search.searcher import SORTS, QueryError, Searcher
from readinglist.search.state import (
    STATE_FILE,
    IndexDamaged,
    IndexProgress,
    IndexState,
    IndexUnavailable,
    next_indexname,
    remove_index_files,
)
from readinglist.search.status import IndexStatus, ProgressReport, read_status

if TYPE_CHECKING:
    from readinglist.library import Library, PaperFilter
    from readinglist.search.indexer import IndexerProcess
    from readinglist.search.sync import IndexSync

__all__ = [
    "SORTS",
    "STATE_FILE",
    "Hit",
    "IndexDamaged",
    "IndexProgress",
    "IndexState",
    "IndexUnavailable",
    "QueryError",
    "SearchIndex",
    "SearchResults",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

FEW_RESULTS = 5  # fewer hits than this: look for a "did you mean"
CATCH_UP_MAX_FRACTION = 0.25  # more old versions than this left as deleted documents: rebuild


class SearchIndex:
    """The library's search index (see the module docstring)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = paths.index_dir(self.home)
        self._lock = threading.RLock()  # the searcher and the open index
        self._write_lock = threading.RLock()  # one writer per process
        self._ix: Any = None
        self._searcher: Searcher | None = None
        self._state: IndexState | None = None
        self._state_mtime: float | None = None
        self._texts = threading.local()
        self._sync: IndexSync | IndexerProcess | None = None
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
        """The open index named by state.json, reopened when another process switched it."""
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
            if self._ix is None or state.indexname != getattr(self._state, "indexname", ""):
                self._drop_searcher()
                self._ix, failure = store.open_checked(self.path, state.indexname)
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
            self._searcher.close()
            self._searcher = None

    def searcher(self) -> Searcher:
        """The searcher of the index as it is now (replaced, caches and all, when it changes).

        Hold ``self._lock`` while using it from more than one thread.
        """
        with self._lock:
            ix = self._current()
            if self._searcher is not None and not self._searcher.up_to_date():
                # Not Whoosh's searcher.refresh(): it reuses segment readers by segment id and
                # so keeps their old deletions; an updated paper would match with its old state.
                self._drop_searcher()
            if self._searcher is None:
                self._searcher = Searcher(ix)
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
            stored = store_fingerprints(library)
            indexed = self._indexed_fingerprints()
            changed = [i for i, fp in stored.items() if indexed.get(i) != fp]
            removed = [i for i in indexed if i not in stored]
            # Old versions stay in the index as deleted documents (until a merge): when they
            # would be more than a quarter of it, a clean rebuild is worth its extra work.
            dead = len(removed) + sum(1 for paper_id in changed if paper_id in indexed)
            if dead > CATCH_UP_MAX_FRACTION * max(len(indexed), 1) and len(stored) > 2000:
                yield from self.rebuild(library)
                return
            # One commit: new segments for the changed papers, the old versions and the
            # papers gone from the store deleted; the generation stamped with it (or alone,
            # when nothing differed).
            total = len(changed) + len(removed)
            yield from self.write_papers(library, changed + removed, generation)
            yield IndexProgress("done", total, total)

    def _indexed_fingerprints(self) -> dict[str, bytes]:
        def read() -> dict[str, bytes]:
            with self._lock:
                return self.searcher().reader.fingerprints()

        return self._reading(read)

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
            lock = store.file_lock(self.path, "REBUILD_LOCK")
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
        indexname = next_indexname(old)
        remove_index_files(self.path, keep={old.indexname} if old else set())
        count = 0
        for step in build_index(library, self.path, indexname, build_schema()):
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
            repair.write_manifest(self.path, store.open_index(self.path, indexname))
        state.write(self.path)
        with self._lock:
            self._drop_searcher()
            self._ix = None
        remove_index_files(self.path, keep={indexname})
        yield IndexProgress("done", count, count)

    def update(self, library: Library, paper_ids: Iterable[str], generation: int | None) -> None:
        """Re-index these papers (deleting those gone from the store), then stamp ``generation``."""
        for _ in self.write_papers(library, paper_ids, generation):
            pass

    def write_papers(
        self, library: Library, paper_ids: Iterable[str], generation: int | None
    ) -> Iterator[IndexProgress]:
        """``update``, yielding progress ("updating", papers done of all): one commit.

        The papers' new versions are written as new segments by the bulk writer (in worker
        processes, on every core, when there are many: ``build.write_segments``), their old
        versions (and the papers gone from the store) are deleted from the segments already
        there, and one table of contents names it all (``store.Append``). Reading it again
        is the searchers' business: the table of contents moves ``status().version``.
        """
        from readinglist.search.build import write_segments

        ids = list(dict.fromkeys(paper_ids))
        with self._write_lock:
            ix = self._current()
            if ids:
                with store.Append(self.path, ix) as append:
                    segments = yield from write_segments(
                        library, ix, self.path, ids, phase="updating"
                    )
                    append.commit(segments, ids)
            self._stamp(generation, committed=bool(ids))

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
                state.papers = store.paper_count(self._current())
            state.write(self.path)

    def merge_small_segments(self) -> bool:
        """Merge the small segments left by updates (run when idle); True if anything merged."""
        with self._write_lock:
            ix = self._current()
            repair.remove_orphans(self.path, ix)
            if not store.merge_small_segments(self.path, ix):
                return False
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

        def read() -> tuple[SearchResults, highlight.MatchSet | None]:
            with self._lock:
                searcher = self.searcher()
                lib = library if filter is None or filter.digest is None else self._library(library)
                page = searcher.page(parsed, filter, lib, sort, descending, limit, offset)
                hits = [Hit(paper_id, score) for paper_id, score in page.ranked]
                matches = searcher.match_set(parsed, page.compiled) if snippets and hits else None
            return SearchResults(parsed.text, page.total, hits, fallback=parsed.fallback), matches

        out, matches = self._reading(read)
        if matches is not None:
            self._fill_snippets(out.hits, matches, library)
        return out

    def compile(self, parsed: ParsedQuery) -> Compiled:
        """``parsed`` as the engine's queries, for the current index."""
        with self._lock:
            return self.searcher().reader.compile(parsed)

    def _match_set(self, parsed: ParsedQuery) -> highlight.MatchSet:
        with self._lock:
            return self.searcher().match_set(parsed)

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
        self._fill_snippets(hits, self._match_set(parse_query(text)), library)
        return hits

    def highlight_terms(self, text: str) -> list[str]:
        """The words, phrases and prefixes the query looks for, as typed.

        To highlight a whole abstract prefer ``match_spans``, which knows about stems.
        """
        return [value for _kind, value in parse_query(text).highlight]

    def match_spans(self, text: str, query: str) -> list[tuple[int, int]]:
        """Character spans of ``text`` that ``query`` matched (stems, prefixes, fuzzy terms)."""
        matches = self._match_set(parse_query(query))
        return [(s, e) for s, e, _t in highlight.match_spans(text, matches)]

    # --- suggestions -------------------------------------------------------------------------

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
            reader = self.searcher().reader
            return spelling.correct(parsed, reader.vocabulary(), reader.stem_papers)

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
        results = self._most_like(text, paper_id, limit, lib, label=f"related:{paper_id}")
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
        results = self._most_like(text, "starred-or-read", limit, lib, label="recommend")
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _most_like(
        self, text: str, exclude: str, limit: int, library: Library, label: str
    ) -> SearchResults:
        def read() -> tuple[SearchResults, highlight.MatchSet]:
            with self._lock:
                reader = self.searcher().reader
                found, total, stems = similar.most_like(reader, text, exclude, limit)
            hits = [Hit(paper_id, score) for paper_id, score in found]
            return SearchResults(label, total, hits), highlight.MatchSet(terms=set(stems[:10]))

        out, matches = self._reading(read)
        if out.hits:
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

