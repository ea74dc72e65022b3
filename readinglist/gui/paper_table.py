"""The paper list: a lazy table model over the store's ordered ids, and its view.

The model holds only the ordered list of ids (a search result or a filtered listing,
ordered by SQL or by rank) and fetches light rows (``Library.rows``) a page at a time
as the view asks for them; a change marks the cached rows stale instead of reloading
the list (Anki's browser table does the same), so 100,000 papers scroll smoothly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from readinglist.display import display_text
from readinglist.gui.listing import PAGE
from readinglist.library.queries import SORTS

CELL_PADDING = 22  # the 6 px item padding on both sides, the style's margins and some air
HEADER_PADDING = 30  # the header's 6 px padding on both sides and room for the sort arrow
CACHE_LIMIT = 6000  # rows kept; beyond that the cache restarts (a few screens of scrolling)

STAR, TITLE, PUBLISHED, UPVOTES, SEEN, READ = range(6)
# Star and Read are marks, headed by the mark itself (with a tooltip), as mail apps do.
HEADERS = {STAR: "★", TITLE: "Title", PUBLISHED: "Published", UPVOTES: "Upvotes",
           SEEN: "Seen", READ: "✓"}
TOOLTIPS = {STAR: "Starred", SEEN: "Times seen in your digests", UPVOTES: "Upvotes",
            READ: "Read"}
# The widest value each compact column shows (its header may be wider still).
COLUMN_SAMPLES = {STAR: ("★",), PUBLISHED: ("2024-12-31",), UPVOTES: ("9999",),
                  SEEN: ("99×",), READ: ("✓",)}
# Columns sorted by the store (SQL); the star column has no order of its own.
SORT_KEYS = {TITLE: "title", PUBLISHED: "published", UPVOTES: "upvotes", SEEN: "seen",
             READ: "read_at"}
COLUMN_FOR_SORT = {v: k for k, v in SORT_KEYS.items()}

ID_ROLE = Qt.ItemDataRole.UserRole + 1
# The columns the header's context menu can hide (never the title), by a name settings keep.
COLUMN_KEYS = {STAR: "star", PUBLISHED: "published", UPVOTES: "upvotes", SEEN: "seen",
               READ: "read"}
COLUMN_NAMES = {STAR: "Star", PUBLISHED: "Published", UPVOTES: "Upvotes", SEEN: "Seen",
                READ: "Read"}
STARRED_ROLE = Qt.ItemDataRole.UserRole + 2
READ_ROLE = Qt.ItemDataRole.UserRole + 3
ROW_ROLE = Qt.ItemDataRole.UserRole + 4

RowSource = Callable[[Sequence[str]], list[dict[str, Any]]]


def _published_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


class PaperTableModel(QAbstractTableModel):
    """Rows of papers, by id, fetched lazily from ``row_source`` (``Library.rows``)."""

    sort_requested = Signal(str, bool)  # store sort key, descending

    def __init__(self, row_source: RowSource, parent=None) -> None:
        super().__init__(parent)
        self._row_source = row_source
        self._ids: list[str] = []
        self._positions: dict[str, int] | None = None
        self._cache: dict[str, dict[str, Any]] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self.star_color = QColor("#d99a00")
        self.muted_color = QColor("#6a737d")
        self.sort_key = "added"
        self.descending = True

    # -- the id list ---------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return self._ids

    def set_ids(
        self,
        ids: Sequence[str],
        positions: dict[str, int] | None = None,
        rows: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Show these papers in this order.

        ``positions`` (id -> row) may be built by the caller off the UI thread: for 100,000
        ids building it costs ~10 ms that the event loop should not spend. ``rows`` (id ->
        light row, as ``row_source`` gives them) fill the cache, fetched off the UI thread
        too; they must be current (the caller drops those changed since they were read).
        """
        self.beginResetModel()
        self._ids = list(ids)
        self._positions = positions
        self._cache.clear()
        if rows:
            self._cache.update(rows)
        self.endResetModel()

    def row_of(self, paper_id: str) -> int | None:
        if self._positions is None:
            self._positions = {pid: row for row, pid in enumerate(self._ids)}
        return self._positions.get(paper_id)

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def cached_row(self, paper_id: str) -> dict[str, Any] | None:
        return self._cache.get(paper_id)

    def mark_stale(self, ids: Sequence[str] | frozenset[str] | None = None) -> None:
        """Forget cached rows of these papers (all if None); visible ones refetch on paint."""
        if ids is None:
            self._cache.clear()
            if self._ids:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._ids) - 1, len(HEADERS) - 1)
                )
            return
        rows = []
        for paper_id in ids:
            if self._cache.pop(paper_id, None) is not None:
                row = self.row_of(paper_id)
                if row is not None:
                    rows.append(row)
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), 0), self.index(max(rows), len(HEADERS) - 1)
            )

    def _row(self, row: int) -> dict[str, Any] | None:
        paper_id = self._ids[row]
        cached = self._cache.get(paper_id)
        if cached is not None:
            return cached
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
        start = row - row % PAGE
        page = [pid for pid in self._ids[start:start + PAGE] if pid not in self._cache]
        for fetched in self._row_source(page):
            self._cache[fetched["id"]] = fetched
        # A paper deleted meanwhile (restore from backup) must not fetch on every paint.
        return self._cache.setdefault(paper_id, {"id": paper_id, "title": "", "missing": True})

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or section not in HEADERS:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TOOLTIPS.get(section, HEADERS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section)
        if role == Qt.ItemDataRole.InitialSortOrderRole and section in SORT_KEYS:
            # A first click sorts the way the store does by default: newest, most, A to Z.
            down = SORTS[SORT_KEYS[section]].descending
            return Qt.SortOrder.DescendingOrder if down else Qt.SortOrder.AscendingOrder
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        row = self._row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if not row.get("read", True) and column == TITLE else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == STAR and row.get("starred"):
                return self.star_color
            if column in (PUBLISHED, UPVOTES, SEEN, READ):
                return self.muted_color
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == Qt.ItemDataRole.ToolTipRole and column == TITLE:
            return display_text(row.get("title") or "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _display(row, column) or TOOLTIPS.get(column, HEADERS[column])
        if role == STARRED_ROLE:
            return bool(row.get("starred"))
        if role == READ_ROLE:
            return bool(row.get("read"))
        if role == ROW_ROLE:
            return row
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.sort_key, self.descending = key, descending
        self.sort_requested.emit(key, descending)


def _display(row: dict[str, Any], column: int) -> str:
    if column == STAR:
        return "★" if row.get("starred") else "☆"
    if column == TITLE:
        return display_text(row.get("title") or "")
    if column == PUBLISHED:
        return _published_text(row.get("published"))
    if column == UPVOTES:
        value = row.get("upvotes")
        return "" if value is None else str(value)
    if column == SEEN:
        value = row.get("seen")
        return "" if not value else f"{value}×"
    if column == READ:
        return "✓" if row.get("read") else ""
    return ""


def _alignment(column: int) -> Qt.AlignmentFlag:
    vcenter = Qt.AlignmentFlag.AlignVCenter
    if column in (UPVOTES, SEEN):
        return Qt.AlignmentFlag.AlignRight | vcenter
    if column in (STAR, READ):
        return Qt.AlignmentFlag.AlignHCenter | vcenter
    return Qt.AlignmentFlag.AlignLeft | vcenter


class _NoFocusFrame(QStyledItemDelegate):
    """Rows are selected whole; a dotted frame around one cell of the row only adds noise."""

    def initStyleOption(self, option: QStyleOptionViewItem, index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus


class SortArrowHeader(QHeaderView):
    """A header whose sort arrow points up when ascending (A to Z, oldest first).

    Down when descending, as the file managers of Windows and macOS draw it. QHeaderView asks
    the style for ``SortDown`` when the order is ascending, and Fusion (the app's style on
    every system) draws that as a down arrow: the list went one way, the arrow the other.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)  # as the header QTableView makes for itself

    def initStyleOptionForIndex(  # noqa: N802
        self, option: QStyleOptionHeader, logical_index: int
    ) -> None:
        super().initStyleOptionForIndex(option, logical_index)
        option.sortIndicator = ARROW_FOR_ORDER.get(option.sortIndicator, option.sortIndicator)


_Arrow = QStyleOptionHeader.SortIndicator
# What Qt asks for -> what we draw (swapped: see SortArrowHeader).
ARROW_FOR_ORDER = {_Arrow.SortDown: _Arrow.SortUp, _Arrow.SortUp: _Arrow.SortDown}


class PaperTableView(QTableView):
    """The list of papers: multi-selection, header sorting (in SQL), a context menu."""

    current_paper_changed = Signal(str)  # "" when nothing is current
    star_clicked = Signal(str)
    hidden_columns_changed = Signal(list)  # the keys of the hidden columns ("seen", ...)

    def __init__(self, model: PaperTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PaperTable")
        self.setHorizontalHeader(SortArrowHeader(self))
        self.setModel(model)
        self.setItemDelegate(_NoFocusFrame(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view never asks every row for its size (100k rows).
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (STAR, PUBLISHED, UPVOTES, SEEN, READ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.apply_column_widths()
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.clicked.connect(self._on_clicked)
        self.context_menu_actions: list[Any] = []
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    def hidden_columns(self) -> list[str]:
        return [key for column, key in COLUMN_KEYS.items() if self.isColumnHidden(column)]

    def set_hidden_columns(self, keys: list[str]) -> None:
        """Hide the columns named (``COLUMN_KEYS`` values); the title is always shown."""
        for column, key in COLUMN_KEYS.items():
            self.setColumnHidden(column, key in keys)

    def _header_menu(self, position) -> None:
        menu = QMenu(self)
        self.header_menu = menu  # tests look at it
        for column in COLUMN_KEYS:
            action = menu.addAction(COLUMN_NAMES[column])
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.toggled.connect(
                lambda shown, column=column: self._show_column(column, shown)
            )
        menu.popup(self.horizontalHeader().mapToGlobal(position))

    def _show_column(self, column: int, shown: bool) -> None:
        self.setColumnHidden(column, not shown)
        self.hidden_columns_changed.emit(self.hidden_columns())

    def apply_column_widths(self) -> None:
        """Numbers and marks as narrow as their widest value or header; Title takes the rest."""
        metrics = self.fontMetrics()
        header_metrics = QFontMetrics(self.horizontalHeader().font())
        for column, samples in COLUMN_SAMPLES.items():
            values = max(metrics.horizontalAdvance(s) for s in samples) + CELL_PADDING
            label = header_metrics.horizontalAdvance(HEADERS[column]) + (
                HEADER_PADDING if column in SORT_KEYS else CELL_PADDING
            )
            self.setColumnWidth(column, max(values, label))
        self.horizontalHeader().setMinimumSectionSize(metrics.horizontalAdvance("★") + 16)
        self.verticalHeader().setDefaultSectionSize(metrics.height() + 10)

    def paper_model(self) -> PaperTableModel:
        model = self.model()
        assert isinstance(model, PaperTableModel)
        return model

    def current_id(self) -> str | None:
        index = self.currentIndex()
        return self.paper_model().id_at(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        """The selected papers in list order; the current paper if nothing is selected."""
        model = self.paper_model()
        # Walk selection ranges, not indexes: "select all" on 100,000 rows is one range.
        spans = sorted(
            (r.top(), r.bottom()) for r in self.selectionModel().selection() if r.isValid()
        )
        ids: list[str] = []
        last = -1
        for top, bottom in spans:
            start = max(top, last + 1)
            if start <= bottom:
                ids.extend(model.ids[start:bottom + 1])
                last = bottom
        if not ids and (current := self.current_id()):
            ids = [current]
        return ids

    def selected_count(self) -> int:
        """How many papers are selected, from the selection's ranges (no ids listed)."""
        spans = sorted(
            (r.top(), r.bottom()) for r in self.selectionModel().selection() if r.isValid()
        )
        count, last = 0, -1
        for top, bottom in spans:
            start = max(top, last + 1)
            if start <= bottom:
                count += bottom - start + 1
                last = bottom
        return count

    def select_id(self, paper_id: str | None, fallback_row: int = 0) -> None:
        """Make this paper current and selected (or the row at ``fallback_row``)."""
        model = self.paper_model()
        row = model.row_of(paper_id) if paper_id else None
        if row is None:
            row = min(fallback_row, model.rowCount() - 1)
        if row < 0:
            self.current_paper_changed.emit("")
            return
        index = model.index(row, TITLE)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def move(self, step: int) -> None:
        """Next/previous paper (``j``/``k``), keeping a single selection like the arrows do."""
        model = self.paper_model()
        if model.rowCount() == 0:
            return
        current = self.currentIndex().row() if self.currentIndex().isValid() else -1
        row = max(0, min(model.rowCount() - 1, current + step if current >= 0 else 0))
        self.select_id(model.id_at(row))

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # noqa: N802
        super().currentChanged(current, previous)
        if current.row() != previous.row() or not previous.isValid():
            model = self.paper_model()
            self.current_paper_changed.emit(model.id_at(current.row()) or "")

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == STAR and (paper_id := self.paper_model().id_at(index.row())):
            self.star_clicked.emit(paper_id)

    def context_menu(self) -> QMenu:
        """The menu a right click on the list opens (docs/screenshot.py shows it too)."""
        menu = QMenu(self)
        for action in self.context_menu_actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        if not self.context_menu_actions:
            return
        self.context_menu().exec(event.globalPos())

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Home/End go to the first/last paper (Qt's table would go to the row's first/last cell).
        if event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End) and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier
        ):
            model = self.paper_model()
            if model.rowCount():
                row = 0 if event.key() == Qt.Key.Key_Home else model.rowCount() - 1
                self.select_id(model.id_at(row))
                self.scrollTo(model.index(row, 0))
            return
        # Copy the selected titles (and ids) as lines: handy for notes and chats.
        if event.matches(QKeySequence.StandardKey.Copy):
            from PySide6.QtWidgets import QApplication

            model = self.paper_model()
            lines = []
            for pid in self.selected_ids():
                row = model.row_of(pid)
                title = model.data(model.index(row, TITLE)) if row is not None else ""
                lines.append(f"{title} [{pid}]")
            QApplication.clipboard().setText("\n".join(lines))
            return
        super().keyPressEvent(event)
