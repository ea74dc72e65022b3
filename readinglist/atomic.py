"""Saving a file so that it is either the old file or the complete new one, never half of one.

The one atomic writer of the app: exports, settings and the search index's state file use it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from readinglist import paths


def iter_atomic_write(
    path: str | Path, chunks: Iterable[bytes], durable: bool = True, guard: bool = True
) -> Iterator[int]:
    """Write ``chunks`` to a temporary file beside ``path``, then rename it over ``path``.

    Raises ProtectedFile (before writing anything) when ``path`` is part of a library, unless
    ``guard`` is off: for the app's own files there (the search index's state file).
    Yields the bytes written so far after each chunk. If anything fails (a chunk raises, the
    disk fills, the generator is closed early) the temporary file is removed and ``path`` is
    left exactly as it was. The file gets the usual permissions for new files (umask), or the
    permissions of the file it replaces. ``durable`` (the default) also waits until the file
    and the rename are on disk, so a power cut cannot leave an empty file in its place.
    """
    path = Path(path)
    if guard:
        paths.check_output(path)  # never over the library, its index, a backup or any database
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    _remove_stale_temporaries(folder, path.name)
    temporary = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    # 0o666 through os.open applies the umask, as a plainly created file would.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)
    done = False
    try:
        with os.fdopen(fd, "wb") as out:
            written = 0
            for chunk in chunks:
                out.write(chunk)
                written += len(chunk)
                yield written
            out.flush()
            if durable:
                os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        os.replace(temporary, path)
        done = True
        if durable:
            _sync_folder(folder)
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def atomic_write(
    path: str | Path, data: str | bytes | Iterable[bytes], durable: bool = True,
    guard: bool = True,
) -> int:
    """Save ``data`` (text is written as UTF-8) atomically; returns the number of bytes."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    chunks: Iterable[bytes] = (data,) if isinstance(data, bytes) else data
    written = 0
    for written in iter_atomic_write(path, chunks, durable, guard):  # noqa: B007 - last count
        pass
    return written


STALE_AFTER_S = 600


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    # A killed export leaves its hidden temporary file (tens of MB); the next export of the
    # same file clears those older than ten minutes (a running export's own is younger).
    limit = time.time() - STALE_AFTER_S
    for stale in folder.glob(f".{glob.escape(name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < limit:
                stale.unlink()


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder itself is on disk (POSIX; Windows has no need).
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
