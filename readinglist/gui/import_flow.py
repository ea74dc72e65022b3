"""Getting digests in: File ▸ Import (files or a folder), drops and the sample digest."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from readinglist import paths
from readinglist.gui.import_dialog import ImportDialog
from readinglist.gui.settings import Settings
from readinglist.gui.tasks import Worker
from readinglist.library import ImportReport, Library


def sample_digest_path() -> Path | None:
    """The sample digest shipped inside the package (None if this build lacks it)."""
    from importlib import resources

    try:
        sample = resources.files("readinglist") / "resources" / "sample" / "sample-digest.txt"
        return Path(str(sample)) if sample.is_file() else None
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def prepare_demo_home(set_env: bool = True) -> Path:
    """A temporary library holding the sample digest (READINGLIST_HOME points at it if set_env)."""
    home = Path(tempfile.mkdtemp(prefix="readinglist-demo-"))
    try:
        if set_env:
            os.environ[paths.HOME_ENV] = str(home)
        sample = sample_digest_path()
        if sample is not None:
            copy = home / sample.name
            shutil.copyfile(sample, copy)
            with Library.open(home) as library:
                for _ in library.import_files([copy]):
                    pass
    except BaseException:  # a failure or a signal half-way: nobody else knows the folder
        shutil.rmtree(home, ignore_errors=True)
        raise
    return home


class Importing(QObject):
    """Starts imports in the window's writer, each with its progress dialog and report."""

    imported = Signal(list)  # the ImportReports of one finished import
    message = Signal(str, int)  # a status bar message, and for how long (ms)

    def __init__(self, writer: Worker, settings: Settings, parent: QWidget) -> None:
        super().__init__(parent)
        self.writer = writer
        self.settings = settings
        self.parent_widget = parent
        self.dialogs: list[ImportDialog] = []

    def choose_files(self) -> None:
        settings = self.settings
        files, _ = QFileDialog.getOpenFileNames(
            self.parent_widget, "Import digests", settings.last_import_folder or str(Path.home()),
            "Digests and Reading List exports (*.txt *.json);;All files (*)",
        )
        if files:
            settings.last_import_folder = str(Path(files[0]).parent)
            self.import_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        settings = self.settings
        folder = QFileDialog.getExistingDirectory(
            self.parent_widget, "Import a folder of digests",
            settings.last_import_folder or str(Path.home()),
        )
        if folder:
            settings.last_import_folder = folder
            self.import_paths([Path(folder)])

    def import_sample(self) -> None:
        sample = sample_digest_path()
        if sample is None:
            QMessageBox.information(
                self.parent_widget, "Reading List", "This build has no sample digest."
            )
            return
        self.import_paths([sample], show_report=False)

    def paste_digest(self) -> ImportDialog | None:
        """Edit ▸ Paste Digest: the clipboard's text imported as a digest, with the report.

        The ledger names it by date and time; the same text pasted again changes nothing.
        """
        text = QApplication.clipboard().text()
        if not text.strip():
            self.message.emit("The clipboard holds no text to import.", 4000)
            return None
        return self.import_paths([], text=text)

    def import_paths(
        self,
        paths: list[Path],
        show_report: bool = True,
        text: str | None = None,
        undelete: bool = False,
    ) -> ImportDialog:
        """Import files/folders (or pasted text) in the writer, with progress and the report.

        JSON exports among the files are merged. Deleted papers stay deleted unless
        ``undelete``; the report offers to bring them back.
        """
        dialog = ImportDialog(self.writer, paths, self.parent_widget, text=text, undelete=undelete)
        dialog.undelete_requested.connect(
            lambda again, pasted: self.import_paths(again, text=pasted, undelete=True)
        )
        self.dialogs.append(dialog)
        dialog.finished_import.connect(lambda reports: self._finished(dialog, reports))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        if show_report:
            dialog.show()
        return dialog

    def cancel_all(self) -> None:
        for dialog in list(self.dialogs):
            dialog.run.cancel()

    def _finished(self, dialog: ImportDialog, reports: list[ImportReport]) -> None:
        self.imported.emit(reports)
        if not dialog.isVisible():
            new = sum(r.new for r in reports)
            self.message.emit(f"Imported {new:,} new papers.", 5000)
            self._forget(dialog)

    def _forget(self, dialog: ImportDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
            dialog.deleteLater()
