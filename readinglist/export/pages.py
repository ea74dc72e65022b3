"""Papers of a library by id, read a page at a time, so exporting 100,000 never holds them all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from readinglist.export.grouping import Counts
from readinglist.library.model import Paper
from readinglist.library.store import Library

PAGE = 500


class LibraryPapers(Sequence[Paper]):
    """A read-only sequence of the papers ``ids`` name, in that order, loaded lazily.

    Writers iterate it once or twice; each page of ``PAGE`` papers is one query. Ids no
    longer in the library (deleted meanwhile) are skipped within their page.
    """

    def __init__(self, library: Library, ids: Sequence[str]) -> None:
        self._library = library
        self._ids = list(ids)
        self._start = -1
        self._page: list[Paper] = []

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> list[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | list[Paper]:
        if isinstance(index, slice):
            return self._library.papers(self._ids[index])
        if index < 0:
            index += len(self._ids)
        if not 0 <= index < len(self._ids):
            raise IndexError(index)
        start = index - index % PAGE
        if start != self._start:
            page = self._library.papers(self._ids[start : start + PAGE])
            by_id = {paper.id: paper for paper in page}
            self._page = [by_id.get(i) for i in self._ids[start : start + PAGE]]  # type: ignore[misc]
            self._start = start
        paper = self._page[index - start]
        if paper is None:
            raise LookupError(f"paper {self._ids[index]} is no longer in the library")
        return paper

    def counts(self) -> Counts:
        """Papers, starred, read and noted among these, counted by SQLite in one query."""
        starred, read, noted = self._library.state_counts(self._ids)
        return Counts(papers=len(self._ids), starred=starred, read=read, noted=noted)
