"""Texts fit their widgets at 1024x640, at the default size and with large text.

Measured with the fonts' own metrics (what the text needs) against the widgets' sizes, not
with pixel counts that hold for one font only.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import QLabel

from readinglist.gui.settings_dialog import SettingsDialog
from readinglist.gui.theme import default_point_size
from readinglist.search import IndexUnavailable

from .conftest import WAIT_MS, import_and_wait

SIZES = [0, 20]  # the platform's default text size, and large text


def plain(rich: str) -> str:
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def set_text_size(window, size: int) -> None:
    window.settings.font_size = size
    window.apply_settings()


def whole(label: QLabel) -> bool:
    """Every line of the label is inside it: its one line, or all the lines it wraps to."""
    if label.wordWrap():
        return label.heightForWidth(label.width()) <= label.height()
    metrics = label.fontMetrics()
    return metrics.horizontalAdvance(label.text()) <= label.width() and (
        metrics.height() <= label.height()
    )


@pytest.mark.parametrize("size", SIZES)
def test_settings_dialog_shows_its_whole_title_and_every_line(
    qtbot, qapp, open_window, size, default_text_size_afterwards
):
    window = open_window()
    window.settings.watched_folder = "/home/reader/Downloads/Hugging Face daily papers/2025"
    name = qapp.applicationDisplayName()
    qapp.setApplicationDisplayName("Reading List")
    try:
        dialog = SettingsDialog(window.settings, window)
        qtbot.addWidget(dialog)
        dialog.changed.connect(window.apply_settings)
        dialog.show()
        qtbot.waitExposed(dialog)
        # The text size changed from the open dialog, as a reader does: the rows grow, and
        # the wrapped lines (the folder and its help) once lost the room they needed.
        dialog.font_size.setValue(size or default_point_size() + 1)
        labels = dialog.findChildren(QLabel)
        assert any(label.wordWrap() for label in labels)
        qtbot.waitUntil(lambda: all(whole(label) for label in labels), timeout=WAIT_MS)
        # The title bar shows "Settings — Reading List" in a bold face, beside the window's
        # icon and its three buttons (each at least 24 px square).
        title = QFont(dialog.font())
        title.setBold(True)
        needed = QFontMetrics(title).horizontalAdvance("Settings — Reading List") + 4 * 24
        assert needed <= dialog.width()
    finally:
        qapp.setApplicationDisplayName(name)


@pytest.mark.parametrize("size", SIZES)
def test_search_labels_and_window_fit_1024_by_640(
    qtbot, open_window, sample, size, default_text_size_afterwards
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    set_text_size(window, size)
    window.resize(1024, 640)
    # The window can be that small: nothing (the status bar, the label) is below or beyond
    # the screen's edge because the panes asked for more.
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 640), timeout=WAIT_MS)
    assert window.minimumSizeHint().height() <= 640
    status = window.statusBar()
    assert status.mapTo(window, QPoint(0, status.height())).y() <= window.height()

    info = window.search.info
    window.search.field.setText("diffusion")
    shown = [
        lambda: window.browsing._listing_failed(IndexUnavailable("not built yet")),
        lambda: window.search.show_result(12_345, None, 3.0, incomplete=True),
        lambda: window.search.show_result(7, "diffusion", 3.0, corrected=True),
    ]
    def in_view() -> bool:
        """The whole text is visible: on its one line, or on as many lines as it wraps to."""
        right = info.mapTo(window, QPoint(info.width(), 0)).x()
        if info.wordWrap():
            fits = info.heightForWidth(info.width()) <= info.height()
        else:
            fits = info.fontMetrics().horizontalAdvance(plain(info.text())) <= info.width()
        # The window stays 1024 px wide: a label that widens it is cut by the screen's edge.
        return right <= window.width() == 1024 and fits

    for show in shown:
        show()
        text = plain(info.text())
        assert text
        # Every line of the label is in view once laid out: as high as its lines at its
        # width, its right edge inside the window.
        qtbot.waitUntil(in_view, timeout=WAIT_MS)
        if text.startswith("The search index is being built"):
            # Short enough for one line at any text size at 1024 px: shown on one.
            needed = info.fontMetrics().horizontalAdvance(text)
            assert info.width() >= needed
            assert info.height() < 2 * info.fontMetrics().lineSpacing()


def test_detail_pane_scrolls_only_when_the_window_is_too_short(
    qtbot, open_window, sample, default_text_size_afterwards
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.resize(1024, 640)
    window.focus_list()
    scroll = window.detail_scroll
    bar = scroll.verticalScrollBar()
    # At the default size the pane fits as it is: no scroll bar of its own, the pane as high
    # as the room, and a long abstract scrolls inside its box (Space pages it), not the pane.
    qtbot.waitUntil(lambda: window.detail.meta.text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: not bar.isVisible()
        and window.detail_stack.height() == scroll.viewport().height(),
        timeout=WAIT_MS,
    )
    abstract = window.detail.abstract
    # Its scroll range follows the text's layout, which Qt finishes in a later event.
    qtbot.waitUntil(lambda: abstract.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    # Large text: the pane no longer fits 640 px; it scrolls, and its wrapped title and
    # metadata keep every line.
    set_text_size(window, 20)
    qtbot.waitUntil(
        lambda: bar.isVisible()
        and whole(window.detail.title)
        and whole(window.detail.meta)
        and window.size().toTuple() == (1024, 640),
        timeout=WAIT_MS,
    )
