"""The JSON export: every paper with all its fields and the user's state, plus the digest ledger.

It is also the backup and moving format that ``readinglist import`` reads back (see
``json_import``); ``schema.json`` beside this module describes it, and ``SCHEMA_VERSION``
grows whenever a reader of the old version could no longer read the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from readinglist import __version__
from readinglist.library.model import Paper

FORMAT_NAME = "readinglist-export"
SCHEMA_VERSION = 1


def paper_object(paper: Paper) -> dict[str, Any]:
    """The paper JSON object of every ``--json`` output, plus what a full restore needs."""
    data = paper.to_json()
    # Full precision here (``--json`` rounds to seconds): "newer edit wins" compares these.
    data["read_at"] = _exact(paper.read_at)
    data["added_at"] = _exact(paper.added_at)
    data["updated_at"] = _exact(paper.updated_at)
    data["sightings"] = [
        {"digest": s.digest_id, "label": s.label, "position": s.position, "upvotes": s.upvotes}
        for s in paper.sightings
    ]
    return data


def digest_object(digest: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key): _plain(value) for key, value in digest.items()}


def header(
    *,
    exported_at: dt.datetime,
    title: str | None = None,
    scope: str | None = None,
    paper_count: int,
) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "app_version": __version__,
        "exported_at": _iso(exported_at),
        "title": title,
        "scope": scope,
        "paper_count": paper_count,
    }


def render(papers: Sequence[Paper], options: Any) -> Iterator[str]:
    head = header(
        exported_at=options.generated_at,
        title=options.title,
        scope=options.scope,
        paper_count=len(papers),
    )
    text = _dumps(head)
    # Stream the papers after the header, so 100,000 of them never sit in memory as one string.
    yield text[: text.rindex("}")].rstrip() + ',\n  "papers": ['
    referenced: set[int] = set()
    for number, paper in enumerate(papers):
        referenced.update(s.digest_id for s in paper.sightings)
        yield ("\n" if number == 0 else ",\n") + textwrap.indent(
            _dumps(paper_object(paper)), "    "
        )
    yield "\n  ]" if papers else "]"
    # The ledger rows of the digests these papers were seen in, last: only now are they known.
    digests = [digest_object(d) for d in options.digests if d.get("id") in referenced]
    yield ',\n  "digests": ' + textwrap.indent(_dumps(digests), "  ").lstrip() + "\n}\n"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of this format, shipped inside the package."""
    text = resources.files("readinglist.export").joinpath("schema.json").read_text("utf-8")
    return json.loads(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _exact(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value
