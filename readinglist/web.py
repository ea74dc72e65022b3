"""Where to find a paper on the web: its Hugging Face page and an arXiv search, from title or id.

Digests hold no paper address; a paper's links (or its abstract) sometimes name its arXiv id,
which gives the exact pages. Otherwise both sites are searched by title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote_plus

# New-style arXiv ids (2007 on): YYMM.NNNN or YYMM.NNNNN, with an optional version.
ARXIV_ID = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|arXiv:\s?)(\d{4}\.\d{4,5})(?:v\d+)?",
    re.IGNORECASE,
)


def arxiv_id(texts: Iterable[str]) -> str | None:
    """The first arXiv id named in these texts (links, then the abstract), or None."""
    for text in texts:
        match = ARXIV_ID.search(text or "")
        if match:
            return match.group(1)
    return None


def arxiv_search_url(title: str) -> str:
    """An arXiv search for this title."""
    query = quote_plus(" ".join(title.split()))
    return f"https://arxiv.org/search/?query={query}&searchtype=title"


def arxiv_url(title: str, texts: Iterable[str] = ()) -> str:
    """The paper's arXiv page when its id is known, else an arXiv search for its title."""
    found = arxiv_id(texts)
    return f"https://arxiv.org/abs/{found}" if found else arxiv_search_url(title)


def hugging_face_url(title: str, texts: Iterable[str] = ()) -> str:
    """The paper's Hugging Face page when its arXiv id is known, else a search for its title."""
    found = arxiv_id(texts)
    if found:
        return f"https://huggingface.co/papers/{found}"
    return f"https://huggingface.co/papers?q={quote_plus(' '.join(title.split()))}"
