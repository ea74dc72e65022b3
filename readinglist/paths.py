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
