"""Links an export can offer for a paper: the URLs in its abstract, and a way to find the paper."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from readinglist.display import display_text
from readinglist.library.model import Paper
from readinglist.web import arxiv_search_url

# Generous enough for the code and project pages abstracts cite; the trailing punctuation of
# the sentence ("see https://x.io/a.") is not part of the URL.
URL = re.compile(r"\bhttps?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]}]", re.IGNORECASE)


def find_url(paper: Paper) -> str:
    """An arXiv title search: digests hold no paper address, and this finds it in one click."""
    return arxiv_search_url(display_text(paper.title))


def split_urls(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_url) runs, so writers can link URLs and escape the rest."""
    if "://" not in text:  # most abstracts and notes: skip the regex
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in URL.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], False))
        pieces.append((match.group(), True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


# Where code lives. A repository is the authors' code, not the paper: it is labelled "Code" and
# never written as the paper's address (BibTeX ``url``, RIS ``UR``).
_CODE_HOSTS = frozenset(
    ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sourceforge.net",
     "git.sr.ht", "gitee.com")
)  # fmt: skip
# Pages that are the paper itself (abstract page, PDF, DOI, review page).
_PAPER_HOSTS = frozenset(
    ("arxiv.org", "doi.org", "dx.doi.org", "openreview.net", "aclanthology.org",
     "proceedings.neurips.cc", "papers.nips.cc", "proceedings.mlr.press", "ieeexplore.ieee.org",
     "dl.acm.org", "link.springer.com", "biorxiv.org", "medrxiv.org")
)  # fmt: skip


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def is_code(url: str) -> bool:
    """Whether ``url`` is a code repository (GitHub, GitLab, …) rather than a paper or page."""
    host = _host(url)
    return host in _CODE_HOSTS or host.startswith("gitlab.")  # self-hosted GitLab


def link_label(url: str) -> str:
    """What a link is, in a word: "Code", "Paper" or "Link"."""
    if is_code(url):
        return "Code"
    if _host(url) in _PAPER_HOSTS or (_host(url) == "huggingface.co" and "/papers/" in url):
        return "Paper"
    return "Link"


def paper_url(links: list[str]) -> str | None:
    """The paper's own address among ``links`` (arXiv, DOI, OpenReview, …), if any."""
    return next((url for url in links if link_label(url) == "Paper"), None)
