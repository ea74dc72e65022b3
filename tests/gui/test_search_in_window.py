"""Issue 9's queries typed in the window list what `readinglist search --json` finds.

The window and the command line share one listing (``browse``); these rows go through the
window's own path (search bar, reader thread, listing shown), corrections included.
"""

from __future__ import annotations

import json
from pathlib import Path

from readinglist.cli import main as cli_main
from tests.gui.conftest import WAIT_MS, import_and_wait

CONFORMANCE = Path(__file__).resolve().parents[1] / "fixtures" / "search" / "conformance.txt"


def cli_search(capsys, query: str, *flags: str) -> dict:
    capsys.readouterr()
    cli_main(["search", query, "--json", "--limit", "1000", *flags])
    return json.loads(capsys.readouterr().out)


def show(qtbot, window, query: str, as_typed: bool = False) -> None:
    """Search as the bar does and wait until that query's listing is on screen."""

    def shown() -> bool:
        listing = window.listing
        return (listing is not None and listing.request.query == query
                and listing.request.as_typed == as_typed)

    window.search.set_query(query, as_typed=as_typed)
    qtbot.waitUntil(shown, timeout=WAIT_MS)


def test_the_issue_rows_typed_in_the_window(qtbot, open_window, capsys):
    window = open_window()
    import_and_wait(qtbot, window, [CONFORMANCE], show_report=False)
    qtbot.waitUntil(lambda: window.search_index.is_fresh(window.library), timeout=WAIT_MS)

    for query in ('"text to image"', '"state of the art"', "fine-tuning", "tokeniz*", "cnn",
                  "transfomer~", '"image editing'):
        show(qtbot, window, query)
        printed = cli_search(capsys, query)
        assert printed["total"] > 0 and not printed["corrected"], query
        assert window.model.ids == [r["id"] for r in printed["results"]], query
        assert window.search.info.text().startswith(f"{printed['total']:,} paper"), query

    # An acronym the library lacks: nothing, and no other word's results.
    show(qtbot, window, "ocr")
    assert window.model.ids == [] and window.search.info.text() == "no papers match"
    assert cli_search(capsys, "ocr")["suggestion"] is None

    # A sure correction: its results, and the bar says so and offers the words as typed.
    show(qtbot, window, "evaluaton benchmark")
    printed = cli_search(capsys, "evaluaton benchmark")
    assert printed["corrected"] and printed["suggestion"] == "evaluation benchmark"
    assert printed["query"] == "evaluaton benchmark"
    assert window.model.ids == [r["id"] for r in printed["results"]] != []
    info = window.search.info.text()
    assert info.startswith("Showing results for <b>evaluation benchmark</b> · Search instead for")
    window.search.info.linkActivated.emit("astyped:evaluaton benchmark")
    qtbot.waitUntil(lambda: window.listing.request.as_typed, timeout=WAIT_MS)
    assert window.model.ids == [] == cli_search(capsys, "evaluaton benchmark", "--as-typed")[
        "results"]
    assert "no papers match · did you mean" in window.search.info.text()

    # A query that cannot be read as written is searched as its words, and the bar says so.
    show(qtbot, window, "image (editing")
    assert window.model.ids == [r["id"] for r in cli_search(capsys, "image editing")["results"]]
    assert "could not be read as written: searched its words" in window.search.info.text()

    # A one-letter prefix is refused with a message, not the whole library.
    show(qtbot, window, "d*")
    assert window.model.ids == []
    assert "prefix needs at least 2 letters" in window.search.info.text()
