"""The sidebar: library views, digests (newest first) and tags, each with a live count.

Sections fold (a click on the heading; remembered by the window), the arrow keys step over the
headings, and past the newest few digests the older ones are grouped by month
(:mod:`readinglist.digest_months`), folded until opened, so 60 digests stay a short list.

New counts update the entries in place (an import of many files counts again after each few
files): rebuilding every entry cost the UI thread ~11 ms CPU with 300 digests, a stall of 30 ms
and more on a busy machine; updating them costs what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from readinglist.browse import ALL, Scope
from readinglist.digest_months import group_digests
from readinglist.gui.detail import plain_tooltip
from readinglist.gui.listing import LIBRARY_SCOPES, SidebarCounts
from readinglist.library.model import digest_name

SCOPE_ROLE = Qt.ItemDataRole.UserRole + 10
COUNT_ROLE = Qt.ItemDataRole.UserRole + 11
HEADING_ROLE = Qt.ItemDataRole.UserRole + 12
KEY_ROLE = Qt.ItemDataRole.UserRole + 13  # "library", "digests", "tags", or "month:2026-11"
NODE_ROLE = Qt.ItemDataRole.UserRole + 14  # which entry an item is, among its siblings


@dataclass(slots=True)
class _Node:
    """One entry of the sidebar as the counts describe it (items are made or updated from it)."""

    key: str  # unique among its siblings
    text: str
    kind: str  # "heading", "entry" or "month"
    scope: Scope | None = None
    count: int | None = None
    tip: str = ""
    children: list[_Node] = field(default_factory=list)


def sidebar_entries(counts: SidebarCounts | None) -> list[_Node]:
    """The sidebar's entries for these counts (plain Python: the reader thread makes them)."""
    library = _Node("library", "Library", "heading", children=[
        _entry_node(text, Scope(kind), counts.library.get(kind) if counts else None)
        for kind, text in LIBRARY_SCOPES
    ])
    digests = _Node("digests", "Digests", "heading")
    if counts and counts.digests:
        digests.children.append(_entry_node(
            "New since last digest", Scope("new"), counts.new_since_last,
            "Papers the most recent digest added to the library",
        ))
        recent, groups = group_digests(counts.digests)
        digests.children.extend(_digest_node(digest) for digest in recent)
        for group in groups:
            n = len(group.digests)
            digests.children.append(_Node(
                f"month:{group.key}", group.title, "month",
                tip=f"{n} digest{'s' if n != 1 else ''} of {group.title}",
                children=[_digest_node(digest) for digest in group.digests],
            ))
    tree = [library, digests]
    if counts and counts.tags:
        tree.append(_Node("tags", "Tags", "heading", children=[
            _entry_node(name, Scope("tag", name), count) for name, count in counts.tags
        ]))
    return tree


def _entry_node(text: str, scope: Scope, count: int | None, tip: str = "") -> _Node:
    return _Node(f"{scope.kind}:{scope.value!r}", text, "entry", scope, count,
                 plain_tooltip(tip or text))  # a tag named "<b>x" is text


def _digest_node(digest: dict) -> _Node:
    label = digest_name(digest["id"], digest.get("label"), digest.get("path"))
    when = digest.get("imported_at")
    tip = f"{digest.get('name', '')}\nimported {when:%Y-%m-%d %H:%M}" if when else ""
    return _entry_node(label, Scope("digest", digest["id"]), digest.get("papers"), tip)


class CountDelegate(QStyledItemDelegate):
    """Draws the entry's count right-aligned and muted, like a mail client's folder list."""

    muted = QColor("#6a737d")

    def paint(self, painter, option: QStyleOptionViewItem, index) -> None:
        count = index.data(COUNT_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = f"{count:,}" if isinstance(count, int) else ""
        width = opt.fontMetrics.horizontalAdvance(text) + 14 if text else 0
        # The row (and its selection) spans the full width; only the name leaves room for the count.
        room = opt.rect.width() - width - 2 * opt.fontMetrics.horizontalAdvance(" ") - 8
        opt.text = opt.fontMetrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, room)
        if index.data(HEADING_ROLE):
            opt.palette.setColor(opt.palette.ColorRole.Text, self.muted)
        style = opt.widget.style() if opt.widget else None
        if style is None:
            super().paint(painter, option, index)
        else:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if text:
            painter.save()
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            color = option.palette.highlightedText().color() if selected else self.muted
            painter.setPen(color)
            area = QRect(option.rect.right() - width, option.rect.top(), width - 8,
                         option.rect.height())
            painter.drawText(area, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             text)
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        extra = 10 if index.data(HEADING_ROLE) else 6
        return QSize(size.width() + 40, size.height() + extra)


