"""Full-text search over the library with Whoosh: index, query language, snippets, related papers.

The public API is ``SearchIndex`` (see ``readinglist.search.index`` for how to use it),
``parse_query`` for the query language (``readinglist.search.query``) and the result records.

They are imported when first asked for: a worker process building the index
(``python -m readinglist.search.build``) needs none of them, and importing them all cost each
worker ~50 ms before its first paper.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readinglist.search.index import (
        Hit,
        IndexDamaged,
        IndexProgress,
        IndexState,
        IndexUnavailable,
        SearchIndex,
        SearchResults,
    )
    from readinglist.search.query import ParsedQuery, parse_query

_HOMES = {
    "Hit": "readinglist.search.index",
    "IndexDamaged": "readinglist.search.index",
    "IndexProgress": "readinglist.search.index",
    "IndexState": "readinglist.search.index",
    "IndexUnavailable": "readinglist.search.index",
    "SearchIndex": "readinglist.search.index",
    "SearchResults": "readinglist.search.index",
    "ParsedQuery": "readinglist.search.query",
    "parse_query": "readinglist.search.query",
}

__all__ = [
    "Hit",
    "IndexProgress",
    "IndexState",
    "IndexDamaged",
    "IndexUnavailable",
    "ParsedQuery",
    "SearchIndex",
    "SearchResults",
    "parse_query",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    found = getattr(importlib.import_module(home), name)
    globals()[name] = found
    return found
