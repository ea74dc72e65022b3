"""Errors the library raises, worded for the person using the app."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path


class LibraryError(Exception):
    """Something the user asked of the library cannot be done; the message says why."""


class BackupError(LibraryError):
    """A backup could not be made or a file cannot be restored; the message says why."""


class UnknownPaper(LibraryError, LookupError):  # noqa: N818 - reads as the user's word
    """No paper has this id (or id prefix)."""

    def __init__(self, paper_id: str) -> None:
        self.paper_id = paper_id
        super().__init__(f"no paper with id {paper_id!r}")


class AmbiguousPaper(LibraryError, LookupError):  # noqa: N818 - reads as the user's word
    """An id prefix matches several papers."""

    def __init__(self, prefix: str, matches: Sequence[str], more: bool = False) -> None:
        self.prefix = prefix
        self.matches = list(matches)
        shown = ", ".join(self.matches) + (", ..." if more else "")
        super().__init__(
            f"id {prefix!r} matches several papers ({shown}); type more characters"
        )


class NewerDatabase(LibraryError):  # noqa: N818 - reads as the user's word
    """The library was written by a newer Reading List than this one."""

    def __init__(
        self, path: Path, unknown_steps: Sequence[str], written_by: str | None, running: str
    ) -> None:
        self.path = path
        self.unknown_steps = list(unknown_steps)
        self.written_by = written_by
        self.running = running
        by = f"Reading List {written_by}" if written_by else "a newer Reading List"
        super().__init__(
            f"{path} was upgraded by {by} (schema steps {', '.join(self.unknown_steps)} are "
            f"unknown to this version, {running}); install a newer Reading List to open it, "
            f"or set READINGLIST_HOME to use another library"
        )


# SQLite's own error, for code outside the library that words it (cli/failures.py) without
# importing a database binding itself: only readinglist/library touches SQLite.
DatabaseError = sqlite3.DatabaseError
