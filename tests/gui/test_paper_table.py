"""The lazy paper table: qtmodeltester, page fetching, stale marking, sort requests."""

from __future__ import annotations

from PySide6.QtCore import Qt

from readinglist.gui.paper_table import (
    PAGE,
    PUBLISHED,
    READ_ROLE,
    STAR,
    TITLE,
    PaperTableModel,
    PaperTableView,
)


class FakeRows:
    def __init__(self, n: int) -> None:
        self.rows = {
            f"p{i:06d}": {"id": f"p{i:06d}", "title": f"Paper {i}", "starred": i % 7 == 0,
                          "read": i % 2 == 0, "published": "2024-05-06", "upvotes": i,
                          "seen": 1, "has_note": False}
            for i in range(n)
        }
        self.calls: list[int] = []

    def __call__(self, ids):
        self.calls.append(len(ids))
        return [dict(self.rows[i]) for i in ids if i in self.rows]


def test_qtmodeltester(qtmodeltester):
    source = FakeRows(500)
    model = PaperTableModel(source)
    model.set_ids(list(source.rows))
    qtmodeltester.check(model, force_py=True)


def test_fetches_pages_lazily_for_100k(qtbot):
    source = FakeRows(100_000)
    model = PaperTableModel(source)
    model.set_ids(list(source.rows))
    assert model.rowCount() == 100_000
    assert source.calls == []
    assert model.data(model.index(50_010, TITLE)) == "Paper 50010"
    assert source.calls == [PAGE]
    model.data(model.index(50_001, PUBLISHED))
    assert source.calls == [PAGE]  # same page: cached


def test_unread_is_bold_and_stale_rows_refetch(qtbot):
    source = FakeRows(10)
    model = PaperTableModel(source)
    model.set_ids(list(source.rows))
    assert model.data(model.index(1, TITLE), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, TITLE), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(1, 0), READ_ROLE) is False
    source.rows["p000001"]["read"] = True
    source.rows["p000001"]["starred"] = True
    with qtbot.waitSignal(model.dataChanged):
        model.mark_stale(["p000001"])
    assert model.data(model.index(1, 0), READ_ROLE) is True
    assert model.data(model.index(1, STAR)) == "★"


def test_header_click_asks_the_store_to_sort(qtbot):
    model = PaperTableModel(FakeRows(3))
    view = PaperTableView(model)
    qtbot.addWidget(view)
    with qtbot.waitSignal(model.sort_requested) as blocker:
        view.sortByColumn(PUBLISHED, Qt.SortOrder.DescendingOrder)
    assert blocker.args == ["published", True]


def test_move_and_selected_ids(qtbot):
    source = FakeRows(5)
    model = PaperTableModel(source)
    model.set_ids(list(source.rows))
    view = PaperTableView(model)
    qtbot.addWidget(view)
    seen = []
    view.current_paper_changed.connect(seen.append)
    view.move(1)
    view.move(1)
    view.move(-1)
    assert seen == ["p000000", "p000001", "p000000"]
    assert view.selected_ids() == ["p000000"]
    view.selectAll()
    assert len(view.selected_ids()) == 5


def test_selected_ids_from_ranges_in_list_order(qtbot, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel

    source = FakeRows(100_000)
    model = PaperTableModel(source)
    model.set_ids(list(source.rows))
    view = PaperTableView(model)
    qtbot.addWidget(view)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(model.index(7, 0), flags)
    view.selectionModel().select(model.index(3, 0), flags)
    assert view.selected_ids() == ["p000003", "p000007"]
    view.selectAll()

    def every_index(*_args: object) -> None:
        raise AssertionError("100,000 indexes listed: walk the selection's ranges")

    # Ranges, not indexes (a timing would fail on a busy machine; bench/ measures speed).
    selection = view.selectionModel()
    monkeypatch.setattr(selection, "selectedIndexes", every_index)
    monkeypatch.setattr(selection, "selectedRows", every_index)
    ids = view.selected_ids()
    assert len(ids) == 100_000 and ids[0] == "p000000"


def test_titles_show_the_display_form(qtbot):
    source = FakeRows(2)
    source.rows["p000001"]["title"] = r"PIXART-{\delta}: Fast \& Controllable"
    model = PaperTableModel(source)
    model.set_ids(list(source.rows))
    shown = "PIXART-δ: Fast & Controllable"
    assert model.data(model.index(1, TITLE)) == shown
    assert model.data(model.index(1, TITLE), Qt.ItemDataRole.ToolTipRole) == shown
    assert source.rows["p000001"]["title"].startswith("PIXART-{\\delta}")  # stored as imported


def test_abstract_html_shows_the_display_form():
    from readinglist.gui.detail import abstract_html, spans_html

    stored = r"It reaches 85.2\% with PIXART-{\delta}."
    assert abstract_html(stored, (), "yellow", "blue") == "It reaches 85.2% with PIXART-δ."
    marked = spans_html(stored, [(23, 38)], "yellow", "blue")  # PIXART-{\\delta}
    assert marked == 'It reaches 85.2% with <span style="background:yellow">PIXART-δ</span>.'
