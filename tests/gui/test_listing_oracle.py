"""Each sidebar entry with a query shows what `readinglist list --view V --query Q` prints."""

from __future__ import annotations

import json

from readinglist.browse import VIEWS, Scope
from readinglist.cli import main as cli_main
from readinglist.gui.sidebar import SCOPE_ROLE
from tests.core.store_support import write_digest
from tests.gui.conftest import WAIT_MS, import_and_wait, wait_writes

QUERIES = ["", "diffusion", "attention OR video", "language -vision"]


def sidebar_scopes(window) -> list[Scope]:
    model = window.sidebar.model()
    found = []
    for r in range(model.rowCount()):
        section = model.item(r)
        for c in range(section.rowCount()):
            scope = section.child(c).data(SCOPE_ROLE)
            if isinstance(scope, Scope):
                found.append(scope)
    return found


def cli_ids(capsys, scope: Scope, query: str) -> list[str]:
    if scope.kind in VIEWS:
        argv = ["list", "--view", scope.kind]
    elif scope.kind == "digest":
        argv = ["list", "--digest", str(scope.value)]
    else:
        argv = ["list", "--tag", str(scope.value)]
    if query:
        argv += ["--query", query]
    capsys.readouterr()
    assert cli_main([*argv, "--json"]) == 0
    return [paper["id"] for paper in json.loads(capsys.readouterr().out)]


def both_lists(qtbot, window, capsys, scope: Scope, query: str) -> tuple[list[str], list[str]]:
    """The window's list for scope + query and the command line's, at one index version.

    The index may change under a comparison (the indexer merges segments when idle, which
    moves Recommended's scores): compare only at one index version, which the window follows
    by itself (it refreshes when the version moves on).
    """
    def settled() -> bool:
        listing = window.listing
        return (listing is not None and listing.request.scope == scope
                and listing.request.query == query
                and (not listing.request.needs_index
                     or listing.index_version == window.search_index.status().version))

    last: tuple[list[str], list[str]] | None = None
    for _attempt in range(5):
        qtbot.waitUntil(settled, timeout=WAIT_MS)
        # Asked again now: Recommended was seen to differ from a listing made at the same
        # status version a few seconds before (in ~1 run of 2). Not understood yet (reported
        # with issue 10); this test checks that both sides list alike, not that staleness.
        with qtbot.waitSignal(window.listing_shown, timeout=WAIT_MS):
            window.browsing.refresh_listing()
        version = window.search_index.status().version
        printed = cli_ids(capsys, scope, query)
        shown = list(window.model.ids)
        if window.search_index.status().version != version:
            continue
        if shown == printed or scope.kind != "recommended":
            return shown, printed
        # Recommended was seen to differ by a paper or two in ~1 run of 5 (not understood yet;
        # reported with issue 10): a difference must persist once the indexer is idle to count.
        qtbot.waitUntil(lambda: not window.search_index.status().busy, timeout=WAIT_MS)
        last = shown, printed
    if last is not None:
        return last
    raise AssertionError("the index kept changing under the comparison")


def test_each_sidebar_entry_with_each_query_is_the_command_line_listing(
    qtbot, open_window, sample, tmp_path, capsys
):
    window = open_window()
    second = write_digest(tmp_path / "second.txt", range(30), label="Mar 20", metadata=True)
    import_and_wait(qtbot, window, [sample], show_report=False)
    import_and_wait(qtbot, window, [second], show_report=False)
    ids = window.library.list_ids(sort="title")
    window.edits.set_starred(ids[::6], True)
    window.edits.set_read(ids[::4], True)
    window.edits.set_tags(ids[1], ["vision"], [])
    window.edits.set_tags(ids[2], ["vision"], [])
    window.notes.save(ids[3], "about diffusion")
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: window.search_index.is_fresh(window.library), timeout=WAIT_MS)
    # The indexer merges small segments once idle, which moves "Recommended" scores a little
    # (deleted documents leave the term statistics): merge now, so both listings see one index.
    window.search_index.merge_small_segments()
    qtbot.waitUntil(lambda: window.counts is not None and bool(window.counts.tags), timeout=WAIT_MS)

    scopes = sidebar_scopes(window)
    assert {s.kind for s in scopes} == {*VIEWS, "digest", "tag"}
    compared = 0
    for query in QUERIES:
        window.search.set_query(query)
        for scope in scopes:
            window.sidebar.select_scope(scope)
            shown, printed = both_lists(qtbot, window, capsys, scope, query)
            assert shown == printed, (scope, query)
            compared += bool(window.model.ids)
    assert compared >= len(scopes) * len(QUERIES) // 2  # mostly non-empty lists
