"""The one listing (readinglist.browse) against oracles computed in plain Python.

Scope membership is recomputed from each paper's own fields; the query's meaning is the
index's (its own tests prove it), so the oracle for "view + query" is the view's papers that
the index says match; a column sort is the library's order of all papers, restricted.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from readinglist.browse import (
    SORTS,
    VIEWS,
    ListingRequest,
    Scope,
    browse,
    new_since_last_digest,
    recommended,
)
from readinglist.library import Library, PaperFilter
from readinglist.search import SearchIndex
from tests.core.store_support import write_digest

QUERIES = ["diffusion", "video audio", "tokenizer OR graph", "attention -sparse", "title:vision",
           "diffusoin"]  # the last one misspelled: answered through its suggestion


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    home = tmp_path_factory.mktemp("browse")
    first = write_digest(home / "a.txt", range(0, 60), label="Mar 14", metadata=True,
                         upvotes={n: n % 17 for n in range(0, 60, 3)})
    second = write_digest(home / "b.txt", range(40, 100), label="Mar 15", metadata=True)
    library = Library.open(home)
    for path in (first, second):
        for _ in library.import_files([path]):
            pass
    ids = library.list_ids(sort="title")
    library.set_starred(ids[::7], True)
    library.set_read(ids[::3], True)
    for pid in ids[::11]:
        library.set_note(pid, "worth a look")
    library.add_tags(ids[::5], ["vision"])
    library.add_tags(ids[::4], ["rl"])
    index = SearchIndex.open(home)
    for _ in index.ensure_fresh(library):
        pass
    yield library, index
    index.close()
    library.close()


def in_scope(library: Library, index: SearchIndex, scope: Scope) -> set[str]:
    """The scope's papers from each paper's own fields (no SQL filter, no listing code)."""
    papers = library.papers(library.list_ids())
    if scope.kind == "digest":
        return {p.id for p in papers if any(s.digest_id == scope.value for s in p.sightings)}
    if scope.kind == "tag":
        return {p.id for p in papers if str(scope.value).casefold() in
                {t.casefold() for t in p.tags}}
    if scope.kind == "new":
        latest = library.digests()[0]["id"]
        # New since the last digest: seen in the latest digest and in no earlier one.
        return {p.id for p in papers if {s.digest_id for s in p.sightings} == {latest}}
    if scope.kind == "recommended":
        return set(index.recommend(limit=100, library=library).ids)
    keep = {
        "all": lambda p: True,
        "unread": lambda p: not p.read,
        "starred": lambda p: p.starred,
        "read": lambda p: p.read,
        "notes": lambda p: bool(p.note.strip()),
    }[scope.kind]
    return {p.id for p in papers if keep(p)}


def scopes(library: Library) -> list[Scope]:
    found = [Scope(kind) for kind in VIEWS]
    found += [Scope("digest", d["id"]) for d in library.digests()]
    return found + [Scope("tag", "vision"), Scope("tag", "RL")]


def expected(library, index, scope, members, query, sort):
    if query:
        results = index.search(query, limit=None, snippets=False, library=library)
        members = members & set(results.ids)
        if sort == "rank":
            return [pid for pid in results.ids if pid in members]
    elif scope.kind == "recommended" and sort in ("rank", "added"):
        return [pid for pid in recommended(library, index) if pid in members]
    order = library.list_ids(sort="added" if sort == "rank" else sort)
    return [pid for pid in order if pid in members]


def test_every_view_with_every_query_and_sort_is_its_oracle(world):
    library, index = world
    checked = 0
    for scope in scopes(library):
        members = in_scope(library, index, scope)
        for query in ["", *QUERIES]:
            for sort in SORTS:
                listing = browse(library, index, ListingRequest(scope, query, sort))
                want = expected(library, index, scope, members, query, sort)
                assert listing.ids == want, (scope, query, sort)
                assert listing.total == len(want)
                assert not listing.index_behind
                checked += bool(want)
    assert checked > 300  # most combinations list something: the test is not vacuous


def test_new_and_recommended_filter_a_query(world):
    """The bug of issue 10: these two views showed the whole library's matches."""
    library, index = world
    everything = browse(library, index, ListingRequest(query="diffusion")).ids
    for kind in ("new", "recommended"):
        narrowed = browse(library, index, ListingRequest(Scope(kind), "diffusion")).ids
        assert narrowed and len(narrowed) < len(everything)
        assert set(narrowed) <= in_scope(library, index, Scope(kind))


def test_new_since_last_digest_is_what_the_second_import_brought(world):
    library, _index = world
    brought = new_since_last_digest(library)
    assert len(brought) == 40  # b.txt holds 60 papers, 20 of them already known from a.txt
    assert brought == library.list_ids(PaperFilter(ids=frozenset(brought)), sort="added")


