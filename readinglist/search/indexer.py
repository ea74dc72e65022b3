"""The one index writer: a process of its own that keeps ``index/`` in step with the library.

The app starts it (``SearchIndex.attach`` → ``IndexerProcess``) and supervises it: restarted
when it crashes, stopped with the app. The app's process then only *reads* the index, so
Whoosh's writer (pure Python, seconds of CPU for a big import) never competes with the window
for the GIL. The app tells the indexer which papers each commit changed through a pipe (one
JSON line per commit: a 200-paper import is one index commit); while idle the indexer also
notices other processes' writes and damage (see ``sync.IndexSync``, which it runs).

One indexer at a time across processes: it holds ``index/INDEXER_LOCK`` while it lives (a
second window's indexer waits). A command that needs a fresh index (``until_fresh``) indexes
itself when no indexer runs, and otherwise waits for it, showing its progress.

The indexer exits when the app closes the pipe (after indexing what it was told) or dies
(its parent changes): a kill -9 of either at any moment loses nothing — the index is derived,
written beside the old one or in new segments, and the next start repairs it.

Run as ``python -m readinglist.search.indexer --home H --parent PID`` (internal).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readinglist.library import Change, Library
    from readinglist.search.index import IndexProgress, SearchIndex

log = logging.getLogger(__name__)

LOCK = "INDEXER_LOCK"
PARENT_CHECK_S = 0.5
RESTART_DELAY_S = 0.5  # first restart after a crash; doubled each time, up to 30 s
STABLE_S = 60.0  # an indexer that lived this long starts the backoff afresh


def indexer_lock(folder: Path) -> Any:
    """The lock the indexer holds while it lives (a file lock: released by a kill)."""
    from readinglist.search.engine import store

    return store.file_lock(folder, LOCK)


def until_fresh(
    index: SearchIndex,
    library: Library,
    write: bool = True,
    poll_s: float = 0.1,
    trouble: Callable[[], str | None] | None = None,
) -> Iterator[IndexProgress]:
    """Bring the index up to what ``library`` holds now, yielding progress.

    When no indexer process runs (and ``write``), this process does it, holding the indexer
    lock; otherwise it waits for the indexer, yielding its progress (``status()``). The
    window passes ``write=False``: its own indexer does the work, and ``trouble`` (its
    ``IndexerProcess.trouble``) ends the wait with IndexUnavailable when the indexer cannot
    do it, instead of waiting forever.
    """
    from readinglist.search.engine import repair
    from readinglist.search.state import IndexProgress, IndexUnavailable

    target = library.generation
    while True:
        if index.generation() >= target and index.is_usable():
            return
        if write:
            try:
                repair.prepare_folder(index.path)
            except repair.FolderUnusable as error:
                raise IndexUnavailable(str(error)) from None
            lock = indexer_lock(index.path)
            if lock.acquire(blocking=False):
                try:
                    yield from index.ensure_fresh(library)
                finally:
                    lock.release()
                return
        why = trouble() if trouble is not None else None
        if why:
            raise IndexUnavailable(why)
        status = index.status()
        detail = status.describe() or "waiting for the indexer"
        yield IndexProgress(status.phase or "waiting", status.done, status.total, detail)
        time.sleep(poll_s)


# --- the app's side ----------------------------------------------------------------------------


def indexer_command(home: Path, parent: int) -> list[str]:
    """How the indexer process is started (a test replaces it with one that fails)."""
    return [
        sys.executable, "-m", "readinglist.search.indexer",
        "--home", str(home), "--parent", str(parent),
    ]


def _last_line(text: str) -> str | None:
    """The last thing the indexer said on stderr, without its logging prefix."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    return lines[-1].removeprefix("readinglist indexer:").strip() or None


