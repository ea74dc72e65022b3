"""File ▸ Export…: format, scope, grouping, a short preview, destination; exports run in workers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
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
    QWidget,
)

from readinglist.export import FORMATS, GROUPINGS, iter_write_export, preview
from readinglist.export.pages import LibraryPapers
from readinglist.gui.tasks import Task, Worker
from readinglist.library import Library, PaperFilter

if TYPE_CHECKING:
    from readinglist.gui.settings import Settings

GROUPING_NAMES = {"none": "No grouping", "tag": "By tag", "digest": "By digest",
                  "month": "By month published"}


class Exports(QObject):
    """Exports being written, each in its own worker; reports through signals."""

    busy = Signal(str)  # what the status bar's busy label says ("" when done)
    message = Signal(str, int)  # a result for the status bar, and for how long (ms)

    def __init__(self, home: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self.home = home
        self.parent_widget = parent
        self.workers: set[Worker] = set()

    def start(self, path: Path, ids: list[str], format: str, grouping: str,
              options: dict[str, Any]) -> Task:
        home = self.home
        worker = Worker("export", lambda: Library.open(home), lambda lib: lib.close())

        def work(library: Library):
            papers = LibraryPapers(library, ids)
            return iter_write_export(
                path, papers, format, grouping, digests=library.digests(), **options
            )

        task = worker.submit(work, name="Exporting")
        self.busy.emit("Exporting…")

        def progress(items: list) -> None:
            last = items[-1]
            self.busy.emit(f"Exporting {last.done:,} of {last.total:,}…")

        def failed(error: BaseException) -> None:
            QMessageBox.warning(self.parent_widget, "Export", f"The export failed:\n\n{error}")

        def finished() -> None:
            self.busy.emit("")
            worker.stop()
            self.workers.discard(worker)

        task.on_progress(progress).on_done(lambda result: self.message.emit(str(result), 8000))
        task.on_error(failed)
        task.finished.connect(finished)
        self.workers.add(worker)
        return task

    def stop_all(self, timeout: float = 60) -> None:
        """Let every export being written finish (closing the window must not cut a file)."""
        for worker in list(self.workers):
            worker.stop(timeout=timeout)


class ExportDialog(QDialog):
    """Choose what to export and how, with a preview.

    ``shown`` are the ids the list shows and ``scope_name`` what they are ("Unread, search
    "x""); ``ids`` is the selection.
    """

    def __init__(self, library: Library, settings: Settings, exports: Exports,
                 shown: Sequence[str], scope_name: str, ids: Sequence[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.exports = exports
        self.setWindowTitle("Export papers")
        self.setMinimumSize(640, 520)
        self.scopes: list[tuple[str, str, list[str] | PaperFilter]] = []
        if ids:
            self.scopes.append(("selection", f"Selected papers ({len(ids):,})", list(ids)))
        shown = list(shown)
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
        library = self.library
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
        settings = self.settings
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

    def start(self, path: Path) -> Task:
        """Write the export in its own worker thread; the status bar reports the result."""
        return self.exports.start(
            path, self.chosen_ids(self.library), self.format.currentData(),
            self.grouping.currentData(), self.options(),
        )