def test_new_since_last_digest_after_a_delete_lists_only_what_that_import_brought(tmp_path):
    # b.txt shares papers 3 and 4 with a.txt and brings 5 and 6; the user deletes 5.
    with Library.open(tmp_path) as library:
        for path in (write_digest(tmp_path / "a.txt", range(0, 5)),
                     write_digest(tmp_path / "b.txt", range(3, 7), label="Mar 15")):
            for _ in library.import_files([path]):
                pass
        brought = new_since_last_digest(library)
        known = set(library.list_ids(PaperFilter(digest="a.txt")))
        assert len(brought) == 2 and not known & set(brought)
        library.delete(brought[:1])
        # Not a paper a.txt had brought, though the ledger still counts two new ones.
        assert new_since_last_digest(library) == brought[1:]


def test_pages_put_together_are_the_whole_listing(world):
    library, index = world
    for request in (ListingRequest(Scope("unread"), sort="title"),
                    ListingRequest(Scope("unread"), "diffusion", "rank"),
                    ListingRequest(Scope("all"), "diffusion", "published"),
                    ListingRequest(Scope("recommended"))):
        needs = index if request.needs_index else None
        whole = browse(library, needs, request)
        pages = []
        for offset in itertools.count(0, 7):
            page = browse(library, needs, request, offset=offset, limit=7)
            assert page.total == whole.total
            if not page.ids:
                break
            pages += page.ids
        assert pages == whole.ids


def test_descending_turns_the_order_around(world):
    library, index = world
    down = browse(library, index, ListingRequest(query="diffusion", sort="title")).ids
    up = browse(library, index, ListingRequest(query="diffusion", sort="title",
                                               descending=True)).ids
    assert up == list(reversed(down))


def test_refine_combines_with_the_view(world):
    library, index = world
    refine = PaperFilter(starred=True, tag="rl")
    got = browse(library, None, ListingRequest(Scope("unread"), refine=refine)).ids
    want = {p.id for p in library.papers(library.list_ids())
            if p.starred and not p.read and "rl" in p.tags}
    assert set(got) == want and got
    # Contradictions list nothing instead of ignoring one side.
    assert browse(library, None, ListingRequest(Scope("read"),
                                                refine=PaperFilter(read=False))).ids == []
    both = browse(library, None, ListingRequest(Scope("tag", "vision"),
                                                refine=PaperFilter(tag="rl"))).ids
    assert set(both) == {p.id for p in library.papers(library.list_ids())
                         if {"vision", "rl"} <= set(p.tags)}


def test_a_listing_answered_by_a_lagging_index_says_so(tmp_path: Path):
    write_digest(tmp_path / "a.txt", range(10))
    with Library.open(tmp_path) as library, SearchIndex.open(tmp_path) as index:
        for _ in library.import_files([tmp_path / "a.txt"]):
            pass
        for _ in index.ensure_fresh(library):
            pass
        assert not browse(library, index, ListingRequest(query="diffusion")).index_behind
        write_digest(tmp_path / "b.txt", range(10, 30), label="Mar 15")
        for _ in library.import_files([tmp_path / "b.txt"]):
            pass  # the index is not attached: it does not know these papers yet
        listing = browse(library, index, ListingRequest(query="diffusion"))
        assert listing.index_behind
        assert not browse(library, None, ListingRequest(Scope("unread"))).index_behind


def test_unknown_sort_is_refused(world):
    library, _index = world
    with pytest.raises(ValueError, match="unknown sort"):
        browse(library, None, ListingRequest(sort="colour"))


def test_the_index_version_moves_with_the_commit_before_state_json_says_so(tmp_path, monkeypatch):
    write_digest(tmp_path / "a.txt", range(20))
    with Library.open(tmp_path) as library, SearchIndex.open(tmp_path) as index:
        for _ in library.import_files([tmp_path / "a.txt"]):
            pass
        for _ in index.ensure_fresh(library):
            pass
        before = index.status()
        # The moment between a commit and its stamp in state.json: searches already read the
        # new contents, so the version must say so already.
        monkeypatch.setattr(SearchIndex, "_stamp", lambda *args, **kwargs: None)
        library.set_read(library.list_ids()[:3], True)
        index.update(library, library.list_ids()[:3], None)
        after = index.status()
        assert after.generation == before.generation  # state.json was not written...
        assert after.version != before.version  # ...yet the version moved with the commit


def test_a_recommended_listing_is_labelled_with_the_index_it_read(tmp_path, monkeypatch):
    # Found with issue 10: the label was read after recommending, so an index that changed
    # meanwhile (the indexer's idle merge) labelled an old answer as current: never redone.
    write_digest(tmp_path / "a.txt", range(40), metadata=True)
    with Library.open(tmp_path) as library, SearchIndex.open(tmp_path) as index:
        for _ in library.import_files([tmp_path / "a.txt"]):
            pass
        library.set_starred(library.list_ids()[:4], True)
        for _ in index.ensure_fresh(library):
            pass
        recommend = index.recommend

        def recommend_then_commit(*args, **kwargs):
            answer = recommend(*args, **kwargs)
            index.update(library, library.list_ids()[5:6], None)  # another process's commit
            return answer

        monkeypatch.setattr(index, "recommend", recommend_then_commit)
        for query in ("", "diffusion"):
            listing = browse(library, index, ListingRequest(Scope("recommended"), query))
            assert listing.ids
            assert listing.index_version != index.status().version, query
