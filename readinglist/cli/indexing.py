"""Bringing the search index up to date from a command: a line and a progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from readinglist.cli.common import ProgressBar, drive, fail

if TYPE_CHECKING:
    from readinglist.library import Library
    from readinglist.search import SearchIndex

T = TypeVar("T")

# Phases of a full build (a catch-up says "updating"): worth a word before the user waits.
BUILD_PHASES = ("reading", "writing")


def fresh_index(library: Library, announce: bool = True) -> SearchIndex:
    """The library's index, brought up to date first (catch-up, or a rebuild when needed).

    ``announce``: say on stderr when the index must be built or repaired before the command
    can answer (``import`` indexes quietly unless stderr is a terminal: its bar shows it).
    """
    from readinglist.search import SearchIndex

    index = SearchIndex.open(library.home)
    bring_up_to_date(index, library, announce)
    return index


def bring_up_to_date(index: SearchIndex, library: Library, announce: bool = True) -> None:
    """Run ``index.ensure_fresh`` with a progress bar, failing with one clear line."""
    from readinglist.search import IndexUnavailable
    from readinglist.search.indexer import until_fresh

    if index.is_fresh(library):
        return
    bar = ProgressBar("indexing")
    said = False
    try:
        # Done here, or by the app's indexer process when one runs (this then waits for it).
        for step in drive(until_fresh(index, library), bar):
            if announce and not said and step.phase in BUILD_PHASES:
                said = True
                bar.close()
                why = index.last_repair or "the search index must be built first"
                print(f"readinglist: {why}: indexing {step.total:,} papers…", file=sys.stderr)
    except (IndexUnavailable, OSError) as error:
        fail(f"the search index in {index.path} could not be built: {error}", 1)


def answer(library: Library, index: SearchIndex, ask: Callable[[SearchIndex], T]) -> T:
    """``ask(index)``; damage found while answering is repaired (saying so), then asked again."""
    from readinglist.search import IndexUnavailable

    try:
        return ask(index)
    except IndexUnavailable:
        bring_up_to_date(index, library)
        try:
            return ask(index)
        except IndexUnavailable as error:
            fail(f"the search index in {index.path} cannot be used: {error}", 1)
