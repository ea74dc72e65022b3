"""Start the desktop app: the QApplication, the library, the main window (``readinglist``)."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from readinglist import __version__
from readinglist.gui.import_flow import prepare_demo_home
from readinglist.library import Library, LibraryError

log = logging.getLogger(__name__)

SMOKE_TEST_MS = 1000
# The search index syncs and searches on core threads running Python: with the default 5 ms
# GIL switch interval, the UI thread waited up to ~80 ms for its turn while a query was typed
# (100k papers); at 1 ms it measured 20–49 ms (docs/benchmarks.md).
GIL_SWITCH_INTERVAL_S = 0.001


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    QApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Reading List")
    app.setApplicationDisplayName("Reading List")
    app.setOrganizationName("readinglist")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.readinglist.ReadingList")
    return app


def open_window(home: Path | None = None):
    """Open the library at ``home`` (default: the data folder) in a new main window."""
    from readinglist.gui.mainwindow import MainWindow
    from readinglist.gui.settings import Settings

    library = Library.open(home)
    return MainWindow(library, Settings.load())


def run(demo: bool = False, smoke_test: bool = False) -> int:
    """Open the desktop app; returns the exit status.

    ``demo``: a temporary library holding the sample digest. ``smoke_test``: open the
    window on the library, let it settle for a second, close it cleanly and exit 0.
    """
    logging.basicConfig(level=logging.WARNING)
    app = application()
    demo_home = prepare_demo_home() if demo else None
    try:
        window = open_window(demo_home)
    except LibraryError as error:
        print(f"readinglist: {error}", file=sys.stderr)
        if not smoke_test:  # a smoke test has nobody to click OK
            QMessageBox.critical(None, "Reading List", str(error))
        return 1
    window.show()
    if smoke_test:
        QTimer.singleShot(SMOKE_TEST_MS, window.close)
    status = app.exec()
    window.library.close()
    if demo_home is not None:
        shutil.rmtree(demo_home, ignore_errors=True)
    return status
