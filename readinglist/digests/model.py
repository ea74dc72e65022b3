"""What the digest parser produces: papers as read from one file, and facts about the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ParsedPaper:
    """One paper entry exactly as a digest file holds it."""

    title: str
    abstract: str
    line: int  # 1-based line number of the title in the file
    authors_count: int | None = None
    organization: str | None = None
    published: dt.date | None = None
    upvotes: int | None = None
    links: tuple[str, ...] = ()
    label: str | None = None  # the date label of the page it was listed under ("Mar 14")


@dataclass(frozen=True, slots=True)
class DigestWarning:
    """Something odd in a file that did not stop it from importing."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class DigestRefused(Exception):  # noqa: N818 - "refused" is the word users see
    """A file that cannot be imported at all (not a digest, undecodable, empty...)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


@dataclass(slots=True)
class DigestInfo:
    """Facts about one digest file; ``label``, ``layout`` and ``warnings`` fill in as it is read."""

    path: str
    sha256: str
    size: int
    encoding: str = "utf-8"
    label: str | None = None  # the listing's date label, e.g. "Mar 14"
    layout: str = "unknown"  # "blank-separated", "blank-separated+metadata", "compact", "mixed"
    paper_count: int = 0
    warnings: list[DigestWarning] = field(default_factory=list)
