"""Finding damage in the index folder, and clearing the way for the rebuild that repairs it.

The index is derived from SQLite, so every repair is the same: set the broken index aside and
build a new one. What this module adds is *noticing*:

- ``files.json`` records the size of every file of every segment when it is written (Whoosh's
  segment files never change after that: deletions live in the table of contents). Opening
  an index compares them: a deleted ``.trm`` or ``*.col`` file, or a truncated ``.pst`` or
  ``*.id.col``, is found before a query reads garbage (a missing id column silently gives
  hits with the id ``''``). A segment written by another process after the last manifest
  is not checked until the next one lists it.
- Files ending in ``.cache`` beside a segment are derived from it (``engine/derived.py``) and
  check themselves: they are not in the manifest, and go with their segment as orphans.
- ``prepare_folder`` turns whatever sits at ``index/`` (a file, a symlink loop, a folder we
  cannot write) into a writable folder, or says why it cannot.
- ``remove_orphans`` deletes segment files no table of contents names: what a write that
  failed (a full disk) or a killed writer left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import threading
import time
from pathlib import Path
from typing import Any

MANIFEST = "files.json"
DERIVED_SUFFIX = ".cache"  # engine/derived.py's files: beside their segment, not part of it


class FolderUnusable(Exception):  # noqa: N818 - reads as what happened
    """``index/`` cannot be made a writable folder (the message says why, naming the path)."""


def prepare_folder(path: Path) -> None:
    """Make ``path`` a folder this process can write, setting aside whatever was there."""
    if os.path.lexists(path) and not os.path.isdir(path):
        # A file, a dangling symlink or a symlink loop where the folder should be: derived
        # data lives here, so what is in the way is removed.
        try:
            os.unlink(path)
        except OSError as error:
            raise FolderUnusable(f"{path} is not a folder and cannot be removed: {error}") from None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FolderUnusable(f"cannot create the search index folder {path}: {error}") from None
    if _writable(path):
        return
    # Read-only (chmod -R a-w, a restored backup...): give ourselves write access back.
    with contextlib.suppress(OSError):
        _make_writable(path)
    if _writable(path):
        return
    # Not ours to change: set it aside and start an empty folder.
    aside = path.with_name(f"{path.name}.unwritable-{int(time.time())}")
    try:
        os.rename(path, aside)
        path.mkdir()
    except OSError as error:
        raise FolderUnusable(f"the search index folder {path} is not writable: {error}") from None


def _writable(path: Path) -> bool:
    """True when files can be created in ``path`` and its existing lock files opened."""
    probe = path / f".probe.{os.getpid()}.{threading.get_ident()}"
    try:
        with open(probe, "w"):
            pass
        probe.unlink()
        for entry in path.iterdir():
            if entry.is_file() and not os.access(entry, os.W_OK):
                return False
        # root passes os.access; the real test is opening for writing.
        for name in ("REBUILD_LOCK",):
            lock = path / name
            if lock.exists():
                with open(lock, "a"):
                    pass
    except OSError:
        return False
    return True


def _make_writable(path: Path) -> None:
    os.chmod(path, stat.S_IMODE(os.stat(path).st_mode) | stat.S_IRWXU)
    for entry in path.iterdir():
        if entry.is_symlink():
            continue
        mode = stat.S_IMODE(entry.stat().st_mode)
        os.chmod(entry, mode | (stat.S_IRWXU if entry.is_dir() else stat.S_IRUSR | stat.S_IWUSR))


# --- the manifest ---------------------------------------------------------------------------


def segment_files(folder: Path, ix: Any) -> dict[str, dict[str, int]]:
    """{segment id: {file name: size}} for the segments of ``ix``'s current table of contents."""
    names = sorted(os.listdir(folder))
    found: dict[str, dict[str, int]] = {}
    for segment in ix._segments():
        prefix = segment.segment_id() + "."
        files = {}
        for name in names:
            # Derived files (engine/derived.py) are rewritten when damaged: not the index.
            if name.startswith(prefix) and not name.endswith(DERIVED_SUFFIX):
                with contextlib.suppress(OSError):
                    files[name] = (folder / name).stat().st_size
        found[segment.segment_id()] = files
    return found


def write_manifest(folder: Path, ix: Any) -> None:
    """Record the files of ``ix``'s segments (after a commit, while holding the write lock)."""
    recorded = _read_manifest(folder)
    current = segment_files(folder, ix)
    # Keep what an earlier manifest said about segments still in use: those files are
    # immutable, and re-reading their sizes now would bless a file damaged in between.
    merged = {seg: recorded.get(seg) or files for seg, files in current.items()}
    tmp = folder / f"{MANIFEST}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(merged, f)
        os.replace(tmp, folder / MANIFEST)
    except OSError:
        # A full disk: no manifest is "unchecked", never "damaged".
        with contextlib.suppress(OSError):
            tmp.unlink()


def _read_manifest(folder: Path) -> dict[str, dict[str, int]]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(seg): {str(n): int(s) for n, s in files.items()}
        for seg, files in data.items()
        if isinstance(files, dict)
    }


def damage(folder: Path, ix: Any) -> str | None:
    """What is wrong with ``ix``'s files, or None: a missing or truncated file, no id column."""
    recorded = _read_manifest(folder)
    for segment in ix._segments():
        segid = segment.segment_id()
        if segment.is_compound():
            expected = {segment.make_filename(".seg"): -1}
        else:
            expected = dict(recorded.get(segid, {}))
            # Every segment with documents has an id column and a term file: checked even
            # when no manifest lists the segment yet.
            if segment.doc_count_all():
                for ext in (".trm", ".pst", ".id.col"):
                    expected.setdefault(segment.make_filename(ext), -1)
        for name, size in expected.items():
            try:
                actual = (folder / name).stat().st_size
            except OSError:
                return f"the file {name} is missing"
            if size >= 0 and actual != size:
                return f"the file {name} has {actual:,} bytes instead of {size:,}"
    return None


# --- orphans ---------------------------------------------------------------------------------


def remove_orphans(folder: Path, ix: Any) -> list[str]:
    """Delete files of ``ix``'s index that no segment of its table of contents names.

    Only while nobody writes this index (its Whoosh write lock, taken here without waiting):
    a writer's new segment is not in the table of contents until it commits.
    """
    lock = ix.storage.lock(ix.indexname + "_WRITELOCK")
    try:
        if not lock.acquire(blocking=False):
            return []
    except OSError:
        return []
    try:
        live = {segment.segment_id() for segment in ix._segments()}
        pattern = re.compile(rf"^({re.escape(ix.indexname)}_[0-9a-z]+)\.")
        removed = []
        for name in os.listdir(folder):
            match = pattern.match(name)
            if match and match.group(1) not in live:
                with contextlib.suppress(OSError):
                    path = folder / name
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
                    removed.append(name)
        return removed
    finally:
        lock.release()
