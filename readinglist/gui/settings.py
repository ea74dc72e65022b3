"""The desktop app's settings: typed, versioned, stored as JSON in the config folder."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from readinglist import paths
from readinglist.atomic import atomic_write

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
THEMES = ("system", "light", "dark")
FONT_SIZES = range(8, 25)


@dataclass(slots=True)
class Settings:
    """What the app remembers between runs. Unknown or bad values fall back to defaults."""

    version: int = SETTINGS_VERSION
    theme: str = "system"  # one of THEMES
    font_size: int = 0  # points; 0 = the platform's default
    geometry: str = ""  # QMainWindow.saveGeometry(), base64
    window_state: str = ""  # QMainWindow.saveState(), base64
    splitter: str = ""  # the main splitter's saveState(), base64
    detail_splitter: str = ""
    table_header: str = ""  # column widths and sort column, base64
    hidden_columns: list = field(default_factory=list)  # list columns hidden from the header menu
    sort: str = "added"
    descending: bool = True
    last_import_folder: str = ""
    last_export_folder: str = ""
    sidebar_collapsed: list = field(default_factory=list)  # folded sidebar sections
    watched_folder: str = ""  # digests saved here are imported when they appear; "" = none

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or paths.settings_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable settings %s: %s", path, error)
            return cls()
        if not isinstance(raw, dict):
            return cls()
        return cls.from_dict(_migrate(raw))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        settings = cls()
        for f in fields(cls):
            if f.name in raw and isinstance(raw[f.name], type(getattr(settings, f.name))):
                setattr(settings, f.name, raw[f.name])
        if settings.theme not in THEMES:
            settings.theme = "system"
        if settings.font_size and settings.font_size not in FONT_SIZES:
            settings.font_size = 0
        settings.version = SETTINGS_VERSION
        return settings

    def save(self, path: Path | None = None) -> None:
        """Write atomically: a crash mid-write leaves the previous settings, not half a file."""
        path = path or paths.settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(asdict(self), indent=2))


def _migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring settings written by an older version forward (one step per version)."""
    version = raw.get("version", 1)
    if not isinstance(version, int) or version > SETTINGS_VERSION:
        # Written by a newer app: keep what we understand, it is only preferences.
        return raw
    return raw
