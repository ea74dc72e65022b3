"""File ▸ Export…: format, scope, grouping, a short preview, destination; also backup/restore."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
)

from readinglist.export import FORMATS, GROUPINGS, iter_write_export, preview
from readinglist.export.pages import LibraryPapers
from readinglist.gui.tasks import Worker
from readinglist.library import Library, PaperFilter

if TYPE_CHECKING:
    from readinglist.gui.mainwindow import MainWindow

GROUPING_NAMES = {"none": "No grouping", "tag": "By tag", "digest": "By digest",
                  "month": "By month published"}


class ExportDialog(QDialog):
    def __init__(self, window: MainWindow, ids: Sequence[str] | None = None) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Export papers")
        self.setMinimumSize(640, 520)
        library = window.library
        shown = list(window.model.ids)
        self.scopes: list[tuple[str, str, list[str] | PaperFilter]] = []
        if ids:
            self.scopes.append(("selection", f"Selected papers ({len(ids):,})", list(ids)))
        scope_name = window.sidebar.currentIndex().data() or "All papers"
        if window.request.query:
            scope_name += f', search "{window.request.query}"'
        self.scopes.append(("shown", f"Papers shown: {scope_name} ({len(shown):,})", shown))
        self.scopes.append((
            "starred", f"Starred papers ({library.count(PaperFilter(starred=True)):,})",
            PaperFilter(starred=True),
        ))
        self.scopes.append(("notes", "Papers with notes", PaperFilter(has_note=True)))
        self.scopes.append(("all", f"All papers ({library.count():,})", PaperFilter()))

        self.scope = QComboBox(self)
        for _key, label, _what in self.scopes:
            self.scope.addItem(label)
        self.format = QComboBox(self)
        for name, fmt in FORMATS.items():
            self.format.addItem(fmt.label, name)
        self.grouping = QComboBox(self)
        for name in GROUPINGS:
            self.grouping.addItem(GROUPING_NAMES.get(name, name), name)
        self.abstracts = QCheckBox("Include abstracts", self)
        self.abstracts.setChecked(True)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.status = QLabel("", self)
        self.status.setObjectName("Muted")
        for widget in (self.scope, self.format, self.grouping):
            widget.currentIndexChanged.connect(self._update_preview)
        self.abstracts.toggled.connect(self._update_preview)

        form = QFormLayout()
        form.addRow("Papers", self.scope)
        form.addRow("Format", self.format)
        form.addRow("Grouping", self.grouping)
        form.addRow("", self.abstracts)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export…")
        buttons.accepted.connect(self._choose_destination)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._update_preview()

    def chosen_ids(self, library: Library) -> list[str]:
        _key, _label, what = self.scopes[self.scope.currentIndex()]
        if isinstance(what, PaperFilter):
            return library.list_ids(what, sort="added")
        return list(what)

    def scope_words(self) -> str:
        label = self.scopes[self.scope.currentIndex()][1]
        return label.rsplit(" (", 1)[0]

    def options(self) -> dict[str, Any]:
        return {
            "scope": self.scope_words(),
            "include_abstracts": self.abstracts.isChecked(),
        }

    def _update_preview(self) -> None:
        library = self.window_.library
        ids = self.chosen_ids(library)
        try:
            text = preview(
                LibraryPapers(library, ids), self.format.currentData(),
                self.grouping.currentData(), digests=library.digests(), **self.options(),
            )
        except ValueError as error:
            text = str(error)
        self.preview.setPlainText(text)
        self.grouping.setEnabled(FORMATS[self.format.currentData()].groups)

    def _choose_destination(self) -> None:
        fmt = FORMATS[self.format.currentData()]
        settings = self.window_.settings
        folder = Path(settings.last_export_folder or Path.home())
        suggested = folder / f"reading-list{fmt.suffix}"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", str(suggested), fmt.file_filter)
        if not path:
            return
        if not Path(path).suffix:
            path += fmt.suffix
        settings.last_export_folder = str(Path(path).parent)
        self.start(Path(path))
        self.accept()

    def start(self, path: Path):
        """Write the export in its own worker thread; the status bar reports the result."""
        return start_export(
            self.window_, path, self.chosen_ids(self.window_.library), self.format.currentData(),
            self.grouping.currentData(), self.options(),
        )


def start_export(window: MainWindow, path: Path, ids: list[str], format: str, grouping: str,
                 options: dict[str, Any]):
    home = window.home
    worker = Worker("export", lambda: Library.open(home), lambda lib: lib.close())

    def work(library: Library):
        papers = LibraryPapers(library, ids)
        return iter_write_export(
            path, papers, format, grouping, digests=library.digests(), **options
        )

    task = worker.submit(work, name="Exporting")
    bar = window.statusBar()
    window.busy_label.setText("Exporting…")

    def progress(items: list) -> None:
        last = items[-1]
        window.busy_label.setText(f"Exporting {last.done:,} of {last.total:,}…")

    def done(result) -> None:
        bar.showMessage(str(result), 8000)

    def failed(error: BaseException) -> None:
        QMessageBox.warning(window, "Export", f"The export failed:\n\n{error}")

    def finished() -> None:
        window.busy_label.setText("")
        worker.stop()
        window._exports.discard(worker)

    task.on_progress(progress).on_done(done).on_error(failed)
    task.finished.connect(finished)
    window._exports.add(worker)
    return task


def back_up_now(window: MainWindow) -> None:
    from readinglist.library import backup

    task = window.writer.submit(lambda library: backup.back_up(library), name="Backing up")
    task.on_done(lambda path: window.statusBar().showMessage(f"Backed up to {path}", 8000))
    task.on_error(lambda error: QMessageBox.warning(window, "Back up", str(error)))


def restore_from_backup(window: MainWindow) -> None:
    from readinglist import paths
    from readinglist.library import backup

    path, _ = QFileDialog.getOpenFileName(
        window, "Restore the library from a backup", str(paths.backups_dir(window.home)),
        "Backups (*.db);;All files (*)",
    )
    if not path:
        return
    answer = QMessageBox.question(
        window, "Restore",
        f"Replace the whole library with the backup\n{path}?\n\n"
        "The current library is backed up first, so this can be undone by restoring that.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    window.detail.flush()
    task = window.writer.submit(lambda library: backup.restore(library, Path(path)),
                                name="Restoring")
    task.on_done(lambda report: window.statusBar().showMessage(str(report), 12000))
    task.on_error(lambda error: QMessageBox.warning(window, "Restore", str(error)))
