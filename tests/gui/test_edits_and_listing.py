"""Undoable edits restore exactly what was there; listings combine scope and sort in SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from readinglist.browse import ListingRequest, Scope, new_since_last_digest
from readinglist.gui import edits, listing
from readinglist.gui.listing import InView, ReaderContext, run_listing, sidebar_counts
from readinglist.library import Library


@pytest.fixture
def library(home, sample):
    with Library.open(home) as lib:
        for _ in lib.import_files([sample]):
            pass
        yield lib


def test_undo_mark_unread_puts_back_each_read_date(library):
    a, b, c = library.list_ids(sort="title")[:3]
    monday = dt.datetime(2025, 3, 3, 9, 0)
    library.set_read([a], True, when=monday)
    library.set_read([b], True, when=monday + dt.timedelta(days=1))
    edit = edits.set_read(library, [a, b, c], False)
    assert sorted(edit.paper_ids) == sorted([a, b])  # c was unread: not part of the edit
    assert not library.get(a).read
    edit.undo(library)
    assert library.get(a).read_at.replace(tzinfo=None) == monday
    assert library.get(b).read_at.replace(tzinfo=None) == monday + dt.timedelta(days=1)
    assert not library.get(c).read


def test_undo_star_only_touches_what_changed(library):
    a, b = library.list_ids(sort="title")[:2]
    library.set_starred([a], True)
    edit = edits.set_starred(library, [a, b], True)
    assert edit.paper_ids == [b]
    edit.undo(library)
    assert library.get(a).starred and not library.get(b).starred


def test_undo_tags(library):
    a, b = library.list_ids(sort="title")[:2]
    library.add_tags([a], ["vision"])
    edit = edits.set_tags(library, [a, b], ["vision", "rl"], [])
    assert sorted(library.get(b).tags) == ["rl", "vision"]
    edit.undo(library)
    assert library.get(a).tags == ["vision"]
    assert library.get(b).tags == []


def test_listing_scopes_and_sorts(library):
    context = ReaderContext(library)
    everything = run_listing(context, ListingRequest(sort="title", descending=False)).listing.ids
    assert everything == library.list_ids(sort="title", descending=False)
    library.set_starred(everything[:2], True)
    starred = run_listing(context, ListingRequest(scope=Scope("starred"))).listing.ids
    assert sorted(starred) == sorted(everything[:2])
    digest_id = library.digests()[0]["id"]
    in_digest = run_listing(context, ListingRequest(scope=Scope("digest", digest_id)))
    in_digest = in_digest.listing.ids
    assert len(in_digest) == len(everything)
    assert sorted(new_since_last_digest(library)) == sorted(everything)
    counts = sidebar_counts(context)
    assert counts.library["starred"] == 2
    assert counts.new_since_last == len(everything)


def test_new_since_last_digest_counts_what_it_lists_after_a_delete(library):
    context = ReaderContext(library)
    new = run_listing(context, ListingRequest(scope=Scope("new"))).listing.ids
    library.delete(new[:1])
    # The ledger still says what the digest brought; the sidebar counts the papers listed.
    after = run_listing(context, ListingRequest(scope=Scope("new"))).listing.ids
    assert len(after) == len(new) - 1
    assert sidebar_counts(context).new_since_last == len(after)


def test_a_listing_brings_the_rows_of_the_pages_the_table_will_show(library, monkeypatch):
    # Fetched in the reader, so the table paints them without a query on the UI thread.
    monkeypatch.setattr(listing, "PAGE", 4)
    context = ReaderContext(library)
    request = ListingRequest(sort="title", descending=False)
    ids = library.list_ids(sort="title", descending=False)
    assert len(ids) > 16
    kept = ids[9]  # the current paper: its page and the rows a screen away from it
    answer = run_listing(context, request, InView(rows=(0,), papers=(kept,), span=2))
    assert answer.listing.ids == ids
    assert list(answer.rows) == ids[0:4] + ids[4:12]  # pages 0 (rows 0-2), 1-2 (rows 7-11)
    assert list(answer.rows.values()) == library.rows(ids[0:12])
    assert answer.generation == library.generation
    assert run_listing(context, request, InView(rows=(), span=2)).rows == {}
