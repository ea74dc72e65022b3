"""Listing benchmark: readinglist.browse for every sidebar view, with and without a query.

    .venv/bin/python bench/bench_browse.py --papers 10000
    .venv/bin/python bench/bench_browse.py --papers 100000

What the window's list (every id of the view, in order) and ``readinglist list --limit 50``
(one page) cost: p50/p95 over the views (all, unread, starred, read, notes, recommended, new,
a digest, a tag) for no query and two queries, in rank order and by a column (published,
title). The library is the one bench_search.py builds (cached in ``bench/out/search-N/``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_search import pct, prepare  # noqa: E402
from readinglist.browse import VIEWS, ListingRequest, Scope, browse  # noqa: E402
from readinglist.library import Library  # noqa: E402
from readinglist.search import SearchIndex  # noqa: E402

QUERIES = ("", "diffusion", "video generation")
SORTS = ("rank", "published", "title")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    home = ROOT / "bench" / "out" / f"search-{args.papers}"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    prepare(home, args.papers)
    with Library.open(home) as library, SearchIndex.open(home) as index:
        started = time.perf_counter()
        for _ in index.ensure_fresh(library):
            pass
        print(f"index ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        library.add_tags(library.list_ids()[::40], ["vision"])
        for _ in index.ensure_fresh(library):
            pass
        scopes = [Scope(kind) for kind in VIEWS]
        scopes += [Scope("digest", library.digests()[3]["id"]), Scope("tag", "vision")]
        print(f"{args.papers:,} papers, load {load}; ms per listing (p50 / p95 / max)")
        for query in QUERIES:
            for sort in SORTS:
                whole: list[float] = []
                page: list[float] = []
                sizes: list[int] = []
                for scope in scopes:
                    request = ListingRequest(scope, query, sort)
                    needs = index if request.needs_index else None
                    browse(library, needs, request)  # warm: the index caches per searcher
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        listing = browse(library, needs, request)
                        whole.append((time.perf_counter() - t) * 1000)
                        t = time.perf_counter()
                        browse(library, needs, request, limit=50)
                        page.append((time.perf_counter() - t) * 1000)
                    sizes.append(listing.total)
                label = f"{query or '(no query)'!r:>20} {sort:>9}"
                print(f"{label}  every id {statistics.median(whole):7.1f} / {pct(whole, .95):7.1f}"
                      f" / {max(whole):7.1f}   page of 50 {statistics.median(page):7.1f} / "
                      f"{pct(page, .95):7.1f}   sizes {min(sizes):,}..{max(sizes):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
