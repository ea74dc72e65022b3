"""The sidebar's digests: the newest few by themselves, the older ones grouped by month.

A digest's month is the one of its date label ("Mar 14"; the year is the import's, or the one
before when that month is still to come), else of its import. Plain Python, tested without Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

RECENT = 8  # digests shown by themselves before the month groups
_MONTHS = {
    name: n
    for n, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip
_LABEL = re.compile(r"^\s*([A-Za-z]+)\.?\s+\d{1,2}(?:,?\s+(\d{4}))?\s*$")


@dataclass(slots=True)
class MonthGroup:
    """Older digests of one month, in the sidebar's order (newest import first)."""

    year: int
    month: int
    digests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")


def digest_month(digest: dict[str, Any]) -> tuple[int, int] | None:
    """(year, month) of a digest's date, or None when neither label nor import time tells."""
    imported = digest.get("imported_at")
    match = _LABEL.match(digest.get("label") or "")
    if match and match.group(1).lower() in _MONTHS:
        month = _MONTHS[match.group(1).lower()]
        if match.group(2):
            return int(match.group(2)), month
        if isinstance(imported, dt.datetime):
            year = imported.year - (1 if month > imported.month else 0)
            return year, month
    if isinstance(imported, dt.datetime):
        return imported.year, imported.month
    return None


def group_digests(
    digests: Sequence[dict[str, Any]], recent: int = RECENT
) -> tuple[list[dict[str, Any]], list[MonthGroup]]:
    """The ``recent`` newest digests, and the rest by month, newest month first.

    ``digests`` come newest first (``Library.digests``). A digest with no month at all joins
    the recent ones rather than vanish.
    """
    shown = list(digests[:recent])
    groups: dict[tuple[int, int], MonthGroup] = {}
    for digest in digests[recent:]:
        month = digest_month(digest)
        if month is None:
            shown.append(digest)
            continue
        if month not in groups:
            groups[month] = MonthGroup(*month)
        groups[month].digests.append(digest)
    return shown, [groups[m] for m in sorted(groups, reverse=True)]
