"""Known-item search evaluation: does a half-remembered query find the paper the user means?

    .venv/bin/python bench/bench_known_item.py                 # the real digests, if present
    .venv/bin/python bench/bench_known_item.py --papers 2000   # a generated library instead
    .venv/bin/python bench/bench_known_item.py --json bench/out/known-item.json

For up to ``--queries`` papers (a fixed random sample) queries are made mechanically:

- ``title``: three words of the title (at least four letters, not stop words);
- ``abstract``: three words of the abstract;
- ``title typo``: the same title words with one typing mistake (a deletion, insertion,
  substitution or swap of neighbours, never the first letter) in the longest word;
- ``model name``: the name before the title's colon ("U-Net Transformer: ..."), when there
  is one.

Each query is run on our search (``SearchIndex.search``, as the app and CLI run it:
corrections included), on SQLite FTS5 (porter stemmer, words ANDed, bm25 order) and on
bm25s (OR semantics, stemmed, no typo handling) if it is installed. Reported per query type:
success@1, success@10 and MRR@10 (the reciprocal rank of the paper within the top 10).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import generate_papers  # noqa: E402
from readinglist.digests.model import DigestInfo, ParsedPaper  # noqa: E402
from readinglist.library import Library  # noqa: E402
from readinglist.search import SearchIndex  # noqa: E402
from readinglist.search.engine.analysis import STOP_WORDS  # noqa: E402

SHARED = ROOT.parent / "shared" / "digests"
KINDS = ("title", "abstract", "title typo", "model name")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")


def library_of(home: Path, papers: int | None) -> tuple[Library, str]:
    library = Library.open(home)
    if papers is None and SHARED.is_dir() and list(SHARED.glob("*.txt")):
        for _ in library.import_files(sorted(SHARED.glob("*.txt"))):
            pass
        return library, f"the real digests in {SHARED}"
    records = generate_papers(papers or 2000, seed=3, shared=papers is None or SHARED.is_dir())
    parsed = [
        ParsedPaper(title=str(r["title"]), abstract=str(r["abstract"]), line=i + 1,
                    published=r["published"], upvotes=r["upvotes"])  # type: ignore[arg-type]
        for i, r in enumerate(records)
    ]
    info = DigestInfo(path="gen.txt", sha256=hashlib.sha256(b"gen").hexdigest(), size=1,
                      label="Jan 1", layout="blank-separated")
    library.import_parsed(info, parsed)
    return library, f"{len(parsed):,} generated papers (bench/corpus.py)"


def content_words(text: str) -> list[str]:
    found = []
    for word in _WORD.findall(text):
        if len(word) >= 4 and word.lower() not in STOP_WORDS and "-" not in word:
            found.append(word)
    return list(dict.fromkeys(found))


def typo(word: str, rng: random.Random) -> str:
    """One typing mistake, never in the first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(("delete", "insert", "substitute", "swap"))
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    if kind == "substitute":
        return word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1 :]
    if i == len(word) - 1:
        i -= 1
    if word[i] == word[i + 1]:
        return word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_queries(papers: list[Any], count: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, query, paper id) for a fixed sample of papers."""
    rng = random.Random(seed)
    sample = rng.sample(papers, min(count, len(papers)))
    queries: list[tuple[str, str, str]] = []
    for paper in sample:
        title_words = content_words(paper.title)
        if len(title_words) >= 3:
            chosen = rng.sample(title_words, 3)
            queries.append(("title", " ".join(chosen), paper.id))
            longest = max(chosen, key=len)
            wrong = [typo(w, rng) if w is longest else w for w in chosen]
            queries.append(("title typo", " ".join(wrong), paper.id))
        abstract_words = content_words(paper.abstract or "")
        if len(abstract_words) >= 3:
            queries.append(("abstract", " ".join(rng.sample(abstract_words, 3)), paper.id))
        name, colon, _rest = paper.title.partition(":")
        if colon and 0 < len(name.split()) <= 3:
            queries.append(("model name", name.strip(), paper.id))
    return queries


def fts5(library: Library, papers: list[Any]) -> Callable[[str], list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, abstract, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO t VALUES (?, ?, ?)",
                   [(p.id, p.title, p.abstract or "") for p in papers])

    def search(query: str) -> list[str]:
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " ".join(f'"{w}"' for w in words)
        rows = db.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t, 3.0, 1.0) LIMIT 10",
                          [match]).fetchall()
        return [r[0] for r in rows]

    return search


def bm25s_search(papers: list[Any]) -> Callable[[str], list[str]] | None:
    try:
        import bm25s  # type: ignore[import-not-found]
        import Stemmer  # type: ignore[import-not-found]
    except ImportError:
        return None
    stemmer = Stemmer.Stemmer("english")
    corpus = [f"{p.title} {p.title} {p.title} {p.abstract or ''}" for p in papers]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    ids = [p.id for p in papers]

    def search(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, _scores = retriever.retrieve(tokens, k=min(10, len(ids)), show_progress=False)
        return [ids[i] for i in found[0]]

    return search


def evaluate(search: Callable[[str], list[str]], queries: list[tuple[str, str, str]]
             ) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        mine = [(q, pid) for k, q, pid in queries if k == kind]
        if not mine:
            continue
        at1 = at10 = rr = 0.0
        for query, pid in mine:
            top = search(query)[:10]
            if pid in top:
                rank = top.index(pid) + 1
                at10 += 1
                at1 += rank == 1
                rr += 1 / rank
        n = len(mine)
        out[kind] = {"queries": n, "success@1": at1 / n, "success@10": at10 / n,
                     "mrr@10": rr / n}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=None,
                        help="a generated library of N papers (default: the real digests)")
    parser.add_argument("--queries", type=int, default=300, help="papers to ask about")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        library, source = library_of(Path(folder) / "home", args.papers)
        index = SearchIndex.open(library.home)
        list(index.ensure_fresh(library))
        papers = library.papers(library.list_ids())
        queries = make_queries(papers, args.queries, args.seed)

        def ours(query: str) -> list[str]:
            return index.search(query, limit=10, snippets=False, library=library).ids

        started = time.perf_counter()
        results = {"ours": evaluate(ours, queries)}
        results["ours"]["_seconds"] = {"all": time.perf_counter() - started}
        results["sqlite fts5"] = evaluate(fts5(library, papers), queries)
        other = bm25s_search(papers)
        if other is not None:
            results["bm25s"] = evaluate(other, queries)
        index.close()
        library.close()
    print(f"known-item evaluation on {source}: {len(queries)} queries, seed {args.seed}")
    print(f"{'query type':<12} {'system':<12} {'n':>4} {'s@1':>6} {'s@10':>6} {'MRR@10':>7}")
    for kind in KINDS:
        for system, figures in results.items():
            row = figures.get(kind)
            if row:
                print(f"{kind:<12} {system:<12} {row['queries']:>4.0f} {row['success@1']:>6.1%} "
                      f"{row['success@10']:>6.1%} {row['mrr@10']:>7.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"source": source, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
