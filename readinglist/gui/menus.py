"""The menu bar and the list's context menu from the action registry, and what each action does."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar, QWidget

from readinglist.gui.actions import MENUS, ActionId, ActionRegistry
from readinglist.gui.backup_flow import Backups
from readinglist.gui.detail import DetailPane
from readinglist.gui.editing import PaperEdits
from readinglist.gui.import_flow import Importing
from readinglist.gui.paper_table import PaperTableView
from readinglist.gui.search_bar import SearchBar
from readinglist.gui.selection import SelectionView


class WindowCommands(Protocol):
    """What the window itself does when asked from a menu (its layout, dialogs, help)."""

    def open_settings(self) -> None: ...
    def close(self) -> bool: ...
    def select_all(self) -> None: ...
    def step_list(self, step: int) -> None: ...
    def focus_list(self) -> None: ...
    def open_first_link(self) -> None: ...
    def open_on_web(self, site: str) -> None: ...
    def change_font_size(self, step: int) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_about(self) -> None: ...
    def open_export(self, selection: bool) -> None: ...


def build_menus(
    menu_bar: QMenuBar, actions: ActionRegistry, table: PaperTableView, parent: QWidget
) -> QAction:
    """Menus in the order MENUS declares; returns File ▸ Import a Folder… (under Import)."""
    import_folder = QAction("Import a &Folder…", parent)
    for title, ids in MENUS.items():
        menu = menu_bar.addMenu(title)
        for action_id in ids:
            if action_id is None:
                menu.addSeparator()
            else:
                menu.addAction(actions[action_id])
                if action_id is ActionId.IMPORT:
                    menu.addAction(import_folder)
    a = actions
    table.context_menu_actions = [
        a[ActionId.STAR], a[ActionId.TOGGLE_READ], a[ActionId.MARK_SELECTION_READ],
        a[ActionId.MARK_SELECTION_UNREAD], None, a[ActionId.EDIT_NOTE], a[ActionId.EDIT_TAGS],
        None, a[ActionId.OPEN_HUGGING_FACE], a[ActionId.SEARCH_ARXIV], None,
        a[ActionId.EXPORT_SELECTION], a[ActionId.PASTE_DIGEST], None, a[ActionId.DELETE],
    ]
    return import_folder


def connect_actions(
    actions: ActionRegistry,
    *,
    import_folder: QAction,
    window: WindowCommands,
    importing: Importing,
    edits: PaperEdits,
    backups: Backups,
    detail: DetailPane,
    table: PaperTableView,
    search: SearchBar,
    sidebar: QWidget,
    selection: SelectionView,
) -> None:
    """Every action to its handler: edits go to the writer, the rest stays in the window."""
    selected = table.selected_ids
    w = window
    import_folder.triggered.connect(importing.choose_folder)
    connect = actions.connect
    connect(ActionId.IMPORT, importing.choose_files)
    connect(ActionId.OPEN_SAMPLE, importing.import_sample)
    connect(ActionId.SETTINGS, w.open_settings)
    connect(ActionId.QUIT, w.close)
    connect(ActionId.UNDO, edits.undo)
    connect(ActionId.FIND, search.focus)
    connect(ActionId.CLEAR_SEARCH, lambda: search.set_query(""))
    connect(ActionId.SELECT_ALL, w.select_all)
    connect(ActionId.NEXT, lambda: w.step_list(1))
    connect(ActionId.PREVIOUS, lambda: w.step_list(-1))
    connect(ActionId.STAR, lambda: edits.toggle_star(selected()))
    connect(ActionId.TOGGLE_READ, lambda: edits.toggle_read(selected()))
    connect(ActionId.MARK_SELECTION_READ, lambda: edits.set_read(selected(), True))
    connect(ActionId.MARK_SELECTION_UNREAD, lambda: edits.set_read(selected(), False))
    connect(ActionId.EDIT_NOTE, detail.focus_note)
    # With several papers selected, T goes to the tags field of "N papers selected".
    connect(ActionId.EDIT_TAGS, lambda: selection.focus_tags() or detail.focus_tags())
    connect(ActionId.PAGE_ABSTRACT, lambda: detail.page_abstract(1))
    connect(ActionId.PAGE_ABSTRACT_BACK, lambda: detail.page_abstract(-1))
    connect(ActionId.OPEN_LINK, w.open_first_link)
    connect(ActionId.OPEN_HUGGING_FACE, lambda: w.open_on_web("hugging face"))
    connect(ActionId.SEARCH_ARXIV, lambda: w.open_on_web("arxiv"))
    connect(ActionId.DELETE, lambda: edits.delete(selected()))
    connect(ActionId.PASTE_DIGEST, importing.paste_digest)
    connect(ActionId.BACK_TO_LIST, w.focus_list)
    connect(ActionId.FOCUS_SIDEBAR, lambda: sidebar.setFocus())
    connect(ActionId.BIGGER_TEXT, lambda: w.change_font_size(1))
    connect(ActionId.SMALLER_TEXT, lambda: w.change_font_size(-1))
    connect(ActionId.DEFAULT_TEXT, lambda: w.change_font_size(0))
    connect(ActionId.SHORTCUTS, w.show_shortcuts)
    connect(ActionId.ABOUT, w.show_about)
    connect(ActionId.EXPORT, lambda: w.open_export(selection=False))
    connect(ActionId.EXPORT_SELECTION, lambda: w.open_export(selection=True))
    connect(ActionId.BACK_UP, backups.back_up_now)
    connect(ActionId.RESTORE, backups.restore)
