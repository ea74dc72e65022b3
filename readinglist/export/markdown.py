"""The Markdown reading list: headings, counts, ★, read dates, tags and notes as quotes.

Written for CommonMark/GFM (GitHub) and Obsidian alike. Everything that came from a digest or
from the user is plain text to us, so it is escaped: a title with ``*`` or ``$`` or ``#tag``
shows exactly as written instead of turning into emphasis, maths or an Obsidian tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from readinglist.display import display_text
from readinglist.export.grouping import Counts, group_papers, human_date, local_day, plural
from readinglist.export.links import find_url, link_label, split_urls
from readinglist.export.options import ExportOptions
from readinglist.library.model import Paper

# Inline syntax of CommonMark, GFM (tables, strikethrough) and Obsidian (#tags, $maths$,
# %%comments%%, ==highlights==); every one of these may be backslash-escaped in CommonMark.
_INLINE = re.compile(r"([\\`*_\[\]<>&|~$%=#])")
# A line break inside a paragraph: two trailing spaces, the one form every Markdown reader
# knows (Markdown.pl, Python-Markdown, CommonMark, pandoc, Obsidian). CommonMark's other form,
# a backslash at the end of the line, is shown as a stray "\" by the older readers and in the
# file read as text (the export preview showed "6 authors\").
HARD_BREAK = "  "
# What turns the start of a line into a block (list item, heading, quote, thematic break...).
_BLOCK_START = re.compile(r"^(\s*)([-+>]|\d{1,9}(?=[.)]))")


def escape(text: str) -> str:
    """One line of plain text as Markdown that renders to exactly that text; URLs become links.

    Safe anywhere on a line, at its start too: a leading "-", "+", ">" or "1." stays text.
    """
    out = []
    for piece, is_url in split_urls(text):
        out.append(f"<{piece}>" if is_url else _INLINE.sub(r"\\\1", piece))
    line = "".join(out)
    match = _BLOCK_START.match(line)
    if match:
        indent, mark = match.groups()
        rest = line[match.end() :]
        # "1\. " is text where "1. " starts a list; "\-" is text where "-" starts one.
        line = f"{indent}{mark}\\{rest}" if mark.isdigit() else f"{indent}\\{mark}{rest}"
    return line


def escape_block(text: str) -> list[str]:
    """Multi-line plain text as Markdown lines; line breaks are kept as hard breaks."""
    lines = []
    for raw in text.strip("\n").splitlines():
        line = escape(raw.rstrip())
        # Leading spaces would make a code block; keep the user's indentation visible instead.
        stripped = line.lstrip(" \t")
        indent_width = len(line[: len(line) - len(stripped)].expandtabs(4))
        lines.append("&nbsp;" * indent_width + stripped)
    # A hard break between lines of one paragraph; blank lines stay paragraphs.
    for i in range(len(lines) - 1):
        if lines[i] and lines[i + 1]:
            lines[i] += HARD_BREAK
    return lines


def quote(line: str) -> str:
    """One Markdown line inside a block quote (its trailing hard break kept)."""
    return f"> {line}" if line else ">"


def code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render(papers: Sequence[Paper], options: ExportOptions) -> Iterator[str]:
    counts = Counts.of(papers)
    yield f"# {escape(options.heading)}\n\n"
    made = human_date(local_day(options.generated_at))
    yield f"{counts.sentence()}. Exported from Reading List on {made}.\n\n"
    if not papers:
        yield "No papers.\n"
        return
    groups = group_papers(papers, options.grouping, options.digests)
    level = "###" if options.grouping != "none" else "##"
    for group in groups:
        if group.title is not None:
            yield f"## {escape(group.title)} ({plural(len(group.papers), 'paper')})\n\n"
        for paper in group.papers:
            yield from _paper(paper, level, options)


def _paper(paper: Paper, level: str, options: ExportOptions) -> Iterator[str]:
    star = "★ " if paper.starred else ""
    yield f"{level} {star}{escape(' '.join(display_text(paper.title).split()))}\n\n"
    facts = _facts(paper)
    links = [
        f"{link_label(url)}: <{url}>" for url in paper.links if split_urls(url) == [(url, True)]
    ]
    links.append(f"[Find on arXiv]({find_url(paper)})")
    lines = []
    if facts:
        lines.append(" · ".join(facts))
    if paper.tags:
        lines.append("Tags: " + ", ".join(code_span(tag) for tag in paper.tags))
    lines.append("Links: " + " · ".join(links))
    yield f"{HARD_BREAK}\n".join(lines) + "\n\n"
    if paper.note.strip():
        yield "".join(quote(line) + "\n" for line in escape_block(paper.note)) + "\n"
    if options.include_abstracts and paper.abstract.strip():
        yield "\n".join(escape_block(display_text(paper.abstract))) + "\n\n"


def _facts(paper: Paper) -> list[str]:
    facts = []  # the star is in the heading
    if paper.read:
        facts.append(f"Read {human_date(local_day(paper.read_at))}" if paper.read_at else "Read")
    if paper.published:
        facts.append(f"Published {human_date(paper.published)}")
    if paper.upvotes is not None:
        facts.append(plural(paper.upvotes, "upvote"))
    if paper.authors_count is not None:
        facts.append(plural(paper.authors_count, "author"))
    if paper.organization:
        facts.append(escape(paper.organization))
    return facts
