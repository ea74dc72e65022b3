"""Small records the library hands out: import progress and reports, filters, change notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from readinglist.digests.model import DigestWarning

ImportStatus = Literal["imported", "already-imported", "refused"]
ChangeKind = Literal["import", "state", "note", "tags", "restore", "delete", "undelete"]


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Where an import run is; ``bytes_*`` and ``papers_done`` count the whole run, not one file."""

    file: Path
    file_index: int  # 0-based index of the file being read, among file_count files
    file_count: int
    bytes_done: int
    bytes_total: int
    papers_done: int

    @property
    def fraction(self) -> float:
        """0.0 to 1.0, for a progress bar."""
        if self.bytes_total <= 0:
            return 1.0 if self.file_count == 0 else self.file_index / self.file_count
        return min(1.0, self.bytes_done / self.bytes_total)


@dataclass(slots=True)
class ImportReport:
    """What importing one file did."""

    path: Path
    status: ImportStatus
    sha256: str | None = None
    label: str | None = None
    layout: str | None = None
    new: int = 0  # papers new to the library
    known: int = 0  # papers already in the library that got a sighting from this file
    repeated: int = 0  # entries repeating a paper seen earlier in the same file
    warnings: list[DigestWarning] = field(default_factory=list)
    refused: str | None = None
    digest_id: int | None = None
    paper_ids: list[str] = field(default_factory=list)
    deleted: int = 0  # papers in the file skipped because the user deleted them
    undeleted: int = 0  # deleted papers the file brought back (import with undelete)

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "status": self.status,
            "sha256": self.sha256,
            "label": self.label,
            "layout": self.layout,
            "new": self.new,
            "known": self.known,
            "repeated": self.repeated,
            "warnings": [{"line": w.line, "message": w.message} for w in self.warnings],
            "refused": self.refused,
            "digest_id": self.digest_id,
            "paper_ids": list(self.paper_ids),
            "deleted": self.deleted,
            "undeleted": self.undeleted,
        }

    def __str__(self) -> str:
        name = self.path.name
        if self.status == "refused":
            return f"{name}: refused: {self.refused}"
        what = f" ({self.label})" if self.label else ""
        if self.status == "already-imported":
            if self.undeleted:
                return f"{name}{what}: already imported; {_papers(self.undeleted)} undeleted"
            return f"{name}{what}: already imported, nothing changed"
        parts = [f"{self.new} new", f"{self.known} already in the library"]
        if self.repeated:
            parts.append(f"{self.repeated} repeated in the file")
        if self.deleted:
            parts.append(f"{_papers(self.deleted)} skipped as deleted")
        if self.undeleted:
            parts.append(f"{_papers(self.undeleted)} undeleted")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return f"{name}{what}: " + ", ".join(parts)


def _papers(n: int) -> str:
    return f"{n:,} paper{'s' if n != 1 else ''}"


@dataclass(frozen=True, slots=True)
class PaperFilter:
    """Which papers a listing shows; None means "don't care" for every field.

    ``digest`` is a digest label ("Mar 14"), a digest file name, or a digest id ("3");
    ``tag`` matches case-insensitively; ``ids`` restricts to a set (e.g. a search result).
    """

    starred: bool | None = None
    read: bool | None = None
    has_note: bool | None = None
    tag: str | None = None
    digest: str | int | None = None
    ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A committed write, told to subscribers (the search index, open views) after the commit.

    ``more``: another write of the same operation follows at once (a file of a many-file
    import that is not the last one), so a subscriber may wait for the rest.
    """

    kind: ChangeKind
    paper_ids: frozenset[str]
    generation: int
    more: bool = False
