"""Full-text search over the library with Whoosh: index, query language, snippets, related papers.

The public API is ``SearchIndex`` (see ``readinglist.search.index`` for how to use it),
``parse_query`` for the query language (``readinglist.search.query``) and the result records.
"""

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
