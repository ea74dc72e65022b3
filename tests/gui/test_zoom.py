"""Ctrl++ / Ctrl+- / Ctrl+0 resize every text of the window, and the size survives a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from readinglist.gui import theme
from readinglist.gui.settings import Settings
from readinglist.library import Library

from .conftest import WAIT_MS, import_and_wait


def sizes(window) -> dict[str, float]:
    """The point size each kind of text is drawn with (fonts of their own included)."""
    sidebar = window.sidebar.model()
    heading = sidebar.index(0, 0).data(Qt.ItemDataRole.FontRole)
    detail = window.detail
    return {
        "list": window.table.font().pointSizeF(),
        "sidebar entries": window.sidebar.font().pointSizeF(),
        "sidebar headings": heading.pointSizeF(),
        "title": detail.title.font().pointSizeF(),
        "section labels": min(label.font().pointSizeF() for label in detail.captions),
        "note": detail.note.font().pointSizeF(),
        "tags": detail.tags.font().pointSizeF(),
        "abstract": detail.abstract.font().pointSizeF(),
    }


def press(qtbot, window, key: Qt.Key) -> None:
    qtbot.keyClick(window.table, key, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_plus_and_minus_resize_the_note_labels_and_everything_else(
    qtbot, open_window, sample, home, default_text_size_afterwards
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    qtbot.waitUntil(lambda: window.detail.paper is not None, timeout=WAIT_MS)
    before = sizes(window)
    default = theme.default_point_size()
    assert QApplication.font().pointSize() == default

    press(qtbot, window, Qt.Key.Key_Plus)
    press(qtbot, window, Qt.Key.Key_Plus)
    bigger = sizes(window)
    assert QApplication.font().pointSize() == default + 2
    grown = {name for name in before if bigger[name] > before[name]}
    assert grown == set(before), f"not resized: {set(before) - grown}"
    assert bigger["note"] == bigger["list"] == default + 2
    # The labels keep their proportion to the text (smaller, never the same size).
    assert bigger["section labels"] < bigger["note"]

    # Remembered at once (a crash or kill -9 keeps it), and a new window starts with it.
    assert Settings.load().font_size == default + 2
    window.close()
    window.library.close()
    # A restart: a new process starts at the platform's default size.
    theme.apply(QApplication.instance(), "system", 0)
    reopened = open_window()
    qtbot.waitUntil(lambda: reopened.detail.paper is not None or reopened.model.rowCount() > 0,
                    timeout=WAIT_MS)
    assert QApplication.font().pointSize() == default + 2
    assert sizes(reopened) == bigger

    press(qtbot, reopened, Qt.Key.Key_Minus)
    assert sizes(reopened)["note"] == default + 1
    assert sizes(reopened)["section labels"] < bigger["section labels"]
    press(qtbot, reopened, Qt.Key.Key_0)
    assert sizes(reopened) == before
    assert Settings.load().font_size == 0  # the platform's default again


# A real restart: a new process, whose application font is the platform's until the window
# applies the saved size (widgets made before that kept the old size: only the list grew).
STARTUP = """
import json
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QLabel
from readinglist.gui.app import application
from readinglist.gui.mainwindow import MainWindow
from readinglist.gui.settings import Settings
from readinglist.library import Library
from readinglist import paths

app = application()
window = MainWindow(Library.open(paths.data_dir()), Settings.load())
window.resize(1024, 640)
window.show()


def settle(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


for _ in range(100):
    settle(100)
    if window.model.rowCount():
        break
window.focus_list()
settle(300)
sizes = {
    label.objectName() if label.objectName() not in ("", "Muted") else label.text():
        label.font().pointSizeF()
    for label in window.findChildren(QLabel) if label.isVisible()
}
sizes.update({
    "app": QApplication.font().pointSizeF(),
    "sidebar": window.sidebar.font().pointSizeF(),
    "search": window.search.field.font().pointSizeF(),
    "list": window.table.font().pointSizeF(),
    "note": window.detail.note.font().pointSizeF(),
    "tags": window.detail.tags.font().pointSizeF(),
})
print(json.dumps(sizes))
window.close()
window.library.close()
"""


def test_the_saved_text_size_reaches_every_widget_at_start(home, sample):
    Settings(font_size=17).save()
    with Library.open(home) as library:
        for _ in library.import_files([sample]):
            pass
    done = subprocess.run(
        [sys.executable, "-c", STARTUP], capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=False,
    )
    assert done.returncode == 0, done.stderr
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert sizes["app"] == 17
    # The title is 1.3 times the text, the section labels 0.8 times; everything else is 17.
    expected = {"DetailTitle": 17 * 1.3, "TAGS": 17 * 0.8, "NOTE": 17 * 0.8,
                "RELATED PAPERS": 17 * 0.8}
    assert set(expected) <= set(sizes)
    assert sizes == {name: pytest.approx(expected.get(name, 17)) for name in sizes}
