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
    """The window's list for scope + query and the command line's, from one index version.

    The window refreshes by itself when the index moves on (the indexer merges segments when
    idle, which moves Recommended's scores): wait until its listing was made from the current
    version, print the command line's, and compare if the version did not move meanwhile. A
    version names the index's files (state.json's index and its newest table of contents,
    which each commit writes atomically), so two answers between equal versions read alike.
    """
    status = window.search_index.status

    def settled() -> bool:
        listing = window.listing
        return (listing is not None and listing.request.scope == scope
                and listing.request.query == query
                and (not listing.request.needs_index or listing.index_version == status().version))

    for _attempt in range(5):
        qtbot.waitUntil(settled, timeout=WAIT_MS)
        version = window.listing.index_version
        shown = list(window.model.ids)
        printed = cli_ids(capsys, scope, query)
        if not window.listing.request.needs_index or status().version == version:
            return shown, printed
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


def test_recommended_follows_an_index_change_that_moves_its_scores(
    qtbot, open_window, sample, capsys
):
    # Found with issue 10: a merge of segments changes no paper but moves the scores
    # (deleted documents count in the term statistics until merged away), so Recommended
    # changed under a window that kept showing the old one, and the window's listing was
    # labelled with the version read after it was made (a newer one than it had read).
    window = open_window()
    import_and_wait(qtbot, window, [sample], show_report=False)
    ids = window.library.list_ids(sort="title")
    window.edits.set_starred(ids[::5], True)
    window.edits.set_read(ids[1::3], True)
    wait_writes(qtbot, window)
    qtbot.waitUntil(lambda: window.search_index.is_fresh(window.library), timeout=WAIT_MS)
    scope = Scope("recommended")
    window.sidebar.select_scope(scope)
    shown, before = both_lists(qtbot, window, capsys, scope, "")
    assert shown == before and len(before) > 5
    # What the indexer's merges do, made certain: the same papers, other term statistics
    # (the read papers written again leave their old copies counted until a merge).
    index = window.search_index
    for _ in range(3):
        index.update(window.library, ids[1::3], None)
    after = cli_ids(capsys, scope, "")
    assert after != before, "the scores should have moved (else this proves nothing)"
    assert window.library.generation == index.status().generation  # no paper changed
    qtbot.waitUntil(lambda: list(window.model.ids) == after, timeout=WAIT_MS)
