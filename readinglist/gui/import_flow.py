"""Getting digests in: File ▸ Import (files or a folder), drops, the sample and its library."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from readinglist.gui.import_dialog import ImportDialog
from readinglist.library import ImportReport, Library

if TYPE_CHECKING:
    from readinglist.gui.mainwindow import MainWindow


def sample_digest_path() -> Path | None:
    """The sample digest shipped inside the package (None if this build lacks it)."""
    from importlib import resources

    try:
        sample = resources.files("readinglist") / "resources" / "sample" / "sample-digest.txt"
        return Path(str(sample)) if sample.is_file() else None
    except (ModuleNotFoundError, FileNotFoundError):
        return None


class Importing(QObject):
    """Starts imports in the window's writer, each with its progress dialog and report."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialogs: list[ImportDialog] = []
        self.sample_windows: list[MainWindow] = []

    def choose_files(self) -> None:
        settings = self.window.settings
        files, _ = QFileDialog.getOpenFileNames(
            self.window, "Import digests", settings.last_import_folder or str(Path.home()),
            "Digests (*.txt);;All files (*)",
        )
        if files:
            settings.last_import_folder = str(Path(files[0]).parent)
            self.import_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        settings = self.window.settings
        folder = QFileDialog.getExistingDirectory(
            self.window, "Import a folder of digests",
            settings.last_import_folder or str(Path.home()),
        )
        if folder:
            settings.last_import_folder = folder
            self.import_paths([Path(folder)])

    def import_sample(self) -> None:
        sample = sample_digest_path()
        if sample is None:
            QMessageBox.information(self.window, "Reading List", "This build has no sample digest.")
            return
        self.import_paths([sample], show_report=False)

    def open_sample_library(self) -> MainWindow:
        """A second window on a temporary library holding the sample (deleted on close).

        The user's own library stays empty and clean; File ▸ Import the Sample Digest puts
        the sample into it instead, for who wants that.
        """
        from readinglist.gui.app import prepare_demo_home
        from readinglist.gui.mainwindow import MainWindow

        home = prepare_demo_home(set_env=False)
        window = MainWindow(Library.open(home), self.window.settings)
        window.setWindowTitle("Reading List — sample library (temporary)")
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clean_up() -> None:
            if window in self.sample_windows:
                self.sample_windows.remove(window)
            window.library.close()
            shutil.rmtree(home, ignore_errors=True)

        window.closed.connect(clean_up)
        self.sample_windows.append(window)
        window.resize(self.window.size())
        window.show()
        return window

    def import_paths(self, paths: list[Path], show_report: bool = True) -> ImportDialog:
        """Import files/folders in the writer, with the progress dialog and then the report."""
        dialog = ImportDialog(self.window.writer, paths, self.window)
        self.dialogs.append(dialog)
        dialog.finished_import.connect(lambda reports: self._finished(dialog, reports))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        if show_report:
            dialog.show()
        return dialog

    def cancel_all(self) -> None:
        for dialog in list(self.dialogs):
            dialog.run.cancel()

    def close_sample_windows(self) -> None:
        for window in list(self.sample_windows):
            window.close()

    def _finished(self, dialog: ImportDialog, reports: list[ImportReport]) -> None:
        browsing = self.window.browsing
        browsing.refresh_listing()
        browsing.refresh_counts()
        if not dialog.isVisible():
            new = sum(r.new for r in reports)
            self.window.statusBar().showMessage(f"Imported {new:,} new papers.", 5000)
            self._forget(dialog)

    def _forget(self, dialog: ImportDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
            dialog.deleteLater()
