"""File ▸ Back Up Now and File ▸ Restore from Backup…, run by the window's one writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from readinglist.gui.tasks import Worker


class Backups(QObject):
    """Backs the library up, or replaces it with a backup, through the writer worker.

    ``before_restore`` runs first (the window saves the note being typed, so the restore's
    own safety copy holds it).
    """

    message = Signal(str, int)  # a result for the status bar, and for how long (ms)

    def __init__(self, home: Path, writer: Worker, parent: QWidget,
                 before_restore: Callable[[], None] = lambda: None) -> None:
        super().__init__(parent)
        self.home = home
        self.writer = writer
        self.parent_widget = parent
        self.before_restore = before_restore

    def back_up_now(self) -> None:
        from readinglist.library import backup

        task = self.writer.submit(lambda library: backup.back_up(library), name="Backing up")
        task.on_done(lambda path: self.message.emit(f"Backed up to {path}", 8000))
        task.on_error(lambda error: QMessageBox.warning(self.parent_widget, "Back up", str(error)))

    def restore(self) -> None:
        from readinglist import paths
        from readinglist.library import backup

        parent = self.parent_widget
        path, _ = QFileDialog.getOpenFileName(
            parent, "Restore the library from a backup", str(paths.backups_dir(self.home)),
            "Backups (*.db);;All files (*)",
        )
        if not path:
            return
        answer = QMessageBox.question(
            parent, "Restore",
            f"Replace the whole library with the backup\n{path}?\n\n"
            "The current library is backed up first, so this can be undone by restoring that.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.before_restore()
        task = self.writer.submit(lambda library: backup.restore(library, Path(path)),
                                  name="Restoring")
        task.on_done(lambda report: self.message.emit(str(report), 12000))
        task.on_error(lambda error: QMessageBox.warning(parent, "Restore", str(error)))
