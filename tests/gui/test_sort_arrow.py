"""The header's sort arrow points the way the list is sorted: up when ascending, down when not."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from readinglist.gui.paper_table import PUBLISHED, READ, SEEN, SORT_KEYS, TITLE, UPVOTES

from .conftest import WAIT_MS, import_and_wait


def drawn_arrow(header) -> str:
    """'up' or 'down': the shape of what the sort indicator adds to the painted header."""
    with_arrow = header.grab().toImage()
    header.setSortIndicatorShown(False)
    without = header.grab().toImage()
    header.setSortIndicatorShown(True)
    widths: dict[int, int] = {}
    for y in range(with_arrow.height()):
        for x in range(with_arrow.width()):
            if with_arrow.pixel(x, y) != without.pixel(x, y):
                widths[y] = widths.get(y, 0) + 1
    assert widths, "no sort arrow was drawn"
    rows = sorted(widths)
    top, bottom = widths[rows[0]], widths[rows[-1]]
    assert top != bottom, f"cannot tell the arrow's direction from {widths}"
    return "up" if top < bottom else "down"  # a point on top is an up arrow


def listed_values(window, column: int) -> list:
    papers = window.library.papers(window.model.ids)
    value = {
        TITLE: lambda p: p.title.casefold(),
        PUBLISHED: lambda p: p.published,
        UPVOTES: lambda p: p.upvotes,
    }[column]
    return [v for v in map(value, papers) if v is not None]


def click_section(qtbot, window, column: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(x, header.height() // 2))


def test_sort_arrow_points_the_way_the_list_is_sorted(qtbot, open_window, sample):
    window = open_window()
    window.resize(1280, 800)
    import_and_wait(qtbot, window, [sample], show_report=False)
    header = window.table.horizontalHeader()
    for column in (TITLE, PUBLISHED, UPVOTES, SEEN, READ):
        first_order = None
        for _click in range(2):  # the first click's order, then the other one
            click_section(qtbot, window, column)
            order = header.sortIndicatorOrder()
            ascending = order == Qt.SortOrder.AscendingOrder
            assert header.sortIndicatorSection() == column
            assert window.request.sort == SORT_KEYS[column]
            assert window.request.descending is (not ascending)
            assert drawn_arrow(header) == ("up" if ascending else "down"), (column, order)
            if column in (TITLE, PUBLISHED, UPVOTES):
                values = listed_values(window, column)
                assert values[0] != values[-1]
                assert (values[0] < values[-1]) is ascending, (column, order)
            assert order != first_order
            first_order = order


def test_first_click_sorts_dates_and_numbers_newest_first_titles_a_to_z(
    qtbot, open_window, sample
):
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    header = window.table.horizontalHeader()
    for column, order in ((PUBLISHED, Qt.SortOrder.DescendingOrder),
                          (TITLE, Qt.SortOrder.AscendingOrder),
                          (UPVOTES, Qt.SortOrder.DescendingOrder)):
        click_section(qtbot, window, column)
        assert header.sortIndicatorOrder() == order
