"""Titles, tags and notes are text in every widget, never markup."""

from __future__ import annotations

from PySide6.QtCore import Qt

from readinglist.gui.detail import plain_tooltip
from readinglist.library import Library
from tests.core.store_support import info, paper
from tests.gui.conftest import WAIT_MS

TITLE = "<script>alert(1)</script> Script Title"


def test_a_title_that_looks_like_html_is_shown_as_written(qtbot, open_window, home):
    with Library.open(home) as library:
        library.import_parsed(info("h.txt"), [paper(1, title=TITLE), paper(2)])
    window = open_window()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=WAIT_MS)
    paper_id = next(i for i in window.model.ids if window.library.get(i).title == TITLE)
    window.current.show(paper_id)
    title = window.detail.title
    assert title.textFormat() == Qt.TextFormat.PlainText
    assert title.text() == TITLE  # shown with its tags, not rendered as "Script Title"
    assert window.detail.meta.textFormat() == Qt.TextFormat.PlainText


def test_tooltips_escape_what_they_show():
    tip = plain_tooltip("<b>bold</b> & more")
    assert "<b>" not in tip and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in tip
