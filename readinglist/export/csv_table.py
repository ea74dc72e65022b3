"""The CSV export: one row per paper with every field, safe to open in a spreadsheet.

A cell a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return: OWASP's list) gets a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence

from readinglist.export.options import ExportOptions
from readinglist.library.model import Paper

COLUMNS = (
    "id", "title", "starred", "read", "read_at", "tags", "note", "published", "upvotes",
    "authors_count", "organization", "links", "digests", "abstract", "added_at", "updated_at",
)  # fmt: skip

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
BOM = "\ufeff"

# Rows are flushed to the caller in batches: one csv.writer call per paper is cheap, one
# string per paper yielded through a generator chain is not.
_BATCH = 500


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it, never evaluated as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def row(paper: Paper) -> list[str]:
    cells: dict[str, object] = {
        "id": paper.id,
        "title": paper.title,
        "starred": _yes(paper.starred),
        "read": _yes(paper.read),
        "read_at": _moment(paper.read_at),
        "tags": LIST_SEPARATOR.join(paper.tags),
        "note": paper.note,
        "published": paper.published.isoformat() if paper.published else "",
        "upvotes": paper.upvotes,
        "authors_count": paper.authors_count,
        "organization": paper.organization or "",
        "links": " ".join(paper.links),
        "digests": LIST_SEPARATOR.join(
            dict.fromkeys(s.label or f"#{s.digest_id}" for s in paper.sightings)
        ),
        "abstract": paper.abstract,
        "added_at": _moment(paper.added_at),
        "updated_at": _moment(paper.updated_at),
    }
    return [
        neutralise(value) if isinstance(value, str) else ("" if value is None else str(value))
        for value in (cells[column] for column in COLUMNS)
    ]


def render(papers: Sequence[Paper], options: ExportOptions) -> Iterator[str]:
    buffer = io.StringIO()
    # RFC 4180 line ends; every spreadsheet reads them, and Excel wants them.
    writer = csv.writer(buffer, lineterminator="\r\n")
    if options.bom:
        buffer.write(BOM)
    writer.writerow(COLUMNS)
    for number, paper in enumerate(papers, 1):
        writer.writerow(row(paper))
        if number % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _moment(value: dt.datetime | None) -> str:
    # Local wall-clock time without an offset: the form spreadsheets recognise as a date-time.
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%Y-%m-%d %H:%M:%S")
