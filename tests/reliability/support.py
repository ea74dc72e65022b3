"""What the reliability tests share: a small library to harm and checks of what the CLI said."""

from __future__ import annotations

import subprocess
from pathlib import Path

from readinglist.library import Library
from tests.core.store_support import info, paper

NOTE = "my own words, typed once"


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
