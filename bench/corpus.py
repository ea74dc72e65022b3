"""Write realistic digest files of N distinct papers, in every layout, for import benchmarks.

    .venv/bin/python bench/corpus.py --papers 100000 --out bench/out/corpus-100k \
        [--per-file 200] [--seed 1]

Vocabulary, title and abstract lengths, metadata and link rates are drawn from the real digests
in ../shared/digests when that folder exists, else from the repo's fixtures and sample digest.
Titles are new combinations of real title words (so every paper is distinct); abstracts are
real sentences recombined to real lengths. About 6 % of each file's entries repeat papers from
earlier files, as real digests do (330 entries, 311 distinct papers in the three real files).
Files cycle through the three layouts, with some CRLF, BOM, UTF-16 and pasted-page files.
Deterministic for a seed. Importable: ``generate_papers(n, seed)`` and
``write_digests(papers, out_dir, per_file, seed)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from readinglist.digests import DigestRefused, ParsedPaper, grammar, open_digest  # noqa: E402
from readinglist.digests.lines import Line  # noqa: E402
from readinglist.digests.render import LAYOUTS, render_lines  # noqa: E402

SHARED_DIGESTS = ROOT.parent / "shared" / "digests"
FALLBACK_SOURCES = [
    ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt",
    *sorted((ROOT / "tests" / "fixtures" / "digests").glob("layout*.txt")),
]
REPEAT_SHARE = 0.06  # 330 entries for 311 distinct papers in the real files
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_WORD_RE = re.compile(r"[^\s:,;]+")


@dataclass
class Source:
    """What real digests look like, measured from the files at hand."""

    title_words: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the "U-Net" of "U-Net: ..." titles
    title_lengths: list[int] = field(default_factory=list)  # in words, after any name
    colon_share: float = 0.5
    sentences: list[str] = field(default_factory=list)
    abstract_lengths: list[int] = field(default_factory=list)  # in characters
    link_share: float = 0.3
    authors: list[int] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    organization_share: float = 0.03
    upvotes: list[int] = field(default_factory=list)
    upvote_share: float = 0.15
    files: list[str] = field(default_factory=list)


@lru_cache(maxsize=2)
def load_source(shared: bool = True) -> Source:
    """Measure the real digests (or the repo's own files when they are absent, or not wanted).

    Tests pass ``shared=False``: their corpus must be the same in a fresh clone.
    """
    paths = sorted(SHARED_DIGESTS.glob("*.txt")) if shared and SHARED_DIGESTS.is_dir() else []
    paths = paths or [path for path in FALLBACK_SOURCES if path.exists()]
    papers: list[ParsedPaper] = []
    source = Source(files=[str(path) for path in paths])
    for path in paths:
        try:
            papers.extend(open_digest(path))
        except DigestRefused:
            continue
    if not papers:
        raise SystemExit("no digest to learn from: neither ../shared/digests nor the fixtures")
    distinct = {paper.title: paper for paper in papers}.values()
    words: set[str] = set()
    with_colon = 0
    for paper in distinct:
        name, colon, rest = paper.title.partition(": ")
        if colon and len(name) <= 30:
            with_colon += 1
            source.names.append(name)
        else:
            rest = paper.title
        title_words = _WORD_RE.findall(rest)
        source.title_lengths.append(len(title_words))
        words.update(title_words)
        for sentence in _SENTENCE_RE.split(paper.abstract):
            if "://" not in sentence and 40 <= len(sentence) <= 400:
                source.sentences.append(sentence)
        source.abstract_lengths.append(len(paper.abstract))
    source.title_words = sorted(words)
    source.colon_share = with_colon / len(distinct)
    source.link_share = sum(bool(p.links) for p in distinct) / len(distinct)
    with_metadata = [p for p in distinct if p.published is not None]
    source.authors = [p.authors_count for p in with_metadata if p.authors_count] or [4]
    source.organizations = sorted({p.organization for p in with_metadata if p.organization})
    if with_metadata:
        source.organization_share = sum(bool(p.organization) for p in with_metadata) / len(
            with_metadata
        )
        source.upvote_share = sum(p.upvotes is not None for p in with_metadata) / len(
            with_metadata
        )
    source.upvotes = [p.upvotes for p in with_metadata if p.upvotes is not None] or [1, 2, 4, 6]
    source.names = source.names or ["Model"]
    source.organizations = source.organizations or ["Open Research Lab"]
    return source


def generate_papers(n: int, seed: int = 1, shared: bool = True) -> list[dict[str, object]]:
    """``n`` distinct, realistic papers: dicts with title, abstract and metadata.

    ``shared=False`` draws from the repo's own files only (see ``load_source``).
    """
    source = load_source(shared)
    rng = random.Random(seed)
    titles: set[str] = set()
    papers: list[dict[str, object]] = []
    first_day = dt.date(2019, 1, 1).toordinal()
    last_day = dt.date(2025, 12, 31).toordinal()
    while len(papers) < n:
        title = _title(source, rng)
        if title in titles or not _is_title(title):
            continue
        titles.add(title)
        published = dt.date.fromordinal(rng.randint(first_day, last_day))
        organization = None
        if rng.random() < source.organization_share:
            organization = rng.choice(source.organizations)
        papers.append(
            {
                "title": title,
                "abstract": _abstract(source, rng, title),
                "authors_count": None if organization else rng.choice(source.authors),
                "organization": organization,
                "published": published,
                "upvotes": rng.choice(source.upvotes)
                if rng.random() < source.upvote_share
                else None,
            }
        )
    return papers


def write_digests(
    papers: Sequence[dict[str, object]], out_dir: str | Path, per_file: int = 200, seed: int = 1
) -> list[Path]:
    """Write ``papers`` as digest files of about ``per_file`` entries; returns the files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    per_file = max(1, per_file)
    paths: list[Path] = []
    day = dt.date(2025, 1, 6)
    for number, start in enumerate(range(0, len(papers), per_file)):
        entries = list(papers[start : start + per_file])
        if start:  # a few papers seen in earlier digests come back
            for _ in range(round(len(entries) * REPEAT_SHARE)):
                entries.insert(rng.randrange(len(entries) + 1), papers[rng.randrange(start)])
        layout = LAYOUTS[number % len(LAYOUTS)]
        label = f"{day:%b} {day.day}"
        day += dt.timedelta(days=1)
        lines: list[str] = []
        if number % 9 == 8:  # two pages pasted into one file, the second in another layout
            half = len(entries) // 2
            lines.extend(render_lines(entries[:half], layout, label))
            lines.extend(render_lines(entries[half:], LAYOUTS[(number + 1) % 3], label))
        else:
            lines.extend(render_lines(entries, layout, label))
        newline = "\r\n" if number % 5 == 4 else "\n"
        text = newline.join(lines)
        if number % 11 == 10:
            data = text.encode("utf-16")
        elif number % 7 == 6:
            data = b"\xef\xbb\xbf" + text.encode()
        else:
            data = text.encode()
        path = out / f"digest-{number:05d}.txt"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _title(source: Source, rng: random.Random) -> str:
    length = max(2, rng.choice(source.title_lengths))
    words = rng.choices(source.title_words, k=length)
    words[0] = words[0][:1].upper() + words[0][1:]
    phrase = " ".join(words)
    if rng.random() >= source.colon_share:
        return phrase
    first, second = rng.choice(source.names), rng.choice(source.names)
    # a new model name from two real ones: "Swin" + "Former" -> "SwinFormer"
    cut_a = rng.randint(1, max(1, len(first) // 2 + 1))
    cut_b = rng.randint(len(second) // 2, len(second))
    name = (first[:cut_a] + second[cut_b:]).strip(" -") or first
    return f"{name}: {phrase}"


def _abstract(source: Source, rng: random.Random, title: str) -> str:
    target = max(grammar.MIN_ABSTRACT_CHARS * 2, rng.choice(source.abstract_lengths))
    sentences: list[str] = []
    size = 0
    while size < target or len(sentences) < 2:
        sentence = rng.choice(source.sentences)
        sentences.append(sentence)
        size += len(sentence) + 1
    if rng.random() < source.link_share:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", title.split(":")[0])[:30].strip("-") or "code"
        user = rng.choice(source.title_words).strip("()[]{}.,'\"").lower() or "lab"
        sentences.append(f"Code is available at https://github.com/{user}/{slug}.")
    return " ".join(sentences)


def _is_title(title: str) -> bool:
    """Only titles the parser reads back as titles (no stray header or date lookalikes)."""
    token = grammar.classify(Line(1, title, len(title)), False)
    return (
        token.kind is grammar.Kind.TEXT
        and grammar.clearly_title(title)
        and title[-1] not in ",;:"
        and not title.startswith("Subscribe")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, required=True, help="distinct papers to write")
    parser.add_argument("--out", type=Path, required=True, help="folder for the digest files")
    parser.add_argument("--per-file", type=int, default=200, help="papers per file (200)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    papers = generate_papers(args.papers, args.seed)
    paths = write_digests(papers, args.out, args.per_file, args.seed)
    size = sum(path.stat().st_size for path in paths)
    source = load_source()
    print(
        f"{len(papers):,} distinct papers in {len(paths):,} files ({size / 1e6:.1f} MB) "
        f"in {args.out}, {time.perf_counter() - started:.1f} s; "
        f"learned from {len(source.files)} file(s), {len(source.sentences):,} sentences"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
