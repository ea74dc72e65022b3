"""Several papers selected: "N papers selected" with bulk actions, each one undoable change."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt

from readinglist.gui.actions import ActionId

from .conftest import WAIT_MS, wait_writes, window_with_sample
from .test_mainwindow import key


def _select_rows(window, rows) -> list[str]:
    table, model = window.table, window.model
    flags = QItemSelectionModel.SelectionFlag
    table.selectionModel().setCurrentIndex(
        model.index(rows[0], 1), flags.ClearAndSelect | flags.Rows
    )
    for row in rows[1:]:
        table.selectionModel().select(model.index(row, 1), flags.Select | flags.Rows)
    return [model.id_at(row) for row in rows]


def _pane_shows(window, count: int) -> bool:
    pane = window.selection_pane
    return (
        window.detail_stack.currentWidget() is pane
        and pane.heading.text() == f"{count:,} papers selected"
        and pane.summary.text() != "Counting…"
    )


def test_several_selected_show_the_count_and_one_shows_the_paper(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    ids = _select_rows(window, [0, 2, 3])
    window.library.set_starred([ids[0]], True)
    window.library.set_read(ids[:2], True)

    qtbot.waitUntil(lambda: _pane_shows(window, 3), timeout=WAIT_MS)
    assert window.selection_pane.summary.text().startswith("1 starred  ·  2 read  ·  1 unread")

    window.table.select_id(ids[1])
    qtbot.waitUntil(lambda: window.detail_stack.currentWidget() is window.detail, timeout=WAIT_MS)
    assert window.detail.paper is not None and window.detail.paper.id == ids[1]


def test_bulk_star_read_and_tags_in_one_change_each_with_undo(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    ids = _select_rows(window, [1, 2, 4, 5])
    qtbot.waitUntil(lambda: _pane_shows(window, 4), timeout=WAIT_MS)
    pane = window.selection_pane
    generation = window.library.generation

    pane.star_button.click()
    wait_writes(qtbot, window)
    assert all(p.starred for p in window.library.papers(ids))
    assert window.library.generation == generation + 1  # one transaction for all four
    qtbot.waitUntil(lambda: pane.summary.text().startswith("4 starred"), timeout=WAIT_MS)
    assert not pane.star_button.isEnabled() and pane.unstar_button.isEnabled()

    pane.read_button.click()
    wait_writes(qtbot, window)
    assert all(p.read for p in window.library.papers(ids))

    qtbot.keyClicks(pane.tags, "bulk, Later")
    pane.add_tags_button.click()
    wait_writes(qtbot, window)
    assert all(p.tags == ["bulk", "Later"] for p in window.library.papers(ids))
    assert window.library.generation == generation + 3

    qtbot.keyClicks(pane.tags, "later")
    pane.remove_tags_button.click()
    wait_writes(qtbot, window)
    assert all(p.tags == ["bulk"] for p in window.library.papers(ids))

    for _ in range(4):  # untag, tag, read, star: each undone in turn
        window.actions[ActionId.UNDO].trigger()
        wait_writes(qtbot, window)
    papers = window.library.papers(ids)
    assert not any(p.starred or p.read or p.tags for p in papers)


def test_keys_act_on_the_selection_and_t_goes_to_its_tags(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    ids = _select_rows(window, [0, 1, 2])
    qtbot.waitUntil(lambda: _pane_shows(window, 3), timeout=WAIT_MS)
    window.table.setFocus()

    key(qtbot, window, "s")
    wait_writes(qtbot, window)
    assert all(p.starred for p in window.library.papers(ids))
    key(qtbot, window, "R", Qt.KeyboardModifier.ShiftModifier)
    wait_writes(qtbot, window)
    assert all(p.read for p in window.library.papers(ids))
    key(qtbot, window, "t")
    assert window.selection_pane.tags.hasFocus()
    qtbot.keyClicks(window.selection_pane.tags, "keyboard")
    qtbot.keyClick(window.selection_pane.tags, Qt.Key.Key_Return)
    wait_writes(qtbot, window)
    assert all(p.tags == ["keyboard"] for p in window.library.papers(ids))


def test_delete_and_export_from_the_pane(qtbot, open_window, sample, monkeypatch):
    window = window_with_sample(qtbot, open_window, sample)
    ids = _select_rows(window, [3, 4])
    qtbot.waitUntil(lambda: _pane_shows(window, 2), timeout=WAIT_MS)
    asked: list[bool] = []
    monkeypatch.setattr(window, "open_export", lambda selection: asked.append(selection))
    window.selection_pane.export_button.click()
    assert asked == [True]

    assert window.selection_pane.delete_button.text() == "Delete 2 Papers"
    window.selection_pane.delete_button.click()
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: not set(ids) & set(window.model.ids), timeout=WAIT_MS)
    window.actions[ActionId.UNDO].trigger()
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: set(ids) <= set(window.model.ids), timeout=WAIT_MS)


def test_select_all_counts_without_listing_every_id(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    total = window.model.rowCount()
    window.table.setFocus()
    window.actions[ActionId.SELECT_ALL].trigger()
    qtbot.waitUntil(lambda: _pane_shows(window, total), timeout=WAIT_MS)
    assert window.table.selected_count() == total
