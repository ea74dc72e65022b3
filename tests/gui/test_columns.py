"""Columns hidden and shown from the header's context menu; the choice survives a restart."""

from __future__ import annotations

from readinglist.gui.paper_table import SEEN, TITLE, UPVOTES
from readinglist.gui.settings import Settings

from .conftest import WAIT_MS, import_and_wait


def test_hide_columns_from_the_header_menu_and_keep_the_choice(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    table = window.table
    header = table.horizontalHeader()
    title_before = header.sectionSize(TITLE)
    table._header_menu(header.rect().center())
    menu = table.header_menu
    names = [a.text() for a in menu.actions()]
    assert "Title" not in names and {"Seen", "Upvotes"} <= set(names)
    next(a for a in menu.actions() if a.text() == "Seen").setChecked(False)
    next(a for a in menu.actions() if a.text() == "Upvotes").setChecked(False)
    menu.close()
    assert table.isColumnHidden(SEEN) and table.isColumnHidden(UPVOTES)
    # The title stretches into the room the hidden columns left.
    qtbot.waitUntil(lambda: header.sectionSize(TITLE) > title_before, timeout=WAIT_MS)
    assert Settings.load().hidden_columns == ["upvotes", "seen"]

    open_window.close(window)
    again = open_window()
    assert again.table.isColumnHidden(SEEN) and again.table.isColumnHidden(UPVOTES)
    assert not again.table.isColumnHidden(TITLE)
    again.table._header_menu(again.table.horizontalHeader().rect().center())
    next(a for a in again.table.header_menu.actions() if a.text() == "Seen").setChecked(True)
    again.table.header_menu.close()
    assert not again.table.isColumnHidden(SEEN)
    assert Settings.load().hidden_columns == ["upvotes"]


def test_a_right_click_on_the_header_opens_the_column_menu(qtbot, open_window, sample):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    header = window.table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(UPVOTES) + 4, header.height() // 2)
    QApplication.sendEvent(
        header.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, header.viewport().mapToGlobal(at)),
    )
    menu = window.table.header_menu
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    assert [a.text() for a in menu.actions()] == ["Star", "Published", "Upvotes", "Seen", "Read"]
    assert all(a.isChecked() for a in menu.actions())
    menu.close()
