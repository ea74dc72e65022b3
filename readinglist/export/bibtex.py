"""The BibTeX export, for Zotero, JabRef and LaTeX bibliographies.

Digests name no venue, so every entry is ``@misc``. The user's note goes in ``annote`` (the
annotation field reference managers import as a note) rather than ``note``, which
bibliography styles print under the reference. Keys are made from the stable paper id, so a
key never changes between two exports and never collides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from readinglist.export.options import ExportOptions
from readinglist.library import identity
from readinglist.library.model import Paper

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Sequences a digest already wrote as LaTeX (``Language \& Vision``) are kept as they are.
_ALREADY_ESCAPED = re.compile(r"\\[&%$#_]")
_SPECIAL = {
    "\\": r"\textbackslash{}",
    # Classic BibTeX counts braces even after a backslash, so "\{" would unbalance the entry.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # "@" at the start of a line opens a new entry for most parsers; "{@}" prints the same.
    "@": "{@}",
}
_SPECIAL_RUN = re.compile(r"\\[&%$#_]|[\\{}&%$#_~^@]")
# Control characters other than tab and newline have no meaning in a .bib file.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """Plain text as a BibTeX field value that LaTeX typesets back to the same text."""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _SPECIAL_RUN.sub(
        lambda m: m.group() if _ALREADY_ESCAPED.fullmatch(m.group()) else _SPECIAL[m.group()],
        text,
    )


def citation_key(paper: Paper) -> str:
    """The key the library stored for the paper (computed the same way for a loose Paper)."""
    return paper.citation_key or identity.citation_key(paper.title, paper.published, paper.id)


def sort_key(title: str) -> str:
    """The ``key`` field: the title in plain ASCII words.

    Classic styles sort and label an entry without authors by this field ("to sort, need
    author or key" otherwise), and alpha takes its first letters for the label: so nothing
    in it may be a LaTeX special.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[A-Za-z0-9]+", ascii_title))[:60].strip() or "Untitled"


def entry(paper: Paper) -> str:
    fields: list[tuple[str, str]] = [
        ("title", "{" + escape(" ".join(paper.title.split())) + "}"),  # keep the title's case
        ("key", sort_key(paper.title)),
    ]
    if paper.published:
        fields += [
            ("year", str(paper.published.year)),
            ("month", MONTH_MACROS[paper.published.month - 1]),
            ("date", paper.published.isoformat()),
        ]
    if paper.organization:
        fields.append(("organization", escape(paper.organization)))
    url = next((u for u in paper.links if _safe_url(u)), None)
    if url:
        fields.append(("url", url))  # verbatim: biblatex and hyperref read URLs literally
    if paper.tags:
        fields.append(("keywords", escape(", ".join(paper.tags))))
    if paper.abstract.strip():
        fields.append(("abstract", escape(paper.abstract.strip())))
    if paper.note.strip():
        fields.append(("annote", escape(paper.note.strip())))
    lines = [f"@misc{{{citation_key(paper)},"]
    for name, value in fields:
        if name == "month":
            lines.append(f"  {name} = {value},")  # a month macro, unbraced
        else:
            lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(papers: Sequence[Paper], options: ExportOptions) -> Iterator[str]:
    # A comment line before the first "@" is ignored by BibTeX and every parser we know.
    heading = " ".join(options.heading.split()).replace("@", "(at)")
    yield f"% {heading}: {len(papers):,} entries, exported from Reading List\n\n"
    for number, paper in enumerate(papers):
        yield ("\n" if number else "") + entry(paper)


def _safe_url(url: str) -> bool:
    # A verbatim field must still keep BibTeX's braces balanced and stay on one line.
    return not re.search(r"[\s{}\\]", url)
