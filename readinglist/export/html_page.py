"""The HTML reading list: one standalone, printable page with its CSS inside and nothing to fetch.

Every piece of text from a digest or from the user goes through ``html.escape``; the only
links made are http(s) URLs found in that text. A Content-Security-Policy forbids scripts as
well, so even a mistake in escaping could not run one.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence

from readinglist import __version__
from readinglist.display import display_text
from readinglist.export.grouping import Counts, group_papers, human_date, local_day, plural
from readinglist.export.links import find_url, link_label, split_urls
from readinglist.export.options import ExportOptions
from readinglist.library.model import Paper

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

STYLE = """
:root {
  color-scheme: light;
  --ink: #1f2328; --muted: #59636e; --faint: #818b98; --line: #d8dee4;
  --paper: #ffffff; --wash: #f6f8fa; --accent: #0b5cad; --star: #b7791f; --note: #fff8e6;
  --note-edge: #e3b341;
}
* { box-sizing: border-box; }
html { background: var(--paper); }
body {
  margin: 0 auto; max-width: 46rem; padding: 3rem 1.5rem 4rem;
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
    Arial, sans-serif;
  color: var(--ink); background: var(--paper);
  -webkit-text-size-adjust: 100%; text-rendering: optimizeLegibility;
}
header { border-bottom: 2px solid var(--ink); padding-bottom: 1rem; margin-bottom: 2rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; letter-spacing: -.01em; }
.summary { margin: 0; font-size: 1.05rem; }
.made { margin: .25rem 0 0; color: var(--muted); font-size: .9rem; }
nav { background: var(--wash); border-radius: 8px; padding: .75rem 1.25rem; margin-bottom: 2rem; }
nav h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted);
  margin: 0 0 .25rem; border: 0; padding: 0; }
