"""Refreshes asked for by a stream of changes: one at a time, the ones asked meanwhile as one."""

from __future__ import annotations

import threading

import pytest

from readinglist.gui.paced import PATIENT_REST_MS, PacedRefresh
from readinglist.gui.tasks import Worker
from tests.core.store_support import write_digest
from tests.gui.conftest import WAIT_MS, import_and_wait


@pytest.fixture
def worker(qtbot):
    w = Worker("paced")
    yield w
    w.stop()


@pytest.fixture
def gated(worker):
    """A PacedRefresh whose refreshes (numbered in ``runs``) each wait for ``gate``."""
    gate = threading.Event()
    runs: list[int] = []

    def refresh():
        runs.append(len(runs))
        return worker.submit(lambda _ctx: gate.wait(WAIT_MS / 1000))

    return PacedRefresh(refresh), gate, runs


def test_requests_made_while_a_refresh_runs_are_answered_by_one_more(qtbot, worker, gated):
    paced, gate, runs = gated
    paced.request()
    assert runs == [0]  # the first request of a quiet moment runs at once
    paced.request()
    paced.request()
    assert runs == [0]  # not while one runs
    gate.set()
    qtbot.waitUntil(lambda: runs == [0, 1], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: worker.pending() == 0, timeout=WAIT_MS)
    assert runs == [0, 1]  # both requests answered by that one


def test_a_refresh_asked_directly_covers_the_requests_made_before(qtbot, worker, gated):
    paced, gate, runs = gated
    paced.request()
    paced.request()
    paced.covered()  # e.g. the import finished and its own refresh was asked for
    gate.set()
    qtbot.waitUntil(lambda: worker.pending() == 0, timeout=WAIT_MS)
    assert runs == [0]


def test_an_imports_requests_wait_longer_than_an_edits(qtbot, worker, gated):
    paced, gate, runs = gated
    paced.request(patient=True)
    paced.request(patient=True)  # the next file of the import, while the first refresh runs
    gate.set()
    qtbot.waitUntil(lambda: worker.pending() == 0, timeout=WAIT_MS)
    assert runs == [0]
    assert paced._rest.isActive() and paced._rest.remainingTime() > PATIENT_REST_MS // 2
    paced.request()  # an edit meanwhile: answered as soon as the reader is free
    assert paced._rest.remainingTime() < PATIENT_REST_MS // 2
    qtbot.waitUntil(lambda: runs == [0, 1], timeout=WAIT_MS)


def test_a_list_refreshed_around_the_paper_shown_does_not_read_it_again(
    qtbot, open_window, sample, tmp_path, monkeypatch
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    shown = window.table.current_id()
    qtbot.waitUntil(lambda: window.detail.paper is not None, timeout=WAIT_MS)
    assert window.detail.paper.id == shown
    read: list[str] = []
    get = window.library.get
    monkeypatch.setattr(window.library, "get", lambda pid: read.append(pid) or get(pid))
    more = write_digest(tmp_path / "more.txt", range(40), label="Mar 21")
    import_and_wait(qtbot, window, [more], show_report=False)
    assert window.model.rowCount() == window.library.count()
    assert window.table.current_id() == shown and window.detail.paper.id == shown
    assert shown not in read  # shown already: not read again on the UI thread
    window.table.move(1)  # another paper is read as before
    assert window.detail.paper.id == window.table.current_id() != shown
    assert read[-1] == window.table.current_id()
