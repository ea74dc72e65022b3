"""The library window: sidebar, search, paper list and detail pane, wired to the workers.

What happens inside lives in its own modules: ``browsing`` (listings and counts, kept
current), ``current_paper`` (the detail pane's paper, highlights, related papers), ``editing``
(changes through the writer, undo), ``import_flow`` (import, drops, the sample) and ``menus``
(actions to handlers), ``export_dialog`` and ``backup_flow``. Each gets the objects it works
with and answers through signals; none imports this module. This module builds the window, its
workers and its layout, and wires them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from readinglist.browse import Listing, ListingRequest
from readinglist.gui import theme
from readinglist.gui.actions import ActionRegistry
from readinglist.gui.backup_flow import Backups
from readinglist.gui.browsing import Browsing
from readinglist.gui.current_paper import CurrentPaper
from readinglist.gui.detail import URL, DetailPane
from readinglist.gui.editing import QUIET_WORK, PaperEdits
from readinglist.gui.export_dialog import ExportDialog, Exports
from readinglist.gui.folder_watch import FolderWatch
from readinglist.gui.import_dialog import ImportDialog
from readinglist.gui.import_flow import Importing
from readinglist.gui.index_watch import IndexWatch
from readinglist.gui.listing import ReaderContext, SidebarCounts
from readinglist.gui.menus import build_menus, connect_actions
from readinglist.gui.note_saving import RECOVERY_FOLDER, NoteSaving, ask_to_wait
from readinglist.gui.pane_scroll import ScrollsWhenShort
from readinglist.gui.paper_table import COLUMN_FOR_SORT, PaperTableModel, PaperTableView
from readinglist.gui.search_bar import SearchBar
from readinglist.gui.selection import SelectionView
from readinglist.gui.selection_pane import SelectionPane
from readinglist.gui.settings import Settings
from readinglist.gui.sidebar import Sidebar
from readinglist.gui.tasks import ChangeRelay, Task, Worker
from readinglist.gui.welcome import WelcomeView
from readinglist.library import Library
from readinglist.search import SearchIndex
from readinglist.search.indexer import until_fresh

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    from importlib import resources

    icon = QIcon()
    try:
        folder = resources.files("readinglist") / "resources" / "icons"
        for entry in folder.iterdir():
            if entry.name.endswith(".png") or entry.name.endswith(".svg"):
                icon.addFile(str(entry))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    return icon


class MainWindow(QMainWindow):
    listing_shown = Signal()  # a new listing reached the table (tests and benchmarks wait on it)
    closed = Signal()  # after shutdown: every write saved, workers stopped
    counts_shown = Signal()

    def __init__(self, library: Library, settings: Settings) -> None:
        # The text size first: widgets take the application's font when they are made, and
        # a font set later does not reach widgets that are not shown yet (the saved size
        # reached only the list until the next Ctrl++).
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.apply(app, settings.theme, settings.font_size)
        super().__init__()
        self.library = library  # the UI thread's own connection: page-sized reads only
        self.home = library.home
        self.settings = settings
        self.setWindowTitle("Reading List")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self._shortcuts_help: QWidget | None = None
        self._index_worker: Worker | None = None
        self._index_task: Task | None = None
        self._closing = False
        self.sample_windows: list[MainWindow] = []
        self._close_when_saved = False

        self.relay = ChangeRelay(self)
        home = self.home
        # One index for the window: constructed unopened (cheap), opened by its first use on a
        # worker thread; it serializes its own writes, so there must be only one per process.
        self.search_index = SearchIndex(home)
        self.index_ready = False
        self.indexer: Any = None  # IndexerProcess (or IndexSync): attached in the writer's thread
        # Notes are urgent: they go in between the files of an import (no transaction open).
        self.writer = Worker(
            "writer",
            self._open_writer,
            lambda lib: lib.close(),
            interleave=lambda lib: not lib.writing,
        )
        index = self.search_index
        self.reader = Worker(
            "reader", lambda: ReaderContext(Library.open(home), index), lambda ctx: ctx.close()
        )
        self.related_worker = Worker(
            "related", lambda: ReaderContext(Library.open(home), index), lambda ctx: ctx.close()
        )
        self.writer.busy_changed.connect(self._show_busy)

        self._build_widgets()
        self._build_controllers()
        self._build_layout()
        self.actions = ActionRegistry(self)
        import_folder = build_menus(self.menuBar(), self.actions, self.table, self)
        connect_actions(
            self.actions, import_folder=import_folder, window=self, importing=self.importing,
            edits=self.edits, backups=self.backups, detail=self.detail, table=self.table,
            search=self.search, sidebar=self.sidebar, selection=self.selection,
        )
        self.apply_settings()
        self._restore_layout()

        self.browsing.start()
        self.index_watch.start()
        self._daily_backup()
        self._bring_index_up_to_date()

    # -- what the other parts hold, as the window's own ----------------------------------------
    @property
    def request(self) -> ListingRequest:
        return self.browsing.request

    @property
    def listing(self) -> Listing | None:
        return self.browsing.listing

    @property
    def counts(self) -> SidebarCounts | None:
        return self.browsing.counts

    def import_paths(self, paths: list[Path], show_report: bool = True) -> ImportDialog:
        """Import files/folders in the writer, with the progress dialog and then the report."""
        return self.importing.import_paths(paths, show_report)

    # -- construction ------------------------------------------------------------------------
    def _open_writer(self) -> Library:
        library = Library.open(self.home)
        library.subscribe(self.relay.notify)
        # Every change the writer commits reaches the index on the core's own sync thread.
        self.indexer = self.search_index.attach(library)
        return library

    def _index_trouble(self) -> str | None:
        """Why the indexer cannot bring the index up to date (None: nothing wrong)."""
        return getattr(self.indexer, "trouble", None)

    def _daily_backup(self) -> None:
        from readinglist.library import backup

        # One stat when today's copy exists; otherwise a snapshot, in the writer's thread.
        self.writer.submit(lambda lib: backup.ensure_daily_backup(lib), name="Daily backup")

    def _bring_index_up_to_date(self) -> None:
        """Rebuild or catch up the index in the background, with progress in the status bar."""
        home, index = self.home, self.search_index
        worker = Worker("index", lambda: Library.open(home), lambda lib: lib.close())
        self._index_worker = worker
        # The indexer process does the work (the window only reads): follow its progress.
        task = worker.submit(
            lambda lib: until_fresh(index, lib, write=False, trouble=self._index_trouble),
            name="Indexing",
        )
        self._index_task = task

        # Its progress reaches the status bar through the IndexWatch (Browsing.on_index_status).
        def finished() -> None:
            self.index_ready = task.error is None
            worker.stop()
            if task.error is not None:
                self.statusBar().showMessage(f"The search index could not be built: {task.error}")
            listing = self.listing
            # Asked again only when it could not be answered (no index yet) or missed papers:
            # a list the user is reading does not reshuffle under them.
            if self.request.needs_index and (
                listing is None or listing.request != self.request or listing.index_behind
            ):
                self.browsing.refresh_listing()

        task.finished.connect(finished)

    def _build_widgets(self) -> None:
        self.sidebar = Sidebar(self)
        self.search = SearchBar(self)
        self.model = PaperTableModel(self.library.rows, self)
        self.table = PaperTableView(self.model, self)
        self.detail = DetailPane(self)
        self.selection_pane = SelectionPane(self)
        # One paper's detail, or "N papers selected" with the bulk actions, in the same place.
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.detail)
        self.detail_stack.addWidget(self.selection_pane)
        self.welcome = WelcomeView(self)
        self.count_label = QLabel("", self)
        self.busy_label = QLabel("", self)
        self.index_label = QLabel("", self)
        # The watched folder's last import (with its report one click away) or its problem.
        self.watch_notice = QLabel("", self)
        self.watch_notice.setTextFormat(Qt.TextFormat.RichText)
        self.watch_notice.hide()

    def _build_controllers(self) -> None:
        """Each controller gets what it works with and answers through signals."""
        bar = self.statusBar()
        self.browsing = browsing = Browsing(
            library=self.library, reader=self.reader, writer=self.writer,
            settings=self.settings, table=self.table, model=self.model, search=self.search,
            sidebar=self.sidebar, detail=self.detail, parent=self,
        )
        self.current = CurrentPaper(
            library=self.library, reader=self.reader, related_worker=self.related_worker,
            detail=self.detail, browsing=browsing, typing_in=self.search.field, parent=self,
        )
        self.edits = edits = PaperEdits(self.library, self.writer, self)
        self.notes = NoteSaving(self.writer, self)
        self.importing = Importing(self.writer, self.settings, self)
        self.selection = SelectionView(
            table=self.table, stack=self.detail_stack, detail=self.detail,
            pane=self.selection_pane, reader=self.reader, edits=edits,
            export=lambda: self.open_export(selection=True), parent=self,
        )
        self.selection_pane.leave_requested.connect(self.focus_list)
        self.exports = Exports(self.home, self)
        self.backups = Backups(self.home, self.writer, self, before_restore=self.detail.flush)

        self.relay.changed.connect(browsing.on_change)
        # The selection's summary (how many starred, read…) follows the edits made to it.
        self.relay.changed.connect(self.selection.follow_change)
        browsing.counts_shown.connect(
            lambda counts: self.selection_pane.set_known_tags([name for name, _ in counts.tags])
        )
        self.index_watch = IndexWatch(self.search_index.path, self._index_trouble, self)
        self.index_watch.changed.connect(browsing.on_index_status)
        self.index_watch.changed.connect(self.current.on_index_status)
        browsing.indexing_changed.connect(self.index_label.setText)
        browsing.listing_shown.connect(lambda _listing: self.listing_shown.emit())
        browsing.counts_shown.connect(self._show_counts)
        browsing.count_text_changed.connect(self.count_label.setText)
        browsing.paper_to_show.connect(self.current.show_anew)
        self.importing.imported.connect(self._imported)
        self.folder_watch = FolderWatch(self.writer, self)
        self.folder_watch.imported.connect(self._imported)
        self.folder_watch.notice.connect(self._watch_notice)
        self.folder_watch.problem.connect(self._watch_problem)
        self.folder_watch.undelete_requested.connect(
            lambda again, text: self.importing.import_paths(again, text=text, undelete=True)
        )
        self.watch_notice.linkActivated.connect(lambda _link: self.folder_watch.show_report())
        for source in (browsing, edits, self.importing, self.exports, self.backups):
            source.message.connect(bar.showMessage)
        self.exports.busy.connect(self.busy_label.setText)

        self.search.leave_requested.connect(self.focus_list)
        self.table.current_paper_changed.connect(self.current.show)
        self.table.star_clicked.connect(lambda pid: edits.toggle_star([pid]))
        self.table.set_hidden_columns(self.settings.hidden_columns)
        self.sidebar.set_collapsed_sections(self.settings.sidebar_collapsed)
        self.sidebar.collapsed_changed.connect(self._sections_folded)
        self.table.hidden_columns_changed.connect(self._columns_hidden)
        self.table.doubleClicked.connect(lambda _index: self.detail.focus_note())
        self.detail.star_toggled.connect(lambda pid, on: edits.set_starred([pid], on))
        self.detail.read_toggled.connect(lambda pid, on: edits.set_read([pid], on))
        self.detail.tags_edited.connect(edits.set_tags)
        self.detail.note_save_requested.connect(self.notes.save)
        self.detail.note.unsaved_text = self.notes.pending_text
        self.notes.stored.connect(self.detail.note.mark_stored)
        self.notes.unsaved.connect(self.detail.note.mark_unsaved)
        self.notes.settled.connect(self._close_if_waiting)
        self.detail.related_activated.connect(browsing.open_paper)
        self.detail.leave_requested.connect(self.focus_list)
        self.welcome.import_requested.connect(self.importing.choose_files)
        self.welcome.sample_requested.connect(self.open_sample_library)

    def _build_layout(self) -> None:
        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.detail_splitter.addWidget(self.table)
        # The pane scrolls when the window is shorter than it needs (large text at 1024x640):
        # otherwise its minimum height made the window taller than the screen, status bar and
        # all below the bottom edge.
        detail_scroll = ScrollsWhenShort(self.detail_stack, self)
        detail_scroll.setObjectName("DetailScroll")
        self.detail_scroll = detail_scroll
        self.detail_splitter.addWidget(detail_scroll)
        self.detail_splitter.setStretchFactor(0, 3)
        self.detail_splitter.setStretchFactor(1, 2)
        self.detail_splitter.setChildrenCollapsible(False)
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(self.search)
        content_layout.addWidget(self.detail_splitter, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(content)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([210, 1000])
        self.detail_splitter.setSizes([700, 440])

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.welcome)
        self.setCentralWidget(self.stack)

        self.statusBar().addWidget(self.count_label, 1)
        self.statusBar().addPermanentWidget(self.watch_notice)
        self.statusBar().addPermanentWidget(self.index_label)
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().setSizeGripEnabled(True)

    def _sections_folded(self, keys: list[str]) -> None:
        self.settings.sidebar_collapsed = keys
        self._save_layout()

    def _columns_hidden(self, keys: list[str]) -> None:
        self.settings.hidden_columns = keys
        self._save_layout()

    def _watch_notice(self, text: str) -> None:
        import html

        self.watch_notice.setText(f'{html.escape(text)} · <a href="report">Show report</a>')
        self.watch_notice.setToolTip("")
        self.watch_notice.show()

    def _watch_problem(self, text: str) -> None:
        import html

        self.watch_notice.setText(f'<span style="color:#b42318">{html.escape(text)}</span>')
        self.watch_notice.setToolTip("Change it in File ▸ Settings…")
        self.watch_notice.show()
        self.statusBar().showMessage(text, 8000)

    def _show_counts(self, counts: SidebarCounts) -> None:
        if counts.total == 0:
            if self.stack.currentWidget() is not self.welcome:
                self.stack.setCurrentWidget(self.welcome)
                self.welcome.setFocus(Qt.FocusReason.OtherFocusReason)  # the sample button
        else:
            self.stack.setCurrentWidget(self.splitter)
        self.counts_shown.emit()

    def _imported(self, _reports: list) -> None:
        self.browsing.refresh_listing()
        self.browsing.refresh_counts()

    def open_sample_library(self) -> MainWindow:
        """A second window on a temporary library holding the sample (deleted on close).

        The user's own library stays empty and clean; File ▸ Import the Sample Digest puts
        the sample into it instead, for who wants that.
        """
        import shutil

        from readinglist.gui.import_flow import prepare_demo_home

        home = prepare_demo_home(set_env=False)
        window = type(self)(Library.open(home), self.settings)
        # Qt appends the application's display name ("— Reading List") itself.
        window.setWindowTitle("Sample library (temporary)")
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clean_up() -> None:
            if window in self.sample_windows:
                self.sample_windows.remove(window)
            window.library.close()
            shutil.rmtree(home, ignore_errors=True)

        window.closed.connect(clean_up)
        self.sample_windows.append(window)
        window.resize(self.size())
        window.show()
        return window

    # -- settings and looks -----------------------------------------------------------------
    def apply_settings(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        colors = theme.apply(app, self.settings.theme, self.settings.font_size)
        self.model.star_color = theme.QColor(colors.star)
        self.model.muted_color = theme.QColor(colors.muted)
        self.detail.mark_color = colors.highlight_term
        self.detail.link_color = colors.link
        self.sidebar.itemDelegate().muted = theme.QColor(colors.muted)  # type: ignore[attr-defined]
        self.table.setFont(app.font())
        self.table.apply_column_widths()
        self.detail.apply_font()
        self.selection_pane.apply_font()
        self.model.mark_stale()
        self.folder_watch.set_folder(self.settings.watched_folder)
        if not self.settings.watched_folder:
            self.watch_notice.hide()
        if self.detail.paper is not None:
            self.detail.show_paper(self.detail.paper)

    def _restore_layout(self) -> None:
        s = self.settings
        if s.geometry:
            self.restoreGeometry(QByteArray.fromBase64(s.geometry.encode()))
        else:
            self.resize(1280, 800)
        if s.window_state:
            self.restoreState(QByteArray.fromBase64(s.window_state.encode()))
        if s.splitter:
            self.splitter.restoreState(QByteArray.fromBase64(s.splitter.encode()))
        if s.detail_splitter:
            self.detail_splitter.restoreState(QByteArray.fromBase64(s.detail_splitter.encode()))
        column = COLUMN_FOR_SORT.get(s.sort)
        if column is not None:
            order = Qt.SortOrder.DescendingOrder if s.descending else Qt.SortOrder.AscendingOrder
            self.table.horizontalHeader().blockSignals(True)
            self.table.horizontalHeader().setSortIndicator(column, order)
            self.table.horizontalHeader().blockSignals(False)

    def _save_layout(self) -> None:
        def b64(data: QByteArray) -> str:
            return bytes(data.toBase64().data()).decode()

        s = self.settings
        s.geometry = b64(self.saveGeometry())
        s.window_state = b64(self.saveState())
        s.splitter = b64(self.splitter.saveState())
        s.detail_splitter = b64(self.detail_splitter.saveState())
        if not self.request.query and self.request.sort != "rank":
            s.sort = self.request.sort
            s.descending = bool(self.request.descending)
        try:
            s.save()
        except OSError as error:
            log.warning("could not save settings: %s", error)

    def open_settings(self) -> None:
        from readinglist.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.changed.connect(self.apply_settings)
        dialog.exec()
        self._save_layout()

    def change_font_size(self, step: int) -> None:
        current = self.settings.font_size or theme.default_point_size()
        size = 0 if step == 0 else max(8, min(24, current + step))
        self.settings.font_size = 0 if size == theme.default_point_size() else size
        self.apply_settings()
        self._save_layout()  # the size survives a crash or a kill, not only a clean close

    # -- moving around -------------------------------------------------------------------------
    def focus_list(self) -> None:
        self.detail.flush()
        self.current.resume_related()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid():
            self.table.move(0)

    def step_list(self, step: int) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.table.move(step)

    def select_all(self) -> None:
        focused = QApplication.focusWidget()
        if focused is not None and hasattr(focused, "selectAll") and focused is not self.table:
            focused.selectAll()
        else:
            self.table.selectAll()

    def open_first_link(self) -> None:
        paper = self.detail.paper
        if paper is None:
            return
        links = paper.links or URL.findall(paper.abstract)
        if links:
            QDesktopServices.openUrl(QUrl(links[0]))
        else:
            self.statusBar().showMessage("This abstract has no link.", 3000)

    def open_on_web(self, site: str) -> None:
        """The current paper on Hugging Face or arXiv: its page if its id is known, or a search."""
        from readinglist import web
        from readinglist.display import display_text

        paper = self.detail.paper
        if paper is None:
            self.statusBar().showMessage("Select a paper first.", 3000)
            return
        texts = [*paper.links, paper.abstract]
        title = display_text(paper.title)  # searched as shown, not with the digest's escapes
        if site == "arxiv":
            url = web.arxiv_url(title, texts)
        else:
            url = web.hugging_face_url(title, texts)
        QDesktopServices.openUrl(QUrl(url))

    def _show_busy(self, name: str) -> None:
        if name not in QUIET_WORK:
            self.busy_label.setText(f"{name}…" if name else "")

    # -- drag and drop -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        event.acceptProposedAction() if event.mimeData().hasUrls() else event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.importing.import_paths(paths)

    # -- export (the dialog in its own module) --------------------------------------------
    def export_dialog(self, ids: list[str] | None = None) -> ExportDialog:
        """File ▸ Export… over what the list shows now (and the selection, when given)."""
        scope_name = self.sidebar.currentIndex().data() or "All papers"
        if self.request.query:
            scope_name += f', search "{self.request.query}"'
        return ExportDialog(self.library, self.settings, self.exports, self.model.ids,
                            scope_name, ids=ids, parent=self)

    def open_export(self, selection: bool) -> None:
        self.export_dialog(self.table.selected_ids() if selection else None).exec()

    # -- help ---------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        from readinglist.gui.shortcuts_help import ShortcutsHelp

        # Modeless: it can stay open beside the window while the user learns the keys.
        if self._shortcuts_help is None:
            self._shortcuts_help = ShortcutsHelp(self.actions, self)
        self._shortcuts_help.show()
        self._shortcuts_help.raise_()
        self._shortcuts_help.activateWindow()

    def show_about(self) -> None:
        from readinglist import __version__

        QMessageBox.about(
            self, "About Reading List",
            f"<b>Reading List</b> {__version__}<br>A calm, fast library for machine-learning "
            f"paper digests.<br><br>Library: {self.library.path}",
        )

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closing:
            self.detail.flush()
            failing = self.notes.failing()
            if failing and self.ask_about_unsaved_notes(failing) == "wait":
                # Stay open; the retries go on and the window closes once they are stored.
                self._close_when_saved = True
                self.statusBar().showMessage(
                    "Waiting to save your note; the window closes once it is stored."
                )
                event.ignore()
                return
        for window in list(self.sample_windows):
            window.close()
        self.shutdown()
        super().closeEvent(event)
        self.closed.emit()

    def ask_about_unsaved_notes(self, failing: dict[str, str]) -> str:
        """Ask whether to wait for notes that could not be saved yet: "wait" or "close"."""
        return ask_to_wait(self, failing, self.home / RECOVERY_FOLDER)

    def _close_if_waiting(self) -> None:
        if self._close_when_saved and not self._closing:
            self._close_when_saved = False
            self.close()

    def shutdown(self) -> None:
        """Save the note being typed and every queued write, then stop the workers."""
        if self._closing:
            return
        self._closing = True
        self.index_watch.stop()
        self.folder_watch.stop()
        self.browsing.stop()
        self.selection.stop()
        self.current.stop()
        self.detail.flush()
        self.importing.cancel_all()
        self._save_layout()
        self.writer.stop(timeout=60)
        # What the writer could not store (the library busy to the end) gets one last try,
        # else goes to files in unsaved-notes/: a typed note is never dropped.
        kept = self.notes.finish(self.library, self.home)
        if kept:
            log.warning("notes not saved at exit are kept in %s", kept[0].parent)
        if self._index_task is not None and not self._index_task.is_finished:
            # A rebuild stops at its next step; the index in use stays as it was.
            self._index_task.cancel()
        if self._index_worker is not None:
            self._index_worker.stop(timeout=30)
        # Related papers nobody will see: drop the answer, wait for a query already running.
        self.related_worker.cancel("related")
        self.related_worker.stop(timeout=10)
        self.reader.stop(timeout=10)
        self.search_index.close()  # indexes what the writer committed, then stops its thread
        self.exports.stop_all(timeout=60)
        self.relay.changed.disconnect(self.browsing.on_change)
