"""The library window: sidebar, search, paper list and detail pane, wired to the workers."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from readinglist.gui import edits, theme
from readinglist.gui.actions import MENUS, ActionId, ActionRegistry
from readinglist.gui.detail import URL, DetailPane
from readinglist.gui.import_dialog import ImportDialog
from readinglist.gui.listing import (
    ALL,
    Listing,
    ListingRequest,
    ReaderContext,
    Scope,
    SidebarCounts,
    run_listing,
    sidebar_counts,
)
from readinglist.gui.paper_table import COLUMN_FOR_SORT, PaperTableModel, PaperTableView
from readinglist.gui.search_bar import SearchBar
from readinglist.gui.settings import Settings
from readinglist.gui.sidebar import Sidebar
from readinglist.gui.tasks import ChangeRelay, Task, Worker
from readinglist.gui.welcome import WelcomeView
from readinglist.library import Change, Library, UnknownPaper
from readinglist.search import IndexUnavailable, SearchIndex

log = logging.getLogger(__name__)

UNDO_DEPTH = 100
EXTERNAL_CHECK_MS = 4000
RELATED_DELAY_MS = 350  # how often to notice changes made by the CLI meanwhile


def sample_digest_path() -> Path | None:
    """The sample digest shipped inside the package (None if this build lacks it)."""
    from importlib import resources

    try:
        sample = resources.files("readinglist") / "resources" / "sample" / "sample-digest.txt"
        return Path(str(sample)) if sample.is_file() else None
    except (ModuleNotFoundError, FileNotFoundError):
        return None


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
        super().__init__()
        self.library = library  # the UI thread's own connection: page-sized reads only
        self.home = library.home
        self.settings = settings
        self.setWindowTitle("Reading List")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.undo_stack: list[edits.Edit] = []
        self.request = ListingRequest(sort=settings.sort, descending=settings.descending)
        self.listing: Listing | None = None
        self.counts: SidebarCounts | None = None
        self.terms: list[str] = []
        self._import_dialogs: list[ImportDialog] = []
        self._exports: set[Worker] = set()
        self._shortcuts_help: QWidget | None = None
        self._sample_windows: list[MainWindow] = []
        self._index_worker: Worker | None = None
        self._index_task: Task | None = None
        self._closing = False
        self._generation = library.generation

        self.relay = ChangeRelay(self)
        self.relay.changed.connect(self._on_change)
        home = self.home
        # One index for the window: constructed unopened (cheap), opened by its first use on a
        # worker thread; it serializes its own writes, so there must be only one per process.
        self.search_index = SearchIndex(home)
        self.index_ready = False
        self.writer = Worker("writer", self._open_writer, lambda lib: lib.close())
        index = self.search_index
        self.reader = Worker(
            "reader", lambda: ReaderContext(Library.open(home), index), lambda ctx: ctx.close()
        )
        self.related_worker = Worker(
            "related", lambda: ReaderContext(Library.open(home), index), lambda ctx: ctx.close()
        )
        self.writer.busy_changed.connect(self._show_busy)
        self._related_for = ""
        self._related_shown = ""  # the paper whose related papers are on screen
        self._related_pending = False
        self._related_timer = QTimer(self)
        self._related_timer.setSingleShot(True)
        self._related_timer.setInterval(RELATED_DELAY_MS)
        self._related_timer.timeout.connect(self._related_when_settled)

        self.actions = ActionRegistry(self)
        self._build_widgets()
        self._build_menus()
        self._connect_actions()
        self.apply_settings()
        self._restore_layout()

        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._external = QTimer(self)
        self._external.setInterval(EXTERNAL_CHECK_MS)
        self._external.timeout.connect(self._check_external_changes)
        self._external.start()

        self.refresh_counts()
        self.refresh_listing()
        self._daily_backup()
        self._bring_index_up_to_date()

    def _daily_backup(self) -> None:
        from readinglist.library import backup

        # One stat when today's copy exists; otherwise a snapshot, in the writer's thread.
        self.writer.submit(lambda lib: backup.ensure_daily_backup(lib), name="Daily backup")

    # -- construction ------------------------------------------------------------------------
    def _open_writer(self) -> Library:
        library = Library.open(self.home)
        library.subscribe(self.relay.notify)
        # Every change the writer commits reaches the index on the core's own sync thread.
        self.search_index.attach(library)
        return library

    def _bring_index_up_to_date(self) -> None:
        """Rebuild or catch up the index in the background, with progress in the status bar."""
        home, index = self.home, self.search_index
        worker = Worker("index", lambda: Library.open(home), lambda lib: lib.close())
        self._index_worker = worker
        task = worker.submit(lambda lib: index.ensure_fresh(lib), name="Indexing")
        self._index_task = task

        def progress(items: list) -> None:
            last = items[-1]
            percent = f" {100 * last.done // last.total}%" if last.total else ""
            self.busy_label.setText(f"Indexing for search{percent}…")

        def finished() -> None:
            self.index_ready = task.error is None
            self.busy_label.setText("")
            worker.stop()
            if task.error is not None:
                self.statusBar().showMessage(f"The search index could not be built: {task.error}")
            if self.request.query or self.request.scope.kind == "recommended":
                self.refresh_listing()

        task.on_progress(progress)
        task.finished.connect(finished)

    def _build_widgets(self) -> None:
        self.sidebar = Sidebar(self)
        self.sidebar.scope_changed.connect(self._on_scope_changed)
        self.search = SearchBar(self)
        self.search.query_changed.connect(self._on_query_changed)
        self.search.leave_requested.connect(self.focus_list)
        self.model = PaperTableModel(self.library.rows, self)
        self.model.sort_requested.connect(self._on_sort_requested)
        self.table = PaperTableView(self.model, self)
        self.table.current_paper_changed.connect(self._show_paper)
        self.table.star_clicked.connect(lambda pid: self.toggle_star([pid]))
        self.table.doubleClicked.connect(lambda _index: self.detail.focus_note())
        self.detail = DetailPane(self)
        self.detail.star_toggled.connect(lambda pid, on: self._submit_star([pid], on))
        self.detail.read_toggled.connect(lambda pid, on: self._submit_read([pid], on))
        self.detail.tags_edited.connect(self._submit_tags)
        self.detail.note_save_requested.connect(self._save_note)
        self.detail.related_activated.connect(self.open_paper)
        self.detail.leave_requested.connect(self.focus_list)

        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.detail_splitter.addWidget(self.table)
        self.detail_splitter.addWidget(self.detail)
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
        self.detail_splitter.setSizes([600, 460])

        self.welcome = WelcomeView(self)
        self.welcome.import_requested.connect(self.choose_and_import)
        self.welcome.sample_requested.connect(self.open_sample_library)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.welcome)
        self.setCentralWidget(self.stack)

        self.count_label = QLabel("", self)
        self.busy_label = QLabel("", self)
        self.statusBar().addWidget(self.count_label, 1)
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().setSizeGripEnabled(True)

    def _build_menus(self) -> None:
        self.import_folder_action = QAction("Import a &Folder…", self)
        for title, ids in MENUS.items():
            menu = self.menuBar().addMenu(title)
            for action_id in ids:
                if action_id is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.actions[action_id])
                    if action_id is ActionId.IMPORT:
                        menu.addAction(self.import_folder_action)
        a = self.actions
        self.table.context_menu_actions = [
            a[ActionId.STAR], a[ActionId.TOGGLE_READ], a[ActionId.MARK_SELECTION_READ],
            a[ActionId.MARK_SELECTION_UNREAD], None, a[ActionId.EDIT_NOTE], a[ActionId.EDIT_TAGS],
            None, a[ActionId.EXPORT_SELECTION],
        ]

    def _connect_actions(self) -> None:
        self.import_folder_action.triggered.connect(self.choose_folder_and_import)
        connect = self.actions.connect
        connect(ActionId.IMPORT, self.choose_and_import)
        connect(ActionId.OPEN_SAMPLE, self.import_sample)
        connect(ActionId.SETTINGS, self.open_settings)
        connect(ActionId.QUIT, self.close)
        connect(ActionId.UNDO, self.undo)
        connect(ActionId.FIND, self.search.focus)
        connect(ActionId.CLEAR_SEARCH, lambda: self.search.set_query(""))
        connect(ActionId.SELECT_ALL, self._select_all)
        connect(ActionId.NEXT, lambda: self._move(1))
        connect(ActionId.PREVIOUS, lambda: self._move(-1))
        connect(ActionId.STAR, lambda: self.toggle_star(self.table.selected_ids()))
        connect(ActionId.TOGGLE_READ, lambda: self.toggle_read(self.table.selected_ids()))
        connect(ActionId.MARK_SELECTION_READ,
                lambda: self._submit_read(self.table.selected_ids(), True))
        connect(ActionId.MARK_SELECTION_UNREAD,
                lambda: self._submit_read(self.table.selected_ids(), False))
        connect(ActionId.EDIT_NOTE, self.detail.focus_note)
        connect(ActionId.EDIT_TAGS, self.detail.focus_tags)
        connect(ActionId.PAGE_ABSTRACT, lambda: self.detail.page_abstract(1))
        connect(ActionId.PAGE_ABSTRACT_BACK, lambda: self.detail.page_abstract(-1))
        connect(ActionId.OPEN_LINK, self.open_first_link)
        connect(ActionId.BACK_TO_LIST, self.focus_list)
        connect(ActionId.FOCUS_SIDEBAR, lambda: self.sidebar.setFocus())
        connect(ActionId.BIGGER_TEXT, lambda: self._change_font_size(1))
        connect(ActionId.SMALLER_TEXT, lambda: self._change_font_size(-1))
        connect(ActionId.DEFAULT_TEXT, lambda: self._change_font_size(0))
        connect(ActionId.SHORTCUTS, self.show_shortcuts)
        connect(ActionId.ABOUT, self.show_about)
        connect(ActionId.EXPORT, lambda: self.open_export(selection=False))
        connect(ActionId.EXPORT_SELECTION, lambda: self.open_export(selection=True))
        connect(ActionId.BACK_UP, self.back_up)
        connect(ActionId.RESTORE, self.restore)

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
        self.model.mark_stale()
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

    def _change_font_size(self, step: int) -> None:
        current = self.settings.font_size or theme.default_point_size()
        size = 0 if step == 0 else max(8, min(24, current + step))
        self.settings.font_size = 0 if size == theme.default_point_size() else size
        self.apply_settings()

    # -- listing ------------------------------------------------------------------------------
    def refresh_listing(self) -> None:
        """Ask the reader for the ids of the current scope + query + sort; stale asks drop."""
        request = self.request
        task = self.reader.submit(
            lambda ctx: run_listing(ctx, request), name="Listing", key="listing"
        )
        task.on_done(self._show_listing).on_error(self._listing_failed)

    def _show_listing(self, listing: Listing) -> None:
        if self._closing:
            return
        current = self.table.current_id() or (self.detail.paper.id if self.detail.paper else None)
        row = self.table.currentIndex().row()
        self.listing = listing
        self.terms = listing.terms
        self.model.set_ids(listing.ids, listing.positions)
        self.detail.set_terms(self.terms)
        self.search.show_result(
            len(listing.ids), listing.suggestion, listing.elapsed_ms, listing.corrected
        )
        self.table.select_id(current, max(row, 0))
        if not listing.ids:
            self._show_paper("")
        self._update_count_label()
        self.listing_shown.emit()

    def _listing_failed(self, error: BaseException) -> None:
        if isinstance(error, IndexUnavailable):
            self.search.info.setText("The search index is being built…")
            return
        self.statusBar().showMessage(f"Could not list papers: {error}", 8000)

    def _on_scope_changed(self, scope: Scope) -> None:
        self.request = replace(self.request, scope=scope)
        self.refresh_listing()

    def _on_query_changed(self, query: str) -> None:
        had_query = bool(self.request.query)
        self.request = replace(self.request, query=query)
        header = self.table.horizontalHeader()
        if query and not had_query:
            self.request = replace(self.request, sort="rank", descending=None)
            header.blockSignals(True)
            header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
            header.blockSignals(False)
        elif not query and had_query:
            self.request = replace(
                self.request, sort=self.settings.sort, descending=self.settings.descending
            )
            self._restore_sort_indicator()
        self.refresh_listing()

    def _restore_sort_indicator(self) -> None:
        column = COLUMN_FOR_SORT.get(self.request.sort, -1)
        order = (Qt.SortOrder.DescendingOrder if self.request.descending
                 else Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def _on_sort_requested(self, key: str, descending: bool) -> None:
        self.request = replace(self.request, sort=key, descending=descending)
        if not self.request.query:
            self.settings.sort, self.settings.descending = key, descending
        self.refresh_listing()

    def refresh_counts(self) -> None:
        task = self.reader.submit(sidebar_counts, name="Counting", key="counts")
        task.on_done(self._show_counts)

    def _show_counts(self, counts: SidebarCounts) -> None:
        if self._closing:
            return
        self.counts = counts
        self.sidebar.set_counts(counts)
        self.detail.tags.set_known_tags([name for name, _ in counts.tags])
        self.stack.setCurrentWidget(self.welcome if counts.total == 0 else self.splitter)
        self._update_count_label()
        self.counts_shown.emit()

    def _update_count_label(self) -> None:
        if self.counts is None:
            return
        c = self.counts.library
        text = f"{c['all']:,} papers · {c['unread']:,} unread · {c['starred']:,} starred"
        if self.listing is not None and (
            self.request.query or self.request.scope != ALL
        ):
            text = f"{len(self.listing.ids):,} shown  ·  " + text
        self.count_label.setText(text)

    # -- the current paper ----------------------------------------------------------------
    def _show_paper(self, paper_id: str) -> None:
        if self._closing:
            return
        if not paper_id:
            self.detail.show_paper(None)
            return
        try:
            paper = self.library.get(paper_id)
        except UnknownPaper:
            self.detail.show_paper(None)
            return
        self.detail.show_paper(paper, self.terms)
        if self.request.query:
            self._load_spans(paper_id)
        if paper_id == self._related_shown:
            # The same paper again (the list refreshed around it, e.g. after an import): its
            # related papers are on screen already; the costly query is not run again.
            return
        self._related_for = paper_id
        self._related_timer.start()

    def _related_when_settled(self) -> None:
        # More-like-this is the costliest query (seconds on a large library) and holds the
        # index while it runs: ask only once the user rests on a paper, not while typing a
        # search or flying through the list with j/k.
        if self._closing or not self._related_for:
            return
        if self.search.field.hasFocus():
            self._related_pending = True
            return
        self._related_pending = False
        self._load_related(self._related_for)

    def _load_related(self, paper_id: str) -> None:
        def related(ctx: ReaderContext) -> list[tuple[str, str]]:
            results = ctx.search_index().related(paper_id, limit=8, library=ctx.library)
            return [(row["id"], row["title"]) for row in ctx.library.rows(results.ids)]

        def show(found: list[tuple[str, str]]) -> None:
            self._related_shown = paper_id
            self.detail.show_related(paper_id, found)

        task = self.related_worker.submit(related, name="Related papers", key="related")
        task.on_done(show)
        task.on_error(lambda _error: self.detail.show_related(paper_id, []))

    def _load_spans(self, paper_id: str) -> None:
        """Exactly what the query matched in this abstract (stems, prefixes, fuzzy words)."""
        query = self.request.query

        def spans(ctx: ReaderContext) -> list[tuple[int, int]]:
            abstract = ctx.library.get(paper_id).abstract
            return ctx.search_index().match_spans(abstract, query)

        def show(found: list[tuple[int, int]]) -> None:
            if query == self.request.query:
                self.detail.set_spans(paper_id, found)

        self.reader.submit(spans, name="Highlights", key="spans").on_done(show)

    def open_paper(self, paper_id: str) -> None:
        """Show this paper: select it in the list, or widen the list to All if it is not there."""
        if self.model.row_of(paper_id) is None and (self.request.query
                                                    or self.request.scope != ALL):
            self.search.field.blockSignals(True)
            self.search.field.clear()
            self.search.field.blockSignals(False)
            self.search._last = ""
            self.sidebar.select_scope(ALL)
            self.request = replace(self.request, scope=ALL, query="",
                                   sort=self.settings.sort, descending=self.settings.descending)
            self.listing_shown.connect(self._select_pending, Qt.ConnectionType.SingleShotConnection)
            self._pending_select = paper_id
            self.refresh_listing()
            return
        self.table.select_id(paper_id)

    def _select_pending(self) -> None:
        self.table.select_id(getattr(self, "_pending_select", None))

    def focus_list(self) -> None:
        self.detail.flush()
        if self._related_pending:
            self._related_timer.start()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid():
            self.table.move(0)

    def _move(self, step: int) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.table.move(step)

    def _select_all(self) -> None:
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

    # -- changes of state (through the writer) ----------------------------------------------
    def toggle_star(self, ids: list[str]) -> None:
        rows = self.library.rows(ids[:2000]) if ids else []
        self._submit_star(ids, not all(r["starred"] for r in rows))

    def toggle_read(self, ids: list[str]) -> None:
        rows = self.library.rows(ids[:2000]) if ids else []
        self._submit_read(ids, not all(r["read"] for r in rows))

    def _submit_star(self, ids: list[str], starred: bool) -> None:
        if ids:
            self._submit_edit(lambda lib: edits.set_starred(lib, ids, starred), "Starring")

    def _submit_read(self, ids: list[str], read: bool) -> None:
        if ids:
            self._submit_edit(lambda lib: edits.set_read(lib, ids, read), "Marking read")

    def _submit_tags(self, paper_id: str, added: list[str], removed: list[str]) -> None:
        self._submit_edit(lambda lib: edits.set_tags(lib, [paper_id], added, removed), "Tagging")

    def _submit_edit(self, work, name: str) -> None:
        task = self.writer.submit(work, name=name)
        task.on_done(self._edit_done).on_error(self._write_failed)

    def _edit_done(self, edit: edits.Edit) -> None:
        if edit.undo is not None:
            self.undo_stack.append(edit)
            del self.undo_stack[:-UNDO_DEPTH]
        self.statusBar().showMessage(edit.description + "  (Ctrl+Z to undo)", 4000)

    def _save_note(self, paper_id: str, text: str) -> None:
        task = self.writer.submit(
            lambda lib: edits.save_note(lib, paper_id, text), name="Saving note"
        )
        task.on_error(self._write_failed)

    def _write_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Reading List", f"The change could not be saved:\n\n{error}")

    def undo(self) -> None:
        if not self.undo_stack:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        edit = self.undo_stack.pop()
        undo = edit.undo
        assert undo is not None
        task = self.writer.submit(lambda lib: undo(lib), name="Undoing")
        task.on_done(lambda _r: self.statusBar().showMessage(f"Undone: {edit.description}", 4000))
        task.on_error(self._write_failed)

    def _on_change(self, change: Change) -> None:
        if self._closing:
            return
        self._generation = max(self._generation, change.generation)
        # A restore replaces everything: its notice need not name every paper.
        self.model.mark_stale(None if change.kind == "restore" else change.paper_ids)
        current = self.detail.paper
        if current is not None and (current.id in change.paper_ids or change.kind == "restore"):
            try:
                self.detail.show_paper(self.library.get(current.id))
            except UnknownPaper:
                self.detail.show_paper(None)
        if change.kind in ("import", "restore"):
            self.refresh_listing()
        self._counts_timer.start()

    def _check_external_changes(self) -> None:
        if self._closing:
            return
        try:
            generation = self.library.generation
        except Exception:  # noqa: BLE001 - a busy database is checked again next time
            return
        if generation != self._generation and self.writer.pending() == 0:
            self._generation = generation
            self.model.mark_stale()
            self.refresh_listing()
            self.refresh_counts()
            if self.detail.paper is not None:
                self._show_paper(self.detail.paper.id)

    def _show_busy(self, name: str) -> None:
        if name in ("Saving note", "Starring", "Marking read", "Tagging", "Undoing"):
            return
        self.busy_label.setText(f"{name}…" if name else "")

    # -- import -----------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import digests", self.settings.last_import_folder or str(Path.home()),
            "Digests (*.txt);;All files (*)",
        )
        if files:
            self.settings.last_import_folder = str(Path(files[0]).parent)
            self.import_paths([Path(f) for f in files])

    def choose_folder_and_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import a folder of digests", self.settings.last_import_folder or str(Path.home())
        )
        if folder:
            self.settings.last_import_folder = folder
            self.import_paths([Path(folder)])

    def import_sample(self) -> None:
        sample = sample_digest_path()
        if sample is None:
            QMessageBox.information(self, "Reading List", "This build has no sample digest.")
            return
        self.import_paths([sample], show_report=False)

    def open_sample_library(self) -> MainWindow:
        """A second window on a temporary library holding the sample (deleted on close).

        The user's own library stays empty and clean; File ▸ Import the Sample Digest puts
        the sample into it instead, for who wants that.
        """
        import shutil

        from readinglist.gui.app import prepare_demo_home

        home = prepare_demo_home(set_env=False)
        window = MainWindow(Library.open(home), self.settings)
        window.setWindowTitle("Reading List — sample library (temporary)")
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clean_up() -> None:
            if window in self._sample_windows:
                self._sample_windows.remove(window)
            window.library.close()
            shutil.rmtree(home, ignore_errors=True)

        window.closed.connect(clean_up)
        self._sample_windows.append(window)
        window.resize(self.size())
        window.show()
        return window

    def import_paths(self, paths: list[Path], show_report: bool = True) -> ImportDialog:
        """Import files/folders in the writer, with the progress dialog and then the report."""
        dialog = ImportDialog(self.writer, paths, self)
        self._import_dialogs.append(dialog)
        dialog.finished_import.connect(lambda reports: self._import_finished(dialog, reports))
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        if show_report:
            dialog.show()
        return dialog

    def _import_finished(self, dialog: ImportDialog, reports: list) -> None:
        self.refresh_listing()
        self.refresh_counts()
        if not dialog.isVisible():
            new = sum(r.new for r in reports)
            self.statusBar().showMessage(f"Imported {new:,} new papers.", 5000)
            self._forget_dialog(dialog)

    def _forget_dialog(self, dialog: ImportDialog) -> None:
        if dialog in self._import_dialogs:
            self._import_dialogs.remove(dialog)
            dialog.deleteLater()

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
            self.import_paths(paths)

    # -- export, backup (dialogs in their own modules) --------------------------------------
    def open_export(self, selection: bool) -> None:
        from readinglist.gui.export_dialog import ExportDialog

        ids = self.table.selected_ids() if selection else None
        ExportDialog(self, ids=ids).exec()

    def back_up(self) -> None:
        from readinglist.gui.export_dialog import back_up_now

        back_up_now(self)

    def restore(self) -> None:
        from readinglist.gui.export_dialog import restore_from_backup

        restore_from_backup(self)

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
        for window in list(self._sample_windows):
            window.close()
        self.shutdown()
        super().closeEvent(event)
        self.closed.emit()

    def shutdown(self) -> None:
        """Save the note being typed and every queued write, then stop the workers."""
        if self._closing:
            return
        self._closing = True
        self._external.stop()
        self.detail.flush()
        for dialog in list(self._import_dialogs):
            dialog.run.cancel()
        self._save_layout()
        self._counts_timer.stop()
        self.writer.stop(timeout=60)
        if self._index_task is not None and not self._index_task.is_finished:
            # A rebuild stops at its next step; the index in use stays as it was.
            self._index_task.cancel()
        if self._index_worker is not None:
            self._index_worker.stop(timeout=30)
        self.reader.stop(timeout=10)
        self.search_index.close()  # indexes what the writer committed, then stops its thread
        for export in list(self._exports):
            export.stop(timeout=60)
        self.relay.changed.disconnect(self._on_change)
