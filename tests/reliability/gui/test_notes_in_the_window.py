"""A note typed in the window is stored, or visibly unsaved and retried until it is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from readinglist import paths
from readinglist.gui import note_saving
from readinglist.library import Library, store
from tests.core.store_support import write_digest
from tests.gui.conftest import WAIT_MS, import_and_wait


@pytest.fixture
def short_busy_timeout(monkeypatch):
    # The library's 5 s busy timeout, made short so the test does not sit through it.
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(note_saving, "RETRY_MS", 200)


def stored_note(home: Path, paper_id: str) -> str:
    with Library.open(home) as library:
        return library.get(paper_id).note


def type_note(qtbot, window, text: str) -> str:
    window.table.setFocus()
    window.table.move(0)
    paper_id = window.detail.paper.id
    window.detail.focus_note()
    qtbot.keyClicks(window.detail.note, text)
    window.detail.note.flush()
    return paper_id


def test_a_busy_library_leaves_the_note_visibly_unsaved_then_stores_it(
    qtbot, open_window, sample, home, short_busy_timeout
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    holder = sqlite3.connect(paths.database_path(home))
    holder.execute("BEGIN IMMEDIATE")  # another program writing, for as long as it likes
    try:
        paper_id = type_note(qtbot, window, "typed while busy")
        state = window.detail.note_state
        qtbot.waitUntil(lambda: state.text().startswith("Not saved"), timeout=WAIT_MS)
        assert "busy" in state.text()
        assert window.detail.note.is_dirty()

        # Switching papers keeps the text: it comes back when the paper is shown again.
        window.table.setFocus()
        window.table.move(1)
        assert window.detail.paper.id != paper_id
        window.table.move(-1)
        assert window.detail.paper.id == paper_id
        assert window.detail.note.toPlainText() == "typed while busy"

        # Closing asks; "wait" keeps the window open while the retries go on.
        asked = []
        window.ask_about_unsaved_notes = lambda failing: asked.append(failing) or "wait"
        window.close()
        assert asked and paper_id in asked[0]
        assert window.isVisible() and not window._closing
        assert stored_note(home, paper_id) == ""
    finally:
        holder.rollback()
        holder.close()
    # The lock is free: the retry stores the note and the window closes by itself.
    with qtbot.waitSignal(window.closed, timeout=WAIT_MS):
        pass
    assert stored_note(home, paper_id) == "typed while busy"


def test_closing_now_keeps_an_unsaved_note_in_a_file(
    qtbot, open_window, sample, home, short_busy_timeout
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    holder = sqlite3.connect(paths.database_path(home))
    holder.execute("BEGIN IMMEDIATE")
    try:
        paper_id = type_note(qtbot, window, "do not drop me")
        qtbot.waitUntil(
            lambda: window.detail.note_state.text().startswith("Not saved"), timeout=WAIT_MS
        )
        window.ask_about_unsaved_notes = lambda failing: "close"
        with qtbot.waitSignal(window.closed, timeout=WAIT_MS):
            window.close()
    finally:
        holder.rollback()
        holder.close()
    kept = list((home / "unsaved-notes").glob(f"{paper_id}-*.txt"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "do not drop me"


def test_a_note_does_not_wait_behind_an_import(qtbot, open_window, sample, home, tmp_path):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    folder = tmp_path / "many"
    folder.mkdir()
    files = 40
    for n in range(files):
        write_digest(folder / f"d{n:03}.txt", range(n * 150, n * 150 + 150), label="Mar 14")
    paper_id = type_note(qtbot, window, "")  # just select the paper
    dialog = window.import_paths([folder], show_report=False)
    digests_when_stored = []

    def count_digests() -> int:
        with Library.open(home) as library:
            return len(library.digests())

    # Type once the import has started committing files.
    qtbot.waitUntil(lambda: count_digests() >= 3, timeout=WAIT_MS)
    window.notes.stored.connect(lambda pid, _t: digests_when_stored.append(count_digests()))
    window.notes.save(paper_id, "typed during the import")
    with qtbot.waitSignal(dialog.finished_import, timeout=60_000):
        pass
    assert digests_when_stored, "the note was not stored"
    # Stored between two files of the import, not after all of them.
    assert digests_when_stored[0] < files + 1
    assert stored_note(home, paper_id) == "typed during the import"
