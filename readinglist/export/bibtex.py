"""The BibTeX export, for Zotero, JabRef and LaTeX bibliographies.

Digests name no venue, so every entry is ``@misc``. The user's note goes in ``annote`` (the
annotation field reference managers import as a note) rather than ``note``, which
bibliography styles print under the reference. Keys are made from the stable paper id, so a
key never changes between two exports and never collides.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence

from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from readinglist.display import display_text
from readinglist.export.links import paper_url
from readinglist.export.options import ExportOptions
from readinglist.library import identity
from readinglist.library.model import Paper

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Each replacement is one that pdflatex (any font encoding), BibTeX and pandoc's BibTeX reader
# (2.17 and 3.x, checked) all turn back into the same character.
_SPECIAL = {
    "\\": r"{\textbackslash}",
    # Classic BibTeX counts braces even after a backslash, so "\{" would unbalance the entry;
    # pandoc drops \textbraceleft.
    "{": r"{\ensuremath{\lbrace}}",
    "}": r"{\ensuremath{\rbrace}}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    # In LaTeX's default font encoding these print as other glyphs (¡, ¿, —).
    "<": r"{\textless}",
    ">": r"{\textgreater}",
    "|": r"{\ensuremath{|}}",
    # Hyphens typed in a row stay hyphens, not LaTeX's en or em dash.
    "-": "-{}",
    # "@" at the start of a line opens a new entry for most parsers; "{@}" prints the same.
    "@": "{@}",
}
_SPECIAL_RUN = re.compile(r"-(?=-)|[\\{}&%$#_~^<>|@]")
# Where pylatexenc's text commands are lost on pandoc (\textemdash, \texttimes, …).
_PORTABLE = {
    "—": "---", "–": "--", "…": r"\ldots{}", "×": r"\ensuremath{\times}",
    "→": r"\ensuremath{\rightarrow}", "←": r"\ensuremath{\leftarrow}",
    "↔": r"\ensuremath{\leftrightarrow}", "•": r"\ensuremath{\bullet}",
    "·": r"\ensuremath{\cdot}", "′": r"\ensuremath{\prime}", "″": r"\ensuremath{\prime\prime}",
    "§": r"\S{}", "¶": r"\P{}", "©": r"\copyright{}", "£": r"\pounds{}", "ï": r'\"i',
    "√": r"\ensuremath{\surd}",
}  # fmt: skip
# Control characters other than tab and newline have no meaning in a .bib file.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Characters LaTeX's standard fonts cannot print (CJK, emoji) become "?": pdflatex would stop
# at them. pylatexenc logs each one; the export says nothing a user could act on, so quiet it.
_UNPRINTABLE = "?"
logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)
_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    conversion_rules=[
        UnicodeToLatexConversionRule(RULE_DICT, {ord(c): latex for c, latex in _PORTABLE.items()}),
        "defaults",
    ],
    # {\'e} rather than \'e: BibTeX treats a braced group that starts with a backslash as
    # one "special character" when it sorts, changes case or cuts a label.
    replacement_latex_protection="braces-all",
    unknown_char_policy=lambda ch: _UNPRINTABLE,
)


def escape(text: str) -> str:
    r"""Plain text as a BibTeX field value that pdflatex typesets back to the same text.

    ASCII specials are escaped, everything outside ASCII becomes a LaTeX command (μ as
    ``{\ensuremath{\mu}}``, é as ``{\'e}``), so the .bib works with BibTeX, biber and any
    input encoding; pandoc and biber turn the commands back into the characters.
    """
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _SPECIAL_RUN.sub(lambda m: _SPECIAL[m.group()], text)
    return _NON_ASCII.sub(lambda m: _ENCODER.unicode_to_latex(_compose(m.group())), text)


def _compose(text: str) -> str:
    # "é" typed as e + combining accent is one letter to LaTeX too.
    return unicodedata.normalize("NFC", text)


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
        # Double braces keep the title's case in styles that lower-case titles.
        ("title", "{" + escape(" ".join(display_text(paper.title).split())) + "}"),
        ("key", sort_key(display_text(paper.title))),
    ]
    if paper.published:
        fields += [
            ("year", str(paper.published.year)),
            ("month", MONTH_MACROS[paper.published.month - 1]),
            ("date", paper.published.isoformat()),
        ]
    if paper.organization:
        fields.append(("organization", escape(paper.organization)))
    # Only the paper's own page: a code repository found in the abstract is not its address.
    url = paper_url([u for u in paper.links if _safe_url(u)])
    if url:
        fields.append(("url", url))  # verbatim: biblatex and hyperref read URLs literally
    if paper.tags:
        fields.append(("keywords", escape(", ".join(paper.tags))))
    if paper.abstract.strip():
        fields.append(("abstract", escape(display_text(paper.abstract.strip()))))
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
