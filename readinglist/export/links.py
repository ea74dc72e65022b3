"""Links an export can offer for a paper: the URLs in its abstract, and a way to find the paper."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from readinglist.library.model import Paper

# Generous enough for the code and project pages abstracts cite; the trailing punctuation of
# the sentence ("see https://x.io/a.") is not part of the URL.
URL = re.compile(r"\bhttps?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]}]", re.IGNORECASE)


def find_url(paper: Paper) -> str:
    """An arXiv title search: digests hold no paper address, and this finds it in one click."""
    query = quote_plus(" ".join(paper.title.split()))
    return f"https://arxiv.org/search/?query={query}&searchtype=title"


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
