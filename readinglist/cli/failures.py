"""What the command line says when something goes wrong: one clear line, never a traceback.

Each failure we know (a busy or damaged library, a full disk, a read-only folder) gets its own
words; anything unexpected is written with its traceback to a log file, and the user reads
one line saying what happened and where that log is.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import traceback
from pathlib import Path

from readinglist import paths
from readinglist.library.errors import DatabaseError

RESTORE_HINT = (
    "restore a backup: `readinglist backup --list` shows the automatic daily backups, "
    "`readinglist restore FILE` puts one back (the damaged file is kept aside)"
)
_DAMAGE_WORDS = ("malformed", "not a database", "disk image", "file is encrypted")


def explain(error: BaseException) -> str:
    """The one line to print for ``error`` (without the "readinglist: " prefix)."""
    from readinglist.library import LibraryError

    text = str(error)
    if isinstance(error, LibraryError):
        return text + (f"; {RESTORE_HINT}" if _is_damage(text) else "")
    if isinstance(error, DatabaseError):
        if _is_damage(text):
            return f"the library at {paths.database_path()} is damaged ({text}); {RESTORE_HINT}"
        if "locked" in text or "busy" in text:
            return (
                f"{paths.database_path()} is busy: another Reading List window or command is "
                "writing to it; try again when it has finished"
            )
        if "full" in text:
            return f"the disk holding {paths.data_dir()} is full ({text}); nothing was changed"
        if "readonly" in text or "read-only" in text:
            return f"{paths.data_dir()} is read-only ({text}); nothing was changed"
        return f"the library could not be used: {text}"
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror or text}{where}"
    if isinstance(error, RecursionError):
        return "the input is nested too deeply to be read"
    if isinstance(error, MemoryError):
        return "not enough memory for this (is the input file far too large?)"
    log = write_log(error)
    where = f"; details are in {log}" if log else ""
    return f"unexpected error: {type(error).__name__}: {text}{where}"


def write_log(error: BaseException) -> Path | None:
    """Append ``error`` with its traceback to the log file; its path, or None if none could be."""
    lines = traceback.format_exception(error)
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    entry = f"--- {stamp} readinglist {' '.join(sys.argv[1:])}\n{''.join(lines)}\n"
    for folder in (paths.data_dir() / "logs", Path(tempfile.gettempdir())):
        target = folder / "readinglist-errors.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(target, "a", encoding="utf-8", errors="backslashreplace") as log:
                log.write(entry)
        except OSError:
            continue
        return target
    return None


def _is_damage(text: str) -> bool:
    return any(word in text for word in _DAMAGE_WORDS)
