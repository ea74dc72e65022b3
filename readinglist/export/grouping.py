"""Split an ordered list of papers into the groups a list is read by: tag, digest, month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from readinglist.export.options import Grouping
from readinglist.library.model import Paper

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(slots=True)
class Group:
    """Papers under one heading; ``title`` is None when the export is not grouped."""

    key: str
    title: str | None
    papers: list[Paper] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Counts:
    """The figures shown under an export's heading."""

    papers: int
    starred: int
    read: int
    noted: int

    @classmethod
    def of(cls, papers: Sequence[Paper]) -> Counts:
        """The counts of ``papers``.

        A sequence that can count itself (``LibraryPapers``, in SQL) is asked to: that spares
        a writer a whole extra pass over the library.
        """
        counts = getattr(papers, "counts", None)
        if callable(counts):
            return counts()
        return cls(
            papers=len(papers),
            starred=sum(1 for p in papers if p.starred),
            read=sum(1 for p in papers if p.read),
            noted=sum(1 for p in papers if p.note.strip()),
        )

    def sentence(self) -> str:
        """``"12 papers · 3 starred · 5 read · 7 with notes"``."""
        parts = [plural(self.papers, "paper")]
        if self.starred:
            parts.append(f"{self.starred} starred")
        if self.read:
            parts.append(f"{self.read} read")
        if self.noted:
            parts.append(f"{self.noted} with notes")
        return " · ".join(parts)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def group_papers(
    papers: Sequence[Paper],
    grouping: Grouping,
    digests: Sequence[Mapping[str, Any]] = (),
) -> list[Group]:
    """Groups in reading order; papers keep the order they were given in inside each group.

    A paper with several tags (or seen in several digests) appears under each of them, as a
    reader of one section expects to find it there. Tags come alphabetically, months and
    digests newest first; papers with no tag, date or digest come last.
    """
    if grouping == "none":
        return [Group("all", None, list(papers))]
    groups: dict[str, Group] = {}
    order: dict[str, tuple[Any, ...]] = {}

    def add(key: str, title: str, rank: tuple[Any, ...], paper: Paper) -> None:
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, title)
            order[key] = rank
        group.papers.append(paper)

    if grouping == "tag":
        for paper in papers:
            seen: set[str] = set()
            for tag in paper.tags:
                folded = tag.casefold()
                if folded not in seen:
                    seen.add(folded)
                    add(f"tag:{folded}", tag, (0, folded, tag), paper)
            if not seen:
                add("untagged", "Untagged", (1,), paper)
    elif grouping == "digest":
        names = _digest_names(digests)
        for paper in papers:
            digest_ids = list(dict.fromkeys(s.digest_id for s in paper.sightings))
            for digest_id in digest_ids:
                seen = next(s for s in paper.sightings if s.digest_id == digest_id)
                title = names.get(digest_id) or seen.digest_name
                add(f"digest:{digest_id}", title, (0, -digest_id), paper)
            if not digest_ids:
                add("no-digest", "Not from a digest", (1,), paper)
        _disambiguate(groups)
    elif grouping == "month":
        for paper in papers:
            if paper.published is None:
                add("undated", "No publication date", (1,), paper)
            else:
                month = paper.published.replace(day=1)
                add(f"month:{month:%Y-%m}", month_title(month), (0, -month.toordinal()), paper)
    else:
        raise ValueError(f"unknown grouping {grouping!r}")
    return [groups[key] for key in sorted(groups, key=order.__getitem__)]


def month_title(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def human_date(day: dt.date) -> str:
    """``"May 6, 2024"``: the way the digests write dates, whatever the machine's locale."""
    return f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def local_day(moment: dt.datetime) -> dt.date:
    """The calendar day of a moment where the user is (a naive time is taken as local already)."""
    return moment.astimezone().date() if moment.tzinfo else moment.date()


def _digest_names(digests: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    names = {}
    for digest in digests:
        digest_id = digest.get("id")
        if not isinstance(digest_id, int):
            continue
        label = digest.get("label")
        imported = str(digest.get("imported_at") or "")[:10]
        if label and imported:
            names[digest_id] = f"{label} (imported {imported})"
        elif label:
            names[digest_id] = str(label)
    return names


def _disambiguate(groups: dict[str, Group]) -> None:
    # "Mar 14" of two different years are two digests; their headings must differ.
    by_title: dict[str | None, list[Group]] = {}
    for group in groups.values():
        by_title.setdefault(group.title, []).append(group)
    for same in by_title.values():
        if len(same) > 1:
            for group in same:
                group.title = f"{group.title} (#{group.key.split(':', 1)[1]})"