class IndexerProcess:
    """Starts, feeds and supervises the indexer process for one library (see the module doc).

    The same face as ``IndexSync``: ``flush()`` waits until every change heard so far is
    searchable, ``stop()`` ends it, ``errors`` holds what crashed indexers said.
    """

    def __init__(self, index: SearchIndex, library: Library) -> None:
        self.index = index
        self.home = library.home
        self.errors: list[str] = []
        self.restarts = 0
        self._trouble: str | None = None  # what the indexer last reported failing
        self._target = library.generation  # flush() waits for at least this generation
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._ready = threading.Event()  # the current indexer listens (or has exited)
        self._unsubscribe = library.subscribe(self._heard)
        self._thread = threading.Thread(
            target=self._supervise, name="readinglist-indexer", daemon=True
        )

    @property
    def trouble(self) -> str | None:
        """Why the index is not being brought up to date, or None (cheap: poll it).

        The indexer's last failure (what it said on stderr: it logs only warnings and
        errors), while the index is behind what this app committed; None again once the
        index caught up (the indexer, restarted, got over it).
        """
        why = self._trouble
        if why is not None and self.index.status().generation >= self._target:
            return None
        return why

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    def start(self) -> None:
        """Start the indexer (raises OSError when no process can be started here)."""
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        command = indexer_command(self.home, os.getpid())
        from readinglist.search.build import _worker_env

        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=_worker_env(),
        )
        with self._lock:
            self._process = process
            self._ready.clear()

    def _heard(self, change: Change) -> None:
        # On the writer's thread right after its commit: one line down the pipe, no waiting.
        line = json.dumps({
            "kind": change.kind, "ids": sorted(change.paper_ids),
            "generation": change.generation, "more": change.more,
        })
        with self._lock:
            self._target = max(self._target, change.generation)
            process = self._process
            if process is None or process.stdin is None:
                return
            try:
                process.stdin.write(line.encode("utf-8") + b"\n")
                process.stdin.flush()
            except (OSError, ValueError):
                pass  # it died: its successor catches up by fingerprints

    def _supervise(self) -> None:
        delay = RESTART_DELAY_S
        while True:
            process = self._process
            assert process is not None
            started = time.monotonic()
            tail = b""
            assert process.stderr is not None and process.stdout is not None
            # It says "ready" once it holds the indexer lock and listens to the pipe.
            process.stdout.readline()
            self._ready.set()
            # Reading stderr to its end is waiting for the process (and never lets it block).
            # read1: each line as it comes, so a living indexer's failure is known at once.
            for chunk in iter(lambda p=process: p.stderr.read1(4096), b""):  # type: ignore[union-attr]
                tail = (tail + chunk)[-4000:]
                said = _last_line(tail.decode("utf-8", "replace"))
                if said is not None:
                    self._trouble = said
            code = process.wait()
            with contextlib.suppress(OSError):
                process.stderr.close()
                process.stdout.close()
            with self._lock, contextlib.suppress(OSError):
                if process.stdin is not None:
                    process.stdin.close()
            if self._stopping:
                return
            message = tail.decode("utf-8", "replace").strip()
            self.errors.append(f"the indexer stopped (exit status {code}): {message[-1000:]}")
            self._trouble = _last_line(message) or f"the indexer stopped (exit status {code})"
            log.warning("the search indexer stopped (exit status %s); restarting it", code)
            if time.monotonic() - started >= STABLE_S:
                delay = RESTART_DELAY_S
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
            if self._stopping:
                return
            try:
                self._spawn()
                self.restarts += 1
            except OSError as error:
                self.errors.append(f"the indexer could not be restarted: {error}")
                return

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every change heard so far is searchable; False on timeout."""
        deadline = time.monotonic() + timeout
        target = self._target
        if not self._ready.wait(timeout):
            return False
        while time.monotonic() < deadline:
            status = self.index.status()
            if status.generation >= target and not status.busy and self.index.is_usable():
                return True
            time.sleep(0.01)
        return False

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening; the indexer indexes what it was told, then exits.

        Killed after ``timeout``: nothing is lost, the next start catches up.
        """
        self._unsubscribe()
        self._stopping = True
        with self._lock:
            process = self._process
        if process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5)


# --- the indexer's side ------------------------------------------------------------------------


def serve(home: Path, parent: int) -> int:
    """The indexer process: index what the pipe says, and what others wrote, until told to stop."""
    from readinglist.library import Change, Library
    from readinglist.search.engine import repair
    from readinglist.search.index import SearchIndex
    from readinglist.search.sync import IndexSync

    def orphaned() -> bool:
        return parent > 0 and os.getppid() != parent

    index = SearchIndex(home)
    try:
        repair.prepare_folder(index.path)
    except repair.FolderUnusable as error:
        print(f"readinglist indexer: {error}", file=sys.stderr)
        return 2
    lock = indexer_lock(index.path)
    while not lock.acquire(blocking=False):  # another window's indexer is at work
        if orphaned():
            return 3
        time.sleep(PARENT_CHECK_S)

    def watch_parent() -> None:
        while not orphaned():
            time.sleep(PARENT_CHECK_S)
        # The app died (kill -9): whatever is half-written is repaired by the next start.
        os._exit(3)

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    library = Library.open(home)
    sync = IndexSync(index, library, listen=False)
    sync.start()
    print("ready", flush=True)
    try:
        for line in sys.stdin.buffer:
            try:
                data = json.loads(line)
                change = Change(
                    data["kind"], frozenset(data["ids"]), int(data["generation"]),
                    bool(data.get("more", False)),
                )
            except (ValueError, KeyError, TypeError):
                continue
            sync.heard(change)
    finally:
        sync.stop(timeout=3600)  # index what was told (the app waits, or kills us)
        library.close()
        index.close()
        lock.release()
    return 0


# The indexer is background work: when the CPU is contended, the window's UI thread goes first
# (Linux weighs a nice-5 process at a third of a nice-0 one). The build workers inherit it.
NICENESS = 5


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The search indexer (internal).")
    parser.add_argument("--home", required=True)
    parser.add_argument("--parent", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="readinglist indexer: %(message)s")
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(NICENESS)
    try:
        return serve(Path(args.home), args.parent)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
