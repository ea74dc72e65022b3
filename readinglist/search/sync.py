"""Keeps the search index in step with the library as it changes, on a background thread.

``SearchIndex.attach(library)`` subscribes to the library's committed changes. The callback
only records the paper ids (the writer never waits on the index); a plain ``threading``
thread re-reads those papers through its own connection to the store (SQLite connections
belong to one thread) and updates the index, coalescing bursts: a 200-paper import is one
index commit, not 200. When idle it looks twice a second whether another process wrote
(the library's generation moved without us hearing it) or the index was damaged or deleted,
and catches up (by fingerprints) or rebuilds; after two idle seconds it merges the small
segments updates leave behind.

While changes wait or are being written, ``status()`` says how far it got ("Indexing 12,000 of
30,000 papers…"): the papers written since it was last idle, of those plus the ones waiting.
Whatever waits is written in one commit (``SearchIndex.write_papers``): new segments from the
bulk writer, in worker processes on every core when there are many (a 30,000-paper import
from the window is indexed as fast as ``readinglist import`` indexes it), the old versions
deleted; the count moves as the papers are analyzed. When that many papers wait and more
are coming (an import says so of each file but its last: ``Change.more``), it first waits for
the burst to end, so a big import is one round of workers that starts as its last file commits.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from readinglist.search.status import ProgressReport

if TYPE_CHECKING:
    from pathlib import Path

    from readinglist.library import Change, Library
    from readinglist.search.index import SearchIndex

log = logging.getLogger(__name__)

COALESCE_S = 0.005  # wait this long for more changes before writing
# With a worker round's worth of papers waiting and more still coming (a big import commits a
# file at a time and says which is its last), wait for the last (at most BURST_MAX_S; if it
# never comes, until the changes stop for BURST_QUIET_S): one round of worker processes for the
# whole burst, not one per file (each round pays their start and a segment flush).
BURST_QUIET_S = 1.0
BURST_MAX_S = 20.0
IDLE_MERGE_S = 2.0  # after this long without changes: merge the small segments
POLL_S = 0.5  # when idle, this often: others' writes (a cheap generation check), damage


class IndexSync:
    """The background indexer for one (index, library) pair."""

    def __init__(self, index: SearchIndex, library: Library, listen: bool = True) -> None:
        """``listen=False``: changes are told through ``heard`` (the indexer process's pipe)."""
        self.index = index
        self.home = library.home
        self._library = library
        self._pending: set[str] = set()
        self._pending_newest = -1  # the newest generation among the pending changes
        self._heard_generations: set[int] = set()
        self._cond = threading.Condition()
        self._busy = True  # until the thread's first catch-up is done
        self._stopping = False
        self._last_change = time.monotonic()
        self._more_coming = False  # the last change said another of its operation follows
        self._merged_since_change = True
        self._last_poll = 0.0
        self._target = library.generation  # the newest change heard (for ``trouble``)
        self._unsubscribe = library.subscribe(self.heard) if listen else (lambda: None)
        self._thread = threading.Thread(target=self._run, name="readinglist-index", daemon=True)
        self.errors: list[BaseException] = []

    @property
    def trouble(self) -> str | None:
        """Why the index is behind what was heard (the last failure), or None."""
        if not self.errors or self.index.status().generation >= self._target:
            return None
        return f"{type(self.errors[-1]).__name__}: {self.errors[-1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening, index what was already heard, and end the thread."""
        self._unsubscribe()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every change heard so far is searchable; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def heard(self, change: Change) -> None:
        # Runs on the writer's thread right after its commit: only record, never index here.
        with self._cond:
            self._pending.update(change.paper_ids)
            self._pending_newest = max(self._pending_newest, change.generation)
            if change.kind == "restore":
                self._pending.add("*")
            self._heard_generations.add(change.generation)
            self._target = max(self._target, change.generation)
            self._last_change = time.monotonic()
            self._more_coming = change.more
            self._merged_since_change = False
            self._cond.notify_all()

    def _contiguous_generation(self) -> int | None:
        """The newest generation such that the index has heard every change up to it.

        Stamping a generation whose predecessors came from another process (unheard) would
        mark the index fresh while it misses those changes; stop at the first gap instead.
        """
        current = self.index.generation()
        target = current
        while target + 1 in self._heard_generations:
            target += 1
        self._heard_generations = {g for g in self._heard_generations if g > target}
        return target if target > current else None

    def _should_poll(self) -> bool:
        """Time to look for others' writes and for damage (every POLL_S when idle)."""
        now = time.monotonic()
        if now - self._last_poll < POLL_S:
            return False
        self._last_poll = now
        return True

    def _await_burst_end(self) -> None:
        """Many papers waiting and more coming: wait for the rest (holding ``self._cond``).

        An import says which of its files is the last (``Change.more``): after that one, no
        wait. Without that word (the import stopped, its last file refused), the burst ends
        when changes stop for BURST_QUIET_S.
        """
        from readinglist.search.build import PARALLEL_MIN_PAPERS

        deadline = time.monotonic() + BURST_MAX_S
        while len(self._pending) >= PARALLEL_MIN_PAPERS and not self._stopping:
            if not self._more_coming:
                return
            now = time.monotonic()
            quiet = now - self._last_change
            if quiet >= BURST_QUIET_S or now >= deadline:
                return
            self._cond.wait(min(BURST_QUIET_S - quiet, deadline - now))

    def _when_idle(self, library: Library) -> None:
        """Catch up on other processes' writes, repair a damaged index, merge small segments.

        Only when idle: right after an update the next local change may have committed but
        not been heard yet, and a catch-up would then re-check every fingerprint for nothing.
        """
        if not self.index.is_fresh(library):
            # Another process wrote (the CLI beside the window), or the index was found
            # damaged or deleted: its writes reach this process's searches within ~POLL_S.
            for _ in self.index.ensure_fresh(library):
                pass
        idle = time.monotonic() - self._last_change
        if not self._merged_since_change and idle >= IDLE_MERGE_S:
            self._merged_since_change = True
            self.index.merge_small_segments()

    def _run(self) -> None:
        from readinglist.library import Library

        library = Library.open(self.home)
        report = _Episode(self.index.path)
        try:
            try:
                for _ in self.index.ensure_fresh(library):
                    pass
            except Exception as error:  # noqa: BLE001 - searching the old index still works
                log.exception("bringing the search index up to date failed")
                self.errors.append(error)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
            while True:
                with self._cond:
                    while not self._pending and not self._stopping:
                        idle = time.monotonic() - self._last_change
                        if not self._merged_since_change and idle >= IDLE_MERGE_S:
                            break
                        if idle >= POLL_S and self._should_poll():
                            break
                        self._cond.wait(POLL_S)
                    if self._stopping and not self._pending:
                        return
                    if not self._pending:
                        self._busy = True
                        ids, generation, newest = None, None, -1
                    else:
                        self._cond.wait(COALESCE_S)
                        self._await_burst_end()
                        ids, self._pending = self._pending, set()
                        newest, self._pending_newest = self._pending_newest, -1
                        generation = self._contiguous_generation()
                        self._busy = True
                try:
                    if ids is None:
                        self._when_idle(library)
                    elif "*" in ids or not self.index.is_usable():
                        for _ in self.index.ensure_fresh(library):
                            pass
                    elif newest <= self.index.generation():
                        # A catch-up or rebuild since these changes (the first one, while
                        # an import ran) indexed them already: not written twice.
                        pass
                    else:
                        self._update(library, ids, generation, report)
                except Exception as error:  # noqa: BLE001 - the thread must survive
                    log.warning("updating the search index failed: %s", error)
                    self.errors.append(error)
                finally:
                    with self._cond:
                        if not self._pending:
                            report.finish()
                        self._busy = False
                        self._cond.notify_all()
        finally:
            report.finish()
            library.close()

    def _update(
        self, library: Library, ids: set[str], generation: int | None, report: _Episode
    ) -> None:
        """Write ``ids`` in one commit, saying how far it got; stamp ``generation`` with it."""
        base = report.done
        for step in self.index.write_papers(library, sorted(ids), generation):
            with self._cond:
                waiting = len(self._pending)
            report.done = base + step.done
            report.step(step.total - step.done + waiting)
        report.done = base + len(ids)


class _Episode:
    """Progress of the updates since the sync was last idle, for ``status()`` (progress.json)."""

    def __init__(self, folder: Path) -> None:
        self._report = ProgressReport(folder)
        self.done = 0

    def step(self, left: int) -> None:
        self._report.step("updating", self.done, self.done + left)

    def finish(self) -> None:
        if self.done:
            self._report.finish()
        self.done = 0
