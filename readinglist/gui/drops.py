"""Files dragged over a text field are digests for the window to import, not text to insert."""

from __future__ import annotations

from PySide6.QtGui import QDragEnterEvent


def dropping_files(event: QDragEnterEvent) -> bool:
    """Whether a drag carries local files."""
    mime = event.mimeData()
    return mime.hasUrls() and any(url.isLocalFile() for url in mime.urls())


class LeavesFileDropsToWindow:
    """Mix into a text widget (before the Qt class) so dropped files reach the window's import."""

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if dropping_files(event):
            event.ignore()
            return
        super().dragEnterEvent(event)  # type: ignore[misc]
