"""Which files of a watched folder are ready to import: complete, and not handed over already.

A browser or editor writes a file in several steps; reading it half-written would import half a
digest (and record that in the ledger). A file is *ready* once its size and modification time
have stayed the same for ``settle`` seconds; a file last modified longer ago than that (one there
before the app started) is ready at first sight. A ready file is handed over once per version: if
it changes later it is handed over again, and the import ledger decides (the same text changes
nothing, new text is a new digest), as for any import. Plain Python: the window polls
:meth:`FolderArrivals.scan` from its own timer and file-system watcher.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SETTLE_SECONDS = 2.0
# Downloads and editors write under these names first, then rename: never ready by themselves.
PARTIAL_SUFFIXES = (".part", ".crdownload", ".download", ".partial", ".tmp", ".swp", "~")


@dataclass(slots=True)
class Scan:
    """What one look at the folder found."""

    ready: list[Path] = field(default_factory=list)  # complete files to import now
    waiting: int = 0  # files still being written (or too new to tell)
    error: str | None = None  # why the folder cannot be read; None when it can


@dataclass(slots=True)
class _Sighting:
    size: int
    mtime_ns: int
    since: float  # when this size and mtime were first seen


class FolderArrivals:
    """Watches one folder's files (not its subfolders) for complete, new or changed ones."""

    def __init__(
        self,
        folder: Path,
        settle: float = SETTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(folder)
        self.settle = settle
        self.clock = clock  # for "unchanged since": never jumps
        self.wall = wall  # to compare with the files' modification times
        self._seen: dict[str, _Sighting] = {}
        self._handed: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) handed over

    def scan(self) -> Scan:
        """Look at the folder once; the files that became ready since the last look."""
        now, wall = self.clock(), self.wall()
        result = Scan()
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return Scan(error=f"the watched folder {self.folder} does not exist (any more)")
        except NotADirectoryError:
            return Scan(error=f"the watched folder {self.folder} is not a folder")
        except OSError as error:
            reason = error.strerror or str(error)
            return Scan(error=f"the watched folder {self.folder} cannot be read: {reason}")
        present: set[str] = set()
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES):
                continue
            try:
                if not entry.is_file():
                    continue
                stat = entry.stat()
            except OSError:
                continue  # gone between the listing and the look: the next scan tells
            present.add(name)
            version = (stat.st_size, stat.st_mtime_ns)
            seen = self._seen.get(name)
            if seen is None or (seen.size, seen.mtime_ns) != version:
                seen = self._seen[name] = _Sighting(stat.st_size, stat.st_mtime_ns, now)
                if wall - stat.st_mtime_ns / 1e9 <= self.settle:
                    result.waiting += 1
                    continue
                seen.since = now - self.settle  # untouched for longer than that already
            if self._handed.get(name) == version:
                continue
            if stat.st_size == 0 or now - seen.since < self.settle:
                result.waiting += 1  # an empty file is a file about to be written
                continue
            self._handed[name] = version
            result.ready.append(Path(entry.path))
        # Forget files that went away: one saved again under that name is new again.
        for name in set(self._seen) - present:
            del self._seen[name]
            self._handed.pop(name, None)
        return result