def heading_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setWeight(QFont.Weight.DemiBold)
    font.setPointSizeF(max(7.0, base.pointSizeF() * 0.85))
    return font


class Sidebar(QTreeView):
    """Emits ``scope_changed`` when the user picks an entry; keeps its selection on refresh."""

    scope_changed = Signal(object)
    collapsed_changed = Signal(list)  # the keys of the folded sections, to remember

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(12)
        self.setUniformRowHeights(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Sidebar")
        self.setItemDelegate(CountDelegate(self))
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self._heading_font = heading_font(self.font())
        self._scope: Scope = ALL
        self._counts: SidebarCounts | None = None
        self._updating = False
        self._collapsed: set[str] = set()  # sections folded by the user (remembered)
        self._open_months: set[str] = set()  # month groups opened in this session
        self._build(None)
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        self.clicked.connect(self._on_clicked)
        self.expanded.connect(lambda index: self._on_folded(index, True))
        self.collapsed.connect(lambda index: self._on_folded(index, False))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        # Headings carry a font of their own: follow a new text size (Ctrl++, settings).
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._heading_font = heading_font(self.font())
            self._model.clear()  # the headings are made anew, in the new font
            self._build(self._counts)

    @property
    def scope(self) -> Scope:
        return self._scope

    def set_counts(self, counts: SidebarCounts) -> None:
        """Rebuild the entries with fresh counts, keeping the selected scope if it still exists."""
        self._counts = counts
        self._build(counts)

    def collapsed_sections(self) -> list[str]:
        return sorted(self._collapsed)

    def set_collapsed_sections(self, keys: list[str]) -> None:
        """Fold these sections (as remembered from the last run)."""
        self._collapsed = set(keys)
        self._build(self._counts)

    def select_scope(self, scope: Scope) -> None:
        item = self._find(scope) or self._find(ALL)
        if item is not None:
            self.setCurrentIndex(item.index())

    def _heading(self, text: str, key: str) -> QStandardItem:
        item = QStandardItem(text.upper())
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setData(True, HEADING_ROLE)
        item.setData(key, KEY_ROLE)
        item.setData(text.upper(), Qt.ItemDataRole.AccessibleTextRole)
        item.setFont(self._heading_font)
        item.setToolTip("Click to fold or unfold")
        return item

    def _item(self, node: _Node) -> QStandardItem:
        if node.kind == "heading":
            item = self._heading(node.text, node.key)
        elif node.kind == "month":
            item = QStandardItem(node.text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(node.key, KEY_ROLE)
            item.setToolTip(node.tip)
        else:
            item = QStandardItem(node.text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setData(node.scope, SCOPE_ROLE)
            item.setData(node.count, COUNT_ROLE)
            item.setToolTip(node.tip)
        item.setData(node, NODE_ROLE)
        for child in node.children:
            item.appendRow(self._item(child))
        return item

    def _update(self, item: QStandardItem, node: _Node) -> None:
        if item.data(NODE_ROLE) == node:
            return  # shown as it is, with everything under it (a folded month, most often)
        item.setData(node, NODE_ROLE)
        if node.kind != "heading":  # a heading's text carries its fold arrow (_show_folds)
            if item.text() != node.text:
                item.setText(node.text)
            if item.toolTip() != node.tip:
                item.setToolTip(node.tip)
        if node.kind == "entry" and item.data(COUNT_ROLE) != node.count:
            item.setData(node.count, COUNT_ROLE)
        self._reconcile(item, node.children)

    def _reconcile(self, parent: QStandardItem, nodes: list[_Node]) -> None:
        """Make ``parent``'s children these, keeping (and updating) the items that stay."""
        keys = {node.key for node in nodes}
        shown = [parent.child(r).data(NODE_ROLE).key for r in range(parent.rowCount())]
        for r in reversed(range(len(shown))):
            if shown[r] not in keys:
                parent.removeRow(r)
                del shown[r]
        for i, node in enumerate(nodes):
            if i >= len(shown) or shown[i] != node.key:
                found = next((r for r in range(i + 1, len(shown)) if shown[r] == node.key), None)
                if found is None:
                    parent.insertRow(i, [self._item(node)])
                    shown.insert(i, node.key)
                    continue
                parent.insertRow(i, parent.takeRow(found))
                shown.insert(i, shown.pop(found))
            self._update(parent.child(i), node)

    def _build(self, counts: SidebarCounts | None) -> None:
        self._updating = True
        entries = counts.entries if counts is not None and counts.entries else None
        self._reconcile(self._model.invisibleRootItem(), entries or sidebar_entries(counts))
        current = self._find(self._scope)
        for r in range(self._model.rowCount()):
            section = self._model.item(r)
            key = section.data(KEY_ROLE)
            self.setExpanded(section.index(), key not in self._collapsed)
            for c in range(section.rowCount()):
                child = section.child(c)
                month = child.data(KEY_ROLE)
                if month:  # a month group: folded unless opened, or holding the current digest
                    holds = current is not None and current.parent() is child
                    self.setExpanded(child.index(), month in self._open_months or holds)
        self._show_folds()
        item = current
        if item is None:
            self._scope = ALL
            item = self._find(ALL)
            self._updating = False
            if item is not None:
                self.setCurrentIndex(item.index())
                self.scope_changed.emit(self._scope)
            return
        self.setCurrentIndex(item.index())
        self._updating = False

    def _show_folds(self) -> None:
        """▾ on an open section heading, ▸ on a folded one."""
        for r in range(self._model.rowCount()):
            section = self._model.item(r)
            name = section.data(Qt.ItemDataRole.AccessibleTextRole)
            arrow = "▾" if self.isExpanded(section.index()) else "▸"
            section.setText(f"{arrow} {name}")

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.data(HEADING_ROLE):
            self.setExpanded(index, not self.isExpanded(index))

    def _on_folded(self, index: QModelIndex, opened: bool) -> None:
        if self._updating:
            return
        key = index.data(KEY_ROLE)
        if not key:
            return
        if key.startswith("month:"):
            (self._open_months.add if opened else self._open_months.discard)(key)
            return
        (self._collapsed.discard if opened else self._collapsed.add)(key)
        self._show_folds()
        self.collapsed_changed.emit(self.collapsed_sections())

    def moveCursor(self, action, modifiers):  # noqa: N802
        """Up/Down (and Page, Home, End) step over the section headings."""
        target = super().moveCursor(action, modifiers)
        cursor = QAbstractItemView.CursorAction
        if not target.isValid() or not target.data(HEADING_ROLE):
            return target
        forward = action in (cursor.MoveDown, cursor.MoveNext, cursor.MovePageDown,
                             cursor.MoveHome)  # fmt: skip
        step = self.indexBelow if forward else self.indexAbove
        probe = step(target)
        while probe.isValid() and probe.data(HEADING_ROLE):
            probe = step(probe)
        return probe if probe.isValid() else self.currentIndex()

    def _find(self, scope: Scope) -> QStandardItem | None:
        pending = [self._model.item(r) for r in range(self._model.rowCount())]
        while pending:
            item = pending.pop(0)
            for c in range(item.rowCount()):
                child = item.child(c)
                if child.data(SCOPE_ROLE) == scope:
                    return child
                if child.hasChildren():
                    pending.append(child)
        return None

    def _on_current_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: QModelIndex
    ) -> None:
        if self._updating:
            return
        scope = current.data(SCOPE_ROLE)
        if isinstance(scope, Scope) and scope != self._scope:
            self._scope = scope
            self.scope_changed.emit(scope)
