"""Importing digests (and merging JSON exports) from the window: progress, then a report per file.

Papers the user deleted are skipped and counted, as on the command line; the report then offers
to bring them back (``import --undelete`` there), by importing the same files again with undelete.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from readinglist.export.json_import import MergeProgress, MergeReport, merge_files, split_exports
from readinglist.gui.tasks import Task, Worker
from readinglist.library import ImportProgress, ImportReport, Library

Report = ImportReport | MergeReport


class ImportRun:
    """One import in the writer thread; the dialog, drag and drop and tests all start it here."""

    def __init__(
        self,
        writer: Worker,
        paths: Sequence[Path],
        text: str | None = None,
        undelete: bool = False,
    ) -> None:
        """Import ``paths``, or, when ``text`` is given, that text as one pasted digest.

        Deleted papers the files hold are skipped (and counted), or brought back if ``undelete``.
        """
        self.paths = [Path(p) for p in paths]
        self.text = text
        self.undelete = undelete
        self.reports: list[Report] = []
        self.last_progress: ImportProgress | MergeProgress | None = None
        if text is not None:
            self.task: Task = writer.submit(
                lambda library: _pasted(library, text, undelete), name="Importing digests"
            )
        else:
            self.task = writer.submit(
                lambda library: _files(library, self.paths, undelete), name="Importing digests"
            )
        self.task.on_progress(self._take)

    def _take(self, items: list) -> None:
        for item in items:
            if isinstance(item, ImportReport | MergeReport):
                self.reports.append(item)
            elif isinstance(item, ImportProgress | MergeProgress):
                self.last_progress = item

    def cancel(self) -> None:
        self.task.cancel()


def _pasted(library: Library, text: str, undelete: bool) -> Iterator[ImportReport]:
    # A generator, so the report arrives as progress like a file's does.
    yield library.import_text(text, undelete=undelete)


def _files(
    library: Library, paths: list[Path], undelete: bool
) -> Iterator[ImportProgress | ImportReport | MergeProgress | MergeReport]:
    # Told apart here, in the writer: sniffing files is I/O the window must not wait for.
    digests, exports = split_exports(paths)
    if digests:
        yield from library.import_files(digests, undelete)
    yield from merge_files(library, exports, undelete)


def skipped_as_deleted(reports: Sequence[Report]) -> int:
    """How many papers the import skipped because the user had deleted them."""
    return sum(report.deleted for report in reports)


def summary(reports: Sequence[Report], cancelled: bool = False) -> str:
    digests = [r for r in reports if isinstance(r, ImportReport)]
    merged = [r for r in reports if isinstance(r, MergeReport)]
    imported = [r for r in digests if r.status == "imported"]
    again = [r for r in digests if r.status == "already-imported"]
    refused = [r for r in digests if r.status == "refused"]
    new = sum(r.new for r in imported)
    known = sum(r.known for r in imported)
    files = len(reports)
    parts = [f"{files} file{'s' if files != 1 else ''}"]
    if imported:
        parts.append(f"{len(imported)} imported: {new:,} new papers, {known:,} already known")
    if merged:
        merged_new = sum(r.new for r in merged)
        parts.append(f"{len(merged)} export{'s' if len(merged) != 1 else ''} merged: "
                     f"{merged_new:,} new papers")  # fmt: skip
    if again:
        parts.append(f"{len(again)} already imported")
    if refused:
        parts.append(f"{len(refused)} refused")
    deleted = skipped_as_deleted(reports)
    if deleted:
        parts.append(f"{deleted:,} deleted paper{'s' if deleted != 1 else ''} skipped")
    text = " · ".join(parts)
    return ("Cancelled — " + text + " done before cancelling") if cancelled else text


def _status_text(report: Report) -> str:
    if isinstance(report, MergeReport):
        return str(report)
    if report.status == "refused":
        return f"Refused: {report.refused}"
    if report.status == "already-imported":
        if report.undeleted:
            return f"Already imported — {report.undeleted:,} deleted papers brought back"
        return "Already imported — nothing changed"
    text = f"{report.new:,} new, {report.known:,} already known"
    if report.repeated:
        text += f", {report.repeated} repeated in the file"
    if report.deleted:
        text += f", {report.deleted:,} skipped as deleted"
    if report.warnings:
        n = len(report.warnings)
        text += f", {n} warning{'s' if n != 1 else ''}"
    return text


class ImportDialog(QDialog):
    """Shows an :class:`ImportRun` while it runs, then its report; never blocks the window."""

    finished_import = Signal(list)  # the reports
    # The user asked to bring back the deleted papers these files (or this text) hold.
    undelete_requested = Signal(list, object)  # paths, pasted text or None

    def __init__(
        self,
        writer: Worker,
        paths: Sequence[Path],
        parent: QWidget | None = None,
        text: str | None = None,
        undelete: bool = False,
    ):
        super().__init__(parent)
        self.setWindowTitle("Import digests" if text is None else "Paste digest")
        self.setObjectName("ImportDialog")
        self.setMinimumWidth(560)
        self.run = ImportRun(writer, paths, text, undelete)
        self.undelete_button: QAbstractButton | None = None
        self.run.task.on_progress(lambda _items: self._show_progress())
        self.run.task.finished.connect(self._show_report)
        self.run.task.failed.connect(self._show_failure)
        self._failure: str | None = None

        self.stack = QStackedWidget(self)
        progress_page = QWidget(self)
        self.file_label = QLabel("Starting…", progress_page)
        self.file_label.setWordWrap(True)
        self.bar = QProgressBar(progress_page)
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.count_label = QLabel("", progress_page)
        self.count_label.setObjectName("Muted")
        page_layout = QVBoxLayout(progress_page)
        page_layout.addWidget(self.file_label)
        page_layout.addWidget(self.bar)
        page_layout.addWidget(self.count_label)
        page_layout.addStretch(1)

        report_page = QWidget(self)
        self.summary_label = QLabel("", report_page)
        self.summary_label.setWordWrap(True)
        self.tree = QTreeWidget(report_page)
        self.tree.setHeaderLabels(["File", "Result"])
        self.tree.setRootIsDecorated(True)
        # A refusal's reason is the point of the report: wrapped in full, never elided.
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 0; }")
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        report_layout = QVBoxLayout(report_page)
        report_layout.setContentsMargins(0, 0, 0, 0)
        report_layout.addWidget(self.summary_label)
        report_layout.addWidget(self.tree)
        self.stack.addWidget(progress_page)
        self.stack.addWidget(report_page)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self._cancel_or_close)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        layout.addWidget(self.buttons)

    def _show_progress(self) -> None:
        progress = self.run.last_progress
        if progress is None:
            return
        if isinstance(progress, MergeProgress):
            self.file_label.setText(f"Merging {Path(progress.detail).name}")
            self.bar.setValue(progress.done * 1000 // max(1, progress.total))
            self.count_label.setText(f"{progress.done:,} of {progress.total:,} papers")
            return
        self.file_label.setText(
            f"Reading {progress.file.name}  ({progress.file_index + 1} of {progress.file_count})"
        )
        self.bar.setValue(int(progress.fraction * 1000))
        self.count_label.setText(f"{progress.papers_done:,} papers read")

    def _show_failure(self, error: BaseException) -> None:
        self._failure = str(error) or type(error).__name__

    def _show_report(self) -> None:
        cancelled = self.run.task.cancelled
        reports = self.run.reports
        text = summary(reports, cancelled)
        if self._failure:
            text += f"\nThe import stopped: {self._failure}"
        self.summary_label.setText(text)
        self.tree.clear()
        for report in reports:
            item = QTreeWidgetItem([report.path.name, _status_text(report)])
            item.setToolTip(0, str(report.path))
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            item.setToolTip(1, _status_text(report))
            warnings = report.warnings if isinstance(report, ImportReport) else []
            if isinstance(report, ImportReport) and report.label:
                item.setText(0, f"{report.path.name}  ({report.label})")
            for warning in warnings:
                text = f"line {warning.line}: {warning.message}"
                child = QTreeWidgetItem(["", text])
                child.setToolTip(1, text)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(len(warnings) <= 5)
        # The expand arrows' room only when some file has warnings to unfold.
        self.tree.setRootIsDecorated(any(getattr(report, "warnings", ()) for report in reports))
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0) + 24, 320))
        self.buttons.clear()
        deleted = skipped_as_deleted(reports)
        if deleted and not cancelled:
            # The choice `import --undelete` gives on the command line, offered once it matters.
            self.undelete_button = self.buttons.addButton(
                f"Bring Back {deleted:,} Deleted Paper{'s' if deleted != 1 else ''}",
                QDialogButtonBox.ButtonRole.ActionRole,
            )
            self.undelete_button.clicked.connect(self._ask_undelete)
        ok = self.buttons.addButton(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        ok.setFocus(Qt.FocusReason.OtherFocusReason)
        self.stack.setCurrentIndex(1)
        self.resize(max(self.width(), 640), max(self.height(), 360))
        self._wrap_results()
        self.finished_import.emit(list(reports))

    def _ask_undelete(self) -> None:
        holding = [report.path for report in self.run.reports if report.deleted]
        self.undelete_requested.emit([] if self.run.text is not None else holding, self.run.text)
        self.accept()

    def _wrap_results(self) -> None:
        # QTreeView does not wrap a stretched last column: break the long lines ourselves,
        # so a refusal's reason (the point of the report) is read in full, never elided.
        room = self.tree.viewport().width() - self.tree.columnWidth(0) - 16
        columns = max(30, room // max(1, self.tree.fontMetrics().averageCharWidth()))
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            for row in [item] + [item.child(j) for j in range(item.childCount())]:
                row.setText(1, textwrap.fill(row.toolTip(1) or row.text(1), columns))

    def _cancel_or_close(self) -> None:
        if self.run.task.is_finished:
            self.accept()
            return
        self.file_label.setText("Cancelling — the file being read is rolled back…")
        self.run.cancel()

    def reject(self) -> None:  # Esc / window close: cancel first, like the button
        if self.run.task.is_finished:
            super().reject()
        else:
            self._cancel_or_close()
