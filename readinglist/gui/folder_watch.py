"""The watched folder (Settings): digests saved there are imported once complete, quietly.

What is complete and new is decided by the Qt-free :class:`FolderArrivals`; this module only
asks it to look (on its own thread, so a slow or network folder never holds the window) when
the file-system watcher says the folder changed and, as a safety net, on a timer. Imports go
through the same dialog as File ▸ Import, kept hidden: the notice in the status bar opens it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from readinglist.gui.import_dialog import ImportDialog
from readinglist.gui.tasks import Worker
from readinglist.watched_folder import FolderArrivals, Scan

BUSY_POLL_MS = 1000  # while a file is being written, look again soon
IDLE_POLL_MS = 5000  # otherwise, in case the watcher missed something (network folders)


class FolderWatch(QObject):
    """Imports what arrives in one folder through the window's writer."""

    notice = Signal(str)  # a quiet line for the status bar (the report is one click away)
    problem = Signal(str)  # the folder cannot be read: said once, until it can again
    imported = Signal(list)  # the reports of an import from the folder
    undelete_requested = Signal(list, object)  # as ImportDialog's: paths, text
    scanned = Signal(object)  # each look at the folder (a Scan): tests wait on it

    def __init__(self, writer: Worker, parent: QWidget) -> None:
        super().__init__(parent)
        self.writer = writer
        self.parent_widget = parent
        self.arrivals: FolderArrivals | None = None
        self.report: ImportDialog | None = None  # the last import's report, shown on request
        self.problem_text = ""
        self._importing = False
        self._scanning = False
        self._rescan = False
        self._stopped = False
        self._queued: list[Path] = []
        self._scanner = Worker("watched folder")
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self.scan())
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.scan)

    @property
    def folder(self) -> Path | None:
        return self.arrivals.folder if self.arrivals else None

    def set_folder(self, folder: str) -> None:
        """Watch ``folder`` ("" stops watching); what is already there and new is imported."""
        if self.folder == (Path(folder) if folder else None):
            return
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self.problem_text = ""
        if not folder:
            self.arrivals = None
            self._timer.stop()
            return
        self.arrivals = FolderArrivals(Path(folder))
        self._watcher.addPath(folder)  # fails quietly for a missing folder; the scan says why
        self._timer.start(IDLE_POLL_MS)
        self.scan()

    def scan(self) -> None:
        arrivals = self.arrivals
        if arrivals is None or self._stopped:
            return
        if self._scanning:
            # Never two at once, and never one dropped: a scan's ready files are handed over
            # only once, so its answer must arrive.
            self._rescan = True
            return
        self._scanning = True
        task = self._scanner.submit(lambda _ctx: arrivals.scan(), name="Watching")
        task.on_done(lambda scan: self._take(arrivals, scan))
        task.on_error(lambda error: self._take(arrivals, Scan(error=str(error))))

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        self.arrivals = None
        self._scanner.stop(timeout=10)

    def _take(self, arrivals: FolderArrivals, scan: Scan) -> None:
        self._scanning = False
        if self._rescan:
            self._rescan = False
            QTimer.singleShot(0, self.scan)
        self.scanned.emit(scan)
        if arrivals is not self.arrivals:
            return  # the folder was changed or unwatched meanwhile
        if scan.error:
            if scan.error != self.problem_text:
                self.problem_text = scan.error
                self.problem.emit(scan.error[0].upper() + scan.error[1:] + ".")
            self._timer.start(IDLE_POLL_MS)
            return
        if self.problem_text:  # back (a drive plugged in again): watch it again
            self.problem_text = ""
            self._watcher.addPath(str(arrivals.folder))
        self._timer.start(BUSY_POLL_MS if scan.waiting else IDLE_POLL_MS)
        self._queued.extend(scan.ready)
        self._import_queued()

    def _import_queued(self) -> None:
        # One import at a time: files that arrive during one wait for the next.
        if self._importing or not self._queued:
            return
        paths, self._queued = self._queued, []
        self._importing = True
        dialog = ImportDialog(self.writer, paths, self.parent_widget)
        dialog.finished_import.connect(lambda reports: self._finished(dialog, reports))
        dialog.undelete_requested.connect(self.undelete_requested)

    def _finished(self, dialog: ImportDialog, reports: list) -> None:
        self._importing = False
        self.imported.emit(reports)
        new = sum(report.new for report in reports)
        refused = sum(getattr(report, "status", "") == "refused" for report in reports)
        skipped = sum(report.deleted for report in reports)
        if new or refused or skipped:
            # Files seen before and imported already (every start looks again) say nothing.
            if self.report is not None and not self.report.isVisible():
                self.report.deleteLater()
            self.report = dialog
            parts = [f"{new:,} new paper{'s' if new != 1 else ''}"]
            if refused:
                parts.append(f"{refused} file{'s' if refused != 1 else ''} refused")
            if skipped:
                parts.append(f"{skipped:,} deleted skipped")
            names = ", ".join(report.path.name for report in reports[:2])
            more = f" and {len(reports) - 2} more" if len(reports) > 2 else ""
            self.notice.emit(f"From the watched folder ({names}{more}): " + ", ".join(parts))
        else:
            dialog.deleteLater()
        self._import_queued()

    def show_report(self) -> None:
        if self.report is not None:
            self.report.show()
            self.report.raise_()
            self.report.activateWindow()
