"""The RIS export, the tagged format every reference manager imports (EndNote, Zotero, Mendeley).

RIS has no escapes: a value ends at the end of its line, and a line that starts like a tag
(``ER  - ``) starts a field. So single-line fields are folded to one line, and a line of a
multi-line note that looks like a tag is indented, which keeps it part of the note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from readinglist.export.options import ExportOptions
from readinglist.library.model import Paper

NEWLINE = "\r\n"  # the RIS specification's line end
_LOOKS_LIKE_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9] {0,2}-")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]")


def one_line(text: str) -> str:
    """Any text as a single-line RIS value."""
    return " ".join(_CONTROL.sub(" ", text).split())


def note_lines(text: str) -> list[str]:
    lines = []
    for raw in text.strip().replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _CONTROL.sub(" ", raw).rstrip()
        lines.append("  " + line if _LOOKS_LIKE_TAG.match(line) else line)
    return lines


def record(paper: Paper) -> str:
    fields: list[tuple[str, str]] = [
        ("TY", "GEN"),
        ("ID", one_line(paper.id)),
        ("TI", one_line(paper.title)),
    ]
    if paper.published:
        day = paper.published
        fields += [("PY", str(day.year)), ("DA", f"{day.year:04d}/{day.month:02d}/{day.day:02d}/")]
    if paper.organization:
        fields.append(("AD", one_line(paper.organization)))  # the affiliation field
    if paper.abstract.strip():
        fields.append(("AB", one_line(paper.abstract)))
    fields += [("KW", one_line(tag)) for tag in paper.tags if one_line(tag)]
    fields += [("UR", one_line(url)) for url in paper.links if one_line(url)]
    lines = [f"{tag}  - {value}" for tag, value in fields]
    if paper.note.strip():
        first, *rest = note_lines(paper.note)
        lines.append(f"N1  - {first}")
        lines.extend(rest)
    lines.append("ER  - ")
    return NEWLINE.join(lines) + NEWLINE


def render(papers: Sequence[Paper], options: ExportOptions) -> Iterator[str]:
    for number, paper in enumerate(papers):
        yield (NEWLINE if number else "") + record(paper)
