"""The library store: papers, digests and the user's state in SQLite (no Qt here)."""

from readinglist.library.errors import AmbiguousPaper, LibraryError, NewerDatabase, UnknownPaper
from readinglist.library.model import Paper, Sighting
from readinglist.library.records import Change, ImportProgress, ImportReport, PaperFilter
from readinglist.library.store import Library

__all__ = [
    "AmbiguousPaper",
    "Change",
    "ImportProgress",
    "ImportReport",
    "Library",
    "LibraryError",
    "NewerDatabase",
    "Paper",
    "PaperFilter",
    "Sighting",
    "UnknownPaper",
]
