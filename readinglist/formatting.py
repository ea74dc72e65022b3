"""Small text formats shared by the command line, the backups listing and the desktop app."""

from __future__ import annotations

import re


def human_size(size: int) -> str:
    """A byte count as people read it: ``512 bytes``, ``764.0 KB``, ``1.2 GB``."""
    value = float(size)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


# C0 controls but tab and newline, DEL, C1 controls: ESC starts terminal escape sequences, NUL
# cuts strings short in C programs; none belongs in a title or a note shown or exported.
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_EXPORT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps \r\n


def for_terminal(text: str) -> str:
    """``text`` without control characters (ANSI escapes lose their ESC); keeps newlines, tabs."""
    return _TERMINAL_CONTROLS.sub("", text)


def for_export(text: str) -> str:
    """``text`` without control characters, keeping the line endings a writer chose."""
    return _EXPORT_CONTROLS.sub("", text)
