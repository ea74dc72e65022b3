"""Commands over the search index: search, related, recommend, reindex."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import TYPE_CHECKING

from readinglist.browse import SORTS
from readinglist.cli.common import (
    ProgressBar,
    drive,
    fail,
    fresh_index,
    natural_int,
    open_library,
    positive_int,
    print_json,
    resolve_ids,
    shorten,
    terminal_width,
)
from readinglist.cli.indexing import answer
from readinglist.formatting import for_terminal

if TYPE_CHECKING:
    from readinglist.browse import Listing
    from readinglist.search import Hit, SearchIndex, SearchResults

QUERY_HELP = """\
query language:
  diffusion video         papers with both words (stemmed: "videos" matches too)
  "image editing"         an exact phrase
  gan OR vae              either word; group with ( )
  NOT survey, -survey     without the word
  diff*                   words starting with "diff" (2 letters at least)
  transfomer~             the words nearest to it (1 typing mistake, 2 from 5 letters)
  title:agent             only in one field: title: abstract: note: tag: org:
  tag:"to read"           a tag (quotes for spaces)
  is:starred is:unstarred is:read is:unread has:note has:tags
  year:2024 year:2023..2024 published:>2024-06 published:2024-01..2024-03
  digest:"Mar 14" upvotes:>10
An empty query lists every paper. A query that cannot be read is searched as plain words.
A misspelt word no paper uses is corrected only when the correction is sure (see
docs/search.md); the output then says so. --as-typed turns that off.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "search",
        help="search the library (see the query language in --help)",
        description="Search titles, abstracts, notes, tags and organisations.",
        epilog=QUERY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("query", nargs="*", metavar="QUERY", help="words, phrases, filters")
    command.add_argument("--limit", type=positive_int, default=20, metavar="N", help="default 20")
    command.add_argument("--offset", type=natural_int, default=0, metavar="N", help="skip N hits")
    command.add_argument(
        "--sort",
        choices=SORTS,
        default="rank",
        help="order (default: rank, the best matches first): " + ", ".join(SORTS),
    )
    command.add_argument(
        "--as-typed",
        action="store_true",
        help="never show a correction's results instead of none (only suggest it)",
    )
    command.add_argument("--json", action="store_true", help="print the results as JSON")
    command.set_defaults(run=run_search)

    command = subparsers.add_parser("related", help="papers like one paper")
    command.add_argument("id", metavar="ID", help="a paper id, or any unique prefix of one")
    command.add_argument("--limit", type=positive_int, default=10, metavar="N", help="default 10")
    command.add_argument("--json", action="store_true", help="print the results as JSON")
    command.set_defaults(run=run_related)

    command = subparsers.add_parser(
        "recommend", help="unread papers like the ones you starred"
    )
    command.add_argument("--limit", type=positive_int, default=20, metavar="N", help="default 20")
    command.add_argument("--json", action="store_true", help="print the results as JSON")
    command.set_defaults(run=run_recommend)

    command = subparsers.add_parser(
        "reindex",
        help="rebuild the search index from the library",
        description="Rebuild the search index from the library. Never needed in normal use "
        "(the index follows every change and repairs itself), but harmless.",
    )
    command.set_defaults(run=run_reindex)


def run_search(args: argparse.Namespace) -> int:
    from readinglist.search import SearchResults
    from readinglist.search.query import parse_query

    text = " ".join(args.query)
    # A refused query is answered before anything is opened: no index is built for it.
    refusal = parse_query(text).error
    if refusal is not None:
        results = SearchResults(text, 0, error=refusal)
    else:
        results = search_page(text, args.sort, args.offset, args.limit, args.as_typed)
    if args.json:
        print_json(results.to_json())
        return 2 if results.error else 0
    if results.error:
        fail(f"search: {results.error}", 2)
    _print_results(results, args.offset)
    return 0


