"""GUI fixtures: a main window on an isolated library, and helpers to wait for its workers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from readinglist.gui.import_flow import sample_digest_path
from readinglist.gui.mainwindow import MainWindow
from readinglist.gui.settings import Settings
from readinglist.library import Library

WAIT_MS = 15_000


class WindowOpener:
    """Opens main windows on one home and closes them (workers stopped) at the end."""

    def __init__(self, qtbot, home: Path) -> None:
        self.qtbot = qtbot
        self.home = home
        self.windows: list[MainWindow] = []

    def __call__(self, before_show: Callable[[MainWindow], object] | None = None) -> MainWindow:
        """A new window, shown and listing.

        ``before_show`` connects to it before any event runs: what the window starts in its
        constructor (a look at the watched folder…) cannot report before that.
        """
        library = Library.open(self.home)
        window = MainWindow(library, Settings.load())
        self.qtbot.addWidget(window)
        if before_show is not None:
            before_show(window)
        with self.qtbot.waitSignals([window.counts_shown, window.listing_shown], timeout=WAIT_MS):
            window.show()
        self.windows.append(window)
        return window

    def close(self, window: MainWindow) -> None:
        window.close()
        window.library.close()

    def close_all(self) -> None:
        for window in self.windows:
            if not window._closing:
                window.close()
            window.library.close()


@pytest.fixture
def open_window(qtbot, home):
    opener = WindowOpener(qtbot, home)
    yield opener
    opener.close_all()


@pytest.fixture
def default_text_size_afterwards(qapp):
    """For tests that change the text size: the application's font outlives their windows."""
    from readinglist.gui import theme

    yield
    theme.apply(qapp, "system", 0)


@pytest.fixture
def sample() -> Path:
    path = sample_digest_path()
    assert path is not None, "the sample digest ships in the package"
    return path


def import_and_wait(qtbot, window: MainWindow, paths: list[Path], show_report: bool = True):
    """Import through the same path as File ▸ Import and drag and drop; wait for the report."""
    dialog = window.import_paths(paths, show_report=show_report)
    with qtbot.waitSignal(dialog.finished_import, timeout=WAIT_MS) as blocker:
        pass
    # The import's own refresh is the last one asked for: older listings are dropped as stale.
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        pass
    return dialog, blocker.args[0]


def window_with_sample(qtbot, open_window, sample: Path) -> MainWindow:
    """A window holding the sample digest, active, with the keyboard in the list."""
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.activateWindow()
    window.focus_list()
    return window


def wait_writes(qtbot, window: MainWindow) -> None:
    """Wait until every queued write has committed and its result reached the UI."""
    qtbot.waitUntil(lambda: window.writer.pending() == 0, timeout=WAIT_MS)
