"""Builders shared by the store tests: papers by hand, digest files, the CLI as users run it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from readinglist.digests.model import DigestInfo, DigestRefused, ParsedPaper
from readinglist.library import Library

WORDS = (
    "attention diffusion transformer latent sparse retrieval vision language alignment scaling "
    "reasoning agents token mixture experts contrastive benchmark robust efficient quantized "
    "multimodal segmentation tokenizer decoder graph reinforcement policy reward video audio"
).split()


def abstract_for(n: int, length: int = 320) -> str:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(length // 6)]
    text = f"We study problem {n}. " + " ".join(words)
    return (text[: length - 1].rstrip() + ".").capitalize()


def title_for(n: int) -> str:
    a, b, c = WORDS[n % len(WORDS)], WORDS[(n // 7) % len(WORDS)], WORDS[(n // 49) % len(WORDS)]
    return f"{a.capitalize()} {b} for {c} learning, part {n}"


def paper(n: int, **changes: Any) -> ParsedPaper:
    """The n-th made-up paper, as a parser would hand it over."""
    fields: dict[str, Any] = {
        "title": title_for(n),
        "abstract": abstract_for(n),
        "line": 10 + 4 * n,
    }
    fields.update(changes)
    return ParsedPaper(**fields)


def info(name: str = "digest.txt", label: str | None = "Mar 14", **changes: Any) -> DigestInfo:
    """Facts about a made-up file; its sha256 comes from the name unless given."""
    sha = changes.pop("sha256", hashlib.sha256(name.encode()).hexdigest())
    return DigestInfo(
        path=name, sha256=sha, size=changes.pop("size", 1000), label=label,
        layout=changes.pop("layout", "blank-separated"), **changes,
    )


def open_two_digests(home: Path) -> Library:
    """A library of two digests sharing papers 3 and 4: one.txt (0-4), two.txt (3-6, Mar 15)."""
    lib = Library.open(home)
    lib.import_parsed(info("one.txt"), [paper(n) for n in range(5)])
    lib.import_parsed(info("two.txt", label="Mar 15"), [paper(n) for n in range(3, 7)])
    return lib


def failing(papers: Iterable[ParsedPaper], error: BaseException) -> Iterator[ParsedPaper]:
    """The papers, then ``error`` raised mid-way, as a parser meeting bad bytes would."""
    yield from papers
    raise error


def refused_after(papers: Iterable[ParsedPaper], line: int = 999) -> Iterator[ParsedPaper]:
    return failing(papers, DigestRefused("digest.txt", "undecodable text", line))


def write_digest(
    path: Path,
    numbers: Iterable[int],
    label: str = "Mar 14",
    metadata: bool = False,
    upvotes: dict[int, int] | None = None,
) -> Path:
    """A digest file in layout 1 (or 2 with metadata) holding the made-up papers ``numbers``."""
    lines = ["new", "Get trending papers in your email inbox!", "Subscribe"]
    if metadata:
        lines.append("Daily Papers")
    lines += ["byAK and the research community", label]
    for n in numbers:
        lines += [title_for(n), abstract_for(n)]
        if metadata:
            day = dt.date(2024, 1 + n % 12, 1 + n % 28)
            votes = (upvotes or {}).get(n)
            date = f"{day:%b} {day.day}, {day.year}" + (f" {votes}" if votes is not None else "")
            lines += [f"  • {1 + n % 9} authors", "·", date]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare a library before and after something."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM [{t}]"), key=repr) for t in tables}
    finally:
        conn.close()


def cli(
    home: Path, *args: str, stdin: str | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``readinglist ARGS`` in a child process, as a user would."""
    environment = {**os.environ, "READINGLIST_HOME": str(home), "COLUMNS": "120", **env}
    return subprocess.run(
        [sys.executable, "-m", "readinglist", *args],
        capture_output=True,
        text=True,
        env=environment,
        input=stdin,
        timeout=timeout,
        check=False,
    )
