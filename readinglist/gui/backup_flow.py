"""File ▸ Back Up Now and File ▸ Restore from Backup…, run by the window's one writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from readinglist.gui.tasks import Worker
from readinglist.library.backup import RestorePreview


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
        self.confirmation: QMessageBox | None = None  # the restore question while it is open

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
        # The comparison reads both databases: off the UI thread, like every long read.
        task = self.writer.submit(
            lambda library: backup.restore_preview(library, Path(path)), name="Reading the backup"
        )
        task.on_done(lambda preview: self.confirm_restore(preview))
        task.on_error(lambda error: QMessageBox.warning(parent, "Restore", str(error)))

    def confirm_restore(self, preview: RestorePreview) -> QMessageBox:
        """Ask, saying which backup and what would be lost; Cancel is the default button."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Restore from backup",
            "Replace your whole library with this backup?", QMessageBox.StandardButton.NoButton,
            self.parent_widget,
        )
        box.setInformativeText("\n\n".join(preview.lines()))
        box.setDetailedText(str(preview.backup.path))
        restore = box.addButton("Restore", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.confirmation = box

        def answered(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is restore:
                self._restore(preview.backup.path)
            box.deleteLater()

        box.finished.connect(answered)
        box.open()
        return box

    def _restore(self, path: Path) -> None:
        from readinglist.library import backup

        parent = self.parent_widget
        self.before_restore()
        task = self.writer.submit(lambda library: backup.restore(library, path), name="Restoring")
        task.on_done(lambda report: self.message.emit(str(report), 12000))
        task.on_error(lambda error: QMessageBox.warning(parent, "Restore", str(error)))
