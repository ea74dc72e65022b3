"""Small defects of issue 14: Home/End, the sample window's title, no IndexUnavailable noise."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt

from .conftest import WAIT_MS, import_and_wait


def test_home_and_end_go_to_the_first_and_last_paper(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    window.focus_list()
    window.table.move(2)
    qtbot.keyClick(window.table, Qt.Key.Key_End)
    assert window.table.current_id() == window.model.ids[-1]
    assert window.table.selected_ids() == [window.model.ids[-1]]
    qtbot.keyClick(window.table, Qt.Key.Key_Home)
    assert window.table.current_id() == window.model.ids[0]


def test_sample_window_title_names_the_app_once(qtbot, open_window):
    window = open_window()
    sample_window = window.open_sample_library()
    qtbot.waitUntil(lambda: sample_window.isVisible(), timeout=WAIT_MS)
    # Qt shows windowTitle + " — " + the application's display name.
    shown = f"{sample_window.windowTitle()} — Reading List"
    assert shown.count("Reading List") == 1
    sample_window.close()


def ask_related(qtbot, window, monkeypatch, paper_id: str) -> None:
    """Ask for the related papers of ``paper_id`` afresh and wait until the pane got the answer."""
    answered: list[str] = []
    show_related = window.current.detail.show_related

    def record(answered_for, found):
        answered.append(answered_for)
        show_related(answered_for, found)

    monkeypatch.setattr(window.current.detail, "show_related", record)
    window.current._related_shown = ""
    window.current._load_related(paper_id)
    # The answer reaches this thread through a queued signal: wait for it, not for time.
    qtbot.waitUntil(lambda: paper_id in answered, timeout=WAIT_MS)


def test_related_papers_while_the_index_is_built_log_no_failure(
    qtbot, open_window, sample, caplog, monkeypatch
):
    from readinglist.search import IndexUnavailable, SearchIndex

    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    caplog.set_level(logging.WARNING)

    def building(*_args, **_kwargs):
        raise IndexUnavailable("the search index has not been built yet")

    monkeypatch.setattr(SearchIndex, "related", building)
    paper_id = window.model.ids[0]
    ask_related(qtbot, window, monkeypatch, paper_id)
    assert not [r for r in caplog.records if "IndexUnavailable" in r.getMessage()]
    assert window.current._related_shown != paper_id  # asked again on the next visit


def test_related_papers_put_off_by_the_first_build_come_once_the_index_is_ready(
    qtbot, open_window, sample, monkeypatch
):
    # --demo: the window opens on the first paper while the index is first built; the user
    # stays on it, and its related papers must come when the index is ready, not never.
    from readinglist.search import IndexUnavailable, SearchIndex

    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    related = SearchIndex.related
    building = True

    def first_build(self, *args, **kwargs):
        if building:
            raise IndexUnavailable("the search index has not been built yet")
        return related(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "related", first_build)
    paper_id = window.table.current_id()
    ask_related(qtbot, window, monkeypatch, paper_id)
    items = window.detail.related
    assert [items.item(i).text() for i in range(items.count())] == ["No related papers yet."]

    building = False
    window.index_watch.status = None  # the next poll reports the index as it is now
    window.index_watch.poll()
    qtbot.waitUntil(lambda: window.current._related_shown == paper_id, timeout=WAIT_MS)
    assert items.count() > 1 and items.item(0).data(Qt.ItemDataRole.UserRole)
    assert window.table.current_id() == paper_id  # the user never moved
