"""An undated digest is called the same in the sidebar and in the detail pane."""

from __future__ import annotations

from pathlib import Path

from readinglist.browse import Scope
from readinglist.gui.sidebar import SCOPE_ROLE
from readinglist.library.model import digest_name

from .conftest import WAIT_MS, import_and_wait

FIXTURES = Path(__file__).parent.parent / "fixtures" / "digests"
UNDATED = FIXTURES / "glued-subscribe.txt"  # no date label on the page


def sidebar_digest_entries(window) -> dict[int, str]:
    """Digest id -> the text of its sidebar entry, wherever the sidebar nests it."""
    entries = {}
    model = window.sidebar.model()
    pending = [model.index(r, 0) for r in range(model.rowCount())]
    while pending:
        index = pending.pop()
        scope = index.data(SCOPE_ROLE)
        if isinstance(scope, Scope) and scope.kind == "digest":
            entries[scope.value] = index.data()
        pending.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
    return entries


def test_undated_digest_has_one_name_in_sidebar_and_detail(qtbot, open_window, sample):
    window = open_window()
    import_and_wait(qtbot, window, [UNDATED, sample], show_report=False)
    ledger = {d["id"]: d for d in window.library.digests()}
    undated = next(d for d in ledger.values() if d["path"].endswith(UNDATED.name))
    dated = next(d for d in ledger.values() if d["id"] != undated["id"])
    assert undated["label"] is None and dated["label"]
    # The oracle: the file's name for the undated page, the page's date label for the other.
    assert digest_name(undated["id"], None, undated["path"]) == UNDATED.name
    qtbot.waitUntil(lambda: len(sidebar_digest_entries(window)) == 2, timeout=WAIT_MS)
    entries = sidebar_digest_entries(window)
    assert entries[undated["id"]] == UNDATED.name
    assert entries[dated["id"]] == dated["label"]

    with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
        window.sidebar.select_scope(Scope("digest", undated["id"]))
    window.focus_list()
    qtbot.waitUntil(lambda: window.detail.paper is not None, timeout=WAIT_MS)
    assert f"seen\u00a0in\u00a0{UNDATED.name}" in window.detail.meta.text()
    assert "digest\u00a0" not in window.detail.meta.text().lower()
