"""The menu bar and the list's context menu from the action registry, and what each action does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from readinglist.gui.actions import MENUS, ActionId

if TYPE_CHECKING:
    from readinglist.gui.mainwindow import MainWindow


def build_menus(window: MainWindow) -> None:
    """Menus in the order MENUS declares; File ▸ Import a Folder… sits under Import."""
    window.import_folder_action = QAction("Import a &Folder…", window)
    for title, ids in MENUS.items():
        menu = window.menuBar().addMenu(title)
        for action_id in ids:
            if action_id is None:
                menu.addSeparator()
            else:
                menu.addAction(window.actions[action_id])
                if action_id is ActionId.IMPORT:
                    menu.addAction(window.import_folder_action)
    a = window.actions
    window.table.context_menu_actions = [
        a[ActionId.STAR], a[ActionId.TOGGLE_READ], a[ActionId.MARK_SELECTION_READ],
        a[ActionId.MARK_SELECTION_UNREAD], None, a[ActionId.EDIT_NOTE], a[ActionId.EDIT_TAGS],
        None, a[ActionId.EXPORT_SELECTION],
    ]


def connect_actions(window: MainWindow) -> None:
    """Every action to its handler: edits go to the writer, the rest stays in the window."""
    w = window
    selected = w.table.selected_ids
    importing, changes, detail = w.importing, w.edits, w.detail
    w.import_folder_action.triggered.connect(importing.choose_folder)
    connect = w.actions.connect
    connect(ActionId.IMPORT, importing.choose_files)
    connect(ActionId.OPEN_SAMPLE, importing.import_sample)
    connect(ActionId.SETTINGS, w.open_settings)
    connect(ActionId.QUIT, w.close)
    connect(ActionId.UNDO, changes.undo)
    connect(ActionId.FIND, w.search.focus)
    connect(ActionId.CLEAR_SEARCH, lambda: w.search.set_query(""))
    connect(ActionId.SELECT_ALL, w.select_all)
    connect(ActionId.NEXT, lambda: w.step_list(1))
    connect(ActionId.PREVIOUS, lambda: w.step_list(-1))
    connect(ActionId.STAR, lambda: changes.toggle_star(selected()))
    connect(ActionId.TOGGLE_READ, lambda: changes.toggle_read(selected()))
    connect(ActionId.MARK_SELECTION_READ, lambda: changes.set_read(selected(), True))
    connect(ActionId.MARK_SELECTION_UNREAD, lambda: changes.set_read(selected(), False))
    connect(ActionId.EDIT_NOTE, detail.focus_note)
    connect(ActionId.EDIT_TAGS, detail.focus_tags)
    connect(ActionId.PAGE_ABSTRACT, lambda: detail.page_abstract(1))
    connect(ActionId.PAGE_ABSTRACT_BACK, lambda: detail.page_abstract(-1))
    connect(ActionId.OPEN_LINK, w.open_first_link)
    connect(ActionId.BACK_TO_LIST, w.focus_list)
    connect(ActionId.FOCUS_SIDEBAR, lambda: w.sidebar.setFocus())
    connect(ActionId.BIGGER_TEXT, lambda: w.change_font_size(1))
    connect(ActionId.SMALLER_TEXT, lambda: w.change_font_size(-1))
    connect(ActionId.DEFAULT_TEXT, lambda: w.change_font_size(0))
    connect(ActionId.SHORTCUTS, w.show_shortcuts)
    connect(ActionId.ABOUT, w.show_about)
    connect(ActionId.EXPORT, lambda: w.open_export(selection=False))
    connect(ActionId.EXPORT_SELECTION, lambda: w.open_export(selection=True))
    connect(ActionId.BACK_UP, w.back_up)
    connect(ActionId.RESTORE, w.restore)
