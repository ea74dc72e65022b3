"""The RIS export, the tagged format every reference manager imports (EndNote, Zotero, Mendeley).

RIS has no escapes and no line breaks inside a value: pandoc refuses a file whose value goes on
to a second line, and JabRef keeps a note only up to its first blank line. So every field is
one line, and a note is written as one ``N1`` per paragraph (a Markdown list item counts as a
paragraph, so lists keep their items), which rispy, pandoc, JabRef and Zotero all read; Zotero
makes each ``N1`` a note of the item. A code repository is written as an ``N1`` saying so, not
as the item's ``UR`` (its address).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from readinglist.display import display_text
from readinglist.export.links import is_code
from readinglist.export.options import ExportOptions
from readinglist.library.model import Paper

NEWLINE = "\r\n"  # the RIS specification's line end
_LIST_ITEM = re.compile(r"\s*(?:[-*+•]|\d{1,3}[.)])\s")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]")


def one_line(text: str) -> str:
    """Any text as a single-line RIS value."""
    return " ".join(_CONTROL.sub(" ", text).split())


def note_paragraphs(text: str) -> list[str]:
    """A note as one-line paragraphs: blank lines and list items start a new one."""
    paragraphs: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _CONTROL.sub(" ", raw).strip()
        if not line:
            paragraphs.append([])
        elif _LIST_ITEM.match(raw) and paragraphs[-1]:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [" ".join(lines) for lines in paragraphs if lines]


def record(paper: Paper) -> str:
    fields: list[tuple[str, str]] = [
        ("TY", "GEN"),
        ("ID", one_line(paper.id)),
        ("TI", one_line(display_text(paper.title))),
    ]
    if paper.published:
        day = paper.published
        fields += [("PY", str(day.year)), ("DA", f"{day.year:04d}/{day.month:02d}/{day.day:02d}/")]
    if paper.organization:
        fields.append(("AD", one_line(paper.organization)))  # the affiliation field
    if paper.abstract.strip():
        fields.append(("AB", one_line(display_text(paper.abstract))))
    fields += [("KW", one_line(tag)) for tag in paper.tags if one_line(tag)]
    links = [one_line(url) for url in paper.links if one_line(url)]
    fields += [("UR", url) for url in links if not is_code(url)]
    fields += [("N1", paragraph) for paragraph in note_paragraphs(paper.note)]
    fields += [("N1", f"Code: {url}") for url in links if is_code(url)]
    lines = [f"{tag}  - {value}" for tag, value in fields]
    lines.append("ER  - ")
    return NEWLINE.join(lines) + NEWLINE


def render(papers: Sequence[Paper], options: ExportOptions) -> Iterator[str]:
    for number, paper in enumerate(papers):
        yield (NEWLINE if number else "") + record(paper)
