"""What the reliability tests share: the CLI as a user runs it, and a small library to harm."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from readinglist.library import Library
from tests.core.store_support import info, paper

NOTE = "my own words, typed once"


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


def make_library(home: Path, papers: int = 5) -> list[str]:
    """A library of ``papers`` made-up papers, the first with a note; returns ids by title."""
    with Library.open(home) as library:
        library.import_parsed(info("a.txt", "Jan 16"), [paper(n) for n in range(papers)])
        ids = library.list_ids(sort="title")
        library.set_note(ids[0], NOTE)
        library.set_starred(ids[:2], True)
    return ids


def note_of(home: Path, paper_id: str) -> str:
    with Library.open(home) as library:
        return library.get(paper_id).note


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
