"""What every export writer is told: the title, the grouping, what to include, when it was made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Grouping = Literal["none", "tag", "digest", "month"]
GROUPINGS: tuple[str, ...] = get_args(Grouping)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to write an export; every field has a default a user would accept.

    ``scope`` says in words which papers these are ("Starred papers", "Tag: vision"); it
    becomes part of the heading. ``digests`` is the library's digest ledger
    (``Library.digests()``): the JSON export carries it whole, and the other formats use it to
    name digest groups. ``generated_at`` is fixed in tests so output is reproducible.
    """

    title: str | None = None
    scope: str | None = None
    grouping: Grouping = "none"
    include_abstracts: bool = True
    bom: bool = False
    digests: tuple[Mapping[str, Any], ...] = ()
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())

    def __post_init__(self) -> None:
        if self.grouping not in GROUPINGS:
            raise ValueError(
                f"unknown grouping {self.grouping!r}; choose one of {', '.join(GROUPINGS)}"
            )

    @property
    def heading(self) -> str:
        """The document's title as a reader sees it."""
        if self.title:
            return self.title
        return f"Reading list: {self.scope}" if self.scope else "Reading list"
