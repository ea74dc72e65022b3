"""The sidebar: sections fold (remembered), arrows skip headings, 60 digests stay navigable."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from readinglist.browse import Scope
from readinglist.gui.listing import SidebarCounts
from readinglist.gui.settings import Settings
from readinglist.gui.sidebar import HEADING_ROLE, KEY_ROLE, SCOPE_ROLE, Sidebar

from .conftest import WAIT_MS, import_and_wait


def _counts(n_digests: int = 60) -> SidebarCounts:
    start = dt.date(2026, 12, 1)
    digests = []
    for n in range(n_digests):
        day = start - dt.timedelta(days=n)
        when = dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC)
        digests.append({"id": n_digests - n, "label": f"{day:%b} {day.day}", "name": f"{n}.txt",
                        "path": f"/d/{n}.txt", "papers": 10 + n, "imported_at": when})
    library = {"all": 500, "unread": 400, "starred": 3, "read": 100, "notes": 2}
    return SidebarCounts(library, digests, [("vision", 4), ("later", 2)], 10, 500)


def _visible(sidebar: Sidebar) -> list[str]:
    """The rows a user sees, top to bottom (texts)."""
    rows, index = [], sidebar.model().index(0, 0)
    while index.isValid():
        rows.append(index.data())
        index = sidebar.indexBelow(index)
    return rows


def _section(sidebar: Sidebar, key: str):
    model = sidebar.model()
    return next(
        model.index(r, 0) for r in range(model.rowCount())
        if model.index(r, 0).data(KEY_ROLE) == key
    )


def test_sixty_digests_newest_first_then_folded_months(qtbot):
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_counts(_counts())

    rows = _visible(sidebar)
    start = rows.index("New since last digest")
    newest = [f"{dt.date(2026, 12, 1) - dt.timedelta(days=n):%b} " for n in range(8)]
    assert [r[:4] for r in rows[start + 1 : start + 9]] == newest
    assert rows[start + 9 : start + 11] == ["November 2026", "October 2026"]
    assert rows[start + 11] == "▾ TAGS"
    assert len(rows) < 30  # 60 digests, and the sidebar still fits a laptop screen

    # A month opens with its digests, newest first.
    digests = _section(sidebar, "digests")
    month = next(
        digests.model().index(r, 0, digests) for r in range(digests.model().rowCount(digests))
        if digests.model().index(r, 0, digests).data() == "November 2026"
    )
    sidebar.setExpanded(month, True)
    model = sidebar.model()
    labels = [model.index(r, 0, month).data() for r in range(model.rowCount(month))]
    assert labels == [f"Nov {d}" for d in range(23, 0, -1)]


def test_choosing_an_old_digest_keeps_its_month_open_after_a_refresh(qtbot):
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_counts(_counts())
    old = Scope("digest", 3)  # 2026-10-05
    with qtbot.waitSignal(sidebar.scope_changed, timeout=WAIT_MS):
        sidebar.select_scope(old)
    sidebar.set_counts(_counts())
    assert sidebar.scope == old
    assert sidebar.currentIndex().data(SCOPE_ROLE) == old
    assert sidebar.isExpanded(sidebar.currentIndex().parent())


def test_arrow_keys_step_over_headings(qtbot):
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.show()
    sidebar.set_counts(_counts(3))
    sidebar.select_scope(Scope("recommended"))
    sidebar.setFocus()

    qtbot.keyClick(sidebar, Qt.Key.Key_Down)
    assert sidebar.scope == Scope("new")  # not the DIGESTS heading
    for _ in range(4):
        qtbot.keyClick(sidebar, Qt.Key.Key_Down)
    assert sidebar.scope == Scope("tag", "vision")  # the TAGS heading skipped
    qtbot.keyClick(sidebar, Qt.Key.Key_Up)
    assert sidebar.currentIndex().data(SCOPE_ROLE) == Scope("digest", 1)
    qtbot.keyClick(sidebar, Qt.Key.Key_Home)
    assert sidebar.scope == Scope("all")
    qtbot.keyClick(sidebar, Qt.Key.Key_Up)  # nothing above but the heading: stay
    assert sidebar.scope == Scope("all")
    assert not sidebar.currentIndex().data(HEADING_ROLE)


def test_a_click_folds_a_section_and_the_window_remembers(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    sidebar = window.sidebar
    qtbot.waitUntil(lambda: "▾ DIGESTS" in _visible(sidebar), timeout=WAIT_MS)
    heading = _section(sidebar, "digests")

    with qtbot.waitSignal(sidebar.collapsed_changed, timeout=WAIT_MS) as folded:
        qtbot.mouseClick(
            sidebar.viewport(), Qt.MouseButton.LeftButton, pos=sidebar.visualRect(heading).center()
        )
    assert folded.args[0] == ["digests"]
    rows = _visible(sidebar)
    assert "▸ DIGESTS" in rows and "New since last digest" not in rows
    assert Settings.load().sidebar_collapsed == ["digests"]
    open_window.close(window)

    again = open_window()
    qtbot.waitUntil(lambda: "▸ DIGESTS" in _visible(again.sidebar), timeout=WAIT_MS)
    assert "New since last digest" not in _visible(again.sidebar)
    again.sidebar.setExpanded(_section(again.sidebar, "digests"), True)
    assert "New since last digest" in _visible(again.sidebar)
    assert again.settings.sidebar_collapsed == []


def test_a_month_opens_and_closes_from_the_keyboard(qtbot):
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.show()
    sidebar.set_counts(_counts())
    sidebar.select_scope(Scope("digest", 53))  # the 8th newest, just above the months
    sidebar.setFocus()

    qtbot.keyClick(sidebar, Qt.Key.Key_Down)
    month = sidebar.currentIndex()
    assert month.data() == "November 2026" and not sidebar.isExpanded(month)
    qtbot.keyClick(sidebar, Qt.Key.Key_Right)
    assert sidebar.isExpanded(month)
    qtbot.keyClick(sidebar, Qt.Key.Key_Down)
    assert sidebar.scope == Scope("digest", 52)  # Nov 23, the month's newest
    qtbot.keyClick(sidebar, Qt.Key.Key_Up)
    qtbot.keyClick(sidebar, Qt.Key.Key_Left)
    assert not sidebar.isExpanded(month)


def _tree(sidebar: Sidebar) -> list:
    """Every item (folded ones too): text, count, tooltip, scope, key, and its children."""
    from readinglist.gui.sidebar import COUNT_ROLE

    def dump(item) -> list:
        return [(c.text(), c.data(COUNT_ROLE), c.toolTip(), c.data(SCOPE_ROLE), c.data(KEY_ROLE),
                 dump(c)) for c in (item.child(r) for r in range(item.rowCount()))]

    return dump(sidebar.model().invisibleRootItem())


def test_new_counts_update_the_entries_in_place_as_a_rebuild_would_show_them(qtbot):
    # An import of many files counts again every few files: the entries are updated, not
    # made anew (a rebuild of 300 digests cost the UI thread ~11 ms each time).
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    before = _counts(60)
    sidebar.set_counts(before)
    sidebar.select_scope(Scope("tag", "vision"))
    all_papers = sidebar.model().item(0).child(0)
    after = _counts(61)  # one digest more: the newest eight shift, a month group grows
    after.library["all"] = 510
    after.tags.remove(("later", 2))
    after.tags.append(("reading", 1))
    sidebar.set_counts(after)

    fresh = Sidebar()
    qtbot.addWidget(fresh)
    fresh.set_counts(after)
    assert _tree(sidebar) == _tree(fresh)
    assert _visible(sidebar) == _visible(fresh)
    assert sidebar.model().item(0).child(0) is all_papers  # the same entry, its count updated
    assert all_papers.data(Qt.ItemDataRole.DisplayRole) == "All papers"
    assert sidebar.scope == Scope("tag", "vision")
    assert sidebar.currentIndex().data(SCOPE_ROLE) == Scope("tag", "vision")
