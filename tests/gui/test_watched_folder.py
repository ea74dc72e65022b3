"""The watched folder: digests saved there are imported once complete, with a quiet notice."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from readinglist.gui import folder_watch
from readinglist.gui.settings import Settings
from readinglist.gui.settings_dialog import SettingsDialog
from readinglist.watched_folder import FolderArrivals

from .conftest import WAIT_MS


def _age(path: Path, seconds: float = 3600) -> Path:
    when = time.time() - seconds
    os.utime(path, (when, when))
    return path


def _watch(window, folder: Path) -> None:
    window.settings.watched_folder = str(folder)
    window.apply_settings()


def _scans(qtbot, window, count: int = 2) -> None:
    """Wait for ``count`` more looks at the folder."""
    for _ in range(count):
        with qtbot.waitSignal(window.folder_watch.scanned, timeout=WAIT_MS):
            window.folder_watch.scan()


def test_a_digest_saved_into_the_folder_is_imported_with_a_notice(
    qtbot, open_window, sample, tmp_path
):
    folder = tmp_path / "inbox"
    folder.mkdir()
    window = open_window()
    _watch(window, folder)
    _scans(qtbot, window)
    assert window.library.count() == 0

    saved = folder / "mar14.txt"
    saved.write_bytes(sample.read_bytes())
    _age(saved)
    with qtbot.waitSignal(window.folder_watch.notice, timeout=WAIT_MS) as notice:
        window.folder_watch.scan()
    assert notice.args[0].startswith("From the watched folder (mar14.txt): 25 new papers")
    qtbot.waitUntil(lambda: window.library.count() == 25, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.model.rowCount() == 25, timeout=WAIT_MS)
    assert window.watch_notice.isVisible() and "Show report" in window.watch_notice.text()

    window.watch_notice.linkActivated.emit("report")
    report = window.folder_watch.report
    assert report is not None and report.isVisible()
    assert "25 new" in report.tree.topLevelItem(0).text(1)


def test_a_file_still_being_written_is_not_read_half(
    qtbot, open_window, sample, tmp_path, monkeypatch
):
    # Nothing settles by waiting in this test (a loaded machine may pause it for seconds).
    monkeypatch.setattr(
        folder_watch, "FolderArrivals", lambda folder: FolderArrivals(folder, settle=3600)
    )
    folder = tmp_path / "inbox"
    folder.mkdir()
    text = sample.read_bytes()
    saved = folder / "growing.txt"
    saved.write_bytes(text[: len(text) // 2])  # just written: too fresh to be complete
    window = open_window()
    _watch(window, folder)
    _scans(qtbot, window, 3)
    assert window.library.count() == 0 and window.library.digests() == []

    saved.write_bytes(text)
    _age(saved, 2 * 3600)  # the writer finished long ago
    with qtbot.waitSignal(window.folder_watch.notice, timeout=WAIT_MS):
        window.folder_watch.scan()
    qtbot.waitUntil(lambda: window.library.count() == 25, timeout=WAIT_MS)
    assert [d["papers"] for d in window.library.digests()] == [25]


def test_a_missing_folder_says_so_and_is_picked_up_when_it_appears(
    qtbot, open_window, sample, tmp_path
):
    folder = tmp_path / "usb-stick"
    window = open_window()
    with qtbot.waitSignal(window.folder_watch.problem, timeout=WAIT_MS) as problem:
        _watch(window, folder)
    assert problem.args[0] == f"The watched folder {folder} does not exist (any more)."
    assert str(folder) in window.watch_notice.text()

    folder.mkdir()
    (folder / "d.txt").write_bytes(sample.read_bytes())
    _age(folder / "d.txt")
    with qtbot.waitSignal(window.folder_watch.notice, timeout=WAIT_MS):
        window.folder_watch.scan()
    qtbot.waitUntil(lambda: window.library.count() == 25, timeout=WAIT_MS)


def test_files_imported_before_say_nothing_at_the_next_start(
    qtbot, open_window, sample, tmp_path
):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_bytes(sample.read_bytes())
    _age(folder / "a.txt")
    window = open_window()
    with qtbot.waitSignal(window.folder_watch.notice, timeout=WAIT_MS):
        _watch(window, folder)
    qtbot.waitUntil(lambda: window.library.count() == 25, timeout=WAIT_MS)
    open_window.close(window)

    # The folder is remembered: the next window looks at it as it starts (before it is shown).
    heard: list[str] = []
    imported: list[list] = []

    def listen(window) -> None:
        window.folder_watch.notice.connect(heard.append)
        window.folder_watch.imported.connect(imported.append)

    again = open_window(before_show=listen)
    assert again.folder_watch.folder == folder
    qtbot.waitUntil(lambda: imported != [], timeout=WAIT_MS)
    assert [[r.status for r in reports] for reports in imported] == [["already-imported"]]
    assert heard == [] and not again.watch_notice.isVisible()


def test_the_settings_dialog_chooses_and_stops_the_folder_and_it_persists(
    qtbot, open_window, tmp_path, monkeypatch
):
    folder = tmp_path / "inbox"
    folder.mkdir()
    window = open_window()
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.changed.connect(window.apply_settings)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))

    dialog.choose_folder.click()

    assert dialog.folder_label.text() == str(folder)
    assert window.folder_watch.folder == folder
    window._save_layout()
    assert Settings.load().watched_folder == str(folder)

    dialog.stop_watching.click()
    assert window.folder_watch.folder is None and dialog.folder_label.text() == "None"
    window._save_layout()
    assert Settings.load().watched_folder == ""
