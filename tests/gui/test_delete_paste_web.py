"""Delete with undo, Paste Digest (Ctrl+V in the list), and a paper on Hugging Face / arXiv."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu

from readinglist import web
from readinglist.display import display_text
from readinglist.gui.actions import ActionId
from readinglist.gui.import_flow import sample_digest_path

from .conftest import WAIT_MS, import_and_wait, wait_writes, window_with_sample
from .test_mainwindow import key


def test_delete_key_deletes_the_selection_and_ctrl_z_brings_all_back(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    first = window.table.current_id()
    total = window.library.count()
    # Dress the paper so undo has something to bring back.
    key(qtbot, window, "s")
    key(qtbot, window, "t")
    qtbot.keyClicks(window.detail.tags, "keep")
    qtbot.keyClick(window.detail.tags, Qt.Key.Key_Return)
    key(qtbot, window, "n")
    qtbot.keyClicks(window.detail.note, "worth reading")
    key(qtbot, window, "Escape")
    wait_writes(qtbot, window)
    before = window.library.get(first)
    assert before.starred and before.tags == ["keep"] and before.note == "worth reading"
    second = window.model.id_at(1)

    key(qtbot, window, "Delete")
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: first not in window.model.ids, timeout=WAIT_MS)
    assert window.library.count() == total - 1
    assert [d["id"] for d in window.library.deleted()] == [first]
    # The list goes on with the next paper, and the detail pane shows it.
    qtbot.waitUntil(lambda: window.table.current_id() == second, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.detail.paper is not None
                    and window.detail.paper.id == second, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.counts.library["all"] == total - 1, timeout=WAIT_MS)

    key(qtbot, window, "Z", Qt.KeyboardModifier.ControlModifier)
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: first in window.model.ids, timeout=WAIT_MS)
    back = window.library.get(first)
    assert (back.starred, back.tags, back.note) == (True, ["keep"], "worth reading")
    assert window.library.deleted() == []


def test_deleting_several_and_reimporting_keeps_them_deleted(
    qtbot, open_window, sample, tmp_path
):
    window = window_with_sample(qtbot, open_window, sample)
    total = window.library.count()
    window.table.selectAll()
    chosen = window.table.selected_ids()[:3]
    window.table.clearSelection()
    for paper_id in chosen:
        row = window.model.row_of(paper_id)
        window.table.selectionModel().select(
            window.model.index(row, 0),
            window.table.selectionModel().SelectionFlag.Select
            | window.table.selectionModel().SelectionFlag.Rows,
        )
    window.actions[ActionId.DELETE].trigger()
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: window.library.count() == total - 3, timeout=WAIT_MS)

    # The same papers in another file (one more blank line): the deleted ones stay deleted,
    # and the report says so.
    copy = tmp_path / "again.txt"
    copy.write_text(sample.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    dialog, reports = import_and_wait(qtbot, window, [copy])
    (report,) = reports
    assert (report.status, report.deleted, report.new) == ("imported", 3, 0)
    assert window.library.count() == total - 3
    assert "3 skipped as deleted" in dialog.tree.topLevelItem(0).toolTip(1)
    dialog.close()


def test_context_menu_and_paper_menu_offer_delete_and_the_web(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    texts = [a.text() for a in window.table.context_menu_actions if a is not None]
    for wanted in ("&Delete", "&Paste Digest", "Open on &Hugging Face", "Search on ar&Xiv"):
        assert wanted in texts
    menus = {m.title(): m for m in window.menuBar().findChildren(QMenu)}
    assert window.actions[ActionId.DELETE] in menus["&Paper"].actions()
    assert window.actions[ActionId.PASTE_DIGEST] in menus["&Edit"].actions()


def test_h_and_x_open_the_paper_on_hugging_face_and_arxiv(
    qtbot, open_window, sample, monkeypatch
):
    window = window_with_sample(qtbot, open_window, sample)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    paper = window.detail.paper
    key(qtbot, window, "h")
    key(qtbot, window, "x")
    texts = [*paper.links, paper.abstract]
    title = display_text(paper.title)
    assert opened == [web.hugging_face_url(title, texts), web.arxiv_url(title, texts)]
    assert opened[0].startswith("https://huggingface.co/papers")
    assert opened[1].startswith("https://arxiv.org/")


def test_ctrl_v_in_the_list_imports_the_clipboard_once(qtbot, open_window):
    window = open_window()
    sample = sample_digest_path()
    QApplication.clipboard().setText(sample.read_text(encoding="utf-8"))
    window.activateWindow()
    window.focus_list()

    with qtbot.waitSignal(window.importing.imported, timeout=WAIT_MS) as first:
        key(qtbot, window, "V", Qt.KeyboardModifier.ControlModifier)
    (report,) = first.args[0]
    assert report.status == "imported" and report.new > 0
    assert report.path.name.startswith("<pasted 20")
    qtbot.waitUntil(lambda: window.library.count() == report.new, timeout=WAIT_MS)
    ledger = window.library.digests()
    assert [d["name"] for d in ledger] == [report.path.name]
    dialog = window.importing.dialogs[-1]
    assert dialog.windowTitle() == "Paste digest" and dialog.isVisible()
    assert f"{report.new:,} new papers" in dialog.summary_label.text()
    dialog.accept()

    window.focus_list()
    with qtbot.waitSignal(window.importing.imported, timeout=WAIT_MS) as second:
        window.actions[ActionId.PASTE_DIGEST].trigger()
    (again,) = second.args[0]
    assert again.status == "already-imported"
    assert len(window.library.digests()) == 1


def test_ctrl_v_in_the_search_field_pastes_text_not_a_digest(qtbot, open_window, sample):
    window = window_with_sample(qtbot, open_window, sample)
    QApplication.clipboard().setText("diffusion")
    window.search.focus()
    before = len(window.library.digests())
    key(qtbot, window, "V", Qt.KeyboardModifier.ControlModifier)
    assert window.search.field.text() == "diffusion"
    assert len(window.library.digests()) == before and not window.importing.dialogs
