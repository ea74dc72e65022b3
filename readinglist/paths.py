"""Every folder and file the app uses, in one place (platformdirs, with an override).

``READINGLIST_HOME`` moves everything — data, index, backups and settings — into one
folder: tests use it for isolation, and users for a portable library.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import platformdirs

APP_NAME = "readinglist"
HOME_ENV = "READINGLIST_HOME"


def _override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """The folder holding the library database, the search index and backups."""
    return _override() or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The folder holding the desktop app's settings."""
    override = _override()
    if override is not None:
        return override / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def database_path(home: Path | None = None) -> Path:
    return (home or data_dir()) / "library.db"


def index_dir(home: Path | None = None) -> Path:
    return (home or data_dir()) / "index"


def backups_dir(home: Path | None = None) -> Path:
    return (home or data_dir()) / "backups"


def settings_path() -> Path:
    return config_dir() / "settings.json"


def backup_file(folder: Path, kind: str) -> Path:
    """A new, unused backup file name in ``folder``: ``library-20250116-093000-<kind>.db``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"library-{stamp}-{kind}.db"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"library-{stamp}-{n}-{kind}.db"
    return target


# --- files no output may replace -------------------------------------------------------------

SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm", "-journal")


class ProtectedFile(PermissionError):
    """An export or backup was pointed at a file of the library itself; nothing was written."""


def check_output(
    target: str | os.PathLike[str], home: Path | None = None, *, new_backup: bool = False
) -> None:
    """Raise ProtectedFile if writing ``target`` would replace part of a library.

    Refused: the library of ``home`` (default: the user's), its -wal/-shm/-journal, anything in
    its index or backups folders, and -- wherever it is -- any SQLite database or the side
    file of one (another library, a backup copied elsewhere). An export or backup never has a
    reason to overwrite those, and doing so destroys the user's work. ``new_backup`` allows a
    file that does not exist yet in the backups folder (where backups are made).
    """
    target = Path(target)
    home = home or data_dir()
    in_backups = _resolve(target.parent) == _resolve(backups_dir(home))
    if new_backup and in_backups and not target.exists():
        return  # a new file in backups/ (daily, manual, before-restore) replaces nothing
    reason = _protected_reason(target, home)
    if reason is not None:
        raise ProtectedFile(f"{target} is {reason}; choose another file name (nothing was written)")


def _protected_reason(target: Path, home: Path) -> str | None:
    resolved = _resolve(target)
    library = _resolve(database_path(home))
    for suffix in ("", *_SIDECARS):
        part = Path(f"{library}{suffix}")
        if resolved == part or _same_file(target, part):
            return f"a working file of the library ({suffix})" if suffix else "the library itself"
    for folder, what in ((index_dir(home), "the search index"), (backups_dir(home), "backups")):
        folder = _resolve(folder)
        if resolved == folder or folder in resolved.parents:
            return f"inside the library's {what} folder"
    if _is_database(target):
        return "an SQLite database (a library or a backup)"
    for suffix in _SIDECARS:
        stem = target.name.removesuffix(suffix)
        if stem and stem != target.name and _is_database(target.with_name(stem)):
            return f"a working file ({suffix}) of an SQLite database"
    return None


def _resolve(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.expanduser().absolute()


def _same_file(a: Path, b: Path) -> bool:
    # A hard link (or a bind mount) to the library has another name but is the same file.
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _is_database(path: Path) -> bool:
    if not path.is_file():  # never open a FIFO or a device: that could block
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False
