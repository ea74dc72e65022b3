"""One display form for titles and abstracts: the digests' LaTeX leftovers rendered."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from readinglist.display import display_text
from readinglist.export import export
from readinglist.library.model import Paper


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (r"PIXART-{\delta}: Fast", "PIXART-δ: Fast"),
        (r"Language \& Vision at 85.2\%", "Language & Vision at 85.2%"),
        (r"\(\Delta\)ConvFusion (\(\Delta\)ConvBlocks)", "ΔConvFusion (ΔConvBlocks)"),
        (r"we propose {\bf Latent Space} and \emph{UPop}", "we propose Latent Space and UPop"),
        (r"118\times lower, \textasciitilde5\% more, \eg, it", "118× lower, ~5% more, e.g., it"),
        (r"PIXART-{\alpha} and \Omega", "PIXART-α and Ω"),
        # Not leftovers we can be sure of: kept as they are.
        (r"how \model handles $5 and C:\Users", r"how \model handles $5 and C:\Users"),
        ("μ-Transfer", "μ-Transfer"),
    ],
)
def test_display_text(stored: str, shown: str) -> None:
    assert display_text(stored) == shown


def leftover_paper() -> Paper:
    return Paper(
        id="aa11bb22cc",
        title=r"PIXART-{\delta}: Fast \& Controllable",
        abstract=r"It reaches 85.2\% with \(\Delta\)Conv. Code: https://github.com/a/b",
        links=["https://github.com/a/b", "https://arxiv.org/abs/2401.05252"],
    )


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "ris"])
def test_every_export_but_bibtex_and_json_shows_the_display_form(fmt: str) -> None:
    text = export([leftover_paper()], fmt)
    if fmt == "md":  # what the Markdown shows, not its escapes
        text = MarkdownIt("commonmark").render(text)
    assert "PIXART-δ: Fast &" in text.replace("&amp;", "&")
    assert "85.2%" in text and "ΔConv" in text
    assert "{\\delta}" not in text and "\\%" not in text and "\\&" not in text


def test_json_keeps_the_stored_text() -> None:
    # The backup format: a restore must give back exactly what was imported.
    text = export([leftover_paper()], "json")
    assert r"PIXART-{\\delta}: Fast \\& Controllable" in text


def test_code_repositories_are_labelled_and_never_the_paper_url() -> None:
    paper = leftover_paper()
    md = export([paper], "md")
    assert "Code: <https://github.com/a/b>" in md
    assert "Paper: <https://arxiv.org/abs/2401.05252>" in md
    html = export([paper], "html")
    assert re.search(r'<span class="kind">Code:</span> <a href="https://github.com/a/b"', html)
    bib = export([paper], "bibtex")
    assert "url = {https://arxiv.org/abs/2401.05252}" in bib and "github" not in bib.split(
        "abstract"
    )[0]


def test_html_print_keeps_papers_whole_and_prints_each_link_once() -> None:
    html = export([leftover_paper()], "html")
    print_css = html[html.index("@media print") :]
    print_css = print_css[: print_css.index("</style>")]
    assert "attr(href)" not in html  # the link text is the address: printed once
    body = re.sub(r"/\*.*?\*/", "", print_css.split("{", 1)[1], flags=re.DOTALL)
    rules = {k.strip(): v for k, v in re.findall(r"([^{}]+)\{([^{}]*)\}", body)}
    assert "break-inside: avoid" in rules["article"]
    assert "break-inside: avoid" in rules["article h3"]
    # Every anchor shows its own URL (or is the on-screen-only "Find on arXiv").
    for href, label in re.findall(r'<a(?: class="[^"]*")? href="([^"]+)"[^>]*>([^<]+)</a>', html):
        assert label == href or label == "Find on arXiv"
