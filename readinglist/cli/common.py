"""What every command shares: opening the library, errors with exit codes, JSON, progress bars."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from readinglist.formatting import for_terminal

if TYPE_CHECKING:
    from readinglist.library import Library
    from readinglist.library.model import Paper
    from readinglist.search import SearchIndex


class CliError(Exception):
    """A failure the user should read; ``code`` becomes the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    raise CliError(message, code)


def positive_int(text: str) -> int:
    """An argparse type for counts such as ``--limit``: 1 or more."""
    return _at_least(text, 1)


def natural_int(text: str) -> int:
    """An argparse type for offsets: 0 or more."""
    return _at_least(text, 0)


def _at_least(text: str, low: int) -> int:
    value = int(text)
    if value < low:
        raise argparse.ArgumentTypeError(f"must be {low} or more")
    return value


def open_library() -> Library:
    """Open the user's library (READINGLIST_HOME or the platform data folder)."""
    from readinglist.library import Library, LibraryError

    try:
        library = Library.open()
    except LibraryError as error:
        from readinglist.cli.failures import explain

        fail(explain(error), 1)  # a damaged library: where the backups are
    # Once a day a copy goes to backups/ (the last 7 kept); otherwise this is one stat().
    from readinglist.library.backup import ensure_daily_backup

    ensure_daily_backup(library)
    return library


def fresh_index(library: Library, announce: bool = True) -> SearchIndex:
    """The library's search index, brought up to date first (with a progress bar) if behind.

    ``announce``: say on stderr when the index must be built or repaired first.
    """
    from readinglist.cli.indexing import fresh_index as indexed

    return indexed(library, announce)


def resolve_ids(library: Library, prefixes: list[str]) -> list[str]:
    """Turn id prefixes typed by the user into ids; unknown or ambiguous ones exit with status 2."""
    from readinglist.library import AmbiguousPaper, UnknownPaper

    ids = []
    for prefix in prefixes:
        try:
            ids.append(library.resolve(prefix))
        except (UnknownPaper, AmbiguousPaper) as error:
            fail(str(error), 2)
    return ids


def print_json(value: Any, stream: TextIO | None = None) -> None:
    json.dump(value, stream or sys.stdout, ensure_ascii=False, indent=2)
    (stream or sys.stdout).write("\n")


def terminal_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def paper_line(paper: Paper, width: int | None = None) -> str:
    """One listing line: id, star, read mark, published date, title (cut to the terminal)."""
    star = "★" if paper.starred else " "
    read = "✓" if paper.read else " "
    published = paper.published.isoformat() if paper.published else " " * 10
    head = f"{paper.id}  {star}{read} {published}  "
    return head + shorten(for_terminal(paper.title), (width or terminal_width()) - len(head))


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str = "", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.label = label
        self._last_draw = 0.0

    def update(self, done: float, total: float, detail: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and done < total:
            return
        self._last_draw = now
        fraction = min(done / total, 1.0) if total else 0.0
        width = max(terminal_width() - 40, 10)
        filled = int(fraction * width)
        bar = "█" * filled + "░" * (width - filled)
        line = f"{self.label} {bar} {fraction:4.0%} {shorten(detail, 20)}"
        self.stream.write("\r" + line[: terminal_width() - 1])
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (terminal_width() - 1) + "\r")
            self.stream.flush()


def drive(steps: Iterator[Any], bar: ProgressBar) -> Iterator[Any]:
    """Pass through a core generator's items, drawing any ``done``/``total`` progress on ``bar``."""
    try:
        for step in steps:
            done, total = getattr(step, "done", None), getattr(step, "total", None)
            if done is not None and total:
                bar.update(done, total, getattr(step, "detail", ""))
            yield step
    finally:
        bar.close()
