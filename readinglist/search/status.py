"""What the index is doing, readable by any process: progress of a build and "the index advanced".

Whoever writes the index (the indexer process, a command) reports its progress in
``index/progress.json`` (a few times a second at most, removed when done). Readers — the
window's status bar, a command waiting for the indexer — call ``read_status`` (two small file
reads, no Whoosh, no Qt) as often as they like:

    status = read_status(index_folder)
    status.busy, status.phase, status.done, status.total   # "Indexing 12,000 of 30,000"
    status.version                                         # changed: the index advanced

``version`` changes whenever what a search sees changes (every commit stamps ``state.json``),
so a listing refreshes when the version it was made from is no longer the current one.
"""

from __future__ import annotations

import contextlib
import json
import os
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
    version: int = 0  # changes whenever searches see new contents ("the index advanced")
    phase: str = ""  # "" idle; "reading"/"writing": a full build; "updating": a catch-up
    done: int = 0  # papers done of ``total`` in this phase
    total: int = 0
    pid: int = 0  # the process writing (0: none)

    @property
    def busy(self) -> bool:
        return bool(self.phase)

    @property
    def building(self) -> bool:
        return self.phase in ("reading", "writing")

    def describe(self) -> str:
        """One line for a status bar: "Indexing 12,000 of 30,000 papers…" or ""."""
        if not self.busy:
            return ""
        if self.phase == "waiting":
            return "Waiting for another process to finish indexing…"
        if self.total:
            return f"Indexing {self.done:,} of {self.total:,} papers…"
        return "Indexing…"


def read_status(folder: Path) -> IndexStatus:
    """The current status of the index in ``folder`` (never fails: unknown reads as idle)."""
    generation, version = -1, 0
    try:
        state = folder / STATE_FILE
        version = state.stat().st_mtime_ns
        data = json.loads(state.read_text(encoding="utf-8"))
        generation = int(data["generation"])
        # Written with every commit (mtime alone moves in coarse ticks): prefer it.
        version = int(data.get("written", version))
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
