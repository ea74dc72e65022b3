"""What the index folder says about itself (``state.json``), its file names, and its errors."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from readinglist.atomic import atomic_write

STATE_FILE = "state.json"
INDEX_PREFIX = "papers"


class IndexUnavailable(Exception):  # noqa: N818 - the user's word
    """The index cannot be used right now (missing, being rebuilt elsewhere, broken)."""


class IndexDamaged(IndexUnavailable):
    """The index's files were found damaged; it is set aside and the next ensure_fresh rebuilds."""


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """One step of a rebuild or catch-up, for progress bars (``done``/``total`` papers)."""

    phase: str  # "reading", "writing", "updating", "done"
    done: int
    total: int
    detail: str = ""


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


def next_indexname(state: IndexState | None) -> str:
    number = 1
    if state is not None:
        match = re.search(r"_(\d+)$", state.indexname)
        number = int(match.group(1)) + 1 if match else 1
    return f"{INDEX_PREFIX}_{number}"


def remove_index_files(folder: Path, keep: set[str]) -> None:
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
