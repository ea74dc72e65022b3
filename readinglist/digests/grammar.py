"""What one line of a digest is: page header, date label, metadata, or text (title/abstract)."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import NamedTuple

from readinglist.digests.lines import Line


class Kind(Enum):
    HEADER = "header"  # page furniture: "new", "Subscribe", "Daily Papers"...
    LABEL = "label"  # the listing's day: "Mar 14"
    AUTHORS = "authors"  # "  • 5 authors"
    DOT = "dot"  # "·" between the author count and the date
    DATE = "date"  # "May 6, 2024" or "Jan 16, 2025 4" (4 upvotes)
    TEXT = "text"  # a title, an abstract, an organisation line... decided by position
    TOO_LONG = "too-long"  # far longer than any abstract


class PublishedDate(NamedTuple):
    date: dt.date | None  # None when the line looks like a date but is not a real day
    upvotes: int | None


class Token(NamedTuple):
    """One non-blank line with what it looks like on its own."""

    kind: Kind
    line: int
    text: str  # stripped; for TOO_LONG only the start of the line
    blank_before: bool  # a blank line separated it from the previous token
    # AUTHORS: the count; TOO_LONG: the line's length; LABEL: the label; DATE: PublishedDate
    value: int | str | PublishedDate | None = None


# Abstracts run to ~2,000 characters; a line past this is pasted prose or data, not a paper.
MAX_ABSTRACT_CHARS = 20_000
# The longest real titles are ~150 characters; arXiv titles practically never pass 300.
MAX_TITLE_CHARS = 300
# Shorter lines are never taken for an abstract: arXiv abstracts are longer, and hard-wrapped
# prose (60-80 columns) would otherwise pair up into "papers".
MIN_ABSTRACT_CHARS = 100
# Metadata, headers and labels are short; longer lines skip the pattern matching entirely.
_SHORT = 80

_HEADERS = frozenset(
    text.casefold()
    for text in (
        "new",
        "Subscribe",
        "Daily Papers",
        "Trending Papers",
        "byAK and the research community",
        # the site's navigation, when a whole page was selected and copied
        "Hugging Face",
        "Models",
        "Datasets",
        "Spaces",
        "Posts",
        "Docs",
        "Enterprise",
        "Pricing",
        "Log In",
        "Sign Up",
        "Papers",
    )
)
_HEADER_RE = re.compile(r"get trending papers in your email inbox\b.*", re.IGNORECASE)

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(
    (
        "January February March April May June July August September October November December"
    ).split(),
    start=1,
):
    MONTHS[_name.casefold()] = _number
    MONTHS[_name[:3].casefold()] = _number
MONTHS["sept"] = 9

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"  # ASCII digits below: the site writes no others
_LABEL_RE = re.compile(rf"{_MONTH} (?P<day>[0-9]{{1,2}})")
_DATE_RE = re.compile(
    rf"(?:Published on )?{_MONTH} (?P<day>[0-9]{{1,2}}), (?P<year>[0-9]{{4}})"
    r"(?: +(?P<upvotes>[0-9]{1,9}))?"
)
_AUTHORS_RE = re.compile(r"(?:[•·∙*-] *)?(?P<count>[0-9]{1,6}) +authors?", re.IGNORECASE)
_DOTS = frozenset("·•∙")

# "vs. Generation", "et al. Show", "Fig. A" are not sentence ends.
_ABBREVIATIONS = frozenset(
    "vs v al etc e.g i.e cf fig figs eq eqs no nos dr mr ms st approx resp ref refs sec".split()
)
_SENTENCE_BREAK_RE = re.compile(r"(\S+)\.[\"')\]]* +[\"'(\[]?[A-Z0-9]")


def classify(line: Line, blank_before: bool) -> Token:
    """The token for one non-blank line."""
    if line.length > MAX_ABSTRACT_CHARS:
        return Token(Kind.TOO_LONG, line.number, line.text[:80].strip(), blank_before, line.length)
    text = line.text.strip()
    if len(text) <= _SHORT:
        kind, value = _short_kind(text)
        return Token(kind, line.number, text, blank_before, value)
    return Token(Kind.TEXT, line.number, text, blank_before)


def _short_kind(text: str) -> tuple[Kind, int | str | PublishedDate | None]:
    folded = text.casefold()
    if folded in _HEADERS or _HEADER_RE.fullmatch(text):
        return Kind.HEADER, None
    if text in _DOTS:
        return Kind.DOT, None
    if match := _AUTHORS_RE.fullmatch(text):
        return Kind.AUTHORS, int(match["count"])
    if match := _LABEL_RE.fullmatch(text):
        month = MONTHS.get(match["month"].casefold())
        if month is not None and 1 <= int(match["day"]) <= 31:
            return Kind.LABEL, text
    elif match := _DATE_RE.fullmatch(text):
        month = MONTHS.get(match["month"].casefold())
        if month is not None:
            upvotes = int(match["upvotes"]) if match["upvotes"] else None
            try:
                day = dt.date(int(match["year"]), month, int(match["day"]))
            except ValueError:
                day = None
            return Kind.DATE, PublishedDate(day, upvotes)
    return Kind.TEXT, None


def sentence_ends(text: str) -> int:
    """How many sentences seem to end in ``text`` (abstracts have several; titles none)."""
    count = 0
    for match in _SENTENCE_BREAK_RE.finditer(text):
        word = match.group(1).casefold().lstrip("([\"'")
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        count += 1
    tail = text.rstrip("\"')]")
    if tail.endswith(".") and not tail.endswith(".."):
        count += 1
    return count


def clearly_title(text: str) -> bool:
    """A line that cannot be an abstract: short, or mid-length without a single sentence end."""
    return len(text) < MIN_ABSTRACT_CHARS or (len(text) < 250 and sentence_ends(text) == 0)


def clearly_abstract(text: str) -> bool:
    """A line that cannot be a title: very long, or long and made of sentences."""
    return len(text) > MAX_TITLE_CHARS or (len(text) >= 100 and sentence_ends(text) >= 2)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)
