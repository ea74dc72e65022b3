"""The CSV export: one row per paper with every field, safe to open in a spreadsheet.

A text cell a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return: OWASP's list) or read as something else (a digest label "Jan 16" as a
date, an id "1234567890" or a tag "42" as a number, "TRUE", "50%", "$5", "1/2") gets a leading
apostrophe: the spreadsheets' mark for "this is text", which they take off again (Gnumeric's
ssconvert checks it in the tests). Dates, date-times and counts are written in the forms
spreadsheets read as dates and numbers, on purpose.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence

from readinglist.display import display_text
from readinglist.export.options import ExportOptions
from readinglist.library.model import Paper

COLUMNS = (
    "id", "title", "starred", "read", "read_at", "tags", "note", "published", "upvotes",
    "authors_count", "organization", "links", "digests", "abstract", "added_at", "updated_at",
)  # fmt: skip

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What spreadsheets (Excel the most eagerly) parse as a number, date, time, percentage,
# currency or truth value: digits with only number punctuation ("42", "1234567e12", "1/2",
# "3-4", "50%", "$5", "10:30"), a month name first or after a day ("Jan 16", "MARCH1",
# "16 Jan"), TRUE/FALSE. Broad on purpose: a label turned into a date is wrong data.
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?" \
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])"
_CONVERTIBLE = re.compile(
    rf"\s*(?:{_MONTH}|\d{{1,4}}[\s./-]*{_MONTH}|(?:true|false)\s*$"
    r"|(?=[^a-df-z]*\d)[\s\d.,:/%+\-−$€£¥()eE]+$)",
    re.IGNORECASE,
)
TEXT_COLUMNS = frozenset(
    ("id", "title", "starred", "read", "tags", "note", "organization", "links", "digests",
     "abstract")
)  # fmt: skip
LIST_SEPARATOR = "; "
BOM = "\ufeff"

# Rows are flushed to the caller in batches: one csv.writer call per paper is cheap, one
# string per paper yielded through a generator chain is not.
_BATCH = 500


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it, never evaluated as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def as_text(cell: str) -> str:
    """``cell`` as a spreadsheet keeps it: text, never a formula, number or date."""
    if cell.startswith(FORMULA_STARTS) or _CONVERTIBLE.match(cell):
        return "'" + cell
    return cell


def row(paper: Paper) -> list[str]:
    cells: dict[str, object] = {
        "id": paper.id,
        "title": display_text(paper.title),
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
        "abstract": display_text(paper.abstract),
        "added_at": _moment(paper.added_at),
        "updated_at": _moment(paper.updated_at),
    }
    return [_cell(column, cells[column]) for column in COLUMNS]


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return as_text(value) if column in TEXT_COLUMNS else neutralise(value)


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
