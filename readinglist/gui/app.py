"""Start the desktop app: the QApplication, the library, the main window (``readinglist``)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

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
    SIGTERM and SIGINT close the window as the user would (notes saved, demo folder removed).
    """
    logging.basicConfig(level=logging.WARNING)
    app = application()
    demo_home: Path | None = None
    with _stopping_on_signals() as opened:
        try:
            demo_home = prepare_demo_home() if demo else None
            opened(None)
            try:
                window = open_window(demo_home)
            except LibraryError as error:
                print(f"readinglist: {error}", file=sys.stderr)
                if not smoke_test:  # a smoke test has nobody to click OK
                    QMessageBox.critical(None, "Reading List", str(error))
                return 1
            opened(window)
            window.show()
            if smoke_test:
                QTimer.singleShot(SMOKE_TEST_MS, window.close)
            status = app.exec()
            window.library.close()
        finally:
            if demo_home is not None:
                shutil.rmtree(demo_home, ignore_errors=True)
    return status


@contextlib.contextmanager
def _stopping_on_signals() -> Iterator[Callable[[QWidget | None], None]]:
    """SIGTERM and SIGINT close the window, or stop the start-up before there is one.

    Yields a function to call with None when the window starts being built (from then on a
    signal waits for it: it starts threads that an exception would leave running), then with
    the window once it exists.
    """
    state: dict[str, object] = {"building": False, "window": None, "pending": False}

    def close_window() -> None:
        window = state["window"]
        assert isinstance(window, QWidget)
        window.close()
        QApplication.quit()

    def stop(signum: int, frame: object) -> None:
        if state["window"] is not None:
            close_window()
        elif state["building"]:
            state["pending"] = True
        else:
            raise SystemExit(128 + signum)  # preparing the demo: unwind, cleaning up on the way

    def progress(window: QWidget | None) -> None:
        if window is None:
            state["building"] = True
            return
        state["window"] = window
        if state["pending"]:
            QTimer.singleShot(0, close_window)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    # Python runs a signal handler only when it gets the interpreter back; while Qt waits in
    # its event loop that needs a timer to wake it now and then.
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(200)
    try:
        yield progress
    finally:
        timer.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
