"""What the index is doing, readable by any process: progress of a build and "the index advanced".

Whoever writes the index (the indexer process, a command) reports its progress in
``index/progress.json`` (a few times a second at most, removed when done). Readers — the
window's status bar, a command waiting for the indexer — call ``read_status`` (two small file
reads, no Whoosh, no Qt) as often as they like:

    status = read_status(index_folder)
    status.busy, status.phase, status.done, status.total   # "Indexing 12,000 of 30,000"
    status.version                                         # changed: the index advanced

``version`` names what a search opened now would read: the current index (``state.json``'s
``indexname``) and its newest table of contents (Whoosh's ``_<indexname>_<gen>.toc``, written
atomically by each commit). It moves at the commit itself, before ``state.json`` is stamped:
a listing labelled with the version read before it was computed is never labelled newer than
what it saw, and two answers made between equal versions read the same index files. A merge
of segments moves it too (it changes the term statistics, so scores and "Recommended").
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROGRESS_FILE = "progress.json"
STATE_FILE = "state.json"
REPORT_EVERY_S = 0.2  # progress.json rewrites at most this often (the last step always)


@dataclass(frozen=True, slots=True)
class IndexStatus:
    """The index seen from outside: what it reflects, and what is being written now."""

    generation: int = -1  # the library generation the index reflects (-1: no index yet)
    version: str = ""  # "<indexname>/<toc generation>": what a search would read now
    phase: str = ""  # "" idle; "reading"/"writing": a full build; "updating": a catch-up
    done: int = 0  # papers done of ``total`` in this phase
    total: int = 0
    pid: int = 0  # the process writing (0: none)
    # Why the index cannot be brought up to date (the app's indexer keeps failing): "" if
    # nothing is wrong. Not on disk: the app adds what its indexer reported (IndexerProcess).
    trouble: str = ""

    @property
    def busy(self) -> bool:
        return bool(self.phase)

    @property
    def building(self) -> bool:
        return self.phase in ("reading", "writing")

    def describe(self) -> str:
        """One line for a status bar: "Indexing 12,000 of 30,000 papers…", a trouble, or ""."""
        if not self.busy:
            if self.trouble:
                # Said as it is: searching answers from what is indexed, or not at all.
                what = "unavailable" if self.generation < 0 else "incomplete"
                return f"Search {what}: {self.trouble}"
            return ""
        if self.phase == "waiting":
            return "Waiting for another process to finish indexing…"
        if self.total:
            return f"Indexing {self.done:,} of {self.total:,} papers…"
        return "Indexing…"


def read_status(folder: Path) -> IndexStatus:
    """The current status of the index in ``folder`` (never fails: unknown reads as idle)."""
    generation, version = -1, ""
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        generation = int(data["generation"])
        version = _contents_version(folder, str(data["indexname"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    progress = _read_progress(folder)
    if progress is None:
        return IndexStatus(generation, version)
    return IndexStatus(
        generation,
        version,
        str(progress.get("phase", "")),
        int(progress.get("done", 0)),
        int(progress.get("total", 0)),
        int(progress.get("pid", 0)),
    )


def _contents_version(folder: Path, indexname: str) -> str:
    """``indexname/gen`` of the newest table of contents (one listing of a small folder)."""
    pattern = re.compile(rf"^_{re.escape(indexname)}_([0-9]+)\.toc$")
    generations = [int(m.group(1)) for name in os.listdir(folder) if (m := pattern.match(name))]
    return f"{indexname}/{max(generations)}" if generations else ""


def _read_progress(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / PROGRESS_FILE).read_text(encoding="utf-8"))
        pid = int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(data, dict) or not _alive(pid):
        return None  # left by a process that was killed
    return data


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


class ProgressReport:
    """Writes ``progress.json`` for the steps of one build or catch-up in this process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._last = 0.0

    def step(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < REPORT_EVERY_S and done < total:
            return
        self._last = now
        data = {"phase": phase, "done": done, "total": total, "pid": os.getpid()}
        tmp = self.folder / f"{PROGRESS_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        # Progress is a courtesy: a full disk or a vanished folder must not stop the build.
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.folder / PROGRESS_FILE)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            data = json.loads((self.folder / PROGRESS_FILE).read_text(encoding="utf-8"))
            if data.get("pid") == os.getpid():
                (self.folder / PROGRESS_FILE).unlink()
