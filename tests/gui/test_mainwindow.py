"""The main window: first run, import (dialog and drop), keyboard reading, undo, restart."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from readinglist.browse import Scope
from readinglist.gui.settings import Settings
from readinglist.library import Library, PaperFilter

from .conftest import WAIT_MS, import_and_wait, wait_writes


def key(qtbot, window, text: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget() or window
    if len(text) == 1:
        qtbot.keyClick(target, text, modifier)
    else:
        qtbot.keyClick(target, getattr(Qt.Key, f"Key_{text}"), modifier)


def test_empty_library_shows_welcome_then_sample_opens(qtbot, open_window):
    window = open_window()
    assert window.stack.currentWidget() is window.welcome
    window.welcome.sample_button.click()
    (sample_window,) = window.sample_windows
    qtbot.waitUntil(lambda: sample_window.model.rowCount() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: sample_window.counts is not None
                    and sample_window.counts.total == sample_window.model.rowCount(),
                    timeout=WAIT_MS)
    assert sample_window.stack.currentWidget() is sample_window.splitter
    sample_home = sample_window.home
    assert sample_home != window.home
    assert window.library.count() == 0  # the user's own library stays empty
    sample_window.close()
    assert not sample_home.exists()  # the temporary library is gone


def test_welcome_one_key_press_opens_the_sample_library(qtbot, open_window):
    window = open_window()
    button = window.welcome.sample_button
    assert button.isDefault() and not window.welcome.import_button.isDefault()
    assert window.focusWidget() is button
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    (sample_window,) = window.sample_windows
    qtbot.waitUntil(lambda: sample_window.model.rowCount() > 0, timeout=WAIT_MS)
    sample_window.close()


def test_title_takes_the_room_the_compact_columns_leave(qtbot, open_window, sample):
    from readinglist.gui.paper_table import TITLE

    window = open_window()
    window.resize(1280, 800)
    import_and_wait(qtbot, window, [sample], show_report=False)
    table = window.table
    others = [table.columnWidth(c) for c in range(window.model.columnCount()) if c != TITLE]
    assert table.columnWidth(TITLE) > sum(others)
    widest_date = table.fontMetrics().horizontalAdvance("2024-12-31")
    assert max(others) < 2 * widest_date  # no number column wider than twice a date


def test_import_report_counts_and_refused_file_does_not_block(qtbot, open_window, sample,
                                                              tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("Just some prose I wrote.\nNothing to see here.\n")
    window = open_window()
    dialog, reports = import_and_wait(qtbot, window, [bad, sample])
    by_name = {r.path.name: r for r in reports}
    assert by_name["notes.txt"].status == "refused"
    assert by_name["notes.txt"].refused
    assert by_name[sample.name].status == "imported"
    assert by_name[sample.name].new > 10
    assert dialog.stack.currentIndex() == 1  # the report page
    assert dialog.tree.topLevelItemCount() == 2
    assert "refused" in dialog.summary_label.text()
    assert window.model.rowCount() == by_name[sample.name].new
    qtbot.waitUntil(lambda: window.counts.total == by_name[sample.name].new, timeout=WAIT_MS)
    # Re-import: reported as already imported, nothing changes.
    _dialog, again = import_and_wait(qtbot, window, [sample])
    assert [r.status for r in again] == ["already-imported"]


def test_drop_files_on_window_imports_them(qtbot, open_window, sample, tmp_path):
    folder = tmp_path / "dropped"
    folder.mkdir()
    shutil.copy(sample, folder / "digest.txt")
    window = open_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert event.isAccepted()
    dialog = window.importing.dialogs[-1]
    with qtbot.waitSignal(dialog.finished_import, timeout=WAIT_MS) as blocker:
        pass
    (report,) = blocker.args[0]
    assert report.status == "imported"
    qtbot.waitUntil(lambda: window.model.rowCount() == report.new, timeout=WAIT_MS)


def test_keyboard_reading_star_read_note_tags_undo(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.activateWindow()
    window.focus_list()
    first = window.table.current_id()
    assert first
    key(qtbot, window, "j")
    second = window.table.current_id()
    assert second != first
    assert window.detail.paper.id == second
    key(qtbot, window, "k")
    assert window.table.current_id() == first
    key(qtbot, window, "s")
    wait_writes(qtbot, window)
    assert window.library.get(first).starred
    qtbot.waitUntil(lambda: window.detail.star_button.isChecked(), timeout=WAIT_MS)
    key(qtbot, window, "r")
    wait_writes(qtbot, window)
    assert window.library.get(first).read
    # Ctrl+Z undoes the last change of state (read), then the star.
    key(qtbot, window, "Z", Qt.KeyboardModifier.ControlModifier)
    wait_writes(qtbot, window)
    assert not window.library.get(first).read
    key(qtbot, window, "Z", Qt.KeyboardModifier.ControlModifier)
    wait_writes(qtbot, window)
    assert not window.library.get(first).starred
    # n focuses the note; typing there does not trigger single-letter shortcuts.
    key(qtbot, window, "n")
    assert QApplication.focusWidget() is window.detail.note
    qtbot.keyClicks(window.detail.note, "jsr notes")
    assert window.table.current_id() == first
    key(qtbot, window, "Escape")
    assert QApplication.focusWidget() is window.table
    wait_writes(qtbot, window)
    assert window.library.get(first).note == "jsr notes"
    assert not window.library.get(first).starred
    # t edits tags; Enter saves.
    key(qtbot, window, "t")
    assert QApplication.focusWidget() is window.detail.tags
    qtbot.keyClicks(window.detail.tags, "retrieval, long context")
    qtbot.keyClick(window.detail.tags, Qt.Key.Key_Return)
    wait_writes(qtbot, window)
    assert sorted(window.library.get(first).tags) == ["long context", "retrieval"]
    qtbot.waitUntil(lambda: any(name == "retrieval" for name, _ in window.counts.tags),
                    timeout=WAIT_MS)


def test_mark_selection_read_and_sidebar_counts_follow(qtbot, open_window, sample):
    window = open_window()
    _d, (report,) = import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    window.table.selectAll()
    key(qtbot, window, "R", Qt.KeyboardModifier.ShiftModifier)
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: window.counts.library["read"] == report.new, timeout=WAIT_MS)
    assert window.counts.library["unread"] == 0
    assert window.library.count(PaperFilter(read=False)) == 0
    # The Unread view is now empty; Read holds everything.
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        window.sidebar.select_scope(Scope("unread"))
    assert window.model.rowCount() == 0
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        window.sidebar.select_scope(Scope("read"))
    assert window.model.rowCount() == report.new


def test_note_typed_then_window_closed_at_once_is_kept(qtbot, open_window, sample, home):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    paper_id = window.table.current_id()
    window.detail.focus_note()
    qtbot.keyClicks(window.detail.note, "Read §3 again; compare with RETRO.")
    open_window.close(window)  # no wait: the debounce has not fired yet
    with Library.open(home) as library:
        assert library.get(paper_id).note == "Read §3 again; compare with RETRO."


def test_everything_survives_a_restart(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    key(qtbot, window, "j")
    paper_id = window.table.current_id()
    key(qtbot, window, "s")
    key(qtbot, window, "r")
    window.detail.focus_note()
    qtbot.keyClicks(window.detail.note, "worth a re-read")
    open_window.close(window)
    assert Settings.load().geometry  # window geometry and splitters are remembered

    again = open_window()
    assert again.model.rowCount() > 0
    paper = again.library.get(paper_id)
    assert paper.starred and paper.read and paper.note == "worth a re-read"
    again.table.select_id(paper_id)
    assert again.detail.note.toPlainText() == "worth a re-read"
    assert again.detail.star_button.isChecked()


def test_shortcuts_help_lists_registry(qtbot, open_window):
    window = open_window()
    rows = window.actions.help_rows()
    texts = {text: keys for _group, text, keys in rows}
    assert texts["Next Paper"] == "j"  # typed as a bare j, not Shift+J
    assert texts["Mark Selection Read"] == "Shift+R"
    assert texts["Keyboard Shortcuts"] == "?, F1"  # not the "Help" key few keyboards have
    assert texts["Search"] == "Ctrl+F, /"
    assert "Open" not in texts["Import Digests"] and "Zoom" not in texts["Bigger Text"]
    from readinglist.gui.shortcuts_help import ShortcutsHelp

    dialog = ShortcutsHelp(window.actions, window)
    qtbot.addWidget(dialog)
    groups = [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]
    assert len(groups) == len({r[0] for r in rows})
    assert sum(group.childCount() for group in groups) == len(rows)


def test_sort_by_header_runs_in_sql(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        window.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # title
    expected = window.library.list_ids(sort="title", descending=False)
    assert window.model.ids == expected


def test_search_keys_help_key_and_space_paging(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    key(qtbot, window, "/")
    assert QApplication.focusWidget() is window.search.field
    qtbot.keyClicks(window.search.field, "jsr")  # typed into the field, not shortcuts
    assert window.search.field.text() == "jsr"
    key(qtbot, window, "Escape")  # clears the field
    assert window.search.field.text() == ""
    key(qtbot, window, "Escape")  # back to the list
    assert QApplication.focusWidget() is window.table
    key(qtbot, window, "F", Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search.field
    window.focus_list()
    key(qtbot, window, "F1")
    qtbot.waitUntil(lambda: window._shortcuts_help is not None
                    and window._shortcuts_help.isVisible(), timeout=WAIT_MS)
    window._shortcuts_help.close()
    window.activateWindow()
    window.focus_list()
    window.detail.resize(400, 300)
    bar = window.detail.abstract.verticalScrollBar()
    window.detail.abstract.setFixedHeight(60)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    before = bar.value()
    key(qtbot, window, "Space")
    assert bar.value() > before


def test_cancel_import_rolls_back_the_file_being_read(qtbot, open_window, tmp_path):
    from readinglist.digests.render import render_digest

    papers = [{"title": f"A study of cancellation number {i}",
               "abstract": "We study what happens when a user cancels an import. " * 8}
              for i in range(6000)]
    big = tmp_path / "big.txt"
    big.write_text(render_digest(papers, "blank-separated", "Mar 14"), encoding="utf-8")
    window = open_window()
    dialog = window.import_paths([big])
    with qtbot.waitSignal(dialog.run.task.progress, timeout=WAIT_MS):
        pass
    dialog.buttons.buttons()[0].click()  # Cancel
    with qtbot.waitSignal(dialog.finished_import, timeout=WAIT_MS):
        pass
    assert "Cancelled" in dialog.summary_label.text()
    wait_writes(qtbot, window)
    assert window.library.count() == 0  # the file being read is rolled back whole


def search_for(qtbot, window, text: str) -> None:
    """Type a query as a user does and wait until its listing is on screen."""
    window.search.focus()

    def listed() -> bool:
        return window.listing is not None and window.listing.request.query == text.strip()

    window.search.field.clear()
    qtbot.keyClicks(window.search.field, text)
    qtbot.waitUntil(listed, timeout=WAIT_MS)


def test_end_to_end_import_search_star_note_restart(qtbot, open_window, sample):
    window = open_window()
    dialog, (report,) = import_and_wait(qtbot, window, [sample])
    assert report.status == "imported"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the report's OK, as a user closes it
    assert not dialog.isVisible()
    window.activateWindow()  # what the window manager does when the report closes
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    # Typed once, right away: the index follows the import in the background and the list
    # refreshes itself when it has the new papers (nobody retypes the query).
    search_for(qtbot, window, "retrieval heads")

    def found_quiet_attention() -> bool:
        titles = [window.model.data(window.model.index(r, 1))
                  for r in range(window.model.rowCount())]
        return any(t.startswith("Quiet Attention") for t in titles)

    qtbot.waitUntil(found_quiet_attention, timeout=WAIT_MS)
    assert "paper" in window.search.info.text()
    # A misspelling gets a clickable "did you mean".
    search_for(qtbot, window, "retreival")
    assert "retrieval" in window.search.info.text()
    # Sidebar and query combine: Starred + query is empty before starring.
    search_for(qtbot, window, "retrieval heads")
    window.search.leave_requested.emit()
    window.focus_list()
    row = next(r for r in range(window.model.rowCount())
               if window.model.data(window.model.index(r, 1)).startswith("Quiet Attention"))
    paper_id = window.model.id_at(row)
    window.table.select_id(paper_id)
    key(qtbot, window, "s")
    key(qtbot, window, "n")
    qtbot.keyClicks(window.detail.note, "read the probing section")
    key(qtbot, window, "Escape")
    wait_writes(qtbot, window)
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        window.sidebar.select_scope(Scope("starred"))
    assert window.library.get(paper_id).starred
    assert window.request.query == "retrieval heads"
    assert window.model.ids == [paper_id]
    # The note is searchable (the index follows note edits).
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        window.sidebar.select_scope(Scope("all"))

    search_for(qtbot, window, "note:probing")
    qtbot.waitUntil(lambda: window.model.ids == [paper_id], timeout=WAIT_MS)
    open_window.close(window)

    again = open_window()
    paper = again.library.get(paper_id)
    assert paper.starred and paper.note == "read the probing section"
    qtbot.waitUntil(lambda: again.index_ready, timeout=WAIT_MS)
    search_for(qtbot, again, "probing")
    assert paper_id in again.model.ids


def test_trailing_space_typed_in_note_survives_the_save_echo(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.activateWindow()
    window.focus_list()
    key(qtbot, window, "n")
    qtbot.keyClicks(window.detail.note, "first ")
    window.detail.note.flush()  # the debounce firing while the user types
    wait_writes(qtbot, window)
    qtbot.wait(50)  # the change notice comes back
    qtbot.keyClicks(window.detail.note, "second")
    assert window.detail.note.toPlainText() == "first second"


def test_files_dragged_over_the_note_go_to_the_window(qtbot, open_window, sample):
    from PySide6.QtGui import QDragEnterEvent

    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sample))])
    event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for field in (window.detail.note, window.detail.tags, window.search.field):
        event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        field.dragEnterEvent(event)
        assert not event.isAccepted(), type(field).__name__
    window.dragEnterEvent(event)
    assert event.isAccepted()