nav ol { margin: 0; padding-left: 1.25rem; columns: 2 16rem; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.count { color: var(--faint); font-weight: 400; font-size: .85em; }
section > h2 { font-size: 1.35rem; margin: 2.5rem 0 1rem; padding-bottom: .3rem;
  border-bottom: 1px solid var(--line); }
article { padding: 1rem 0 1.25rem; border-bottom: 1px solid var(--line); }
article:last-child { border-bottom: 0; }
article h3 { font-size: 1.12rem; line-height: 1.35; margin: 0 0 .35rem; font-weight: 650; }
.star { color: var(--star); margin-right: .15em; }
.facts { margin: 0; color: var(--muted); font-size: .88rem; }
.facts span + span::before { content: "·"; margin: 0 .45em; color: var(--faint); }
.read-mark { color: #1a7f37; }
.tags { list-style: none; margin: .5rem 0 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: .35rem; }
.tags li { font-size: .78rem; line-height: 1.5; padding: 0 .55rem; border-radius: 999px;
  background: #ddf4ff; color: #0a3069; border: 1px solid #b6e3ff; }
blockquote.note { margin: .8rem 0 0; padding: .6rem .9rem; background: var(--note);
  border-left: 4px solid var(--note-edge); border-radius: 0 6px 6px 0; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.abstract { margin: .8rem 0 0; font-size: .94rem; color: #2f363d; hyphens: auto;
  overflow-wrap: anywhere; }
.links { margin: .6rem 0 0; font-size: .85rem; overflow-wrap: anywhere; }
.links a, .abstract a { color: var(--accent); }
.links > * + *::before { content: "·"; margin: 0 .45em; color: var(--faint); }
.kind { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 3rem; color: var(--faint); font-size: .8rem; text-align: center; }
@media print {
  @page { margin: 16mm 15mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; line-height: 1.45; }
  header { margin-bottom: 1rem; }
  nav, .find, footer { display: none; }
  section > h2 { break-after: avoid; margin-top: 1.2rem; }
  /* A paper stays on one page when it fits on one; a longer one (a long abstract) crosses
     pages, but never inside its title or right after it. page-break-* for older engines. */
  article { padding: .6rem 0 .7rem; break-inside: avoid; page-break-inside: avoid; }
  article h3 { break-inside: avoid; page-break-inside: avoid; }
  article h3, .facts, .tags { break-after: avoid; page-break-after: avoid; }
  .facts, .tags, blockquote.note, .links { break-inside: avoid; page-break-inside: avoid; }
  .abstract { orphans: 3; widows: 3; }
  .tags li { background: none; border-color: #999; color: #000; }
  blockquote.note { background: none; border-left-color: #999; }
  /* Every link's text is its address already: printed once, no "(href)" after it. */
  a { color: inherit !important; text-decoration: none; }
}
""".strip()


def render(papers: Sequence[Paper], options: ExportOptions) -> Iterator[str]:
    counts = Counts.of(papers)
    title = _text(options.heading)
    made = human_date(local_day(options.generated_at))
    yield (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="Reading List {_text(__version__)}">\n'
        f"<title>{title}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{title}</h1>\n"
        f'<p class="summary">{_text(counts.sentence())}</p>\n'
        f'<p class="made">Exported from Reading List on {made}</p>\n</header>\n'
    )
    if not papers:
        yield '<main>\n<p class="empty">No papers.</p>\n</main>\n'
    else:
        groups = group_papers(papers, options.grouping, options.digests)
        grouped = options.grouping != "none"
        if grouped and len(groups) > 1:
            yield '<nav aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n'
            for number, group in enumerate(groups, 1):
                yield (
                    f'<li><a href="#group-{number}">{_text(group.title or "")}</a> '
                    f'<span class="count">{len(group.papers):,}</span></li>\n'
                )
            yield "</ol>\n</nav>\n"
        yield "<main>\n"
        for number, group in enumerate(groups, 1):
            if grouped:
                yield (
                    f'<section id="group-{number}">\n<h2>{_text(group.title or "")} '
                    f'<span class="count">{plural(len(group.papers), "paper")}</span></h2>\n'
                )
            for paper in group.papers:
                yield _paper(paper, options)
            if grouped:
                yield "</section>\n"
        yield "</main>\n"
    yield (
        f"<footer>Made with Reading List {_text(__version__)}</footer>\n</body>\n</html>\n"
    )


def _paper(paper: Paper, options: ExportOptions) -> str:
    classes = ["paper"] + (["starred"] if paper.starred else []) + (["read"] if paper.read else [])
    parts = [f'<article class="{" ".join(classes)}" data-paper="{_text(paper.id)}">\n<h3>']
    if paper.starred:
        parts.append('<span class="star" title="Starred" aria-label="Starred">★</span>')
    parts.append(f"{_text(' '.join(display_text(paper.title).split()))}</h3>\n")
    facts = _facts(paper)
    if facts:
        parts.append(f'<p class="facts">{"".join(facts)}</p>\n')
    if paper.tags:
        items = "".join(f"<li>{_text(tag)}</li>" for tag in paper.tags)
        parts.append(f'<ul class="tags" aria-label="Tags">{items}</ul>\n')
    if paper.note.strip():
        parts.append(f'<blockquote class="note">{_linked(paper.note.strip())}</blockquote>\n')
    if options.include_abstracts and paper.abstract.strip():
        parts.append(f'<p class="abstract">{_linked(display_text(paper.abstract.strip()))}</p>\n')
    links = [
        f'<span><span class="kind">{link_label(url)}:</span> {_anchor(url, url)}</span>'
        for url in paper.links
        if split_urls(url) == [(url, True)]
    ]
    links.append(_anchor(find_url(paper), "Find on arXiv", "find"))
    parts.append(f'<p class="links">{"".join(links)}</p>\n</article>\n')
    return "".join(parts)


def _facts(paper: Paper) -> list[str]:
    facts = []
    if paper.read:
        when = f" {human_date(local_day(paper.read_at))}" if paper.read_at else ""
        facts.append(f'<span class="read-mark">✓ Read{when}</span>')
    if paper.published:
        facts.append(f"<span>Published {human_date(paper.published)}</span>")
    if paper.upvotes is not None:
        facts.append(f"<span>{plural(paper.upvotes, 'upvote')}</span>")
    if paper.authors_count is not None:
        facts.append(f"<span>{plural(paper.authors_count, 'author')}</span>")
    if paper.organization:
        facts.append(f"<span>{_text(paper.organization)}</span>")
    return facts


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _anchor(url: str, label: str, css: str | None = None) -> str:
    cls = f' class="{css}"' if css else ""
    return f'<a{cls} href="{_text(url)}" rel="noopener noreferrer">{_text(label)}</a>'


def _linked(text: str) -> str:
    return "".join(
        _anchor(piece, piece) if is_url else _text(piece) for piece, is_url in split_urls(text)
    )