def search_page(
    text: str, sort: str, offset: int, limit: int, as_typed: bool = False
) -> SearchResults:
    """One page of the library's listing for a query, with scores and highlighted snippets."""
    from readinglist.browse import ListingRequest, browse
    from readinglist.search import SearchResults

    def page(index: SearchIndex) -> tuple[Listing, list[Hit]]:
        request = ListingRequest(query=text, sort=sort, as_typed=as_typed)
        listing = browse(library, index, request, offset, limit)
        # Corrected: the papers shown match the suggestion, so its words are the ones marked.
        marked = listing.suggestion if listing.corrected and listing.suggestion else text
        hits = index.snippets(listing.ids, marked, library=library) if listing.ids else []
        return listing, hits

    with open_library() as library, fresh_index(library) as index:
        listing, hits = answer(library, index, page)
    for hit in hits:
        hit.score = listing.scores.get(hit.id)
    return SearchResults(
        text, listing.total, hits, suggestion=listing.suggestion, corrected=listing.corrected,
        elapsed_ms=listing.elapsed_ms, fallback=listing.fallback, error=listing.error,
    )


def run_related(args: argparse.Namespace) -> int:
    with open_library() as library:
        (paper_id,) = resolve_ids(library, [args.id])
        with fresh_index(library) as index:
            results = answer(
                library, index, lambda ix: ix.related(paper_id, limit=args.limit, library=library)
            )
        title = library.get(paper_id).title
    if args.json:
        data = results.to_json()
        data["paper"] = paper_id
        print_json(data)
        return 0
    print(f"papers related to {paper_id}  {shorten(title, terminal_width() - 30)}")
    _print_results(results, 0)
    return 0


def run_recommend(args: argparse.Namespace) -> int:
    from readinglist.library import PaperFilter

    with open_library() as library:
        if not library.count(PaperFilter(starred=True)):
            if args.json:
                print_json({"query": "recommend", "total": 0, "results": []})
                return 0
            fail("no starred papers yet: star papers you liked (readinglist star ID)", 1)
        with fresh_index(library) as index:
            results = answer(
                library, index, lambda ix: ix.recommend(limit=args.limit, library=library)
            )
    if args.json:
        print_json(results.to_json())
        return 0
    print("unread papers like the ones you starred:")
    _print_results(results, 0)
    return 0


def run_reindex(args: argparse.Namespace) -> int:
    from readinglist.search import IndexUnavailable, SearchIndex

    with open_library() as library, SearchIndex.open(library.home) as index:
        bar = ProgressBar("indexing")
        count = 0
        try:
            for step in drive(index.rebuild(library), bar):
                count = step.total
        except (IndexUnavailable, OSError) as error:
            fail(f"the search index in {index.path} could not be built: {error}", 1)
        print(f"indexed {count:,} papers in {index.path}")
    return 0


def _print_results(results: SearchResults, offset: int) -> None:
    from readinglist.search.highlight import plain

    color = sys.stdout.isatty()
    start, end = ("\033[1m", "\033[0m") if color else ("[", "]")
    if results.corrected:
        print(f"no papers match {results.query!r}; showing results for {results.suggestion!r}")
        print(f"(search instead for {results.query!r}: add --as-typed)", file=sys.stderr)
    elif results.suggestion:
        print(f"did you mean: {results.suggestion}")
    if results.fallback:
        print("(the query could not be read as written; searched its words)", file=sys.stderr)
    width = terminal_width()
    for number, hit in enumerate(results.hits, start=offset + 1):
        title = plain(hit.title_html or hit.title, start, end)
        score = f"{hit.score:6.2f}" if hit.score is not None else ""
        print(f"{number:>3}. {hit.id}  {score}  {for_terminal(title)}")
        snippet = for_terminal(plain(hit.snippet_html, start, end))
        if snippet:
            # Wrap on the visible text: escape codes count as zero width for the eye.
            for line in textwrap.wrap(snippet, max(width - 8, 30))[:3]:
                print(f"       {line}")
    shown = len(results.hits)
    plural = "" if results.total == 1 else "s"
    summary = f"{results.total:,} paper{plural}"
    if shown and shown < results.total:
        summary += f" (showing {offset + 1}-{offset + shown})"
    print(f"{summary}, {results.elapsed_ms:.0f} ms", file=sys.stderr if shown else sys.stdout)
