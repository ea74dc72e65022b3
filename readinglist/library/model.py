"""The library's records as the rest of the app sees them (shared by CLI, search, export, GUI)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any


def digest_name(digest_id: int, label: str | None, path: str | None) -> str:
    """What a digest is called wherever it is shown (sidebar, detail pane, CLI, exports).

    Its date label ("Mar 14") when the page had one, else the name of its file (or the
    ledger's "<pasted …>" name), else "Digest N": one name, so an undated digest looks the
    same in every place that lists it.
    """
    if label:
        return label
    if path:
        return PurePath(path).name or path
    return f"Digest {digest_id}"


@dataclass(frozen=True, slots=True)
class Sighting:
    """A paper seen in one imported digest."""

    digest_id: int
    label: str | None
    position: int  # 1-based position of the paper in that digest
    upvotes: int | None = None
    path: str | None = None  # the digest's file as the ledger has it (names undated digests)

    @property
    def digest_name(self) -> str:
        return digest_name(self.digest_id, self.label, self.path)


@dataclass(slots=True)
class Paper:
    """One distinct paper with the user's state."""

    id: str
    title: str
    abstract: str
    authors_count: int | None = None
    organization: str | None = None
    published: dt.date | None = None
    upvotes: int | None = None
    links: list[str] = field(default_factory=list)
    starred: bool = False
    read: bool = False
    read_at: dt.datetime | None = None
    note: str = ""
    tags: list[str] = field(default_factory=list)
    sightings: list[Sighting] = field(default_factory=list)
    added_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    citation_key: str = ""  # stored once, never recomputed (see identity.citation_key)

    def to_json(self) -> dict[str, Any]:
        """The paper JSON object used by every ``--json`` output."""
        return {
            "id": self.id,
            "citation_key": self.citation_key or None,
            "title": self.title,
            "abstract": self.abstract,
            "authors_count": self.authors_count,
            "organization": self.organization,
            "published": self.published.isoformat() if self.published else None,
            "upvotes": self.upvotes,
            "links": list(self.links),
            "starred": self.starred,
            "read": self.read,
            "read_at": _iso(self.read_at),
            "note": self.note,
            "tags": list(self.tags),
            "sightings": [
                {"digest": s.digest_id, "label": s.label, "position": s.position}
                for s in self.sightings
            ],
            "added_at": _iso(self.added_at),
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
